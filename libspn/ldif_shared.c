/* ldif_shared.c - the two-pass LDIF load of the accounts that share an
 * SPN (SPN_LOAD_SHARED_ONLY). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spn/index.h>
#include "context_impl.h"
#include "index_impl.h"
#include "ldif.h"
#include "ldif_load_impl.h"
#include "ldif_parser.h"

/* SPN_LOAD_SHARED_ONLY reads the input twice. The first pass, in parts on
 * threads, reads and checks every entry as ldif_load_entry does (most of
 * them through the plain reader, ldif_plain.c) but keeps of each account
 * only where it is and the 64-bit hashes of its SPNs' keys. The accounts
 * holding a hash that occurs more than once are then parsed again, in file
 * order, into the index, with just their SPNs that have such a hash. Equal
 * keys have equal hashes, so every value of a duplicated key is kept; a
 * hash collision only keeps a value more. When the first pass meets
 * anything wrong, the one-pass load runs instead and reports it as it
 * always does. */

/* One SPN seen in the first pass: its key's hash and the account (an index
 * into the held accounts) holding it. */
typedef struct spn_ref {
	uint64_t hash;
	size_t held;
} spn_ref;

/* An account with an SPN: where it is, and how many it has. */
typedef struct held_account {
	spn_ldif_range range;
	size_t n_spns;          /* non-empty: those the index would keep */
} held_account;

/* The first pass over one part of the input. */
typedef struct scan {
	loader l;               /* counts and scratch arrays; no index */
	spn_ref *refs;
	size_t n_refs, refs_cap;
	held_account *held;
	size_t n_held, held_cap;
	size_t n_kept_spns;     /* their non-empty SPNs */
	ldif_span *spans;       /* scan_entry's SPNs */
	size_t spans_cap;
	char *text;             /* a non-ASCII SPN, NUL-terminated */
	size_t text_cap;
} scan;

static int scan_skip(const char *dn, size_t len, void *userdata)
{
	scan *s = userdata;

	return ldif_skip_unwanted(dn, len, &s->l);
}

/* Keep the hashes of an account's non-empty SPNs, and where it is: -1 when
 * out of memory. */
static int hold_account(scan *s, const ldif_span *spns, size_t n,
			size_t offset, size_t end, size_t line)
{
	size_t i, n_refs = s->n_refs;
	uint64_t hash;

	if (ldif_grow_array((void **)&s->refs, &s->refs_cap, n_refs + n,
			    sizeof(*s->refs)) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (spns[i].len == 0)
			continue;   /* the index keeps no empty SPN */
		if (idx_span_key_hash64(spns[i].s, spns[i].len, &s->text,
					&s->text_cap, &hash) != 0)
			return -1;
		s->refs[n_refs].hash = hash;
		s->refs[n_refs].held = s->n_held;
		n_refs++;
	}
	if (n_refs == s->n_refs)
		return 0;
	if (ldif_grow_array((void **)&s->held, &s->held_cap, s->n_held + 1,
			    sizeof(*s->held)) != 0)
		return -1;
	s->held[s->n_held].range.offset = offset;
	s->held[s->n_held].range.end = end;
	s->held[s->n_held].range.line = line;
	s->held[s->n_held].n_spns = n_refs - s->n_refs;
	s->n_held++;
	s->n_kept_spns += n_refs - s->n_refs;
	s->n_refs = n_refs;
	return 0;
}

/* An entry the general parser read (one the plain reader did not take). */
static spn_status scan_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			     void *userdata)
{
	scan *s = userdata;
	loader *l = &s->l;
	entry_facts f;
	spn_status st;
	size_t i;

	l->ctx = ctx;
	l->n_entries++;
	memset(&f, 0, sizeof(f));
	st = ldif_collect(l, e, &f);
	if (st != SPN_OK)
		return st;
	if (f.account.n_spns > 0 || (f.classes & (OC_COMPUTER | OC_MSA))) {
		st = ldif_check_account(l, e, &f);
		if (st != SPN_OK)
			return st;
		l->n_accounts++;
		l->n_spns += f.account.n_spns;
		if (ldif_grow_array((void **)&s->spans, &s->spans_cap,
				    f.account.n_spns, sizeof(*s->spans)) != 0)
			return ldif_no_memory(l, e);
		for (i = 0; i < f.account.n_spns; i++) {
			s->spans[i].s = l->spns[i];
			s->spans[i].len = strlen(l->spns[i]);
		}
		if (hold_account(s, s->spans, f.account.n_spns, e->offset,
				 e->end, e->line) != 0)
			return ldif_no_memory(l, e);
	}
	if (f.classes & OC_DNS_NODE)
		l->n_unread++;
	if (f.has_mappings)
		l->n_unread++;
	return SPN_OK;
}

/* A plain entry (ldif_plain.c): what scan_entry finds in it, found as the
 * plain reader read it. */
static spn_status scan_plain(spn_ctx *ctx, const struct ldif_plain_entry *e,
			     void *userdata)
{
	scan *s = userdata;
	loader *l = &s->l;

	l->n_entries++;
	if (e->n_spns > 0 || (e->classes & (OC_COMPUTER | OC_MSA))) {
		l->n_accounts++;
		l->n_spns += e->n_spns;
		if (hold_account(s, e->spns, e->n_spns, e->offset, e->end,
				 e->line) != 0)
			return spn_error(ctx, SPN_E_NOMEM, "line %zu: out of "
					 "memory", e->line);
	}
	if (e->classes & OC_DNS_NODE)
		l->n_unread++;
	if (e->has_mappings)
		l->n_unread++;
	return SPN_OK;
}

/* The refs are marked a bucket at a time, a bucket being the refs of
 * every part whose hashes have the same top byte: a bucket's refs then
 * fit in the cache while they are compared. */
#define BUCKET_BITS 8
#define BUCKET_OF(hash) ((size_t)((hash) >> (64 - BUCKET_BITS)))

/* Put a part's refs in bucket order: counted, copied bucket by bucket
 * into a scratch array, and back (sequential passes, where sorting in
 * place chased each ref to its place). 0, or -1 when out of memory (refs
 * unchanged). */
static int order_refs(spn_ref *r, size_t n)
{
	size_t count[1 << BUCKET_BITS], next[1 << BUCKET_BITS], i, b;
	spn_ref *to;

	if (n < 2)
		return 0;
	to = malloc(n * sizeof(*to));
	if (to == NULL)
		return -1;
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[BUCKET_OF(r[i].hash)]++;
	for (b = 0, i = 0; b < ((size_t)1 << BUCKET_BITS); b++) {
		next[b] = i;
		i += count[b];
	}
	for (i = 0; i < n; i++)
		to[next[BUCKET_OF(r[i].hash)]++] = r[i];
	memcpy(r, to, n * sizeof(*r));
	free(to);
	return 0;
}

/* After a part's last entry, on its thread: its refs in bucket order. */
static spn_status scan_done(void *userdata)
{
	scan *s = userdata;

	return order_refs(s->refs, s->n_refs) == 0 ? SPN_OK : SPN_E_NOMEM;
}

/* The marking of the buckets [first, end) of the hash space: each part's
 * refs from pos[i] on are in bucket order (order_refs). The refs of a
 * bucket go into a hash table: a hash met again sets marks[held] for its
 * refs. */
typedef struct mark_job {
	const scan *scans;
	size_t n_scans;
	const size_t *held_base;   /* held accounts before part i */
	size_t first, end;
	size_t pos[SPN_LDIF_MAX_PARTS];
	unsigned char *marks;
	uint64_t *shared;          /* the hashes marked */
	size_t n_shared, shared_cap;
	size_t n_shared_refs;      /* the SPNs with one of them */
	int failed;                /* out of memory */
} mark_job;

/* A hash of the bucket being marked: a slot of another generation is
 * free, so the table is not cleared between buckets. */
typedef struct mark_slot {
	uint64_t hash;
	size_t first;              /* the held account of its first ref */
	uint32_t gen;
	uint32_t listed;           /* met again: in shared, first marked */
} mark_slot;

/* The ref (hash, held) of the bucket of generation gen into table (size
 * slots, a power of two): 0, or -1 when out of memory. */
static int mark_ref(mark_job *m, mark_slot *table, size_t size, uint32_t gen,
		    uint64_t hash, size_t held)
{
	size_t j = (size_t)hash & (size - 1);

	while (table[j].gen == gen && table[j].hash != hash)
		j = (j + 1) & (size - 1);
	if (table[j].gen != gen) {
		table[j].hash = hash;
		table[j].first = held;
		table[j].gen = gen;
		table[j].listed = 0;
		return 0;
	}
	if (!table[j].listed) {
		if (ldif_grow_array((void **)&m->shared, &m->shared_cap,
				    m->n_shared + 1, sizeof(*m->shared)) != 0)
			return -1;
		m->shared[m->n_shared++] = hash;
		m->marks[table[j].first] = 1;
		m->n_shared_refs++;
		table[j].listed = 1;
	}
	m->marks[held] = 1;
	m->n_shared_refs++;
	return 0;
}

static void mark_buckets(mark_job *m)
{
	size_t start[SPN_LDIF_MAX_PARTS], b, i, k, n, size, cap = 0;
	mark_slot *table = NULL;
	uint32_t gen = 0;

	for (b = m->first; b < m->end && !m->failed; b++) {
		n = 0;
		for (i = 0; i < m->n_scans; i++) {
			const scan *s = &m->scans[i];

			start[i] = m->pos[i];
			while (m->pos[i] < s->n_refs &&
			       BUCKET_OF(s->refs[m->pos[i]].hash) == b)
				m->pos[i]++;
			n += m->pos[i] - start[i];
		}
		if (n < 2)
			continue;
		for (size = 16; size < 2 * n; size *= 2)
			;
		if (size > cap) {
			free(table);
			table = calloc(size, sizeof(*table));
			if (table == NULL) {
				m->failed = 1;
				break;
			}
			cap = size;
			gen = 0;
		}
		gen++;
		for (i = 0; i < m->n_scans && !m->failed; i++)
			for (k = start[i]; k < m->pos[i]; k++)
				if (mark_ref(m, table, size, gen,
					     m->scans[i].refs[k].hash,
					     m->scans[i].refs[k].held +
						     m->held_base[i]) != 0) {
					m->failed = 1;
					break;
				}
	}
	free(table);
}

static void *mark_thread(void *arg)
{
	mark_buckets(arg);
	return NULL;
}

/* The first of refs[0..n), in bucket order, whose hash is at least h (a
 * bucket's first hash). */
static size_t first_at_least(const spn_ref *refs, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (refs[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Set marks[held] (n_held of them) for every held account with an SPN
 * whose hash another SPN has, and list those hashes in *shared_out
 * (*n_shared_out of them; free it). Each part's refs are in bucket order:
 * they are taken a bucket at a time from every part. With
 * threads, the upper half of the buckets is marked at the same time on
 * another thread, into marks of its own. held_base[i] is the number of
 * held accounts before part i; *n_spns_out is the number of SPNs with a
 * hash listed. 0, or -1 when out of memory. */
static int mark_shared(const scan *scans, size_t n_scans,
		       const size_t *held_base, size_t n_refs, size_t n_held,
		       int threads, unsigned char *marks,
		       uint64_t **shared_out, size_t *n_shared_out,
		       size_t *n_spns_out)
{
	mark_job low, high;
	pthread_t thread;
	size_t i;
	int started = 0;

	memset(&low, 0, sizeof(low));
	low.scans = scans;
	low.n_scans = n_scans;
	low.held_base = held_base;
	low.end = (size_t)1 << BUCKET_BITS;
	low.marks = marks;
	high = low;
	if (threads && n_refs >= 2) {
		high.marks = calloc(n_held > 0 ? n_held : 1, 1);
		if (high.marks != NULL) {
			high.first = low.end / 2;
			low.end = high.first;
			for (i = 0; i < n_scans; i++)
				high.pos[i] = first_at_least(scans[i].refs,
							     scans[i].n_refs,
							     UINT64_C(1) << 63);
			started = pthread_create(&thread, NULL, mark_thread,
						 &high) == 0;
			if (!started) {
				low.end = high.end;
				free(high.marks);
			}
		}
	}
	mark_buckets(&low);
	if (started) {
		pthread_join(thread, NULL);
		for (i = 0; i < n_held; i++)
			marks[i] |= high.marks[i];
		free(high.marks);
		/* the upper half's hashes follow the lower half's */
		if (!low.failed && !high.failed && high.n_shared > 0 &&
		    ldif_grow_array((void **)&low.shared, &low.shared_cap,
				    low.n_shared + high.n_shared,
				    sizeof(*low.shared)) == 0) {
			memcpy(low.shared + low.n_shared, high.shared,
			       high.n_shared * sizeof(*high.shared));
			low.n_shared += high.n_shared;
		} else if (high.n_shared > 0) {
			low.failed = 1;
		}
		low.failed |= high.failed;
		low.n_shared_refs += high.n_shared_refs;
		free(high.shared);
	}
	if (low.failed) {
		free(low.shared);
		return -1;
	}
	*shared_out = low.shared;
	*n_shared_out = low.n_shared;
	*n_spns_out = low.n_shared_refs;
	return 0;
}

/* The set of the n hashes: 0, or -1 when out of memory. */
static int hash_set_make(hash_set *set, const uint64_t *hashes, size_t n)
{
	size_t size = 16, i, j;

	while (size < 2 * n) {
		if (size > SIZE_MAX / 2 / sizeof(*set->slots))
			return -1;
		size *= 2;
	}
	set->slots = calloc(size, sizeof(*set->slots));
	if (set->slots == NULL)
		return -1;
	set->mask = size - 1;
	for (i = 0; i < n; i++) {
		if (hashes[i] == 0) {
			set->has_zero = 1;
			continue;
		}
		for (j = (size_t)hashes[i] & set->mask; set->slots[j] != 0;
		     j = (j + 1) & set->mask)
			;
		set->slots[j] = hashes[i];
	}
	return 0;
}

/* The second half of the second pass, read on another thread into an
 * index of its own. */
typedef struct half {
	const char *name;
	const char *buf;
	int mapped;
	const spn_ldif_range *ranges;
	size_t n_ranges;
	const hash_set *shared;
	spn_ctx *ctx;           /* its own: errors are not kept */
	spn_index *index;
	spn_status status;
} half;

static void *load_half(void *arg)
{
	half *h = arg;
	loader l;

	memset(&l, 0, sizeof(l));
	l.ctx = h->ctx;
	l.index = h->index;
	l.what = SPN_LOAD_ACCOUNTS;
	l.shared = h->shared;
	h->status = spn_ldif_parse_entries(h->ctx, h->name, h->buf, h->mapped,
					   h->ranges, h->n_ranges,
					   ldif_load_entry, ldif_load_plain, &l);
	ldif_free_loader(&l);
	return NULL;
}

/* The second pass: the entries at ranges into the index, in order, with
 * only their SPNs whose key hash is in shared. With
 * threads, the second half is read at the same time on another thread
 * into an index of its own, appended to the first half's (idx_append);
 * if that fails, this thread reads it again for the message. */
static spn_status load_kept(spn_index *index, spn_ctx *ctx, const char *name,
			    const char *buf, int mapped, int threads,
			    const spn_ldif_range *ranges, size_t n_ranges,
			    const hash_set *shared)
{
	loader l;
	half h;
	pthread_t thread;
	size_t first = n_ranges;
	int started = 0;
	spn_status st;

	memset(&l, 0, sizeof(l));
	memset(&h, 0, sizeof(h));
	if (threads && n_ranges >= 2 && spn_ctx_new(&h.ctx) == SPN_OK &&
	    spn_index_new(&h.index) == SPN_OK) {
		first = n_ranges / 2;
		h.name = name;
		h.buf = buf;
		h.mapped = mapped;
		h.ranges = ranges + first;
		h.n_ranges = n_ranges - first;
		h.shared = shared;
		started = pthread_create(&thread, NULL, load_half, &h) == 0;
		if (!started)
			first = n_ranges;
	}
	l.ctx = ctx;
	l.index = index;
	l.what = SPN_LOAD_ACCOUNTS;
	l.shared = shared;
	st = spn_ldif_parse_entries(ctx, name, buf, mapped, ranges, first,
				    ldif_load_entry, ldif_load_plain, &l);
	if (started)
		pthread_join(thread, NULL);
	if (st == SPN_OK && first < n_ranges) {
		if (h.status == SPN_OK) {
			if (idx_append(index, h.index) != 0)
				st = spn_error(ctx, SPN_E_NOMEM,
					       "%s: out of memory", name);
		} else
			st = spn_ldif_parse_entries(ctx, name, buf, mapped,
						    ranges + first,
						    n_ranges - first,
						    ldif_load_entry,
						    ldif_load_plain, &l);
	}
	ldif_free_loader(&l);
	spn_index_free(h.index);
	spn_ctx_unref(h.ctx);
	return st;
}

/* The two passes. *redo_out is set when the first pass failed or found
 * nothing to load: the caller then runs the one-pass load. */
spn_status ldif_load_shared(spn_index *index, spn_ctx *ctx,
			    const char *name, const char *buf, size_t len,
			    int mapped, size_t n_parts, int *redo_out)
{
	size_t starts[SPN_LDIF_MAX_PARTS + 1], line_base[SPN_LDIF_MAX_PARTS];
	size_t held_base[SPN_LDIF_MAX_PARTS];
	void *userdata[SPN_LDIF_MAX_PARTS];
	scan *scans = NULL;
	unsigned char *marks = NULL;
	spn_ldif_range *ranges = NULL;
	uint64_t *shared = NULL;
	hash_set set = { NULL, 0, 0 };
	loader total;
	size_t n, i, j, n_held = 0, n_refs = 0, n_kept_spns = 0, n_ranges = 0;
	size_t n_shared = 0, n_keep_spns = 0, keep_bytes = 0;
	uint32_t spns_before = index->n_spns, accounts_before;
	spn_status st;

	*redo_out = 0;
	memset(&total, 0, sizeof(total));
	if (n_parts == 0)
		n_parts = spn_ldif_part_count(len);
	n = spn_ldif_split(buf, len, n_parts, starts);
	scans = calloc(n, sizeof(*scans));
	if (scans == NULL) {
		st = spn_error(ctx, SPN_E_NOMEM, "%s: out of memory", name);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		scans[i].l.what = SPN_LOAD_ACCOUNTS;
		userdata[i] = &scans[i];
	}
	st = spn_ldif_parse_split(name, buf, len, mapped, starts, n, scan_skip,
				  scan_entry, scan_plain, NULL, scan_done,
				  userdata, line_base);
	if (st != SPN_OK) {
		*redo_out = 1;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const scan *s = &scans[i];

		total.n_entries += s->l.n_entries;
		total.n_accounts += s->l.n_accounts;
		total.n_spns += s->l.n_spns;
		total.n_unread += s->l.n_unread;
		held_base[i] = n_held;
		n_held += s->n_held;
		n_refs += s->n_refs;
		n_kept_spns += s->n_kept_spns;
	}
	if (total.n_accounts == 0 && total.n_unread == 0) {
		*redo_out = 1;   /* the one-pass load says what is missing */
		goto cleanup;
	}
	marks = calloc(n_held > 0 ? n_held : 1, 1);
	ranges = malloc((n_held > 0 ? n_held : 1) * sizeof(*ranges));
	if (marks == NULL || ranges == NULL ||
	    mark_shared(scans, n, held_base, n_refs, n_held, n > 1, marks,
			&shared, &n_shared, &n_keep_spns) != 0 ||
	    hash_set_make(&set, shared, n_shared) != 0) {
		st = spn_error(ctx, SPN_E_NOMEM, "%s: out of memory", name);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < scans[i].n_held; j++) {
			const held_account *h = &scans[i].held[j];

			if (!marks[held_base[i] + j])
				continue;
			ranges[n_ranges] = h->range;
			ranges[n_ranges].line += line_base[i];
			n_ranges++;
			keep_bytes += h->range.end - h->range.offset;
		}
	}
	/* room for what is kept at once; its text is less than its bytes */
	(void)idx_reserve(index, n_keep_spns, n_ranges, keep_bytes);
	accounts_before = index->n_accounts;
	st = load_kept(index, ctx, name, buf, mapped, n > 1, ranges, n_ranges,
		       &set);
	if (st != SPN_OK)
		goto cleanup;
	index->passed_accounts += total.n_accounts -
				  (index->n_accounts - accounts_before);
	index->passed_spns += n_kept_spns - (index->n_spns - spns_before);
	ldif_log_summary(ctx, name, &total);

cleanup:
	for (i = 0; scans != NULL && i < n; i++) {
		ldif_free_loader(&scans[i].l);
		free(scans[i].refs);
		free(scans[i].held);
		free(scans[i].spans);
		free(scans[i].text);
	}
	free(scans);
	free(marks);
	free(ranges);
	free(shared);
	free(set.slots);
	return st;
}
