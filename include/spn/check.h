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
/* Whether the checks write each finding's fix into this list: yes unless
 * set to 0. A caller that shows no fix says 0; the checks then skip
 * building them (most of the work of a check with many findings) and
 * every fix is NULL. */
void spn_findings_set_fixes(spn_findings *findings, int wanted);
/* Move every finding of src to the end of dst, in order (src is left
 * empty, still to be freed): checks run into lists of their own, on
 * several threads, are gathered this way. SPN_E_NOMEM moves nothing. */
spn_status spn_findings_take(spn_findings *dst, spn_findings *src);

/* The checks, in the order `spncheck all` runs them. */
size_t spn_check_count(void);
const char *spn_check_name(size_t i);
const char *spn_check_summary(size_t i);   /* one line for --help */
unsigned int spn_check_needs(size_t i);    /* SPN_LOAD_* bits */
/* Index of the check with this name, or -1. */
int spn_check_find(const char *name);

/* Run one check over the index, appending its findings (sorted). Checks
 * may run on several threads over one index (each with its own ctx and
 * findings) as long as nothing adds to the index meanwhile. */
spn_status spn_check_run(spn_ctx *ctx, const spn_index *index,
			 const char *name, spn_findings *findings);

const char *spn_severity_name(spn_severity severity);

/* The "missing" check for targets as a person lists them (spncheck
 * --targets FILE): targets[i] is line i + 1 of the list, each a host name,
 * a UNC path, a URL or an SPN; blank lines and lines starting with '#' are
 * skipped, surrounding blanks and a CR are ignored. Each target becomes the
 * SPN a Windows client asks for: cifs/ for a UNC path (HTTP/ for a WebDAV
 * path), the scheme's class for a URL (http, https: HTTP; ldap, ldaps:
 * ldap; smb: cifs), HOST/ for a bare host name (the class every
 * HOST-mapped service falls back to), an SPN as written. A target is
 * satisfied when an account holds its SPN or, through sPNMappings (the
 * index's, or a default forest's when the index has none), the HOST/
 * stand-in (HOST/x for cifs/x). Each unsatisfied target is one finding:
 * check "missing", severity error, host, spn, and a message naming the
 * client that falls back to NTLM. An IP address target is always reported:
 * error when its SPN is not held, warning when it is (only TryIPSPN clients
 * ask for it). Every line is parsed before anything is reported: a line
 * that is not a target (or is host:port, which names no service) returns
 * SPN_E_INPUT with an error naming the line and adds nothing. Needs the
 * index loaded with SPN_LOAD_ACCOUNTS | SPN_LOAD_MAPPINGS. Findings are
 * appended sorted. */
spn_status spn_check_missing_targets(spn_ctx *ctx, const spn_index *index,
				     const char *const *targets, size_t n,
				     spn_findings *findings);

/* The "orphan" check, also asking the resolver (getaddrinfo) about each
 * host that is neither a computer's name nor a name in the index's DNS
 * zones: a host the resolver knows is not reported. A resolver failure other
 * than "no such name" (a timeout, SERVFAIL) is SPN_E_DNS naming the host,
 * with the resolver status on ctx. Each host is asked once. Needs
 * SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS. Findings are appended sorted. */
spn_status spn_check_orphan_resolve(spn_ctx *ctx, const spn_index *index,
				    spn_findings *findings);

#ifdef __cplusplus
}
#endif

#endif
