/* spn/name.h - the SPN model: parse, classify, normalise.
 *
 * An SPN is serviceclass/host[:port-or-instance][/servicename]. The host may
 * be an FQDN, a single label, an IPv4 literal or an IPv6 literal (bare, as
 * AD stores TryIPSPN names, or bracketed). Malformed values are kept, with a
 * reason, never rejected by crashing. */
#ifndef SPN_NAME_H
#define SPN_NAME_H

#include <stddef.h>
#include <spn/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum spn_host_kind {
	SPN_HOST_FQDN = 0,    /* contains a dot and is not an address */
	SPN_HOST_SHORT,       /* a single label (NetBIOS-style) */
	SPN_HOST_IPV4,
	SPN_HOST_IPV6,
	SPN_HOST_INVALID,
} spn_host_kind;

typedef struct spn_name {
	char *service_class;  /* as written */
	char *host;           /* as written, brackets and trailing dot removed */
	char *port;           /* the part after ':' when it is all digits, else NULL */
	char *instance;       /* the part after ':' when it is not a port
				 (MSSQLSvc/sql1:SQLPROD), else NULL */
	char *service_name;   /* the part after the second '/', else NULL */
	spn_host_kind host_kind;
	const char *invalid;  /* NULL when well formed, else why not (static) */
} spn_name;

/* Parse text. Malformed input still returns SPN_OK with name->invalid set,
 * so callers can report it; only NULL input or no memory fail. service_class
 * and host are never NULL (they may be empty when the SPN is malformed). */
spn_status spn_name_parse(const char *text, spn_name **name_out);
void spn_name_free(spn_name *name);

/* Classify a bare host string (no service class). */
spn_host_kind spn_host_classify(const char *host);
const char *spn_host_kind_name(spn_host_kind kind);

/* The comparison key AD uses for uniqueness: case folded (ASCII and the
 * simple Unicode case mappings of Latin, Greek and Cyrillic), otherwise
 * byte-for-byte ("http/web01." and "http/web01" are different SPNs). Writes at most out_size bytes
 * including the NUL; returns the length the key needs (excluding NUL), like
 * snprintf. Invalid UTF-8 bytes are copied unchanged. */
size_t spn_key(const char *spn, char *out, size_t out_size);

/* A host name for reporting: lower case, brackets and one trailing dot
 * removed. Returns a malloc'd string or NULL on no memory. */
char *spn_host_display(const char *host);

#ifdef __cplusplus
}
#endif

#endif
