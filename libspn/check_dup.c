/* check_dup.c - SPNs held by more than one account.
 *
 * The KDC cannot tell which account's key a ticket for a duplicated SPN must
 * be encrypted with; it refuses the request (Samba answers "Server not found
 * in Kerberos database", as for a missing SPN) and clients fall back to NTLM.
 * Case variants are one SPN to AD: the key (spn_key) decides. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spn/name.h>
#include "checks.h"
#include "fix_script.h"

#define MAX_LISTED 8  /* holders named in the message */

/* One holder of the SPN: the account and the value as it holds it. */
struct holder {
	uint32_t account;
	uint32_t spn;
};

/* The holder to suggest keeping: a computer whose own name the SPN's host
 * is, else the first holder in directory order. */
static size_t suggest_keeper(const spn_index *index, const struct holder *h,
			     size_t n, const char *host)
{
	size_t i;

	if (host == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		const idx_account *a = &index->accounts[h[i].account];
		const char *dns = idx_s(index, a->dns_host);
		const char *sam = idx_s(index, a->sam);
		size_t sam_len = strlen(sam);

		if (a->kind != SPN_ACCOUNT_COMPUTER)
			continue;
		if (strcasecmp(dns, host) == 0)
			return i;
		if (sam_len > 1 && sam[sam_len - 1] == '$' &&
		    strlen(host) == sam_len - 1 &&
		    strncasecmp(sam, host, sam_len - 1) == 0)
			return i;
	}
	return 0;
}

/* Holders in DN order, so a report does not depend on the order in which
 * the DC returned the accounts. */
static int cmp_holder(const void *a, const void *b, void *data)
{
	const struct holder *x = a, *y = b;
	const spn_index *index = data;

	return strcasecmp(idx_s(index, index->accounts[x->account].dn),
			  idx_s(index, index->accounts[y->account].dn));
}

static spn_status report(spn_ctx *ctx, const spn_index *index,
			 uint32_t head, const struct holder *h, size_t n,
			 spn_findings *findings)
{
	const char *spn = idx_s(index, index->spns[h[0].spn].text);
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;
	char *host = NULL;
	uint32_t *remove = NULL;
	spn_finding f;
	spn_status st;
	size_t i, keep, n_remove, n_values = 0;
	uint32_t v;
	int variants = 0, fixes = spn_findings_fixes(findings);

	if (spn_findings_spn_host(spn, &host) != 0)
		goto nomem;
	for (v = head; v != IDX_NONE; v = index->spns[v].next_same)
		n_values++;
	accounts = calloc(n, sizeof(*accounts));
	remove = fixes ? calloc(n_values, sizeof(*remove)) : NULL;
	if (accounts == NULL || (fixes && remove == NULL))
		goto nomem;
	for (i = 0; i < n; i++) {
		accounts[i] = idx_finding_account(index, h[i].account);
		if (strcmp(idx_s(index, index->spns[h[i].spn].text), spn) != 0)
			variants = 1;
	}

	strbuf_printf(&msg, "%s is held by %zu accounts (", spn, n);
	for (i = 0; i < n && i < MAX_LISTED; i++) {
		if (i > 0)
			strbuf_puts(&msg, ", ");
		strbuf_puts(&msg, idx_account_label(index, h[i].account));
	}
	if (n > MAX_LISTED)
		strbuf_printf(&msg, ", and %zu more", n - MAX_LISTED);
	strbuf_puts(&msg, ")");
	if (variants)
		strbuf_puts(&msg, ", written in different case");
	strbuf_puts(&msg, ": the KDC cannot choose whose key to use, refuses "
		    "tickets for it and clients fall back to NTLM");

	if (fixes) {
		keep = suggest_keeper(index, h, n, host);
		strbuf_puts(&fix, "# Review: keep ");
		fix_comment_text(&fix, spn);
		strbuf_puts(&fix, " on the account the service runs as "
			    "(suggested: ");
		fix_comment_text(&fix, idx_account_label(index,
							 h[keep].account));
		strbuf_puts(&fix, ") and remove it from the others.\n");
		/* every value of the key the others hold: an account may
		 * hold two case variants (an export, or a write below the
		 * DC's checks) */
		n_remove = 0;
		for (v = head; v != IDX_NONE; v = index->spns[v].next_same)
			if (index->spns[v].account != h[keep].account)
				remove[n_remove++] = v;
		fix_remove_spns(&fix, index, remove, n_remove);
	}

	memset(&f, 0, sizeof(f));
	f.check = "dup";
	f.severity = SPN_SEVERITY_ERROR;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = n;
	st = spn_findings_add_built(ctx, findings, &f, &msg,
				    fixes ? &fix : NULL);
	goto cleanup;
nomem:
	st = spn_error(ctx, SPN_E_NOMEM, "out of memory reporting duplicate "
		       "SPN %s", spn);
cleanup:
	strbuf_free(&msg);
	strbuf_free(&fix);
	free(remove);
	free(accounts);
	free(host);
	return st;
}

spn_status spn_check_dup(spn_ctx *ctx, const spn_index *index,
			 spn_findings *findings)
{
	struct holder *h = NULL, *p;
	uint32_t *acc = NULL, *spns = NULL;
	size_t n, cap = 0, h_cap = 0, j;
	spn_status st = SPN_OK;
	uint32_t i;

	IDX_FOR_EACH_KEY_HEAD(index, i) {
		if (index->spns[i].next_same == IDX_NONE)
			continue;
		/* Distinct holders: one account holding two case variants of
		 * its own SPN is not a duplicate. */
		n = 0;
		if (idx_group_holders(index, i, 0, &acc, &spns, &n, &cap) != 0)
			goto nomem;
		if (n < 2)
			continue;
		if (n > h_cap) {
			p = realloc(h, cap * sizeof(*h));
			if (p == NULL)
				goto nomem;
			h = p;
			h_cap = cap;
		}
		for (j = 0; j < n; j++) {
			h[j].account = acc[j];
			h[j].spn = spns[j];
		}
		qsort_r(h, n, sizeof(*h), cmp_holder, (void *)index);
		st = report(ctx, index, i, h, n, findings);
		if (st != SPN_OK)
			goto cleanup;
	}
	goto cleanup;
nomem:
	st = spn_error(ctx, SPN_E_NOMEM, "out of memory in dup");
cleanup:
	free(h);
	free(acc);
	free(spns);
	return st;
}
