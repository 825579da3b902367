/* index.c - the compact, append-only index that every check reads. */
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "context_impl.h"
#include "index_derived.h"
#include "index_impl.h"
#include "swar.h"

#define POOL_MAX ((size_t)UINT32_MAX)

/* ASCII case folding without locale lookups: the hot path of a scan. */
static inline unsigned char fold_ascii(unsigned char c)
{
	return (unsigned char)(c - 'A') < 26u ? (unsigned char)(c + 32) : c;
}

/* Keys are hashed and compared eight bytes at a time (swar.h). The key of
 * an ASCII SPN (spn_key) is the SPN with A-Z folded, so it is hashed in
 * place; a non-ASCII SPN is hashed through its full key, with the same
 * function (folding an already folded key changes nothing). */
/* A-Z to a-z in every byte; other bytes unchanged. */
static inline uint64_t fold_word(uint64_t w)
{
	uint64_t low = w & SWAR_LOWS;
	uint64_t ge_a = low + SWAR_ONES * (0x80 - 'A');
	uint64_t gt_z = low + SWAR_ONES * (0x7f - 'Z');
	uint64_t upper = ge_a & ~gt_z & ~w & SWAR_HIGHS;

	return w | (upper >> 2);
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 32);
}

static inline uint64_t finish(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

/* Hash of the folded bytes of s[0..len) (64 bits; the table keeps the low
 * 32); *high_out gets the bytes' high bits ORed together (0: the bytes are
 * ASCII). */
static uint64_t hash_folded(const unsigned char *s, size_t len,
			    uint64_t *high_out)
{
	uint64_t h = UINT64_C(0x243f6a8885a308d3) ^ len, w, high = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = swar_load(s + i);
		high |= w;
		h = mix(h, fold_word(w));
	}
	if (i < len) {
		w = swar_load_end(s, i, len);
		high |= w;
		h = mix(h, fold_word(w));
	}
	*high_out = high & SWAR_HIGHS;
	return finish(h);
}

/* Whether the SPN s of len bytes is ASCII (its key is then folded s). */
static int is_simple(const unsigned char *s, size_t len)
{
	uint64_t high = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		high |= swar_load(s + i);
	if (i < len)
		high |= swar_load_end(s, i, len);
	return (high & SWAR_HIGHS) == 0;
}

/* The full key of an SPN that is not simple, in buf when it fits, else
 * malloc'd; its length in *len_out. */
static char *full_key(const char *spn, char *buf, size_t size, size_t *len_out)
{
	size_t need = spn_key(spn, buf, size);
	char *heap;

	*len_out = need;
	if (need < size)
		return buf;
	heap = malloc(need + 1);
	if (heap == NULL)
		return NULL;
	spn_key(spn, heap, need + 1);
	return heap;
}

/* The key's hash; *ok_out 0 when out of memory made it the hash of the
 * unfolded bytes instead (a worse hash, still a hash for the table). */
static uint64_t key_hash_full(const char *spn, size_t len, int *ok_out)
{
	char buf[512], *key;
	size_t key_len;
	uint64_t high, h;

	*ok_out = 1;
	h = hash_folded((const unsigned char *)spn, len, &high);
	if (high == 0)
		return h;
	key = full_key(spn, buf, sizeof(buf), &key_len);
	if (key == NULL) {
		*ok_out = 0;
		return h;
	}
	h = hash_folded((const unsigned char *)key, key_len, &high);
	if (key != buf)
		free(key);
	return h;
}

static uint32_t key_hash_len(const char *spn, size_t len)
{
	int ok;

	return (uint32_t)key_hash_full(spn, len, &ok);
}

uint32_t idx_key_hash(const char *spn)
{
	return key_hash_len(spn, strlen(spn));
}

int idx_key_hash64(const char *spn, size_t len, uint64_t *hash_out)
{
	int ok;
	uint64_t h = key_hash_full(spn, len, &ok);

	if (!ok)
		return -1;
	*hash_out = h;
	return 0;
}

/* idx_key_hash64 of an ASCII SPN of len bytes, which need not be followed
 * by a NUL: 0, or 1 when it is not ASCII. */
static int ascii_key_hash64(const char *spn, size_t len, uint64_t *hash_out)
{
	uint64_t high, h = hash_folded((const unsigned char *)spn, len, &high);

	if (high != 0)
		return 1;
	*hash_out = h;
	return 0;
}

int idx_span_key_hash64(const char *spn, size_t len, char **text,
			size_t *cap, uint64_t *hash_out)
{
	char *p;

	if (ascii_key_hash64(spn, len, hash_out) == 0)
		return 0;
	if (len + 1 > *cap) {
		p = realloc(*text, len + 1);
		if (p == NULL)
			return -1;
		*text = p;
		*cap = len + 1;
	}
	memcpy(*text, spn, len);
	(*text)[len] = '\0';
	return idx_key_hash64(*text, len, hash_out);
}

static int folded_equal(const unsigned char *a, const unsigned char *b,
			size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		if (fold_word(swar_load(a + i)) != fold_word(swar_load(b + i)))
			return 0;
	for (; i < len; i++)
		if (fold_ascii(a[i]) != fold_ascii(b[i]))
			return 0;
	return 1;
}

static int key_equal_len(const char *a, size_t a_len, const char *b,
			 size_t b_len)
{
	char buf_a[512], buf_b[512], *ka, *kb;
	size_t la, lb;
	int simple_a = is_simple((const unsigned char *)a, a_len);
	int simple_b = is_simple((const unsigned char *)b, b_len);
	int equal;

	if (simple_a && simple_b)
		return a_len == b_len &&
		       folded_equal((const unsigned char *)a,
				    (const unsigned char *)b, a_len);
	ka = simple_a ? NULL : full_key(a, buf_a, sizeof(buf_a), &la);
	kb = simple_b ? NULL : full_key(b, buf_b, sizeof(buf_b), &lb);
	if (simple_a) {
		equal = kb != NULL && lb == a_len &&
			folded_equal((const unsigned char *)a,
				     (const unsigned char *)kb, lb);
	} else if (simple_b) {
		equal = ka != NULL && la == b_len &&
			folded_equal((const unsigned char *)ka,
				     (const unsigned char *)b, la);
	} else {
		equal = ka != NULL && kb != NULL && la == lb &&
			memcmp(ka, kb, la) == 0;
	}
	if (ka != NULL && ka != buf_a)
		free(ka);
	if (kb != NULL && kb != buf_b)
		free(kb);
	return equal;
}

int idx_key_equal(const char *a, const char *b)
{
	return key_equal_len(a, strlen(a), b, strlen(b));
}

int idx_grow(void **array, uint32_t *cap, uint64_t need, size_t elem)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return 0;
	new_cap = *cap ? (size_t)*cap * 2 : 64;
	while (new_cap < need)
		new_cap *= 2;
	if (new_cap > UINT32_MAX)
		new_cap = UINT32_MAX;
	if (new_cap < need)
		return -1;
	p = realloc(*array, new_cap * elem);
	if (p == NULL)
		return -1;
	*array = p;
	*cap = (uint32_t)new_cap;
	return 0;
}

#define GROW(arr, n, cap, extra) \
	idx_grow((void **)&(arr), &(cap), (uint64_t)(n) + (extra), sizeof(*(arr)))

/* Room for n more SPNs and their head bits (new bits 0). */
static int spns_reserve(spn_index *index, uint64_t n)
{
	uint32_t old = index->cap_heads;

	if (GROW(index->spns, index->n_spns, index->cap_spns, n) != 0 ||
	    idx_grow((void **)&index->heads, &index->cap_heads,
		 ((uint64_t)index->n_spns + n + 7) / 8, 1) != 0)
		return -1;
	if (index->cap_heads > old)
		memset(index->heads + old, 0, index->cap_heads - old);
	return 0;
}

/* Make the pool hold need bytes. */
static int pool_reserve(spn_index *index, size_t need)
{
	size_t cap;
	char *p;

	if (need <= index->pool_cap)
		return 0;
	if (need > POOL_MAX)
		return -1;
	cap = index->pool_cap ? index->pool_cap * 2 : 65536;
	while (cap < need)
		cap *= 2;
	if (cap > POOL_MAX)
		cap = POOL_MAX;
	p = realloc(index->pool, cap);
	if (p == NULL)
		return -1;
	index->pool = p;
	index->pool_cap = cap;
	return 0;
}

/* Copy the len bytes at s (and a NUL) into the pool; 0 (the empty string)
 * when len is 0. */
static int pool_add_len(spn_index *index, const char *s, size_t len,
			idx_str *off_out)
{
	size_t need;

	if (len == 0) {
		*off_out = 0;
		return 0;
	}
	need = index->pool_len + len + 1;
	if (pool_reserve(index, need) != 0)
		return -1;
	memcpy(index->pool + index->pool_len, s, len);
	index->pool[index->pool_len + len] = '\0';
	*off_out = (idx_str)index->pool_len;
	index->pool_len = need;
	return 0;
}

/* Copy s into the pool; 0 (the empty string) for NULL or "". */
static int pool_add(spn_index *index, const char *s, idx_str *off_out)
{
	return pool_add_len(index, s, s != NULL ? strlen(s) : 0, off_out);
}

static idx_slot *table_alloc(size_t slots)
{
	idx_slot *table = malloc(slots * sizeof(*table));
	size_t i;

	if (table == NULL)
		return NULL;
	for (i = 0; i < slots; i++) {
		table[i].hash = 0;
		table[i].spn = IDX_NONE;
	}
	return table;
}

SPN_EXPORT spn_status spn_index_new(spn_index **index_out)
{
	spn_index *index = NULL;
	spn_status st = SPN_E_NOMEM;

	if (index_out == NULL)
		return SPN_E_USAGE;
	index = calloc(1, sizeof(*index));
	if (index == NULL)
		goto cleanup;
	if (pthread_mutex_init(&index->derived_lock, NULL) != 0) {
		free(index);
		index = NULL;
		goto cleanup;
	}
	index->table_mask = 1023;
	index->table = table_alloc((size_t)index->table_mask + 1);
	if (index->table == NULL)
		goto cleanup;
	/* offset 0 is the empty string */
	index->pool = malloc(65536);
	if (index->pool == NULL)
		goto cleanup;
	index->pool_cap = 65536;
	index->pool[0] = '\0';
	index->pool_len = 1;
	*index_out = index;
	index = NULL;
	st = SPN_OK;
cleanup:
	spn_index_free(index);
	return st;
}

SPN_EXPORT void spn_index_free(spn_index *index)
{
	if (index == NULL)
		return;
	idx_derived_drop(index);
	pthread_mutex_destroy(&index->derived_lock);
	free(index->pool);
	free(index->accounts);
	free(index->spns);
	free(index->heads);
	free(index->extra_names);
	free(index->table);
	free(index->dns_nodes);
	free(index->dns_records);
	free(index->mappings);
	free(index);
}

/* Whether n keys fit in a table of mask + 1 slots (load at most 0.7). */
static int table_fits(uint64_t n, uint64_t mask)
{
	return n * 10 <= (mask + 1) * 7;
}

/* Rehash into a table of new_mask + 1 slots. Walking the old table in
 * order writes the new one almost in order too (a slot's key moves to the
 * same or the doubled position), so this streams through memory. */
static int table_resize(spn_index *index, uint32_t new_mask)
{
	idx_slot *table;
	uint32_t i, slot;

	table = table_alloc((size_t)new_mask + 1);
	if (table == NULL)
		return -1;
	for (i = 0; i <= index->table_mask; i++) {
		if (index->table[i].spn == IDX_NONE)
			continue;
		slot = index->table[i].hash & new_mask;
		while (table[slot].spn != IDX_NONE)
			slot = (slot + 1) & new_mask;
		table[slot] = index->table[i];
	}
	free(index->table);
	index->table = table;
	index->table_mask = new_mask;
	return 0;
}

/* Room for n more keys without passing the load limit. */
static int table_make_room(spn_index *index, uint64_t n)
{
	uint64_t mask = index->table_mask;

	while (!table_fits(index->n_keys + n, mask)) {
		if (mask >= UINT32_MAX / 2)
			return -1;
		mask = mask * 2 + 1;
	}
	if (mask == index->table_mask)
		return 0;
	return table_resize(index, (uint32_t)mask);
}

int idx_reserve(spn_index *index, size_t n_spns, size_t n_accounts,
		size_t pool_bytes)
{
	if (index == NULL)
		return -1;
	if (n_spns > UINT32_MAX || n_accounts > UINT32_MAX ||
	    pool_bytes > POOL_MAX)
		return -1;
	if (table_make_room(index, n_spns) != 0 ||
	    spns_reserve(index, n_spns) != 0 ||
	    idx_grow((void **)&index->accounts, &index->cap_accounts,
		 (uint64_t)index->n_accounts + n_accounts,
		 sizeof(*index->accounts)) != 0 ||
	    pool_reserve(index, index->pool_len + pool_bytes) != 0)
		return -1;
	return 0;
}

uint32_t idx_find_slot(const spn_index *index, const char *spn, size_t len,
		       uint32_t hash)
{
	uint32_t slot = hash & index->table_mask;
	const idx_slot *t = index->table;

	while (t[slot].spn != IDX_NONE) {
		if (t[slot].hash == hash) {
			const char *cand = idx_s(index, index->spns[t[slot].spn].text);

			if (key_equal_len(cand, strlen(cand), spn, len))
				break;
		}
		slot = (slot + 1) & index->table_mask;
	}
	return slot;
}

int idx_group_holders(const spn_index *index, uint32_t head, size_t from,
		      uint32_t **acc, uint32_t **spns, size_t *n, size_t *cap)
{
	uint32_t s, account, *p;
	size_t j, new_cap;
	int seen;

	for (s = head; s != IDX_NONE; s = index->spns[s].next_same) {
		account = index->spns[s].account;
		seen = 0;
		for (j = from; j < *n && !seen; j++)
			seen = (*acc)[j] == account;
		if (seen)
			continue;
		if (*n == *cap) {
			new_cap = *cap ? *cap * 2 : 8;
			p = realloc(*acc, new_cap * sizeof(*p));
			if (p == NULL)
				return -1;
			*acc = p;
			if (spns != NULL) {
				p = realloc(*spns, new_cap * sizeof(*p));
				if (p == NULL)
					return -1;
				*spns = p;
			}
			*cap = new_cap;
		}
		if (spns != NULL)
			(*spns)[*n] = s;
		(*acc)[(*n)++] = account;
	}
	return 0;
}

uint32_t idx_find_spn(const spn_index *index, const char *spn)
{
	size_t len = strlen(spn);

	return index->table[idx_find_slot(index, spn, len,
				      key_hash_len(spn, len))].spn;
}

/* Append one SPN (len bytes, hash known) of the account being added and
 * link it into its key group. The caller made room in the table and the
 * SPN array. */
static int add_spn(spn_index *index, uint32_t account, const char *text,
		   size_t len, uint32_t hash)
{
	uint32_t slot, head, id = index->n_spns, tail;
	idx_spn *s = &index->spns[id];

	if (pool_add_len(index, text, len, &s->text) != 0)
		return -1;
	s->account = account;
	s->next_same = IDX_NONE;
	slot = idx_find_slot(index, text, len, hash);
	head = index->table[slot].spn;
	if (head == IDX_NONE) {
		index->table[slot].hash = hash;
		index->table[slot].spn = id;
		index->n_keys++;
		index->heads[id >> 3] |= (uint8_t)(1u << (id & 7u));
	} else {
		/* keep the group in scan order: append at its tail */
		for (tail = head; index->spns[tail].next_same != IDX_NONE;)
			tail = index->spns[tail].next_same;
		index->spns[tail].next_same = id;
	}
	index->n_spns++;
	return 0;
}

#define BATCH 16   /* SPNs hashed (and their slots prefetched) at a time */

/* The account's SPNs, BATCH at a time: hash them and prefetch their table
 * slots first, so the cache misses of a batch overlap. */
static int add_spns(spn_index *index, uint32_t id, const spn_account *account)
{
	uint32_t hash[BATCH];
	size_t len[BATCH], i, j, n;
	const char *text;

	for (i = 0; i < account->n_spns; i += n) {
		n = account->n_spns - i < BATCH ? account->n_spns - i : BATCH;
		if (table_make_room(index, n) != 0 ||
		    spns_reserve(index, n) != 0)
			return -1;
		for (j = 0; j < n; j++) {
			text = account->spns[i + j];
			len[j] = text != NULL ? strlen(text) : 0;
			if (len[j] == 0)
				continue;
			hash[j] = key_hash_len(text, len[j]);
			idx_prefetch(&index->table[hash[j] & index->table_mask]);
		}
		for (j = 0; j < n; j++) {
			if (len[j] == 0)
				continue;
			if (add_spn(index, id, account->spns[i + j], len[j],
				    hash[j]) != 0)
				return -1;
			index->accounts[id].n_spns++;
		}
	}
	return 0;
}

SPN_EXPORT spn_status spn_index_add_account(spn_index *index,
					    const spn_account *account)
{
	idx_account *a;
	uint32_t id, i;

	if (index == NULL || account == NULL || account->dn == NULL)
		return SPN_E_USAGE;
	idx_derived_drop(index);
	if (GROW(index->accounts, index->n_accounts, index->cap_accounts, 1) != 0)
		return SPN_E_NOMEM;
	id = index->n_accounts;
	a = &index->accounts[id];
	memset(a, 0, sizeof(*a));
	if (pool_add(index, account->dn, &a->dn) != 0 ||
	    pool_add(index, account->sam, &a->sam) != 0 ||
	    pool_add(index, account->dns_host_name, &a->dns_host) != 0)
		return SPN_E_NOMEM;
	a->kind = (uint8_t)account->kind;
	a->uac = account->uac;
	a->has_uac = account->has_uac != 0;
	a->enc_types = account->enc_types;
	a->has_enc_types = account->has_enc_types != 0;
	a->first_extra = index->n_extra;
	for (i = 0; i < account->n_additional_dns; i++) {
		if (GROW(index->extra_names, index->n_extra, index->cap_extra, 1) != 0 ||
		    pool_add(index, account->additional_dns[i],
			     &index->extra_names[index->n_extra]) != 0)
			return SPN_E_NOMEM;
		index->n_extra++;
		a->n_extra++;
	}
	a->first_spn = index->n_spns;
	if (add_spns(index, id, account) != 0)
		return SPN_E_NOMEM;
	index->n_accounts++;
	return SPN_OK;
}

SPN_EXPORT spn_status spn_index_add_dns_node(spn_index *index,
					     const spn_dns_node *node)
{
	idx_dns_node *n;
	uint32_t i;

	if (index == NULL || node == NULL || node->fqdn == NULL)
		return SPN_E_USAGE;
	idx_derived_drop(index);
	if (GROW(index->dns_nodes, index->n_dns_nodes, index->cap_dns_nodes, 1) != 0)
		return SPN_E_NOMEM;
	n = &index->dns_nodes[index->n_dns_nodes];
	memset(n, 0, sizeof(*n));
	if (pool_add(index, node->fqdn, &n->fqdn) != 0)
		return SPN_E_NOMEM;
	/* nodes come zone by zone: the zone's text is kept once per run */
	if (index->n_dns_nodes > 0 && node->zone != NULL &&
	    strcmp(idx_s(index, n[-1].zone), node->zone) == 0)
		n->zone = n[-1].zone;
	else if (pool_add(index, node->zone, &n->zone) != 0)
		return SPN_E_NOMEM;
	n->tombstoned = node->tombstoned != 0;
	n->first_record = index->n_dns_records;
	for (i = 0; i < node->n_records; i++) {
		idx_dns_record *r;

		if (GROW(index->dns_records, index->n_dns_records,
			 index->cap_dns_records, 1) != 0)
			return SPN_E_NOMEM;
		r = &index->dns_records[index->n_dns_records];
		r->type = node->records[i].type;
		if (pool_add(index, node->records[i].data, &r->data) != 0)
			return SPN_E_NOMEM;
		index->n_dns_records++;
		n->n_records++;
	}
	index->n_dns_nodes++;
	return SPN_OK;
}

SPN_EXPORT spn_status spn_index_add_mapping(spn_index *index, const char *alias,
					    const char *target)
{
	idx_mapping *m;

	if (index == NULL || alias == NULL || target == NULL)
		return SPN_E_USAGE;
	idx_derived_drop(index);
	if (GROW(index->mappings, index->n_mappings, index->cap_mappings, 1) != 0)
		return SPN_E_NOMEM;
	m = &index->mappings[index->n_mappings];
	if (pool_add(index, alias, &m->alias) != 0 ||
	    pool_add(index, target, &m->target) != 0)
		return SPN_E_NOMEM;
	index->n_mappings++;
	return SPN_OK;
}

SPN_EXPORT size_t spn_index_account_count(const spn_index *index)
{
	return index != NULL ? index->n_accounts + index->passed_accounts : 0;
}

SPN_EXPORT size_t spn_index_spn_count(const spn_index *index)
{
	return index != NULL ? index->n_spns + index->passed_spns : 0;
}

SPN_EXPORT size_t spn_index_dns_node_count(const spn_index *index)
{
	return index != NULL ? index->n_dns_nodes : 0;
}
