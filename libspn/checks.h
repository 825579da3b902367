/* checks.h - one function per check; the table lives in checks.c. */
#ifndef SPN_CHECKS_H
#define SPN_CHECKS_H

#include <spn/check.h>
#include "context_impl.h"
#include "findings.h"
#include "strbuf.h"
#include "index_impl.h"

typedef spn_status (*spn_check_fn)(spn_ctx *ctx, const spn_index *index,
				   spn_findings *findings);

spn_status spn_check_dup(spn_ctx *ctx, const spn_index *index,
			 spn_findings *findings);
/* DNS and host names: check_missing.c, check_alias.c, check_ip.c,
 * check_orphan.c */
spn_status spn_check_missing(spn_ctx *ctx, const spn_index *index,
			     spn_findings *findings);
spn_status spn_check_alias(spn_ctx *ctx, const spn_index *index,
			   spn_findings *findings);
spn_status spn_check_ip(spn_ctx *ctx, const spn_index *index,
			spn_findings *findings);
spn_status spn_check_orphan(spn_ctx *ctx, const spn_index *index,
			    spn_findings *findings);
/* account hygiene: check_etype.c, check_shadow.c, check_lookalike.c,
 * check_disabled.c */
spn_status spn_check_etype(spn_ctx *ctx, const spn_index *index,
			   spn_findings *findings);
spn_status spn_check_shadow(spn_ctx *ctx, const spn_index *index,
			    spn_findings *findings);
spn_status spn_check_lookalike(spn_ctx *ctx, const spn_index *index,
			       spn_findings *findings);
spn_status spn_check_disabled(spn_ctx *ctx, const spn_index *index,
			      spn_findings *findings);

/* The service classes that "host" stands for in a fresh forest's
 * sPNMappings (default_mappings.c): used when the index holds none. */
extern const char *const spn_default_host_aliases[];
extern const size_t spn_n_default_host_aliases;

/* The account of an index as a finding names it. */
static inline spn_finding_account idx_finding_account(const spn_index *index,
						      uint32_t account)
{
	spn_finding_account fa;

	fa.dn = idx_s(index, index->accounts[account].dn);
	fa.sam = index->accounts[account].sam ?
		 idx_s(index, index->accounts[account].sam) : NULL;
	return fa;
}

/* How a message names an account: its sAMAccountName, else its DN. */
static inline const char *idx_account_label(const spn_index *index,
					    uint32_t account)
{
	const idx_account *a = &index->accounts[account];

	return a->sam ? idx_s(index, a->sam) : idx_s(index, a->dn);
}

static inline const char *finding_account_label(const spn_finding_account *fa)
{
	return fa->sam != NULL ? fa->sam : fa->dn;
}

/* Append the fix that removes these SPNs (indexes into index->spns) from
 * their holders: setspn -D lines, then "# or with ldapmodify:" and LDIF. */
void fix_remove_spns(strbuf *b, const spn_index *index, const uint32_t *spns,
		     size_t n);
/* The same for every SPN of the key group that starts at head. */
void fix_remove_chain(strbuf *b, const spn_index *index, uint32_t head);

#endif
