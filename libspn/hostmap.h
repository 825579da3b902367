/* hostmap.h - name -> values maps that checks build once per run: host names
 * compared as AD compares them, addresses in canonical text form.
 *
 * A hostmap is an open-addressing table from a key (folded with the Unicode
 * simple case folding of spn_key, one trailing dot removed) to a chain of
 * uint32_t values in insertion order. Keys longer than HOSTMAP_KEY_MAX bytes
 * are never stored and never found: no valid host name is that long. One
 * allocation per growth, none per lookup. */
#ifndef SPN_HOSTMAP_H
#define SPN_HOSTMAP_H

#include <stddef.h>
#include <stdint.h>
#include <spn/name.h>
#include "index_impl.h"

#define HOSTMAP_KEY_MAX 255
#define HOSTMAP_NONE UINT32_MAX

typedef struct hostmap hostmap;

hostmap *hostmap_new(void);
void hostmap_free(hostmap *map);

/* Add value under key (len bytes). 0 on success (also when the key is too
 * long and therefore skipped), -1 on no memory. */
int hostmap_add(hostmap *map, const char *key, size_t len, uint32_t value);
/* Add value once: nothing when key already holds value. */
int hostmap_add_unique(hostmap *map, const char *key, size_t len,
		       uint32_t value);

/* The first entry of key, or HOSTMAP_NONE; walk on with hostmap_next. */
uint32_t hostmap_find(const hostmap *map, const char *key, size_t len);
uint32_t hostmap_next(const hostmap *map, uint32_t entry);
uint32_t hostmap_value(const hostmap *map, uint32_t entry);
/* Number of distinct keys. */
size_t hostmap_keys(const hostmap *map);

/* The host of an SPN, as spn_name_parse splits it (brackets, port or
 * instance, service name and one trailing dot removed), folded to lower
 * case into buf without allocating. Returns its length and sets *kind_out,
 * or -1 when the SPN has no usable host (malformed, or longer than size-1
 * bytes). */
int hostmap_spn_host(const char *spn, char *buf, size_t size,
		     spn_host_kind *kind_out);

/* The canonical text of an IPv4 or IPv6 address (inet_ntop of inet_pton),
 * or -1 when text is not one. buf must hold 46 bytes. */
int hostmap_addr_canon(const char *text, char *buf, size_t size);

/* A computer's NetBIOS short name: its sAMAccountName without the trailing
 * '$'. Returns the length (0 when there is none). */
size_t hostmap_short_name(const spn_index *index, uint32_t account,
			  const char **name_out);

/* A DNS node the checks treat as an existing name: not tombstoned, with at
 * least one record, and not in an internal zone (root hints). */
int hostmap_node_live(const spn_index *index, uint32_t node);

/* Computers' own DNS names (dNSHostName, msDS-AdditionalDnsHostName) ->
 * account. */
hostmap *hostmap_computer_names(const spn_index *index);
/* Computers' short names (sAMAccountName without '$') -> account. */
hostmap *hostmap_short_names(const spn_index *index);
/* Live DNS names -> node; with first_label, their first labels instead. */
hostmap *hostmap_dns_names(const spn_index *index, int first_label);
/* Canonical A/AAAA addresses of live DNS nodes -> node. */
hostmap *hostmap_dns_addresses(const spn_index *index);

#endif
