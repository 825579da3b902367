/* discover.h - finding the domain and its DCs (or GCs) by DNS SRV records. */
#ifndef SPN_DISCOVER_H
#define SPN_DISCOVER_H

#include <stddef.h>
#include "context_impl.h"

/* One SRV target (RFC 2782). */
typedef struct spn_srv {
	char *target;          /* host name, no trailing dot */
	unsigned int priority;
	unsigned int weight;
	unsigned int port;
} spn_srv;

/* A uniform random number in [0, bound]. */
typedef unsigned long (*spn_srv_random_fn)(unsigned long bound, void *data);

/* The random source spn_srv_discover uses (getrandom(2)). */
unsigned long spn_srv_random(unsigned long bound, void *data);

/* What spn_srv_discover draws from: spn_srv_random unless a test replaced
 * it to make the order of equal-priority targets predictable. */
extern spn_srv_random_fn spn_srv_discover_random;

/* Put srv[0..n) in the order a client should try them (RFC 2782): priority
 * ascending; within one priority a weighted random choice, one at a time,
 * where weight-0 entries come first in the running sum and so are only
 * picked when the random number is 0. Pure: all randomness comes from rnd. */
void spn_srv_order(spn_srv *srv, size_t n, spn_srv_random_fn rnd, void *data);

/* Parse the SRV records in the answer section of a DNS response. A single
 * "." target (service decidedly not available) yields no entries. Fails with
 * SPN_E_DNS naming qname when the message is malformed. */
spn_status spn_srv_parse(spn_ctx *ctx, const char *qname,
			 const unsigned char *msg, size_t len,
			 spn_srv **srv_out, size_t *n_out);

void spn_srv_free(spn_srv *srv, size_t n);

/* The DNS domain to work on: the context's, or else the krb5 default realm
 * lower-cased (stored in the context). The string belongs to ctx. */
spn_status spn_discover_domain(spn_ctx *ctx, const char **domain_out);

/* Look up qname's SRV records and order them (RFC 2782). No records is an
 * SPN_E_DNS error with the resolver status attached. */
spn_status spn_srv_discover(spn_ctx *ctx, const char *qname,
			    spn_srv **srv_out, size_t *n_out);

#endif
