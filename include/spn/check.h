/* spn/check.h - checks over an index, and the findings they produce. */
#ifndef SPN_CHECK_H
#define SPN_CHECK_H

#include <stddef.h>
#include <spn/status.h>
#include <spn/context.h>
#include <spn/index.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum spn_severity {
	SPN_SEVERITY_INFO = 0,
	SPN_SEVERITY_WARNING = 1,
	SPN_SEVERITY_ERROR = 2,
} spn_severity;

typedef struct spn_finding_account {
	const char *dn;
	const char *sam;   /* may be NULL */
} spn_finding_account;

typedef struct spn_finding {
	const char *check;     /* "dup", "missing", ... */
	spn_severity severity;
	const char *spn;       /* or NULL */
	const char *host;      /* lower case, no trailing dot, or NULL */
	const spn_finding_account *accounts;
	size_t n_accounts;
	const char *message;   /* one sentence for a person */
	const char *fix;       /* reviewable remediation (setspn, LDIF), or NULL */
} spn_finding;

typedef struct spn_findings spn_findings;

spn_status spn_findings_new(spn_findings **findings_out);
void spn_findings_free(spn_findings *findings);
size_t spn_findings_count(const spn_findings *findings);
const spn_finding *spn_findings_get(const spn_findings *findings, size_t i);

/* The checks, in the order `spncheck all` runs them. */
size_t spn_check_count(void);
const char *spn_check_name(size_t i);
const char *spn_check_summary(size_t i);   /* one line for --help */
unsigned int spn_check_needs(size_t i);    /* SPN_LOAD_* bits */
/* Index of the check with this name, or -1. */
int spn_check_find(const char *name);

/* Run one check over the index, appending its findings (sorted). */
spn_status spn_check_run(spn_ctx *ctx, const spn_index *index,
			 const char *name, spn_findings *findings);

const char *spn_severity_name(spn_severity severity);

#ifdef __cplusplus
}
#endif

#endif
