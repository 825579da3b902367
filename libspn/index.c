/* index.c - the compact, append-only index that every check reads. */
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "context_impl.h"
#include "index_impl.h"

#define POOL_MAX ((size_t)UINT32_MAX)

/* ASCII case folding without locale lookups: the hot path of a scan. */
static inline unsigned char fold_ascii(unsigned char c)
{
	return (unsigned char)(c - 'A') < 26u ? (unsigned char)(c + 32) : c;
}

static int has_non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* The full key of a non-ASCII SPN, in buf when it fits, else malloc'd. */
static char *full_key(const char *spn, char *buf, size_t size)
{
	size_t need = spn_key(spn, buf, size);
	char *heap;

	if (need < size)
		return buf;
	heap = malloc(need + 1);
	if (heap == NULL)
		return NULL;
	spn_key(spn, heap, need + 1);
	return heap;
}

static uint32_t fnv1a(const unsigned char *s, int fold)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= fold ? fold_ascii(*s) : *s;
		h *= 16777619u;
	}
	return h;
}

uint32_t idx_key_hash(const char *spn)
{
	char buf[512], *key;
	uint32_t h;

	if (!has_non_ascii(spn))
		return fnv1a((const unsigned char *)spn, 1) & ~IDX_HEAD;
	key = full_key(spn, buf, sizeof(buf));
	if (key == NULL)
		return fnv1a((const unsigned char *)spn, 1) & ~IDX_HEAD;
	h = fnv1a((const unsigned char *)key, 0);
	if (key != buf)
		free(key);
	return h & ~IDX_HEAD;
}

int idx_key_equal(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	char buf_a[512], buf_b[512], *ka, *kb;
	int equal;

	for (; *p != '\0' && *p < 0x80 && *q < 0x80; p++, q++)
		if (fold_ascii(*p) != fold_ascii(*q))
			return 0;
	if (*p == '\0' || *q == '\0')
		return *p == *q;
	/* Non-ASCII from here on: compare the full keys. */
	ka = full_key(a, buf_a, sizeof(buf_a));
	kb = full_key(b, buf_b, sizeof(buf_b));
	equal = ka != NULL && kb != NULL && strcmp(ka, kb) == 0;
	if (ka != buf_a)
		free(ka);
	if (kb != buf_b)
		free(kb);
	return equal;
}

static int grow(void **array, uint32_t *cap, uint32_t need, size_t elem)
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
	grow((void **)&(arr), &(cap), (n) + (extra), sizeof(*(arr)))

/* Copy s into the pool; 0 (the empty string) for NULL or "". */
static int pool_add(spn_index *index, const char *s, idx_str *off_out)
{
	size_t len, need, cap;
	char *p;

	if (s == NULL || s[0] == '\0') {
		*off_out = 0;
		return 0;
	}
	len = strlen(s) + 1;
	need = index->pool_len + len;
	if (need > POOL_MAX)
		return -1;
	if (need > index->pool_cap) {
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
	}
	memcpy(index->pool + index->pool_len, s, len);
	*off_out = (idx_str)index->pool_len;
	index->pool_len = need;
	return 0;
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
	index->table_mask = 1023;
	index->table = malloc((index->table_mask + 1) * sizeof(uint32_t));
	if (index->table == NULL)
		goto cleanup;
	memset(index->table, 0xff, (index->table_mask + 1) * sizeof(uint32_t));
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
	free(index->pool);
	free(index->accounts);
	free(index->spns);
	free(index->extra_names);
	free(index->table);
	free(index->dns_nodes);
	free(index->dns_records);
	free(index->mappings);
	free(index);
}

static int table_grow(spn_index *index)
{
	uint32_t new_mask = index->table_mask * 2 + 1;
	uint32_t *table, i, slot;

	if (new_mask < index->table_mask)
		return -1;
	table = malloc(((size_t)new_mask + 1) * sizeof(uint32_t));
	if (table == NULL)
		return -1;
	memset(table, 0xff, ((size_t)new_mask + 1) * sizeof(uint32_t));
	for (i = 0; i <= index->table_mask; i++) {
		uint32_t head = index->table[i];

		if (head == IDX_NONE)
			continue;
		slot = index->spns[head].hash & new_mask;
		while (table[slot] != IDX_NONE)
			slot = (slot + 1) & new_mask;
		table[slot] = head;
	}
	free(index->table);
	index->table = table;
	index->table_mask = new_mask;
	return 0;
}

static uint32_t find_with_hash(const spn_index *index, const char *spn,
			       uint32_t hash, uint32_t *slot_out)
{
	uint32_t slot = hash & index->table_mask;
	uint32_t head;

	while ((head = index->table[slot]) != IDX_NONE) {
		const idx_spn *cand = &index->spns[head];

		if ((cand->hash & ~IDX_HEAD) == hash &&
		    idx_key_equal(idx_s(index, cand->text), spn))
			break;
		slot = (slot + 1) & index->table_mask;
	}
	if (slot_out != NULL)
		*slot_out = slot;
	return head;
}

uint32_t idx_find_spn(const spn_index *index, const char *spn)
{
	return find_with_hash(index, spn, idx_key_hash(spn), NULL);
}

/* Append one SPN of the account being added and link it into its key group. */
static int add_spn(spn_index *index, uint32_t account, const char *text)
{
	uint32_t hash, head, slot, id, tail;
	idx_spn *s;

	if ((uint64_t)(index->n_keys + 1) * 10 > (uint64_t)(index->table_mask + 1) * 7 &&
	    table_grow(index) != 0)
		return -1;
	if (GROW(index->spns, index->n_spns, index->cap_spns, 1) != 0)
		return -1;
	id = index->n_spns;
	s = &index->spns[id];
	if (pool_add(index, text, &s->text) != 0)
		return -1;
	hash = idx_key_hash(text);
	s->account = account;
	s->next_same = IDX_NONE;
	s->hash = hash;
	head = find_with_hash(index, text, hash, &slot);
	if (head == IDX_NONE) {
		index->table[slot] = id;
		index->n_keys++;
		s->hash |= IDX_HEAD;
	} else {
		/* keep the group in scan order: append at its tail */
		for (tail = head; index->spns[tail].next_same != IDX_NONE;)
			tail = index->spns[tail].next_same;
		index->spns[tail].next_same = id;
	}
	index->n_spns++;
	return 0;
}

SPN_EXPORT spn_status spn_index_add_account(spn_index *index,
					    const spn_account *account)
{
	idx_account *a;
	uint32_t id, i;

	if (index == NULL || account == NULL || account->dn == NULL)
		return SPN_E_USAGE;
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
	for (i = 0; i < account->n_spns; i++) {
		if (account->spns[i] == NULL || account->spns[i][0] == '\0')
			continue;
		if (add_spn(index, id, account->spns[i]) != 0)
			return SPN_E_NOMEM;
		index->accounts[id].n_spns++;
	}
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
	if (GROW(index->dns_nodes, index->n_dns_nodes, index->cap_dns_nodes, 1) != 0)
		return SPN_E_NOMEM;
	n = &index->dns_nodes[index->n_dns_nodes];
	memset(n, 0, sizeof(*n));
	if (pool_add(index, node->fqdn, &n->fqdn) != 0 ||
	    pool_add(index, node->zone, &n->zone) != 0)
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
	return index != NULL ? index->n_accounts : 0;
}

SPN_EXPORT size_t spn_index_spn_count(const spn_index *index)
{
	return index != NULL ? index->n_spns : 0;
}

SPN_EXPORT size_t spn_index_dns_node_count(const spn_index *index)
{
	return index != NULL ? index->n_dns_nodes : 0;
}
