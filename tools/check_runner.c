/* check_runner.c - spncheck's checks over one index on several threads,
 * their findings gathered in the order the checks are listed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_runner.h"

#define MAX_THREADS 4

/* One check: its context, its findings, how it went. */
typedef struct job {
	const char *check;
	spn_ctx *ctx;
	spn_findings *findings;
	spn_status status;
} job;

typedef struct runner {
	job *jobs;
	size_t n;
	const size_t *order;   /* the jobs in the order they are taken */
	check_run_fn run;
	void *userdata;
	size_t next;           /* the next job to take */
	pthread_mutex_t lock;
} runner;

/* Take the jobs in run order until none is left. The index is only
 * read: libspn's checks may run on several threads over it. */
static void *worker(void *arg)
{
	runner *r = arg;
	job *j;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		j = r->next < r->n ? &r->jobs[r->order[r->next++]] : NULL;
		pthread_mutex_unlock(&r->lock);
		if (j == NULL)
			break;
		j->status = r->run(j->ctx, j->check, j->findings, r->userdata);
	}
	return NULL;
}

static size_t thread_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cpus < 1 ? 1 : (size_t)cpus;

	if (want > MAX_THREADS)
		want = MAX_THREADS;
	return want < n ? want : n;
}

spn_status check_runner_run(const char *const *checks, size_t n,
			    const size_t *order, int fixes,
			    check_ctx_fn make_ctx, check_run_fn run,
			    void *userdata, spn_findings *findings,
			    size_t *failed_out, spn_ctx **failed_ctx_out)
{
	pthread_t threads[MAX_THREADS];
	runner r;
	size_t i, n_threads = 0, want;
	int lock_made = 0;
	spn_status st = SPN_OK;

	*failed_ctx_out = NULL;
	memset(&r, 0, sizeof(r));
	r.jobs = calloc(n > 0 ? n : 1, sizeof(*r.jobs));
	if (r.jobs == NULL)
		return SPN_E_NOMEM;
	r.n = n;
	r.order = order;
	r.run = run;
	r.userdata = userdata;
	for (i = 0; i < n && st == SPN_OK; i++) {
		r.jobs[i].check = checks[i];
		st = make_ctx(&r.jobs[i].ctx, userdata);
		if (st == SPN_OK)
			st = spn_findings_new(&r.jobs[i].findings);
		if (st == SPN_OK)
			spn_findings_set_fixes(r.jobs[i].findings, fixes);
	}
	if (st == SPN_OK && pthread_mutex_init(&r.lock, NULL) != 0)
		st = SPN_E_NOMEM;
	if (st != SPN_OK)
		goto cleanup;
	lock_made = 1;
	/* the calling thread is one of the workers */
	want = thread_count(n);
	for (n_threads = 0; n_threads + 1 < want; n_threads++)
		if (pthread_create(&threads[n_threads], NULL, worker, &r) != 0)
			break;
	worker(&r);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < n; i++) {
		if (r.jobs[i].status != SPN_OK) {
			st = r.jobs[i].status;
			*failed_out = i;
			*failed_ctx_out = r.jobs[i].ctx;
			r.jobs[i].ctx = NULL;
			goto cleanup;
		}
	}
	for (i = 0; i < n && st == SPN_OK; i++)
		st = spn_findings_take(findings, r.jobs[i].findings);

cleanup:
	if (lock_made)
		pthread_mutex_destroy(&r.lock);
	for (i = 0; i < n; i++) {
		spn_findings_free(r.jobs[i].findings);
		spn_ctx_unref(r.jobs[i].ctx);
	}
	free(r.jobs);
	return st;
}
