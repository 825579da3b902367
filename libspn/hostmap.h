/* hostmap.h - name -> values maps for the checks (host names compared as
 * AD compares them), and the host-name helpers the checks share.
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

/* A key folded and hashed once, for several lookups or maps. */
typedef struct hostmap_key {
	uint32_t hash;
	uint32_t len;
	char text[HOSTMAP_KEY_MAX + 1];
} hostmap_key;

hostmap *hostmap_new(void);
void hostmap_free(hostmap *map);

/* Add value under key (len bytes). 0 on success (also when the key is too
 * long and therefore skipped), -1 on no memory. */
int hostmap_add(hostmap *map, const char *key, size_t len, uint32_t value);

/* Fold and hash key (len bytes) as the maps do: 0, or -1 when it is too
 * long to be a key (it is then never found). */
int hostmap_key_make(hostmap_key *k, const char *key, size_t len);
/* hostmap_key_make of text that is already folded (a hostmap_spn_host
 * result), without folding ASCII text again. */
int hostmap_key_folded(hostmap_key *k, const char *folded, size_t len);
/* hostmap_add of a made key. */
int hostmap_add_key(hostmap *map, const hostmap_key *k, uint32_t value);

/* The first entry of key, or HOSTMAP_NONE. */
uint32_t hostmap_find(const hostmap *map, const char *key, size_t len);
uint32_t hostmap_find_key(const hostmap *map, const hostmap_key *k);
uint32_t hostmap_value(const hostmap *map, uint32_t entry);

/* The host of an SPN, as spn_name_parse splits it (brackets, port or
 * instance, service name and one trailing dot removed), folded to lower
 * case into buf without allocating. Returns its length and sets *kind_out,
 * or -1 when the SPN has no usable host (malformed, or longer than size-1
 * bytes). */
int hostmap_spn_host(const char *spn, char *buf, size_t size,
		     spn_host_kind *kind_out);

/* hostmap_spn_host of an SPN whose host part (the text between its first
 * '/' and the next, or its end) is the len bytes at part. */
int hostmap_spn_host_part(const char *part, size_t len, char *buf,
			  size_t size, spn_host_kind *kind_out);
/* The address of len bytes of text (brackets around it allowed) as
 * inet_pton reads it: 4 (IPv4) or 16 (IPv6) bytes into addr, and that
 * length, or -1 when text is not an address. */
int hostmap_addr_parse(const char *text, size_t len, unsigned char addr[16]);

/* A computer's NetBIOS short name: its sAMAccountName without the trailing
 * '$'. Returns the length (0 when there is none). */
size_t hostmap_short_name(const spn_index *index, uint32_t account,
			  const char **name_out);

/* A DNS node the checks treat as an existing name: not tombstoned, with at
 * least one record, and not in an internal zone (root hints). */
int hostmap_node_live(const spn_index *index, uint32_t node);

#endif
