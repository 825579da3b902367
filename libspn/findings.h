/* findings.h - how the checks append findings. */
#ifndef SPN_FINDINGS_H
#define SPN_FINDINGS_H

#include <spn/check.h>
#include "context_impl.h"
#include "strbuf.h"

/* Append a copy of f (every string and account is copied; f->check must be
 * a static string). */
spn_status spn_findings_add(spn_findings *findings, const spn_finding *f);
/* Whether fixes are wanted in this list (spn_findings_set_fixes): when
 * not, a check skips building them. */
int spn_findings_fixes(const spn_findings *findings);

/* Append f with the message and fix built in strbufs (fix may be NULL: no
 * fix); both strbufs are freed. SPN_E_NOMEM, with the error set on ctx,
 * when any allocation failed. */
spn_status spn_findings_add_built(spn_ctx *ctx, spn_findings *findings,
				  spn_finding *f, strbuf *message, strbuf *fix);
/* The host a finding about spn names: spn_host_display of the SPN's host,
 * NULL when it has none or is not a valid SPN. 0, or -1 when out of
 * memory. */
int spn_findings_spn_host(const char *spn, char **host_out);
/* Sort the findings from start on: severity, then host, then SPN. */
void spn_findings_sort_from(spn_findings *findings, size_t start);

#endif
