/* checks.c - the table of checks: a new check is one file and one line here. */
#include <string.h>

#include "checks.h"

struct check_def {
	const char *name;
	const char *summary;
	unsigned int needs;
	spn_check_fn run;
};

static const struct check_def checks[] = {
	{ "dup", "SPNs held by more than one account (case variants count as one)",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_SHARED_ONLY, spn_check_dup },
	{ "missing", "computers whose own names have no HOST/ SPN (a rename, a new alias)",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_MAPPINGS, spn_check_missing },
	{ "alias", "DNS aliases and VIPs without an SPN, or with it on one node",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS, spn_check_alias },
	{ "ip", "SPNs for IP addresses (used only by TryIPSPN clients)",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS, spn_check_ip },
	{ "orphan", "SPNs for names no computer or DNS record has (ghost SPNs)",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS, spn_check_orphan },
	{ "etype", "accounts with SPNs that cannot get AES tickets (RC4 or DES only)",
	  SPN_LOAD_ACCOUNTS, spn_check_etype },
	{ "shadow", "explicit SPNs that take a computer's HOST/ name (cifs/, http/)",
	  SPN_LOAD_ACCOUNTS | SPN_LOAD_MAPPINGS, spn_check_shadow },
	{ "lookalike", "SPNs that look like another account's (Unicode lookalikes)",
	  SPN_LOAD_ACCOUNTS, spn_check_lookalike },
	{ "disabled", "SPNs held by disabled accounts",
	  SPN_LOAD_ACCOUNTS, spn_check_disabled },
};

#define N_CHECKS (sizeof(checks) / sizeof(checks[0]))

SPN_EXPORT size_t spn_check_count(void)
{
	return N_CHECKS;
}

SPN_EXPORT const char *spn_check_name(size_t i)
{
	return i < N_CHECKS ? checks[i].name : NULL;
}

SPN_EXPORT const char *spn_check_summary(size_t i)
{
	return i < N_CHECKS ? checks[i].summary : NULL;
}

SPN_EXPORT unsigned int spn_check_needs(size_t i)
{
	return i < N_CHECKS ? checks[i].needs : 0;
}

SPN_EXPORT int spn_check_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_CHECKS; i++)
		if (strcmp(checks[i].name, name) == 0)
			return (int)i;
	return -1;
}

SPN_EXPORT spn_status spn_check_run(spn_ctx *ctx, const spn_index *index,
				    const char *name, spn_findings *findings)
{
	size_t start;
	spn_status st;
	int i;

	if (index == NULL || findings == NULL)
		return SPN_E_USAGE;
	i = spn_check_find(name);
	if (i < 0)
		return spn_error(ctx, SPN_E_USAGE, "no check named '%s'",
				 name != NULL ? name : "(null)");
	start = spn_findings_count(findings);
	st = checks[i].run(ctx, index, findings);
	if (st == SPN_OK)
		spn_findings_sort_from(findings, start);
	return st;
}

SPN_EXPORT const char *spn_severity_name(spn_severity severity)
{
	switch (severity) {
	case SPN_SEVERITY_INFO: return "info";
	case SPN_SEVERITY_WARNING: return "warning";
	case SPN_SEVERITY_ERROR: return "error";
	}
	return "unknown";
}
