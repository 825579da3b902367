/* index_derived.c - host names, SPN hosts and addresses the checks share. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_derived.h"

/* Grow an array of elem-byte elements to hold need of them. */
static int grow(void **array, uint32_t *cap, uint64_t need, size_t elem)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need >= IDX_NONE)
		return -1;
	new_cap = *cap ? (size_t)*cap * 2 : 1024;
	while (new_cap < need)
		new_cap *= 2;
	if (new_cap >= IDX_NONE)
		new_cap = IDX_NONE - 1;
	p = realloc(*array, new_cap * elem);
	if (p == NULL)
		return -1;
	*array = p;
	*cap = (uint32_t)new_cap;
	return 0;
}

/* The derived data of index, allocated empty on first use. The index is
 * const to the checks; the cache is the one thing written through it. */
static idx_derived *derived_of(const spn_index *index)
{
	spn_index *mutable_index = (spn_index *)index;

	if (mutable_index->derived == NULL)
		mutable_index->derived = calloc(1, sizeof(idx_derived));
	return mutable_index->derived;
}

void idx_derived_drop(spn_index *index)
{
	idx_derived *d = index->derived;

	if (d == NULL)
		return;
	free(d->name_slots);
	free(d->key_pool);
	free(d->names);
	free(d->links);
	free(d->node_name);
	free(d->node_live);
	free(d->spn_kind);
	free(d->spn_name);
	free(d->v4_slots);
	hostmap_free(d->v6);
	free(d->addr_nodes);
	free(d->rec_addr);
	free(d);
	index->derived = NULL;
}

/* Append value to the chain of *head (whose last link is *tail); with
 * unique, not when the chain's last value is value already (values come
 * in ascending order, so an earlier one would be the last). */
static int chain_add(idx_derived *d, uint32_t *head, uint32_t *tail,
		     uint32_t value, int unique)
{
	uint32_t l;

	if (*head != IDX_NONE && unique && d->links[*tail].value == value)
		return 0;
	if (grow((void **)&d->links, &d->cap_links, (uint64_t)d->n_links + 1,
		 sizeof(*d->links)) != 0)
		return -1;
	l = d->n_links++;
	d->links[l].value = value;
	d->links[l].next = IDX_NONE;
	if (*head == IDX_NONE)
		*head = l;
	else
		d->links[*tail].next = l;
	*tail = l;
	return 0;
}

/* Which chain of a name a holder goes to. */
enum chain { C_COMPUTERS, C_SHORTS, C_NODES, C_LABELS };

/* The last link of each chain of each name, while the names are built. */
struct tails {
	uint32_t (*t)[4];
	uint32_t cap;
};

/* A holder waiting to be added to a name's chain: the name's key is made
 * and its table slot prefetched first, BATCH at a time. */
struct name_job {
	hostmap_key key;
	const char *raw;      /* the name as the index holds it */
	size_t raw_len;
	enum chain chain;
	uint32_t value;
	uint32_t *id_out;     /* gets the name id, or NULL */
};

#define BATCH 16  /* keys made (and their slots prefetched) at a time */

struct name_queue {
	struct name_job *jobs;
	uint32_t n;
	struct tails tails;
};

/* The text of name id. */
static const char *name_text(const idx_derived *d, uint32_t id)
{
	const idx_name *n = &d->names[id];

	return ((n->key_len & IDX_NAME_OWN) ? d->key_pool : d->index->pool) +
	       n->key;
}

/* The slot (two words: hash, name id) holding key k, or the empty slot
 * where it would go. */
static uint32_t name_slot(const idx_derived *d, const hostmap_key *k)
{
	uint32_t slot = k->hash & d->name_mask, id;

	while ((id = d->name_slots[2 * slot + 1]) != IDX_NONE) {
		if (d->name_slots[2 * slot] == k->hash &&
		    (d->names[id].key_len & ~IDX_NAME_OWN) == k->len &&
		    memcmp(name_text(d, id), k->text, k->len) == 0)
			break;
		slot = (slot + 1) & d->name_mask;
	}
	return slot;
}

/* Move a table of two-word slots (a key word and an id; IDX_NONE: empty)
 * into size slots, a power of two: each key goes to the first empty slot
 * from place(key). 0, or -1 when out of memory (the table is unchanged).
 * The name table and the IPv4 table are both such tables. */
static int pairs_resize(uint32_t **slots, uint32_t *mask, size_t size,
			uint32_t (*place)(uint32_t))
{
	uint32_t *old = *slots, old_mask = *mask, *t, i, slot;

	if (size > ((size_t)1 << 31))
		return -1;
	t = malloc(size * 2 * sizeof(*t));
	if (t == NULL)
		return -1;
	memset(t, 0xff, size * 2 * sizeof(*t));
	for (i = 0; old != NULL && i <= old_mask; i++) {
		if (old[2 * i + 1] == IDX_NONE)
			continue;
		slot = place(old[2 * i]) & (uint32_t)(size - 1);
		while (t[2 * slot + 1] != IDX_NONE)
			slot = (slot + 1) & (uint32_t)(size - 1);
		t[2 * slot] = old[2 * i];
		t[2 * slot + 1] = old[2 * i + 1];
	}
	free(old);
	*slots = t;
	*mask = (uint32_t)(size - 1);
	return 0;
}

/* The name table keeps each key's hash as its key word. */
static uint32_t hash_word(uint32_t hash)
{
	return hash;
}

/* Give the name table size slots (a power of two, more than it has). */
static int names_grow(idx_derived *d, size_t size)
{
	return pairs_resize(&d->name_slots, &d->name_mask, size, hash_word);
}

/* A new name for job's key in slot: its text points into the index's pool
 * when the index holds it folded already, else into key_pool. */
static int name_new(idx_derived *d, const struct name_job *job,
		    uint32_t slot, uint32_t *id_out)
{
	const hostmap_key *k = &job->key;
	uint32_t id = d->n_names;
	idx_name *n;
	char *p;
	size_t cap;

	if (grow((void **)&d->names, &d->cap_names, (uint64_t)id + 1,
		 sizeof(*d->names)) != 0)
		return -1;
	n = &d->names[id];
	if (job->raw_len >= k->len && memcmp(job->raw, k->text, k->len) == 0) {
		n->key = (uint32_t)(job->raw - d->index->pool);
		n->key_len = k->len;
	} else {
		if ((uint64_t)d->key_pool_len + k->len >= IDX_NAME_OWN)
			return -1;
		if (d->key_pool_len + k->len > d->key_pool_cap) {
			cap = d->key_pool_cap ? (size_t)d->key_pool_cap * 2 : 4096;
			while (cap < (size_t)d->key_pool_len + k->len)
				cap *= 2;
			p = realloc(d->key_pool, cap);
			if (p == NULL)
				return -1;
			d->key_pool = p;
			d->key_pool_cap = (uint32_t)(cap < IDX_NAME_OWN ? cap :
						     IDX_NAME_OWN - 1);
		}
		memcpy(d->key_pool + d->key_pool_len, k->text, k->len);
		n->key = d->key_pool_len;
		n->key_len = k->len | IDX_NAME_OWN;
		d->key_pool_len += k->len;
	}
	n->computers = IDX_NONE;
	n->shorts = IDX_NONE;
	n->nodes = IDX_NONE;
	n->labels = IDX_NONE;
	d->name_slots[2 * slot] = k->hash;
	d->name_slots[2 * slot + 1] = id;
	d->n_names++;
	*id_out = id;
	if ((uint64_t)++d->n_slots_used * 10 > ((uint64_t)d->name_mask + 1) * 7)
		return names_grow(d, ((size_t)d->name_mask + 1) * 2);
	return 0;
}

/* Add the job's value to its chain of its name (made when new). */
static int name_add(idx_derived *d, struct tails *tails,
		    const struct name_job *job)
{
	uint32_t id, slot = name_slot(d, &job->key), *head;

	id = d->name_slots[2 * slot + 1];
	if (id == IDX_NONE) {
		if (name_new(d, job, slot, &id) != 0 ||
		    grow((void **)&tails->t, &tails->cap,
			 (uint64_t)d->n_names, sizeof(*tails->t)) != 0)
			return -1;
	}
	switch (job->chain) {
	case C_COMPUTERS: head = &d->names[id].computers; break;
	case C_SHORTS: head = &d->names[id].shorts; break;
	case C_NODES: head = &d->names[id].nodes; break;
	default: head = &d->names[id].labels; break;
	}
	if (chain_add(d, head, &tails->t[id][job->chain], job->value,
		      job->chain == C_COMPUTERS) != 0)
		return -1;
	if (job->id_out != NULL)
		*job->id_out = id;
	return 0;
}

static int queue_flush(idx_derived *d, struct name_queue *q)
{
	uint32_t i;

	for (i = 0; i < q->n; i++)
		if (name_add(d, &q->tails, &q->jobs[i]) != 0)
			return -1;
	q->n = 0;
	return 0;
}

/* Queue value for chain c of the name key (len bytes); a key too long to
 * be a name is left out. */
static int queue_add(idx_derived *d, struct name_queue *q, const char *key,
		     size_t len, enum chain c, uint32_t value, uint32_t *id_out)
{
	struct name_job *job = &q->jobs[q->n];

	if (hostmap_key_make(&job->key, key, len) != 0)
		return 0;
	job->raw = key;
	job->raw_len = len;
	job->chain = c;
	job->value = value;
	job->id_out = id_out;
	idx_prefetch(&d->name_slots[2 * (job->key.hash & d->name_mask)]);
	if (++q->n < BATCH)
		return 0;
	return queue_flush(d, q);
}

/* Slots for every name build_names may add (a power of two, at least
 * 1024), so that the table is not rebuilt as it fills. */
static size_t names_size(const spn_index *index)
{
	uint64_t n = (uint64_t)2 * index->n_dns_nodes + index->n_extra;
	size_t size = 1024;
	uint32_t i;

	for (i = 0; i < index->n_accounts; i++)
		if (index->accounts[i].kind == SPN_ACCOUNT_COMPUTER)
			n += 2;
	while ((uint64_t)size * 7 < n * 10 && size <= ((size_t)1 << 30))
		size *= 2;
	return size;
}

/* Computers' own names (dNSHostName, msDS-AdditionalDnsHostName) and short
 * names (sAMAccountName without '$'), then the live DNS nodes' names and
 * first labels, in index order: one table of names, four chains each. */
static int build_names(const spn_index *index, idx_derived *d)
{
	struct name_queue q;
	const char *s, *fqdn;
	size_t len;
	uint32_t i, j;
	int rc = -1;

	memset(&q, 0, sizeof(q));
	q.jobs = malloc(BATCH * sizeof(*q.jobs));
	d->index = index;
	d->node_name = malloc(((size_t)index->n_dns_nodes + 1) *
			      sizeof(*d->node_name));
	d->node_live = malloc((size_t)index->n_dns_nodes + 1);
	if (q.jobs == NULL || d->node_name == NULL || d->node_live == NULL ||
	    names_grow(d, names_size(index)) != 0)
		goto cleanup;
	for (i = 0; i < index->n_accounts; i++) {
		const idx_account *a = &index->accounts[i];

		if (a->kind != SPN_ACCOUNT_COMPUTER)
			continue;
		s = idx_s(index, a->dns_host);
		if (s[0] != '\0' &&
		    queue_add(d, &q, s, strlen(s), C_COMPUTERS, i, NULL) != 0)
			goto cleanup;
		for (j = 0; j < a->n_extra; j++) {
			s = idx_s(index, index->extra_names[a->first_extra + j]);
			if (s[0] != '\0' &&
			    queue_add(d, &q, s, strlen(s), C_COMPUTERS, i,
				      NULL) != 0)
				goto cleanup;
		}
		len = hostmap_short_name(index, i, &s);
		if (len > 0 && queue_add(d, &q, s, len, C_SHORTS, i, NULL) != 0)
			goto cleanup;
	}
	for (i = 0; i < index->n_dns_nodes; i++) {
		d->node_name[i] = IDX_NONE;
		d->node_live[i] = (uint8_t)(hostmap_node_live(index, i) != 0);
		if (!d->node_live[i])
			continue;
		fqdn = idx_s(index, index->dns_nodes[i].fqdn);
		len = strlen(fqdn);
		if (len > 0 &&
		    queue_add(d, &q, fqdn, len, C_NODES, i,
			      &d->node_name[i]) != 0)
			goto cleanup;
		len = strcspn(fqdn, ".");
		if (len > 0 &&
		    queue_add(d, &q, fqdn, len, C_LABELS, i, NULL) != 0)
			goto cleanup;
	}
	rc = queue_flush(d, &q);
cleanup:
	free(q.jobs);
	free(q.tails.t);
	return rc;
}


uint32_t idx_name_find(const idx_derived *d, const char *name, size_t len)
{
	hostmap_key k;

	if (hostmap_key_make(&k, name, len) != 0)
		return IDX_NONE;
	return d->name_slots[2 * name_slot(d, &k) + 1];
}

/* The host parts (between the first '/' and the next) seen last: an
 * account's SPNs name the same few hosts, and what hostmap_spn_host finds
 * depends on nothing else. */
#define MEMO 4

struct memo {
	char part[MEMO][HOSTMAP_KEY_MAX + 1];
	size_t len[MEMO];
	uint8_t kind[MEMO];
	int has_key[MEMO];
	hostmap_key key[MEMO];
	unsigned int next;
};

/* Copy the used part of a key. */
static void key_copy(hostmap_key *to, const hostmap_key *from)
{
	to->hash = from->hash;
	to->len = from->len;
	memcpy(to->text, from->text, from->len);
}

/* The host kind of spn and, for an FQDN or short host, its name key in
 * *k (returns 1; else 0), from the memo or worked out and remembered. */
static int spn_host_key(struct memo *m, const char *spn, uint8_t *kind_out,
			hostmap_key *k)
{
	char host[HOSTMAP_KEY_MAX + 1];
	const char *part = strchr(spn, '/');
	spn_host_kind kind;
	size_t len = 0;
	unsigned int i;
	int n, has_key = 0;

	*kind_out = IDX_HOST_NONE;
	if (part == NULL)
		return 0;
	part++;
	while (part[len] != '\0' && part[len] != '/')
		len++;
	for (i = 0; i < MEMO && len <= HOSTMAP_KEY_MAX; i++)
		if (m->len[i] == len && memcmp(m->part[i], part, len) == 0) {
			*kind_out = m->kind[i];
			if (m->has_key[i])
				key_copy(k, &m->key[i]);
			return m->has_key[i];
		}
	n = hostmap_spn_host_part(part, len, host, sizeof(host), &kind);
	if (n >= 0) {
		*kind_out = (uint8_t)kind;
		has_key = (kind == SPN_HOST_FQDN || kind == SPN_HOST_SHORT) &&
			  hostmap_key_folded(k, host, (size_t)n) == 0;
	}
	if (len > HOSTMAP_KEY_MAX)
		return has_key;
	i = m->next++ % MEMO;
	memcpy(m->part[i], part, len);
	m->len[i] = len;
	m->kind[i] = *kind_out;
	m->has_key[i] = has_key;
	if (has_key)
		key_copy(&m->key[i], k);
	return has_key;
}

/* An SPN whose host is waiting for its lookup. */
struct pending {
	uint32_t spn;
	hostmap_key key;
};

/* The SPN hosts of SPNs [first, end), into d's arrays. */
typedef struct host_range {
	const spn_index *index;
	idx_derived *d;
	uint32_t first, end;
	int failed;
} host_range;

static void *spn_hosts_of(void *arg)
{
	host_range *r = arg;
	const spn_index *index = r->index;
	idx_derived *d = r->d;
	struct pending *batch;
	struct memo memo;
	uint32_t i, j, n = 0;

	batch = malloc(BATCH * sizeof(*batch));
	if (batch == NULL) {
		r->failed = 1;
		return NULL;
	}
	memset(&memo, 0, sizeof(memo));
	for (i = 0; i < MEMO; i++)
		memo.len[i] = SIZE_MAX;
	for (i = r->first; i < r->end; i++) {
		d->spn_name[i] = IDX_NONE;
		if (!spn_host_key(&memo, idx_s(index, index->spns[i].text),
				  &d->spn_kind[i], &batch[n].key))
			continue;
		batch[n].spn = i;
		idx_prefetch(&d->name_slots[2 * (batch[n].key.hash &
					       d->name_mask)]);
		if (++n < BATCH && i + 1 < r->end)
			continue;
		for (j = 0; j < n; j++)
			d->spn_name[batch[j].spn] = d->name_slots[2 *
				name_slot(d, &batch[j].key) + 1];
		n = 0;
	}
	for (j = 0; j < n; j++)
		d->spn_name[batch[j].spn] =
			d->name_slots[2 * name_slot(d, &batch[j].key) + 1];
	free(batch);
	return NULL;
}

/* Enough SPNs to be worth a second thread. */
#define HOSTS_SPLIT 65536

/* Every SPN's host: the name table is only read, and each SPN's answer
 * depends on it alone, so the second half is worked out on a thread of
 * its own when there are many. */
static int build_spn_hosts(const spn_index *index, idx_derived *d)
{
	host_range low, high;
	pthread_t thread;
	int started = 0;

	d->spn_kind = malloc((size_t)index->n_spns + 1);
	d->spn_name = malloc(((size_t)index->n_spns + 1) * sizeof(*d->spn_name));
	if (d->spn_kind == NULL || d->spn_name == NULL)
		return -1;
	memset(&low, 0, sizeof(low));
	low.index = index;
	low.d = d;
	low.end = index->n_spns;
	high = low;
	if (index->n_spns >= HOSTS_SPLIT && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		high.first = low.end = index->n_spns / 2;
		started = pthread_create(&thread, NULL, spn_hosts_of,
					 &high) == 0;
		if (!started)
			low.end = index->n_spns;
	}
	spn_hosts_of(&low);
	if (started)
		pthread_join(thread, NULL);
	return low.failed || (started && high.failed) ? -1 : 0;
}

/* ------------------------------------------------------------ addresses */

static inline uint32_t v4_hash(uint32_t a)
{
	uint64_t h = (uint64_t)a * UINT64_C(0x9e3779b97f4a7c15);

	return (uint32_t)(h >> 32);
}

static inline uint32_t v4_word(const unsigned char addr[4])
{
	return ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) |
	       ((uint32_t)addr[2] << 8) | (uint32_t)addr[3];
}

/* The slot (an index into v4_slots, two words each) of a, or the empty
 * slot where it would go. */
static uint32_t v4_slot(const idx_derived *d, uint32_t a)
{
	uint32_t slot = v4_hash(a) & d->v4_mask;

	while (d->v4_slots[2 * slot + 1] != IDX_NONE &&
	       d->v4_slots[2 * slot] != a)
		slot = (slot + 1) & d->v4_mask;
	return slot;
}

/* Make the IPv4 table twice its size, or, when it is new, big enough for
 * at least `expect` addresses at load 0.5. */
static int v4_grow(idx_derived *d, uint32_t expect)
{
	size_t size = 1024;

	if (d->v4_slots != NULL)
		size = ((size_t)d->v4_mask + 1) * 2;
	else
		while (size < (size_t)expect * 2)
			size *= 2;
	return pairs_resize(&d->v4_slots, &d->v4_mask, size, v4_hash);
}

/* A new address id with an empty chain; IDX_NONE on no memory. */
static uint32_t new_address(idx_derived *d, uint32_t **tails, uint32_t *cap)
{
	uint32_t id = d->n_addrs;

	if (grow((void **)&d->addr_nodes, &d->cap_addrs, (uint64_t)id + 1,
		 sizeof(*d->addr_nodes)) != 0 ||
	    grow((void **)tails, cap, (uint64_t)id + 1, sizeof(**tails)) != 0)
		return IDX_NONE;
	d->addr_nodes[id] = IDX_NONE;
	d->n_addrs++;
	return id;
}

/* The address id of addr (n = 4 or 16 bytes), added when new; IDX_NONE on
 * no memory. */
static uint32_t address_id(idx_derived *d, const unsigned char *addr, int n,
			   uint32_t **tails, uint32_t *cap)
{
	char text[INET6_ADDRSTRLEN];
	hostmap_key k;
	uint32_t slot, id, e, a;

	if (n == 4) {
		a = v4_word(addr);
		slot = v4_slot(d, a);
		if (d->v4_slots[2 * slot + 1] != IDX_NONE)
			return d->v4_slots[2 * slot + 1];
		id = new_address(d, tails, cap);
		if (id == IDX_NONE)
			return IDX_NONE;
		d->v4_slots[2 * slot] = a;
		d->v4_slots[2 * slot + 1] = id;
		if ((uint64_t)++d->n_v4 * 2 > (uint64_t)d->v4_mask + 1 &&
		    v4_grow(d, 0) != 0)
			return IDX_NONE;
		return id;
	}
	if (inet_ntop(AF_INET6, addr, text, sizeof(text)) == NULL ||
	    hostmap_key_make(&k, text, strlen(text)) != 0)
		return IDX_NONE;
	e = hostmap_find_key(d->v6, &k);
	if (e != HOSTMAP_NONE)
		return hostmap_value(d->v6, e);
	id = new_address(d, tails, cap);
	if (id == IDX_NONE || hostmap_add_key(d->v6, &k, id) != 0)
		return IDX_NONE;
	return id;
}

/* An A or AAAA record waiting for its address id: parsed, and its IPv4
 * table slot prefetched, BATCH at a time. */
struct addr_job {
	unsigned char addr[16];
	int len;            /* 4 or 16 */
	uint32_t node, record;
};

struct addr_queue {
	struct addr_job jobs[BATCH];
	uint32_t n;
	uint32_t *tails;    /* per address id: the last link of its nodes */
	uint32_t cap;
};

static int addr_flush(idx_derived *d, struct addr_queue *q)
{
	const struct addr_job *job;
	uint32_t i, id;

	for (i = 0; i < q->n; i++) {
		job = &q->jobs[i];
		id = address_id(d, job->addr, job->len, &q->tails, &q->cap);
		if (id == IDX_NONE ||
		    chain_add(d, &d->addr_nodes[id], &q->tails[id], job->node,
			      1) != 0)
			return -1;
		d->rec_addr[job->record] = id;
	}
	q->n = 0;
	return 0;
}

/* The A and AAAA records of live nodes: address -> the nodes carrying it
 * (each once, in index order), and each record's address id. */
static int build_addresses(const spn_index *index, idx_derived *d)
{
	struct addr_queue *q = calloc(1, sizeof(*q));
	struct addr_job *job;
	uint32_t i, r;
	const char *text;
	int rc = -1;

	d->v6 = hostmap_new();
	d->rec_addr = malloc(((size_t)index->n_dns_records + 1) *
			     sizeof(*d->rec_addr));
	if (q == NULL || d->v6 == NULL || d->rec_addr == NULL ||
	    v4_grow(d, index->n_dns_records) != 0)
		goto cleanup;
	for (i = 0; i < index->n_dns_records; i++)
		d->rec_addr[i] = IDX_NONE;
	for (i = 0; i < index->n_dns_nodes; i++) {
		const idx_dns_node *node = &index->dns_nodes[i];

		if (!d->node_live[i])
			continue;
		for (r = node->first_record;
		     r < node->first_record + node->n_records; r++) {
			const idx_dns_record *rec = &index->dns_records[r];

			if (rec->type != SPN_DNS_TYPE_A &&
			    rec->type != SPN_DNS_TYPE_AAAA)
				continue;
			job = &q->jobs[q->n];
			text = idx_s(index, rec->data);
			job->len = hostmap_addr_parse(text, strlen(text),
						      job->addr);
			if (job->len < 0)
				continue;
			job->node = i;
			job->record = r;
			if (job->len == 4)
				idx_prefetch(&d->v4_slots[2 * (v4_hash(v4_word(
					job->addr)) & d->v4_mask)]);
			if (++q->n == BATCH && addr_flush(d, q) != 0)
				goto cleanup;
		}
	}
	rc = addr_flush(d, q);
cleanup:
	if (q != NULL)
		free(q->tails);
	free(q);
	return rc;
}

uint32_t idx_address_find(const idx_derived *d, const char *text, size_t len)
{
	unsigned char addr[16];
	char canon[INET6_ADDRSTRLEN];
	hostmap_key k;
	uint32_t e;
	int n = hostmap_addr_parse(text, len, addr);

	if (n == 4)
		return d->v4_slots[2 * v4_slot(d, v4_word(addr)) + 1];
	if (n != 16 || inet_ntop(AF_INET6, addr, canon, sizeof(canon)) == NULL ||
	    hostmap_key_make(&k, canon, strlen(canon)) != 0)
		return IDX_NONE;
	e = hostmap_find_key(d->v6, &k);
	return e != HOSTMAP_NONE ? hostmap_value(d->v6, e) : IDX_NONE;
}

/* ------------------------------------------------------------ access */

/* The part of the derived data that build() fills, built once; the
 * caller holds the index's derived_lock. A build that fails marks the
 * cache failed instead of freeing it: another thread may be reading the
 * parts already built. */
static idx_derived *build_once(const spn_index *index, idx_derived *d,
			       uint8_t *have,
			       int (*build)(const spn_index *, idx_derived *))
{
	if (d == NULL || d->failed)
		return NULL;
	if (!*have) {
		if (build(index, d) != 0) {
			d->failed = 1;
			return NULL;
		}
		*have = 1;
	}
	return d;
}

static idx_derived *names_locked(const spn_index *index)
{
	idx_derived *d = derived_of(index);

	return d != NULL ? build_once(index, d, &d->have_names, build_names) :
			   NULL;
}

/* Build (once) and return a part: checks may run on several threads over
 * one index; what is built is never changed, so reading needs no lock. */
static const idx_derived *derived_part(const spn_index *index, int part)
{
	spn_index *m = (spn_index *)index;
	idx_derived *d;

	pthread_mutex_lock(&m->derived_lock);
	d = names_locked(index);
	if (d != NULL && part == 1)
		d = build_once(index, d, &d->have_spn_hosts, build_spn_hosts);
	else if (d != NULL && part == 2)
		d = build_once(index, d, &d->have_addresses, build_addresses);
	pthread_mutex_unlock(&m->derived_lock);
	return d;
}

const idx_derived *idx_derived_names(const spn_index *index)
{
	return derived_part(index, 0);
}

const idx_derived *idx_derived_spn_hosts(const spn_index *index)
{
	return derived_part(index, 1);
}

const idx_derived *idx_derived_addresses(const spn_index *index)
{
	return derived_part(index, 2);
}
