/* check_runner.h - spncheck's checks over one index on several threads,
 * their findings gathered in the order the checks are listed. */
#ifndef SPNKIT_CHECK_RUNNER_H
#define SPNKIT_CHECK_RUNNER_H

#include <stddef.h>
#include <spn/spn.h>

/* A new context for one check (the tool's settings). */
typedef spn_status (*check_ctx_fn)(spn_ctx **ctx_out, void *userdata);
/* Run one check, appending its findings. */
typedef spn_status (*check_run_fn)(spn_ctx *ctx, const char *check,
				   spn_findings *findings, void *userdata);

/* Run checks[0..n), each with a context of its own from make_ctx and a
 * findings list of its own (with fix texts when fixes is set), on up to
 * one thread per online CPU (at most 4), started in the order given by
 * order[0..n) (indexes into checks), then move every check's findings to
 * findings in the order of checks. SPN_OK; or the status of the first
 * check in that order that failed, with *failed_out its index and
 * *failed_ctx_out its context, holding the message (spn_ctx_unref it),
 * and findings gains nothing; or SPN_E_NOMEM. */
spn_status check_runner_run(const char *const *checks, size_t n,
			    const size_t *order, int fixes,
			    check_ctx_fn make_ctx, check_run_fn run,
			    void *userdata, spn_findings *findings,
			    size_t *failed_out, spn_ctx **failed_ctx_out);

#endif
