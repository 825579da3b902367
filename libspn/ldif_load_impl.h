/* ldif_load_impl.h - the LDIF loader's state and the steps of it that
 * the two-pass load (ldif_shared.c) reuses; private to ldif_*.c. */
#ifndef SPN_LDIF_LOAD_IMPL_H
#define SPN_LDIF_LOAD_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <spn/context.h>
#include <spn/index.h>
#include "ldif.h"

/* The objectClass values that matter. */
#define OC_USER 0x1u
#define OC_COMPUTER 0x2u
#define OC_MSA 0x4u
#define OC_DNS_NODE 0x8u

/* The attributes the loader reads. */
typedef enum attr_id {
	A_OTHER = 0,
	A_OBJECTCLASS,
	A_SPN,
	A_SAM,
	A_MAPPINGS,
	A_UAC,
	A_DNS_HOST,
	A_DNS_RECORD,
	A_TOMBSTONED,
	A_ADDITIONAL,
	A_ENC_TYPES,
} attr_id;

/* ASCII case-insensitive equality of n bytes; inline, without the
 * locale lookups of strncasecmp: it runs for every attribute. */
static inline int ldif_same_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) ||
			       (unsigned char)((x | 0x20) - 'a') >= 26u))
			return 0;
	}
	return 1;
}

/* Whether s[0..n) is word (of len bytes), in any case. Names and values
 * are nearly always written as AD spells them: an exact memcmp (inlined
 * for a constant len) first, folding only when it fails. */
static inline int ldif_word_is(const char *s, size_t n, const char *word,
			       size_t len)
{
	return n == len && (memcmp(s, word, len) == 0 ||
			    ldif_same_nocase(s, word, len));
}

/* Which attribute the type name[0..len) (len > 0) is. */
static inline attr_id ldif_attr_id(const char *name, size_t len)
{
	switch (name[0] | 0x20) {
	case 'o':
		return ldif_word_is(name, len, "objectClass", 11) ?
			       A_OBJECTCLASS : A_OTHER;
	case 's':
		if (ldif_word_is(name, len, "servicePrincipalName", 20))
			return A_SPN;
		if (ldif_word_is(name, len, "sAMAccountName", 14))
			return A_SAM;
		return ldif_word_is(name, len, "sPNMappings", 11) ? A_MAPPINGS :
								    A_OTHER;
	case 'u':
		return ldif_word_is(name, len, "userAccountControl", 18) ?
			       A_UAC : A_OTHER;
	case 'd':
		if (ldif_word_is(name, len, "dNSHostName", 11))
			return A_DNS_HOST;
		if (ldif_word_is(name, len, "dnsRecord", 9))
			return A_DNS_RECORD;
		return ldif_word_is(name, len, "dNSTombstoned", 13) ?
			       A_TOMBSTONED : A_OTHER;
	case 'm':
		if (ldif_word_is(name, len, "msDS-AdditionalDnsHostName", 26))
			return A_ADDITIONAL;
		return ldif_word_is(name, len, "msDS-SupportedEncryptionTypes",
				    29) ? A_ENC_TYPES : A_OTHER;
	default:
		return A_OTHER;
	}
}

/* The OC_* bit of one objectClass value (0 for the others). */
static inline unsigned int ldif_class_bit(const char *value, size_t len)
{
	if (len == 0)
		return 0;
	switch (value[0] | 0x20) {
	case 'u':
		return ldif_word_is(value, len, "user", 4) ? OC_USER : 0;
	case 'c':
		return ldif_word_is(value, len, "computer", 8) ? OC_COMPUTER : 0;
	case 'm':
		return (ldif_word_is(value, len,
				     "msDS-GroupManagedServiceAccount", 31) ||
			ldif_word_is(value, len, "msDS-ManagedServiceAccount",
				     26)) ? OC_MSA : 0;
	case 'd':
		return ldif_word_is(value, len, "dnsNode", 7) ? OC_DNS_NODE : 0;
	default:
		return 0;
	}
}

/* userAccountControl and msDS-SupportedEncryptionTypes as AD writes them:
 * at most ten digits, perhaps after a '-', within 32 bits (signed or
 * not). 0 with the value's low 32 bits in *out, or -1 for any other text
 * (which parse_flags then reads as strtoll does, or refuses). */
static inline int ldif_short_flags(const char *s, size_t n, unsigned int *out)
{
	size_t i = n > 0 && s[0] == '-';
	long long v = 0;

	if (n <= i || n - i > 10)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (s[0] == '-')
		v = -v;
	if (v < -2147483648LL || v > 4294967295LL)
		return -1;
	*out = (unsigned int)(v & 0xffffffffLL);
	return 0;
}

/* Multi-valued attributes that LDAP may return in ranges
 * ("servicePrincipalName;range=0-1499"): every range up to '*' must be in
 * the entry, or the export holds only part of the values. */
enum {
	R_OBJECTCLASS = 0,
	R_SPN,
	R_ADDITIONAL,
	R_RECORD,
	R_MAPPINGS,
	R_COUNT,
};

typedef struct range_state {
	int ranged;
	unsigned long low, high;
	int star;              /* the current range ends in '*' */
	const spn_ldif_attr *attr;
} range_state;

/* A set of 64-bit SPN key hashes: open addressing in a power of two of
 * slots, a free slot holding 0 (the hash 0 is kept apart). The hashes are
 * already evenly spread: their low bits pick the slot. */
typedef struct hash_set {
	uint64_t *slots;
	size_t mask;
	int has_zero;
} hash_set;

static inline int hash_set_has(const hash_set *set, uint64_t h)
{
	size_t i = (size_t)h & set->mask;

	if (h == 0)
		return set->has_zero;
	for (; set->slots[i] != 0; i = (i + 1) & set->mask)
		if (set->slots[i] == h)
			return 1;
	return 0;
}

typedef struct loader {
	spn_ctx *ctx;
	spn_index *index;
	unsigned int what;     /* SPN_LOAD_* */
	const char **spns;     /* reused from entry to entry */
	size_t spns_cap;
	const char **extra;
	size_t extra_cap;
	spn_dns_record *records;
	size_t records_cap;
	char *scratch;         /* a plain account's values, NUL-terminated,
				  or one sPNMappings value, split in place */
	size_t scratch_cap;

	size_t n_entries, n_accounts, n_spns, n_nodes, n_records, n_mappings;
	size_t skipped_records;
	size_t n_unread;       /* accounts, DNS entries, sPNMappings not asked for */
	/* the second pass of SPN_LOAD_SHARED_ONLY: the SPN key hashes that
	 * occur more than once; only the SPNs with one are kept */
	const struct hash_set *shared;
} loader;

/* What one entry says, collected in one pass over its attributes. */
typedef struct entry_facts {
	unsigned int classes;
	spn_account account;
	const spn_ldif_attr *uac;
	const spn_ldif_attr *enc_types;
	int tombstoned;
	int has_mappings;
	range_state ranges[R_COUNT];
} entry_facts;

/* Make room for need elements of elem bytes in a growable array: 0, or
 * -1 when out of memory. Inline: it runs for every value kept. */
static inline int ldif_grow_array(void **array, size_t *cap, size_t need,
				  size_t elem)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return 0;
	new_cap = *cap > 0 ? *cap : 64;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2 / elem)
			return -1;
		new_cap *= 2;
	}
	p = realloc(*array, new_cap * elem);
	if (p == NULL)
		return -1;
	*array = p;
	*cap = new_cap;
	return 0;
}

/* Set "out of memory" at entry e and return SPN_E_NOMEM. */
spn_status ldif_no_memory(loader *l, const spn_ldif_entry *e);

/* Read what entry e says into f (zeroed by the caller), checking it. */
spn_status ldif_collect(loader *l, const spn_ldif_entry *e, entry_facts *f);

/* Check and fill in f->account without adding it to the index. */
spn_status ldif_check_account(loader *l, const spn_ldif_entry *e,
				entry_facts *f);

/* An spn_ldif_skip_fn over a loader: skips DNS zone objects when
 * SPN_LOAD_DNS is not asked for, counting them. */
int ldif_skip_unwanted(const char *dn, size_t len, void *userdata);

/* The one-pass load of buf in n_parts parts on threads, each into an
 * index of its own, appended to index in file order; total gets the
 * counts. *redo_out is set, and index is unchanged, when that could not
 * run, or a part failed or logged anything: the one-pass load then reads
 * the input and says it (ldif_parallel.c). */
spn_status ldif_load_parallel(spn_index *index, spn_ctx *ctx,
			      const char *name, const char *buf, size_t len,
			      int mapped, unsigned int what, size_t n_parts,
			      loader *total, int *redo_out);

/* An spn_ldif_entry_fn over a loader: the entry into its index. */
spn_status ldif_load_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			   void *userdata);

/* An spn_ldif_plain_fn over a loader that reads accounts: the plain entry
 * into its index, as ldif_load_entry adds it, its DNS node and sPNMappings
 * values counted as not read (the second pass of SPN_LOAD_SHARED_ONLY;
 * ldif_load_plain_all leaves those the loader reads to the parser). */
spn_status ldif_load_plain(spn_ctx *ctx, const struct ldif_plain_entry *e,
			   void *userdata);
/* The same over a loader of accounts and more: a dnsNode or an entry with
 * sPNMappings values that the loader reads is left to the general parser
 * (LDIF_PLAIN_LEAVE), which hands their values to ldif_load_entry. */
spn_status ldif_load_plain_all(spn_ctx *ctx, const struct ldif_plain_entry *e,
			       void *userdata);

/* Free the loader's scratch arrays (not the loader itself). */
void ldif_free_loader(loader *l);

/* Log what a load read, at SPN_LOG_INFO. */
void ldif_log_summary(spn_ctx *ctx, const char *name, const loader *l);

/* SPN_LOAD_ACCOUNTS | SPN_LOAD_SHARED_ONLY in two passes (ldif_shared.c),
 * the first split into n_parts parts (0: by size and CPUs). mapped: buf
 * is a file mapping. *redo_out is set when the first pass failed or
 * found nothing to load: the caller then runs the one-pass load. */
spn_status ldif_load_shared(spn_index *index, spn_ctx *ctx,
			    const char *name, const char *buf, size_t len,
			    int mapped, size_t n_parts, int *redo_out);

#endif
