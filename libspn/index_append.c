/* index_append.c - indexes appended to another: how the parts of an
 * input read on several threads become one index. */
#include <pthread.h>
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

/* What the indexes to append hold, all told. */
typedef struct totals {
	uint64_t pool, accounts, spns, extra, nodes, records, mappings;
} totals;

/* Room for t more in index, before anything is changed. */
static int reserve_all(spn_index *index, const totals *t)
{
	if ((uint64_t)index->pool_len + t->pool > UINT32_MAX ||
	    (uint64_t)index->n_spns + t->spns >= IDX_NONE ||
	    (uint64_t)index->n_accounts + t->accounts >= IDX_NONE ||
	    idx_reserve(index, (size_t)t->spns, (size_t)t->accounts,
			(size_t)t->pool) != 0)
		return -1;
	return idx_grow((void **)&index->extra_names, &index->cap_extra,
			index->n_extra + t->extra,
			sizeof(*index->extra_names)) != 0 ||
	       idx_grow((void **)&index->dns_nodes, &index->cap_dns_nodes,
			index->n_dns_nodes + t->nodes,
			sizeof(*index->dns_nodes)) != 0 ||
	       idx_grow((void **)&index->dns_records, &index->cap_dns_records,
			index->n_dns_records + t->records,
			sizeof(*index->dns_records)) != 0 ||
	       idx_grow((void **)&index->mappings, &index->cap_mappings,
			index->n_mappings + t->mappings,
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

/* Where one appended index goes: the counts of what comes before it, and
 * how far its pool offsets move. */
typedef struct place {
	const spn_index *from;
	uint32_t delta;
	uint32_t accounts, spns, extra, nodes, records, mappings;
	size_t pool;            /* where its pool bytes go */
} place;

/* Copy p->from's arrays to their place in index, which has the room:
 * nothing else is written, so places may be copied on several threads. */
static void copy_part(spn_index *index, const place *p)
{
	const spn_index *from = p->from;
	uint32_t i;

	memcpy(index->pool + p->pool, from->pool + 1, from->pool_len - 1);
	for (i = 0; i < from->n_accounts; i++) {
		idx_account *a = &index->accounts[p->accounts + i];

		*a = from->accounts[i];
		a->dn = moved(a->dn, p->delta);
		a->sam = moved(a->sam, p->delta);
		a->dns_host = moved(a->dns_host, p->delta);
		a->first_spn += p->spns;
		a->first_extra += p->extra;
	}
	for (i = 0; i < from->n_spns; i++) {
		idx_spn *s = &index->spns[p->spns + i];

		*s = from->spns[i];
		s->text = moved(s->text, p->delta);
		s->account += p->accounts;
		if (s->next_same != IDX_NONE)
			s->next_same += p->spns;
	}
	for (i = 0; i < from->n_extra; i++)
		index->extra_names[p->extra + i] =
			moved(from->extra_names[i], p->delta);
	for (i = 0; i < from->n_dns_nodes; i++) {
		idx_dns_node *n = &index->dns_nodes[p->nodes + i];

		*n = from->dns_nodes[i];
		n->fqdn = moved(n->fqdn, p->delta);
		n->zone = moved(n->zone, p->delta);
		n->first_record += p->records;
	}
	for (i = 0; i < from->n_dns_records; i++) {
		index->dns_records[p->records + i] = from->dns_records[i];
		index->dns_records[p->records + i].data =
			moved(from->dns_records[i].data, p->delta);
	}
	for (i = 0; i < from->n_mappings; i++) {
		idx_mapping *m = &index->mappings[p->mappings + i];

		m->alias = moved(from->mappings[i].alias, p->delta);
		m->target = moved(from->mappings[i].target, p->delta);
	}
}

typedef struct copy_job {
	spn_index *index;
	const place *places;
	size_t first, end;
} copy_job;

static void *copy_places(void *arg)
{
	const copy_job *job = arg;
	size_t k;

	for (k = job->first; k < job->end; k++)
		copy_part(job->index, &job->places[k]);
	return NULL;
}

/* Copying this much or more is shared with a second thread. */
#define COPY_SPLIT ((uint64_t)1 << 20)

int idx_append_all(spn_index *index, const spn_index *const *from, size_t n)
{
	totals t;
	place *places;
	copy_job low, high;
	pthread_t thread;
	uint64_t half = 0;
	size_t k;
	int started = 0;

	memset(&t, 0, sizeof(t));
	for (k = 0; k < n; k++) {
		t.pool += from[k]->pool_len - 1;
		t.accounts += from[k]->n_accounts;
		t.spns += from[k]->n_spns;
		t.extra += from[k]->n_extra;
		t.nodes += from[k]->n_dns_nodes;
		t.records += from[k]->n_dns_records;
		t.mappings += from[k]->n_mappings;
	}
	places = malloc((n > 0 ? n : 1) * sizeof(*places));
	if (places == NULL || reserve_all(index, &t) != 0) {
		free(places);
		return -1;
	}
	idx_derived_drop(index);
	for (k = 0; k < n; k++) {
		place *p = &places[k];

		if (k == 0) {
			p->pool = index->pool_len;
			p->accounts = index->n_accounts;
			p->spns = index->n_spns;
			p->extra = index->n_extra;
			p->nodes = index->n_dns_nodes;
			p->records = index->n_dns_records;
			p->mappings = index->n_mappings;
		} else {
			const place *q = &places[k - 1];

			p->pool = q->pool + q->from->pool_len - 1;
			p->accounts = q->accounts + q->from->n_accounts;
			p->spns = q->spns + q->from->n_spns;
			p->extra = q->extra + q->from->n_extra;
			p->nodes = q->nodes + q->from->n_dns_nodes;
			p->records = q->records + q->from->n_dns_records;
			p->mappings = q->mappings + q->from->n_mappings;
		}
		p->from = from[k];
		p->delta = (uint32_t)p->pool - 1;
	}
	/* the copies, the later places on a second thread when they are
	 * big; then the key groups, in order, on this one */
	low.index = high.index = index;
	low.places = high.places = places;
	low.first = 0;
	low.end = high.first = high.end = n;
	if (t.pool >= COPY_SPLIT && n > 1) {
		for (k = 0; k < n && half < t.pool / 2; k++)
			half += from[k]->pool_len - 1;
		low.end = high.first = k;
		started = pthread_create(&thread, NULL, copy_places,
					 &high) == 0;
		if (!started)
			low.end = n;
	}
	copy_places(&low);
	if (started)
		pthread_join(thread, NULL);
	for (k = 0; k < n; k++)
		join_keys(index, from[k], places[k].spns);

	index->pool_len += (size_t)t.pool;
	index->n_accounts += (uint32_t)t.accounts;
	index->n_spns += (uint32_t)t.spns;
	index->n_extra += (uint32_t)t.extra;
	index->n_dns_nodes += (uint32_t)t.nodes;
	index->n_dns_records += (uint32_t)t.records;
	index->n_mappings += (uint32_t)t.mappings;
	for (k = 0; k < n; k++) {
		index->passed_accounts += from[k]->passed_accounts;
		index->passed_spns += from[k]->passed_spns;
	}
	free(places);
	return 0;
}

int idx_append(spn_index *index, const spn_index *from)
{
	return idx_append_all(index, &from, 1);
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
