/* check_output.h - spncheck's report: text for people, JSON for jobs. */
#ifndef SPN_TOOLS_CHECK_OUTPUT_H
#define SPN_TOOLS_CHECK_OUTPUT_H

#include <stdio.h>
#include <spn/spn.h>

#include "baseline.h"

struct check_report {
	const char *domain;      /* DNS domain, or NULL (LDIF without one) */
	const char *server;      /* DC or GC host, or the LDIF file's name */
	const char *scope;       /* "domain", "forest" or "ldif" */
	const char *const *checks;  /* the checks that ran */
	size_t n_checks;
	size_t accounts;
	size_t spns;
	double seconds;
	const spn_findings *findings;
	/* with --baseline: is_new[i] for each finding, and the baseline whose
	 * entries not seen again are the fixed ones; else both NULL */
	const unsigned char *is_new;
	const struct baseline *baseline;
	const char *baseline_path;
};

/* Findings grouped by check (NEW marks with a baseline, then the fixed
 * ones), then a summary line. */
void check_output_text(FILE *f, const struct check_report *r);
/* The JSON object of DESIGN.md (with a baseline: "new" on each finding and
 * a "fixed" list). Returns 0, or -1 on no memory. */
int check_output_json(FILE *f, const struct check_report *r);
/* One reviewable remediation script: every finding's fix, in order. */
void check_output_fix_script(FILE *f, const struct check_report *r);

#endif
