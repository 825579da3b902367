/* check_missing.c - computers whose own names have no HOST/ SPN, and targets
 * (host names, UNC paths, URLs) whose SPN no account holds.
 *
 * A Windows client asks the KDC for class/name (cifs/fs1.corp.test for
 * \\fs1.corp.test\share). The KDC finds the account by that SPN or, through
 * sPNMappings, by HOST/name (cifs, http, rpc, ... are aliases of host). A
 * computer that lacks HOST/ for one of its names (a rename that did not
 * update the SPNs is the classic) gets no tickets for that name: the client
 * falls back to NTLM. Disabled computers and computers that never joined
 * (no dNSHostName and no SPN) are not checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spn/probe.h>
#include "checks.h"
#include "fix_script.h"
#include "fold.h"
#include "hostmap.h"
#include "index_derived.h"

#define MAX_LISTED 8  /* accounts or SPNs named in a message */

/* Whether two host names are the same name to AD (case folded, one
 * trailing dot ignored). */
static int same_host(const char *a, size_t alen, const char *b, size_t blen)
{
	char fa[HOSTMAP_KEY_MAX + 1], fb[HOSTMAP_KEY_MAX + 1];
	size_t na, nb;

	if (alen > 1 && a[alen - 1] == '.')
		alen--;
	if (blen > 1 && b[blen - 1] == '.')
		blen--;
	if (alen > HOSTMAP_KEY_MAX || blen > HOSTMAP_KEY_MAX)
		return 0;
	na = spn_fold_utf8(a, alen, fa, sizeof(fa));
	nb = spn_fold_utf8(b, blen, fb, sizeof(fb));
	return na == nb && na < sizeof(fa) && memcmp(fa, fb, na) == 0;
}

/* The service class that sPNMappings makes service_class an alias of
 * ("host" for cifs), or NULL. */
static const char *mapped_class(const spn_index *index,
				const char *service_class)
{
	const char *target;
	size_t i;

	if (index->n_mappings == 0) {
		for (i = 0; i < spn_n_default_host_aliases; i++)
			if (strcasecmp(spn_default_host_aliases[i],
				       service_class) == 0)
				return "HOST";
		return NULL;
	}
	for (i = 0; i < index->n_mappings; i++) {
		if (strcasecmp(idx_s(index, index->mappings[i].alias),
			       service_class) != 0)
			continue;
		target = idx_s(index, index->mappings[i].target);
		/* written as Windows registers it: HOST/name */
		return strcasecmp(target, "host") == 0 ? "HOST" : target;
	}
	return NULL;
}

/* ------------------------------------------------------------ computers */

/* What one computer is missing for one of its names. */
struct missing {
	uint32_t account;
	const char *name;       /* as the directory holds it */
	size_t name_len;
	spn_severity severity;
	const char *what;       /* "DNS name", "NetBIOS name", ... */
	const char *attr;       /* the attribute the name comes from */
};

/* HOST/ SPNs of the computer whose host is none of its own names: the
 * names it had before a rename. */
static void foreign_host_spns(const spn_index *index, uint32_t account,
			      strbuf *list, size_t *count)
{
	const idx_account *a = &index->accounts[account];
	const char *own, *spn, *shortname;
	char host[HOSTMAP_KEY_MAX + 1];
	size_t short_len, j;
	spn_host_kind kind;
	uint32_t s;
	int len, mine;

	short_len = hostmap_short_name(index, account, &shortname);
	for (s = a->first_spn; s < a->first_spn + a->n_spns; s++) {
		spn = idx_s(index, index->spns[s].text);
		if (strncasecmp(spn, "HOST/", 5) != 0)
			continue;
		len = hostmap_spn_host(spn, host, sizeof(host), &kind);
		if (len < 0 || kind == SPN_HOST_IPV4 || kind == SPN_HOST_IPV6)
			continue;
		own = idx_s(index, a->dns_host);
		mine = same_host(host, (size_t)len, own, strlen(own)) ||
		       same_host(host, (size_t)len, shortname, short_len);
		for (j = 0; j < a->n_extra && !mine; j++) {
			own = idx_s(index, index->extra_names[a->first_extra + j]);
			mine = same_host(host, (size_t)len, own, strlen(own));
		}
		if (mine)
			continue;
		if (*count < MAX_LISTED)
			strbuf_printf(list, "%s%s", *count ? ", " : "", spn);
		(*count)++;
	}
	if (*count > MAX_LISTED)
		strbuf_printf(list, " and %zu more", *count - MAX_LISTED);
}

/* Register spn on the computer (accounts[0]), removing it from the
 * n_others holders after it. */
static void computer_fix(strbuf *fix, const spn_index *index,
			 const struct missing *m, const char *spn,
			 const spn_finding_account *accounts, size_t n_others,
			 size_t n_foreign)
{
	size_t i;

	strbuf_printf(fix, "# Register %s on %s (the computer's own name, "
		      "%s).\n", spn, idx_account_label(index, m->account), m->attr);
	for (i = 1; i <= n_others; i++)
		fix_setspn_delete(fix, spn, accounts[i].sam, accounts[i].dn);
	fix_setspn_add(fix, spn, accounts[0].sam, accounts[0].dn);
	strbuf_puts(fix, "# or with ldapmodify:\n");
	for (i = 1; i <= n_others; i++)
		fix_ldif_modify(fix, accounts[i].dn, "delete",
				"servicePrincipalName", spn);
	fix_ldif_modify(fix, accounts[0].dn, "add", "servicePrincipalName",
			spn);
	if (n_foreign > 0)
		strbuf_puts(fix, "# The old name's SPNs are listed by "
			    "'spncheck orphan' when nothing else has that "
			    "name.\n");
}

static spn_status report_computer(spn_ctx *ctx, const spn_index *index,
				  const struct missing *m, const char *spn,
				  uint32_t first_holder, spn_findings *findings)
{
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fix = STRBUF_INIT, foreign = STRBUF_INIT;
	char *host = NULL, *message = NULL, *fix_text = NULL, *name = NULL;
	size_t n_foreign = 0, n_others = 0, i;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	uint32_t s;
	int fixes = spn_findings_fixes(findings);

	name = malloc(m->name_len + 1);
	if (name == NULL)
		goto cleanup;
	memcpy(name, m->name, m->name_len);
	name[m->name_len] = '\0';
	host = spn_host_display(name);
	if (host == NULL)
		goto cleanup;
	for (s = first_holder; s != IDX_NONE; s = index->spns[s].next_same)
		n_others++;
	accounts = calloc(1 + n_others, sizeof(*accounts));
	if (accounts == NULL)
		goto cleanup;
	accounts[0] = idx_finding_account(index, m->account);
	i = 1;
	for (s = first_holder; s != IDX_NONE; s = index->spns[s].next_same)
		accounts[i++] = idx_finding_account(index, index->spns[s].account);

	strbuf_printf(&msg, "%s has no HOST/ SPN for its %s %s (%s): clients "
		      "that connect by that name get no ticket for cifs/, "
		      "http/ or any other HOST-mapped service and fall back "
		      "to NTLM.", idx_account_label(index, m->account), m->what,
		      name, spn);
	if (n_others > 0) {
		strbuf_printf(&msg, " %s is held by ", spn);
		for (i = 1; i <= n_others && i <= MAX_LISTED; i++)
			strbuf_printf(&msg, "%s%s", i > 1 ? ", " : "",
				      accounts[i].sam ? accounts[i].sam :
				      accounts[i].dn);
		if (n_others > MAX_LISTED)
			strbuf_printf(&msg, " and %zu more",
				      n_others - MAX_LISTED);
		strbuf_puts(&msg, " instead, whose key the computer does not "
			    "have.");
	}
	foreign_host_spns(index, m->account, &foreign, &n_foreign);
	if (n_foreign > 0 && foreign.s != NULL)
		strbuf_printf(&msg, " It holds HOST/ SPNs for another name "
			      "(%s): renamed without updating its SPNs?",
			      foreign.s);

	if (fixes)
		computer_fix(&fix, index, m, spn, accounts, n_others,
			     n_foreign);
	message = strbuf_take(&msg);
	fix_text = fixes ? strbuf_take(&fix) : NULL;
	if (message == NULL || (fixes && fix_text == NULL))
		goto cleanup;
	memset(&f, 0, sizeof(f));
	f.check = "missing";
	f.severity = m->severity;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = 1 + n_others;
	f.message = message;
	f.fix = fix_text;
	st = spn_findings_add(findings, &f);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting missing %s", spn);
	strbuf_free(&msg);
	strbuf_free(&fix);
	strbuf_free(&foreign);
	free(message);
	free(fix_text);
	free(accounts);
	free(host);
	free(name);
	return st;
}

/* Check one name of a computer: is HOST/<name> held by the computer? */
static spn_status check_name(spn_ctx *ctx, const spn_index *index,
			     const struct missing *m, spn_findings *findings)
{
	char spn[5 + HOSTMAP_KEY_MAX + 1], name[HOSTMAP_KEY_MAX + 1];
	const idx_account *a;
	spn_host_kind kind;
	uint32_t first, s;

	if (m->name_len == 0 || m->name_len > HOSTMAP_KEY_MAX)
		return SPN_OK;
	memcpy(name, m->name, m->name_len);
	name[m->name_len] = '\0';
	kind = spn_host_classify(name);
	if (kind != SPN_HOST_FQDN && kind != SPN_HOST_SHORT) {
		spn_log(ctx, SPN_LOG_DEBUG, "missing: %s of %s is not a host "
			"name; skipped", m->attr,
			idx_account_label(index, m->account));
		return SPN_OK;
	}
	memcpy(spn, "HOST/", 5);
	memcpy(spn + 5, name, m->name_len + 1);
	/* The computer's own SPNs are few and at hand: one of them with the
	 * key of HOST/<name> is the holder the key table would lead to. */
	a = &index->accounts[m->account];
	for (s = a->first_spn; s < a->first_spn + a->n_spns; s++)
		if (idx_key_equal(idx_s(index, index->spns[s].text), spn))
			return SPN_OK;
	first = idx_find_spn(index, spn);
	return report_computer(ctx, index, m, spn, first, findings);
}

spn_status spn_check_missing(spn_ctx *ctx, const spn_index *index,
			     spn_findings *findings)
{
	struct missing m;
	const char *dns, *extra;
	spn_status st = SPN_OK;
	uint32_t i, j, k;
	int seen;

	for (i = 0; i < index->n_accounts && st == SPN_OK; i++) {
		const idx_account *a = &index->accounts[i];

		if (a->kind != SPN_ACCOUNT_COMPUTER ||
		    (a->uac & SPN_UAC_ACCOUNTDISABLE))
			continue;
		/* pre-staged, never joined: nothing to authenticate yet */
		if (a->dns_host == 0 && a->n_spns == 0)
			continue;
		memset(&m, 0, sizeof(m));
		m.account = i;
		dns = idx_s(index, a->dns_host);
		if (dns[0] != '\0') {
			m.name = dns;
			m.name_len = strlen(dns);
			m.severity = SPN_SEVERITY_ERROR;
			m.what = "DNS name";
			m.attr = "dNSHostName";
			st = check_name(ctx, index, &m, findings);
		}
		m.name_len = hostmap_short_name(index, i, &m.name);
		m.severity = SPN_SEVERITY_ERROR;
		m.what = "NetBIOS name";
		m.attr = "sAMAccountName without '$'";
		if (st == SPN_OK)
			st = check_name(ctx, index, &m, findings);
		for (j = 0; j < a->n_extra && st == SPN_OK; j++) {
			extra = idx_s(index, index->extra_names[a->first_extra + j]);
			seen = same_host(extra, strlen(extra), dns, strlen(dns));
			for (k = 0; k < j && !seen; k++) {
				const char *prev = idx_s(index,
					index->extra_names[a->first_extra + k]);

				seen = same_host(extra, strlen(extra), prev,
						 strlen(prev));
			}
			if (seen)
				continue;
			m.name = extra;
			m.name_len = strlen(extra);
			m.severity = SPN_SEVERITY_WARNING;
			m.what = "additional DNS name";
			m.attr = "msDS-AdditionalDnsHostName";
			st = check_name(ctx, index, &m, findings);
		}
	}
	return st;
}

/* ------------------------------------------------------------ targets */

/* Who asks for the target's SPN, for the message. */
static const char *client_of(const spn_target *t)
{
	switch (t->kind) {
	case SPN_TARGET_UNC:
		return strcasecmp(t->service_class, "cifs") == 0 ?
		       "the SMB client (File Explorer, net use)" :
		       "the WebDAV redirector (WebClient)";
	case SPN_TARGET_URL:
		if (strcasecmp(t->service_class, "HTTP") == 0)
			return "browsers and other HTTP clients";
		if (strcasecmp(t->service_class, "cifs") == 0)
			return "the SMB client";
		return "LDAP clients";
	case SPN_TARGET_HOST:
		return "every client that connects by this name (SMB, RPC, "
		       "RDP, WinRM and the other HOST-mapped services)";
	case SPN_TARGET_SPN:
	case SPN_TARGET_HOST_PORT:
		break;
	}
	return "a client that asks for this SPN";
}

/* service_class "/" host suffix, the host bracketed when it is IPv6 and a
 * port follows. */
static void put_spn(strbuf *b, const char *service_class, const spn_target *t)
{
	int bracket = t->host_kind == SPN_HOST_IPV6 && t->suffix[0] == ':';

	strbuf_printf(b, "%s/%s%s%s%s", service_class, bracket ? "[" : "",
		      t->host, bracket ? "]" : "", t->suffix);
}

/* The account holding spn, or through sPNMappings its HOST/ stand-in;
 * IDX_NONE when none does. *via_out names the stand-in class used. */
static uint32_t holder_of(const spn_index *index, const spn_target *t,
			  const char *spn, const char **via_out,
			  spn_status *st)
{
	strbuf alt = STRBUF_INIT;
	const char *target;
	uint32_t s;

	*via_out = NULL;
	s = idx_find_spn(index, spn);
	if (s != IDX_NONE)
		return s;
	target = mapped_class(index, t->service_class);
	if (target == NULL)
		return IDX_NONE;
	put_spn(&alt, target, t);
	if (alt.failed) {
		*st = SPN_E_NOMEM;
		strbuf_free(&alt);
		return IDX_NONE;
	}
	s = idx_find_spn(index, alt.s);
	strbuf_free(&alt);
	*via_out = target;
	return s;
}

/* A computer whose own name the host is, or IDX_NONE. */
static uint32_t computer_named(const idx_derived *d, const spn_target *t)
{
	uint32_t id = idx_name_find(d, t->host, strlen(t->host));

	if (id == IDX_NONE)
		return IDX_NONE;
	return idx_chain_first(d, t->host_kind == SPN_HOST_SHORT ?
				  d->names[id].shorts : d->names[id].computers);
}

static spn_status report_target(spn_ctx *ctx, const spn_index *index,
				const spn_target *t, size_t line,
				const idx_derived *d, spn_findings *findings)
{
	strbuf b = STRBUF_INIT, msg = STRBUF_INIT, fix = STRBUF_INIT;
	char *spn = NULL, *host = NULL, *message = NULL, *fix_text = NULL;
	char *stand_in = NULL;
	const char *via, *target;
	spn_finding_account fa;
	spn_status st = SPN_OK;
	spn_finding f;
	uint32_t held, computer;
	int ip = t->host_kind == SPN_HOST_IPV4 || t->host_kind == SPN_HOST_IPV6;

	put_spn(&b, t->service_class, t);
	spn = strbuf_take(&b);
	if (spn == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	held = holder_of(index, t, spn, &via, &st);
	if (st != SPN_OK)
		goto cleanup;
	if (held != IDX_NONE && !ip)
		goto cleanup;
	host = spn_host_display(t->host);
	if (host == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	target = mapped_class(index, t->service_class);
	if (target != NULL) {
		put_spn(&b, target, t);
		stand_in = strbuf_take(&b);
		if (stand_in == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
	}

	memset(&f, 0, sizeof(f));
	f.check = "missing";
	f.severity = SPN_SEVERITY_ERROR;
	if (ip && held != IDX_NONE) {
		f.severity = SPN_SEVERITY_WARNING;
		strbuf_printf(&msg, "Target '%s' (line %zu) is an IP address: "
			      "%s is held by %s, but only clients with TryIPSPN "
			      "(Windows 10 1607+ / Server 2016+) ask for it; the "
			      "others use NTLM.", t->text, line,
			      via != NULL ? stand_in : spn,
			      idx_account_label(index, index->spns[held].account));
	} else if (ip) {
		strbuf_printf(&msg, "Target '%s' (line %zu) is an IP address "
			      "and no account holds %s%s%s: Kerberos fails for "
			      "%s and NTLM is used (without TryIPSPN a client "
			      "never even asks for an IP SPN).", t->text, line,
			      spn, stand_in ? " or " : "",
			      stand_in ? stand_in : "", client_of(t));
	} else {
		strbuf_printf(&msg, "Target '%s' (line %zu) makes clients ask "
			      "for %s, which no account holds%s%s%s: Kerberos "
			      "fails for %s, and NTLM is used instead.", t->text,
			      line, spn,
			      stand_in ? " (nor its sPNMappings stand-in " : "",
			      stand_in ? stand_in : "", stand_in ? ")" : "",
			      client_of(t));
	}
	if (t->note != NULL)
		strbuf_printf(&msg, " Note: %s.", t->note);

	computer = ip ? IDX_NONE : computer_named(d, t);
	if (computer != IDX_NONE) {
		const char *add = stand_in != NULL &&
				  strcasecmp(target, "HOST") == 0 ?
				  stand_in : spn;

		fa = idx_finding_account(index, computer);
		f.accounts = &fa;
		f.n_accounts = 1;
		strbuf_printf(&fix, "# %s is a name of %s; when the service "
			      "runs as the computer (LocalSystem, Network "
			      "Service), register the SPN there:\n", host,
			      idx_account_label(index, computer));
		fix_setspn_add(&fix, add, fa.sam, fa.dn);
		strbuf_puts(&fix, "# or with ldapmodify:\n");
		fix_ldif_modify(&fix, fa.dn, "add", "servicePrincipalName", add);
	} else if (!ip) {
		strbuf_printf(&fix, "# Register %s on the account the service "
			      "at %s runs as (setspn -S %s ACCOUNT); for a "
			      "DNS alias see 'spncheck alias'.\n", spn, host,
			      spn);
	}
	if (fix.len > 0 || fix.failed) {
		fix_text = strbuf_take(&fix);
		if (fix_text == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
	}
	message = strbuf_take(&msg);
	if (message == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	f.spn = spn;
	f.host = host;
	f.message = message;
	f.fix = fix_text;
	st = spn_findings_add(findings, &f);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory checking target '%s'", t->text);
	strbuf_free(&b);
	strbuf_free(&msg);
	strbuf_free(&fix);
	free(spn);
	free(host);
	free(stand_in);
	free(message);
	free(fix_text);
	return st;
}

/* A target line without surrounding blanks (a CR of a Windows file
 * included); NULL on no memory. */
static char *trimmed(const char *line)
{
	size_t len;
	char *copy;

	while (*line == ' ' || *line == '\t')
		line++;
	len = strlen(line);
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
			   line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	copy = malloc(len + 1);
	if (copy != NULL) {
		memcpy(copy, line, len);
		copy[len] = '\0';
	}
	return copy;
}

SPN_EXPORT spn_status spn_check_missing_targets(spn_ctx *ctx,
						const spn_index *index,
						const char *const *targets,
						size_t n,
						spn_findings *findings)
{
	spn_target **parsed = NULL;
	const idx_derived *d;
	char *text = NULL, why[1024];
	size_t i, start;
	spn_status st = SPN_E_NOMEM;

	if (index == NULL || findings == NULL || (targets == NULL && n > 0))
		return spn_error(ctx, SPN_E_USAGE,
				 "spn_check_missing_targets: no index, findings "
				 "or targets");
	start = spn_findings_count(findings);
	parsed = calloc(n > 0 ? n : 1, sizeof(*parsed));
	if (parsed == NULL)
		goto cleanup;
	/* Parse every line first: a bad line reports nothing at all. */
	for (i = 0; i < n; i++) {
		if (targets[i] == NULL) {
			st = spn_error(ctx, SPN_E_USAGE, "target %zu is NULL",
				       i + 1);
			goto cleanup;
		}
		text = trimmed(targets[i]);
		if (text == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
		if (text[0] == '\0' || text[0] == '#') {
			free(text);
			text = NULL;
			continue;
		}
		st = spn_target_parse(ctx, text, "HOST", &parsed[i]);
		if (st == SPN_E_INPUT) {
			snprintf(why, sizeof(why), "%s", spn_ctx_error(ctx));
			st = spn_error(ctx, SPN_E_INPUT, "line %zu: %s", i + 1,
				       why);
			goto cleanup;
		}
		if (st != SPN_OK)
			goto cleanup;
		if (parsed[i]->kind == SPN_TARGET_HOST_PORT) {
			st = spn_error(ctx, SPN_E_INPUT, "line %zu: target "
				       "'%.200s': host:port does not say which "
				       "service; write the SPN instead (e.g. "
				       "MSSQLSvc/%s%s)", i + 1, text,
				       parsed[i]->host, parsed[i]->suffix);
			goto cleanup;
		}
		free(text);
		text = NULL;
	}
	d = idx_derived_names(index);
	if (d == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		if (parsed[i] == NULL)
			continue;
		st = report_target(ctx, index, parsed[i], i + 1, d, findings);
		if (st != SPN_OK)
			goto cleanup;
	}
	spn_findings_sort_from(findings, start);
	st = SPN_OK;
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory checking targets");
	for (i = 0; parsed != NULL && i < n; i++)
		spn_target_free(parsed[i]);
	free(parsed);
	free(text);
	return st;
}
