/* index_derived.h - what the host checks share, built from the index once.
 *
 * alias, ip, orphan and missing all ask the same questions: which computers
 * and which live DNS nodes have this host name, which nodes carry this
 * address, what is the host of this SPN. The answers are built on first
 * use, in parts (names, SPN hosts, addresses), and kept on the index until
 * it grows (every spn_index_add_* drops them) or is freed.
 *
 * The checks get the index as const; the parts are filled in through that
 * pointer, under the index's derived_lock, so checks may run on several
 * threads over one index (while nothing adds to it). A part once built is
 * never changed. */
#ifndef SPN_INDEX_DERIVED_H
#define SPN_INDEX_DERIVED_H

#include <stdint.h>
#include "hostmap.h"
#include "index_impl.h"

#define IDX_HOST_NONE 0xffu  /* spn_kind of an SPN without a usable host */
#define IDX_NAME_OWN 0x80000000u  /* idx_name.key_len: the key is in key_pool */

/* One element of a chain of values: follow next until IDX_NONE. */
typedef struct idx_link {
	uint32_t value;
	uint32_t next;
} idx_link;

/* A host name (folded as hostmap keys are) and the first link of each of
 * its holders, in index order; IDX_NONE when there is none. */
typedef struct idx_name {
	uint32_t key;        /* offset of the folded name: in the index's
			      * pool, or (key_len & IDX_NAME_OWN) in key_pool */
	uint32_t key_len;
	uint32_t computers;  /* computers whose dNSHostName or
			      * msDS-AdditionalDnsHostName it is (accounts) */
	uint32_t shorts;     /* computers whose short name it is (accounts) */
	uint32_t nodes;      /* live DNS nodes named so (nodes) */
	uint32_t labels;     /* live DNS nodes whose first label it is */
} idx_name;

typedef struct idx_derived {
	/* idx_derived_names() */
	uint32_t *name_slots; /* open addressing: key hash, name id */
	uint32_t name_mask, n_slots_used;
	const spn_index *index; /* whose pool the names point into */
	char *key_pool;       /* folded names the index does not hold as such */
	uint32_t key_pool_len, key_pool_cap;
	idx_name *names;
	uint32_t n_names, cap_names;
	idx_link *links;      /* the chains of names and addresses */
	uint32_t n_links, cap_links;
	uint32_t *node_name;  /* per DNS node: the name id of a live node, or
			       * IDX_NONE */
	uint8_t *node_live;   /* per DNS node: hostmap_node_live */

	/* idx_derived_spn_hosts() */
	uint8_t *spn_kind;    /* per SPN: the spn_host_kind of its host (as
			       * hostmap_spn_host finds it), or IDX_HOST_NONE */
	uint32_t *spn_name;   /* per SPN: the name id of an FQDN or short
			       * host, or IDX_NONE */

	/* idx_derived_addresses() */
	uint32_t *v4_slots;   /* open addressing: IPv4 address, address id */
	uint32_t v4_mask, n_v4;
	hostmap *v6;          /* canonical IPv6 text -> address id */
	uint32_t *addr_nodes; /* per address id: first link of live nodes
			       * with an A or AAAA record of it */
	uint32_t n_addrs, cap_addrs;
	uint32_t *rec_addr;   /* per DNS record: the address id of a live
			       * node's A or AAAA record, or IDX_NONE */

	uint8_t have_names, have_spn_hosts, have_addresses;
	uint8_t failed;        /* a build ran out of memory: NULL until dropped */
} idx_derived;

/* The index's derived data with the named part built (and, for SPN hosts,
 * the names); NULL when out of memory. */
const idx_derived *idx_derived_names(const spn_index *index);
const idx_derived *idx_derived_spn_hosts(const spn_index *index);
const idx_derived *idx_derived_addresses(const spn_index *index);

/* Drop the derived data (the index grew, or is being freed). */
void idx_derived_drop(spn_index *index);

/* The name id of a host name (len bytes, compared as hostmap keys), or
 * IDX_NONE when no computer or live DNS node has it. */
uint32_t idx_name_find(const idx_derived *d, const char *name, size_t len);

/* The address id of an IPv4 or IPv6 address in text form (as
 * hostmap_addr_parse reads it), or IDX_NONE when no live node carries it
 * or it is not an address. */
uint32_t idx_address_find(const idx_derived *d, const char *text, size_t len);

/* The first value of a chain, or IDX_NONE. */
static inline uint32_t idx_chain_first(const idx_derived *d, uint32_t link)
{
	return link != IDX_NONE ? d->links[link].value : IDX_NONE;
}

/* Walk a chain: for (l = head; l != IDX_NONE; l = d->links[l].next) */
#define IDX_CHAIN_FOR(d, l, head) \
	for ((l) = (head); (l) != IDX_NONE; (l) = (d)->links[(l)].next)

/* The name id of a live DNS node's name, or IDX_NONE. */
static inline uint32_t idx_node_name(const idx_derived *d, uint32_t node)
{
	return d->node_name[node];
}

#endif
