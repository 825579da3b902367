/* spn/dns.h - DNS facts from the AD-integrated zones (MS-DNSP dnsRecord). */
#ifndef SPN_DNS_H
#define SPN_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <spn/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* DNS record types (RFC 1035 numbering, as MS-DNSP uses them). */
#define SPN_DNS_TYPE_A 1u
#define SPN_DNS_TYPE_CNAME 5u
#define SPN_DNS_TYPE_AAAA 28u
#define SPN_DNS_TYPE_SRV 33u

/* One decoded DNS_RPC_RECORD (MS-DNSP 2.3.2.2). */
typedef struct spn_dns_record {
	uint16_t type;
	uint32_t ttl;
	char data[256];   /* A/AAAA: address text; CNAME: target name without
			     trailing dot; SRV: "prio weight port target";
			     other types: empty */
} spn_dns_record;

/* Decode one dnsRecord attribute value. Returns SPN_E_INPUT (never reads
 * past len) when the blob is truncated or inconsistent. */
spn_status spn_dns_record_decode(const unsigned char *blob, size_t len,
				 spn_dns_record *record_out);

/* One dnsNode: a name in an AD-integrated zone with its live records. */
typedef struct spn_dns_node {
	const char *fqdn;      /* lower case, no trailing dot ("files.corp.test") */
	const char *zone;      /* "corp.test" */
	const spn_dns_record *records;
	size_t n_records;
	int tombstoned;        /* dNSTombstoned TRUE: the name is deleted */
} spn_dns_node;

typedef spn_status (*spn_dns_node_fn)(const spn_dns_node *node,
				      void *userdata);

#ifdef __cplusplus
}
#endif

#endif
