/* check_disabled.c - SPNs held by disabled accounts.
 *
 * Disabling an account does not take its SPNs out of the KDC: Samba's KDC
 * issues service tickets for them (seen in the lab: kvno for a disabled
 * account's SPN gets a ticket), and the account checks Windows documents for
 * ticket requests (MS-KILE 3.3.5.7.1) are about the client's account, not
 * the service's. So clients keep getting tickets encrypted with the
 * disabled account's key: a service that now runs as another account
 * cannot decrypt them, the SPN cannot be registered on that account while it
 * stays here (duplicates are refused), and the tickets can be requested for
 * offline password guessing. One finding per SPN. krbtgt is left out: it is
 * disabled by design and its SPN (kadmin/changepw) is the KDC's own. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spn/name.h>
#include "checks.h"
#include "fix_script.h"

static int is_krbtgt(const char *sam)
{
	return strcasecmp(sam, "krbtgt") == 0 ||
	       strncasecmp(sam, "krbtgt_", 7) == 0;
}

static spn_status report(spn_ctx *ctx, const spn_index *index,
			 uint32_t account, uint32_t s, spn_findings *findings)
{
	const char *spn = idx_s(index, index->spns[s].text);
	spn_finding_account fa = idx_finding_account(index, account);
	const char *label = finding_account_label(&fa);
	strbuf msg = STRBUF_INIT, fx = STRBUF_INIT;
	char *host = NULL;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	int fixes = spn_findings_fixes(findings);

	if (spn_findings_spn_host(spn, &host) != 0)
		goto cleanup;
	strbuf_printf(&msg, "%s is held by %s, a disabled account: the KDC "
		      "still issues tickets for it, encrypted with %s's key, so "
		      "a service now running as another account cannot accept "
		      "them (clients fall back to NTLM or fail), and the SPN "
		      "cannot be registered on that account while it stays "
		      "here, since duplicates are refused.", spn, label, label);
	if (fixes) {
		strbuf_puts(&fx, "# Review: if the service is gone or runs as "
			    "another account, remove ");
		fix_comment_text(&fx, spn);
		strbuf_puts(&fx, " from ");
		fix_comment_text(&fx, label);
		strbuf_puts(&fx, " (then register it on the account the "
			    "service runs as with setspn -S):\n");
		fix_setspn_delete(&fx, spn, fa.sam, fa.dn);
		strbuf_puts(&fx, "# or with ldapmodify:\n");
		fix_ldif_modify(&fx, fa.dn, "delete", "servicePrincipalName",
				spn);
	}
	memset(&f, 0, sizeof(f));
	f.check = "disabled";
	f.severity = SPN_SEVERITY_WARNING;
	f.spn = spn;
	f.host = host;
	f.accounts = &fa;
	f.n_accounts = 1;
	st = spn_findings_add_built(ctx, findings, &f, &msg,
				    fixes ? &fx : NULL);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting the SPN %s of a "
			  "disabled account", spn);
	strbuf_free(&msg);
	strbuf_free(&fx);
	free(host);
	return st;
}

spn_status spn_check_disabled(spn_ctx *ctx, const spn_index *index,
			      spn_findings *findings)
{
	spn_status st;
	uint32_t i, s;

	for (i = 0; i < index->n_accounts; i++) {
		const idx_account *a = &index->accounts[i];

		if (!a->has_uac || !(a->uac & SPN_UAC_ACCOUNTDISABLE) ||
		    is_krbtgt(idx_s(index, a->sam)))
			continue;
		for (s = a->first_spn; s < a->first_spn + a->n_spns; s++) {
			st = report(ctx, index, i, s, findings);
			if (st != SPN_OK)
				return st;
		}
	}
	return SPN_OK;
}
