/* index_append.c - one index appended to another: how the parts of an
 * input read on several threads become one index. */
#include <stdlib.h>
#include <string.h>

#include "index_derived.h"
#include "index_impl.h"

/* from's string offsets moved into index's pool: "" stays at 0, the rest
 * of from's pool (after its "") is copied to the end of index's. */
static inline idx_str moved(idx_str off, uint32_t delta)
{
	return off != 0 ? off + delta : 0;
}

/* Room for all of from in index, before anything is changed. */
static int reserve_all(spn_index *index, const spn_index *from)
{
	if (idx_reserve(index, from->n_spns, from->n_accounts,
			from->pool_len) != 0)
		return -1;
	return idx_grow((void **)&index->extra_names, &index->cap_extra,
			(uint64_t)index->n_extra + from->n_extra,
			sizeof(*index->extra_names)) != 0 ||
	       idx_grow((void **)&index->dns_nodes, &index->cap_dns_nodes,
			(uint64_t)index->n_dns_nodes + from->n_dns_nodes,
			sizeof(*index->dns_nodes)) != 0 ||
	       idx_grow((void **)&index->dns_records, &index->cap_dns_records,
			(uint64_t)index->n_dns_records + from->n_dns_records,
			sizeof(*index->dns_records)) != 0 ||
	       idx_grow((void **)&index->mappings, &index->cap_mappings,
			(uint64_t)index->n_mappings + from->n_mappings,
			sizeof(*index->mappings)) != 0 ? -1 : 0;
}

/* The slot of index's table for the key of SPN first (whose key hash is
 * hash), or the empty slot where it would go: the key's text is read only
 * when a slot has its hash. */
static uint32_t key_slot(const spn_index *index, uint32_t first,
			 uint32_t hash)
{
	const char *text = NULL;
	uint32_t slot = hash & index->table_mask;

	while (index->table[slot].spn != IDX_NONE) {
		if (index->table[slot].hash == hash) {
			if (text == NULL)
				text = idx_s(index, index->spns[first].text);
			if (idx_key_equal(idx_s(index, index->spns[
					index->table[slot].spn].text), text))
				break;
		}
		slot = (slot + 1) & index->table_mask;
	}
	return slot;
}

#define BATCH 16   /* slots prefetched at a time */

/* Join from's key groups (first SPNs moved by base) to index's: a key
 * index has already gets the group at the end of its own (every SPN of
 * from comes later), a new one a slot and its head bit. */
static void join_keys(spn_index *index, const spn_index *from, uint32_t base)
{
	uint32_t i, j, n, slot, head, tail, first;
	const idx_slot *batch[BATCH];

	for (i = 0; i <= from->table_mask;) {
		for (n = 0; n < BATCH && i <= from->table_mask; i++) {
			if (from->table[i].spn == IDX_NONE)
				continue;
			batch[n++] = &from->table[i];
			idx_prefetch(&index->table[from->table[i].hash &
						   index->table_mask]);
		}
		for (j = 0; j < n; j++) {
			first = batch[j]->spn + base;
			slot = key_slot(index, first, batch[j]->hash);
			head = index->table[slot].spn;
			if (head == IDX_NONE) {
				index->table[slot] = *batch[j];
				index->table[slot].spn = first;
				index->n_keys++;
				index->heads[first >> 3] |=
					(uint8_t)(1u << (first & 7u));
				continue;
			}
			for (tail = head; index->spns[tail].next_same != IDX_NONE;)
				tail = index->spns[tail].next_same;
			index->spns[tail].next_same = first;
		}
	}
}

int idx_append(spn_index *index, const spn_index *from)
{
	uint32_t delta, acc_base, spn_base, extra_base, rec_base, i;

	if ((uint64_t)index->pool_len + from->pool_len > UINT32_MAX ||
	    (uint64_t)index->n_spns + from->n_spns >= IDX_NONE ||
	    (uint64_t)index->n_accounts + from->n_accounts >= IDX_NONE ||
	    reserve_all(index, from) != 0)
		return -1;
	idx_derived_drop(index);
	delta = (uint32_t)index->pool_len - 1;
	acc_base = index->n_accounts;
	spn_base = index->n_spns;
	extra_base = index->n_extra;
	rec_base = index->n_dns_records;

	memcpy(index->pool + index->pool_len, from->pool + 1,
	       from->pool_len - 1);
	index->pool_len += from->pool_len - 1;

	for (i = 0; i < from->n_accounts; i++) {
		idx_account *a = &index->accounts[acc_base + i];

		*a = from->accounts[i];
		a->dn = moved(a->dn, delta);
		a->sam = moved(a->sam, delta);
		a->dns_host = moved(a->dns_host, delta);
		a->first_spn += spn_base;
		a->first_extra += extra_base;
	}
	index->n_accounts += from->n_accounts;

	for (i = 0; i < from->n_spns; i++) {
		idx_spn *s = &index->spns[spn_base + i];

		*s = from->spns[i];
		s->text = moved(s->text, delta);
		s->account += acc_base;
		if (s->next_same != IDX_NONE)
			s->next_same += spn_base;
	}
	index->n_spns += from->n_spns;
	join_keys(index, from, spn_base);

	for (i = 0; i < from->n_extra; i++)
		index->extra_names[extra_base + i] =
			moved(from->extra_names[i], delta);
	index->n_extra += from->n_extra;

	for (i = 0; i < from->n_dns_nodes; i++) {
		idx_dns_node *n = &index->dns_nodes[index->n_dns_nodes + i];

		*n = from->dns_nodes[i];
		n->fqdn = moved(n->fqdn, delta);
		n->zone = moved(n->zone, delta);
		n->first_record += rec_base;
	}
	index->n_dns_nodes += from->n_dns_nodes;
	for (i = 0; i < from->n_dns_records; i++) {
		index->dns_records[rec_base + i] = from->dns_records[i];
		index->dns_records[rec_base + i].data =
			moved(from->dns_records[i].data, delta);
	}
	index->n_dns_records += from->n_dns_records;

	for (i = 0; i < from->n_mappings; i++) {
		idx_mapping *m = &index->mappings[index->n_mappings + i];

		m->alias = moved(from->mappings[i].alias, delta);
		m->target = moved(from->mappings[i].target, delta);
	}
	index->n_mappings += from->n_mappings;

	index->passed_accounts += from->passed_accounts;
	index->passed_spns += from->passed_spns;
	return 0;
}

int idx_is_empty(const spn_index *index)
{
	return index->n_accounts == 0 && index->n_spns == 0 &&
	       index->n_dns_nodes == 0 && index->n_mappings == 0 &&
	       index->passed_accounts == 0 && index->passed_spns == 0;
}

void idx_clear(spn_index *index)
{
	uint32_t i;

	idx_derived_drop(index);
	index->pool_len = 1;
	index->n_accounts = 0;
	index->n_spns = 0;
	index->n_extra = 0;
	index->n_keys = 0;
	index->n_dns_nodes = 0;
	index->n_dns_records = 0;
	index->n_mappings = 0;
	index->passed_accounts = 0;
	index->passed_spns = 0;
	for (i = 0; i <= index->table_mask; i++) {
		index->table[i].hash = 0;
		index->table[i].spn = IDX_NONE;
	}
	if (index->heads != NULL)
		memset(index->heads, 0, index->cap_heads);
}
