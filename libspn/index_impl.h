/* index_impl.h - the index as the checks read it.
 *
 * Everything lives in a few growable arrays: one string pool (offsets, not
 * pointers, so it can grow), one array of accounts, one of SPNs (stored
 * contiguously per account), and an open-addressing table from the
 * normalised SPN key to the first SPN with that key; later SPNs with the
 * same key are chained through spn.next_same. 12 bytes and a bit per SPN
 * plus its text and a table slot (8 bytes: the key's hash beside the SPN,
 * so a probe reads one cache line and never the SPN array). */
#ifndef SPN_INDEX_IMPL_H
#define SPN_INDEX_IMPL_H

#include <pthread.h>
#include <stdint.h>
#include <spn/index.h>

#define IDX_NONE UINT32_MAX

typedef uint32_t idx_str;   /* offset into the string pool; 0 is "" */

typedef struct idx_account {
	idx_str dn;
	idx_str sam;          /* 0 when absent */
	idx_str dns_host;     /* dNSHostName, 0 when absent */
	uint32_t first_spn;
	uint32_t n_spns;
	uint32_t first_extra; /* into index->extra_names */
	uint32_t n_extra;
	uint32_t uac;
	uint32_t enc_types;
	uint8_t kind;         /* spn_account_kind */
	uint8_t has_uac;
	uint8_t has_enc_types;
} idx_account;

typedef struct idx_spn {
	idx_str text;         /* the value as the directory holds it */
	uint32_t account;
	uint32_t next_same;   /* next SPN with the same key, or IDX_NONE */
} idx_spn;

typedef struct idx_dns_node {
	idx_str fqdn;
	idx_str zone;
	uint32_t first_record;
	uint32_t n_records;
	uint8_t tombstoned;
} idx_dns_node;

typedef struct idx_dns_record {
	uint16_t type;
	idx_str data;
} idx_dns_record;

typedef struct idx_slot {
	uint32_t hash;        /* key hash */
	uint32_t spn;         /* first SPN with the key, or IDX_NONE if empty */
} idx_slot;

typedef struct idx_mapping {
	idx_str alias;        /* "cifs" */
	idx_str target;       /* "host" */
} idx_mapping;

struct spn_index {
	struct idx_derived *derived;  /* index_derived.h: built on first use */
	pthread_mutex_t derived_lock; /* checks on several threads build it */
	char *pool;
	size_t pool_len, pool_cap;

	idx_account *accounts;
	uint32_t n_accounts, cap_accounts;

	idx_spn *spns;
	uint32_t n_spns, cap_spns;
	uint8_t *heads;        /* a bit per SPN: the first of its key */
	uint32_t cap_heads;    /* bytes */

	idx_str *extra_names;  /* msDS-AdditionalDnsHostName values */
	uint32_t n_extra, cap_extra;

	idx_slot *table;       /* a key's hash and first holder */
	uint32_t table_mask;   /* size - 1; size is a power of two */
	uint32_t n_keys;

	idx_dns_node *dns_nodes;
	uint32_t n_dns_nodes, cap_dns_nodes;
	idx_dns_record *dns_records;
	uint32_t n_dns_records, cap_dns_records;

	idx_mapping *mappings;
	uint32_t n_mappings, cap_mappings;

	/* accounts (and their non-empty SPNs) a source read and checked but
	 * did not keep (SPN_LOAD_SHARED_ONLY): counted, not stored */
	size_t passed_accounts, passed_spns;
};

/* Ask for the cache line at p ahead of a random access to it. */
static inline void idx_prefetch(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

static inline const char *idx_s(const spn_index *index, idx_str off)
{
	return index->pool + off;
}

/* Hash of an SPN's normalised key (spn_key), without building the key. */
uint32_t idx_key_hash(const char *spn);
/* A 64-bit hash of the key of the len-byte SPN spn, whose low 32 bits are
 * idx_key_hash's: 0, or -1 when out of memory (a long non-ASCII SPN). */
int idx_key_hash64(const char *spn, size_t len, uint64_t *hash_out);
/* idx_key_hash64 of the len-byte SPN spn, which need not be followed by
 * a NUL: an SPN that is not ASCII is first copied, NUL-terminated, into
 * *text (grown as needed; *cap bytes). 0, or -1 when out of memory. */
int idx_span_key_hash64(const char *spn, size_t len, char **text,
			size_t *cap, uint64_t *hash_out);
/* Whether two SPNs have the same normalised key. */
int idx_key_equal(const char *a, const char *b);

/* The distinct holders of the key group that starts at head: each account
 * of the group not already in acc[from..*n) is appended to acc, in group
 * order; when spns is not NULL, (*spns)[k] gets the group's first SPN that
 * (*acc)[k] holds. The arrays grow together (*cap). 0, or -1 when out of
 * memory. */
int idx_group_holders(const spn_index *index, uint32_t head, size_t from,
		      uint32_t **acc, uint32_t **spns, size_t *n, size_t *cap);

/* Grow an array of elem-byte elements (capacity *cap) to hold need of
 * them: 0, or -1 when out of memory or past UINT32_MAX elements. */
int idx_grow(void **array, uint32_t *cap, uint64_t need, size_t elem);

/* The table slot that holds the key of the len-byte spn (whose key hash is
 * hash), or the empty slot where it would go. */
uint32_t idx_find_slot(const spn_index *index, const char *spn, size_t len,
		       uint32_t hash);

/* Append everything from holds to index, as if from's accounts, DNS nodes
 * and mappings had been added to index after its own, in from's order
 * (index_append.c). 0, or -1 when out of memory: index is then
 * unchanged. */
int idx_append(spn_index *index, const spn_index *from);
/* The same for from[0..n), in order, copying on two threads when there
 * is much to copy. */
int idx_append_all(spn_index *index, const spn_index *const *from, size_t n);
/* Whether index holds nothing (and has passed nothing over). */
int idx_is_empty(const spn_index *index);
/* Make index empty again, keeping the memory it has (index_append.c). */
void idx_clear(spn_index *index);

/* The first SPN whose key equals spn's, or IDX_NONE. */
uint32_t idx_find_spn(const spn_index *index, const char *spn);

/* Make room for about n_spns more SPNs, n_accounts more accounts and
 * pool_bytes more text, so that a loader that can estimate its input
 * (from a file's size) avoids growing the table step by step. A hint:
 * 0 on success, -1 when out of memory (the index is unchanged). */
int idx_reserve(spn_index *index, size_t n_spns, size_t n_accounts,
		size_t pool_bytes);

/* Iterate the key groups: every SPN that is the first of its key. */
#define IDX_FOR_EACH_KEY_HEAD(index, i) \
	for ((i) = 0; (i) < (index)->n_spns; (i)++) \
		if (idx_is_head((index), (i)))

static inline int idx_is_head(const spn_index *index, uint32_t spn)
{
	return (index->heads[spn >> 3] >> (spn & 7u)) & 1u;
}

#endif
