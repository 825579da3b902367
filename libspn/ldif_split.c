/* ldif_split.c - the LDIF reader in parts on several threads, and over
 * chosen entries read before. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldif_parser.h"

/* Inputs at least this big are parsed in parts on several threads. */
#define SPLIT_MIN ((size_t)8 << 20)
#define MAX_THREADS 8
#define PARTS_PER_THREAD 4   /* parts taken in turn: uneven ones even out */

static size_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

size_t spn_ldif_part_count(size_t len)
{
	size_t cpus = online_cpus();

	if (len < SPLIT_MIN || cpus < 2)
		return 1;
	return cpus * PARTS_PER_THREAD;
}

/* Whether a part can start at q: a "dn:" line, or a comment (ldapsearch
 * writes one before every entry), right after a blank line (LF or CR LF).
 * Every '\n' ends a physical line and a blank line ends any record, so a
 * one-pass parse is between records there too. */
static int record_starts_at(const char *buf, size_t len, size_t q)
{
	if (q < 2 || len - q < 3 || buf[q - 1] != '\n')
		return 0;
	if (buf[q] != '#' &&
	    ((buf[q] | 0x20) != 'd' || (buf[q + 1] | 0x20) != 'n' ||
	     buf[q + 2] != ':'))
		return 0;
	return buf[q - 2] == '\n' ||
	       (q >= 3 && buf[q - 2] == '\r' && buf[q - 3] == '\n');
}

size_t spn_ldif_split(const char *buf, size_t len, size_t n_parts,
		      size_t *starts)
{
	size_t n = 1, i, q;

	if (n_parts > SPN_LDIF_MAX_PARTS)
		n_parts = SPN_LDIF_MAX_PARTS;
	starts[0] = 0;
	for (i = 1; i < n_parts; i++) {
		q = len / n_parts * i;
		if (q <= starts[n - 1])
			q = starts[n - 1] + 1;
		while (q < len && !record_starts_at(buf, len, q)) {
			const char *nl = memchr(buf + q, '\n', len - q);

			if (nl == NULL) {
				q = len;
				break;
			}
			q = (size_t)(nl - buf) + 1;
		}
		if (q >= len)
			break;
		starts[n++] = q;
	}
	starts[n] = len;
	return n;
}

/* One part of a split parse. */
typedef struct part {
	parser p;
	spn_ctx *ctx;          /* its own: errors are not kept */
	spn_status status;
} part;

typedef struct split_job {
	part *parts;
	size_t n_parts;
	spn_ldif_begin_fn begin;
	spn_ldif_part_fn done;
	void *const *userdata;
	size_t front, back;    /* the parts not taken: [front, back) */
	int failed;            /* a part failed: take no more */
	pthread_mutex_t lock;
} split_job;

static void run_part(part *t)
{
	parser *p = &t->p;

	if (p->pos == 0)
		t->status = ldif_byte_order_mark(p);
	if (t->status == SPN_OK)
		t->status = ldif_parse_records(p);
	ldif_release_upto(p, p->len);
}

/* The next part for a worker, or n_parts when none is left: the calling
 * thread takes the parts from the front, in order, the other threads
 * from the back. */
static size_t take_part(split_job *job, int front)
{
	size_t i = job->n_parts;

	pthread_mutex_lock(&job->lock);
	if (!job->failed && job->front < job->back)
		i = front ? job->front++ : --job->back;
	pthread_mutex_unlock(&job->lock);
	return i;
}

static void work(split_job *job, int front)
{
	size_t i;
	part *t;

	while ((i = take_part(job, front)) < job->n_parts) {
		t = &job->parts[i];
		t->status = SPN_OK;
		if (job->begin != NULL)
			t->status = job->begin(job->userdata[i], front);
		if (t->status == SPN_OK)
			run_part(t);
		if (t->status == SPN_OK && job->done != NULL)
			t->status = job->done(job->userdata[i]);
		if (t->status != SPN_OK) {
			pthread_mutex_lock(&job->lock);
			job->failed = 1;
			pthread_mutex_unlock(&job->lock);
		}
	}
}

static void *back_worker(void *arg)
{
	work(arg, 0);
	return NULL;
}

/* ldapsearch's comments over all the parts in order, as comment_line
 * checks them in one pass: 0 when they agree, -1 when not. */
static int replay_comments(const part *parts, size_t n)
{
	size_t i, j, before = 0, reset = 0, pending;
	int expect_trailer = 0;

	for (i = 0; i < n; i++) {
		const parser *p = &parts[i].p;

		for (j = 0; j < p->n_notes; j++) {
			const comment_note *c = &p->notes[j];
			size_t at = before + c->entries;

			switch (c->kind) {
			case CM_HEADER:
				if (!expect_trailer) {
					expect_trailer = 1;
					reset = at;
				}
				break;
			case CM_RESPONSES:
				expect_trailer = 0;
				break;
			case CM_ENTRIES:
				pending = at - reset + (size_t)c->pending;
				if (c->counted && c->count != pending)
					return -1;
				reset = at;
				break;
			}
		}
		before += p->n_entries;
	}
	return expect_trailer || before == 0 ? -1 : 0;
}

spn_status spn_ldif_parse_split(const char *name, const char *buf,
				size_t len, int mapped, const size_t *starts,
				size_t n_parts, spn_ldif_skip_fn skip,
				spn_ldif_entry_fn fn, spn_ldif_plain_fn plain,
				spn_ldif_begin_fn begin, spn_ldif_part_fn done,
				void *const *userdata, size_t *line_base_out)
{
	part *parts = NULL;
	pthread_t threads[MAX_THREADS];
	split_job job;
	size_t i, n_threads = 0, want, lines = 0;
	long page = sysconf(_SC_PAGESIZE);
	int lock_made = 0;
	spn_status st;

	if (n_parts == 0 || n_parts > SPN_LDIF_MAX_PARTS || page <= 0)
		return SPN_E_USAGE;
	parts = calloc(n_parts, sizeof(*parts));
	if (parts == NULL)
		return SPN_E_NOMEM;
	for (i = 0; i < n_parts; i++) {
		parser *p = &parts[i].p;

		st = spn_ctx_new(&parts[i].ctx);
		if (st != SPN_OK)
			goto cleanup;
		ldif_init_parser(p, parts[i].ctx, name, buf, starts[i + 1],
				 mapped, skip, fn, userdata[i]);
		p->pos = starts[i];
		p->mode = MODE_PART;
		p->plain_fn = plain;
		/* each part drops only whole pages of its own */
		p->released = (starts[i] + (size_t)page - 1) &
			      ~((size_t)page - 1);
	}
	memset(&job, 0, sizeof(job));
	job.parts = parts;
	job.n_parts = n_parts;
	job.back = n_parts;
	job.begin = begin;
	job.done = done;
	job.userdata = userdata;
	if (pthread_mutex_init(&job.lock, NULL) != 0) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	lock_made = 1;
	want = online_cpus();
	if (want > n_parts)
		want = n_parts;
	/* the calling thread is one of the workers */
	for (n_threads = 0; n_threads + 1 < want; n_threads++)
		if (pthread_create(&threads[n_threads], NULL, back_worker,
				   &job) != 0)
			break;
	work(&job, 1);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	st = SPN_OK;
	for (i = 0; i < n_parts && st == SPN_OK; i++)
		st = parts[i].status;
	if (st == SPN_OK && job.failed)
		st = SPN_E_INPUT;
	if (st == SPN_OK && replay_comments(parts, n_parts) != 0)
		st = SPN_E_INPUT;
	if (st != SPN_OK)
		goto cleanup;
	for (i = 0; i < n_parts; i++) {
		line_base_out[i] = lines;
		lines += parts[i].p.lineno;
	}

cleanup:
	if (lock_made)
		pthread_mutex_destroy(&job.lock);
	for (i = 0; parts != NULL && i < n_parts; i++) {
		ldif_free_parser(&parts[i].p);
		spn_ctx_unref(parts[i].ctx);
	}
	free(parts);
	return st;
}

spn_status spn_ldif_parse_entries(spn_ctx *ctx, const char *name,
				  const char *buf, int mapped,
				  const spn_ldif_range *ranges, size_t n_ranges,
				  spn_ldif_entry_fn fn, spn_ldif_plain_fn plain,
				  void *userdata)
{
	parser p;
	size_t i;
	long page = sysconf(_SC_PAGESIZE);
	spn_status st = SPN_OK;

	ldif_init_parser(&p, ctx, name, buf, 0, mapped, NULL, fn, userdata);
	p.mode = MODE_ENTRY;
	p.plain_fn = plain;
	/* only whole pages from the first entry on are dropped: another
	 * thread may be reading the entries before */
	if (n_ranges > 0 && page > 0)
		p.released = (ranges[0].offset + (size_t)page - 1) &
			     ~((size_t)page - 1);
	for (i = 0; i < n_ranges && st == SPN_OK; i++) {
		p.pos = ranges[i].offset;
		p.len = ranges[i].end;
		p.lineno = ranges[i].line - 1;
		p.record = REC_NONE;
		st = ldif_parse_records(&p);
	}
	ldif_free_parser(&p);
	return st;
}
