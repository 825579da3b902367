/* check_orphan.c - SPNs whose host is neither a computer's name nor a name
 * in the AD-integrated DNS zones (ghost SPNs).
 *
 * A stale SPN is a standing invitation: by default any authenticated user
 * may create a name in an AD-integrated zone. Whoever creates the missing
 * name and points it at a machine of theirs receives the tickets that
 * clients still configured with the old name request for it (ghost
 * SPN-jacking). FQDN hosts are matched against computers' dNSHostName and
 * msDS-AdditionalDnsHostName and the live DNS names; single-label hosts
 * against computers' short names and the first labels of live DNS names.
 * spn_check_orphan_resolve also asks the resolver about what is left. */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "checks.h"
#include "fix_script.h"
#include "hostmap.h"
#include "index_derived.h"

/* The DRS replication SPN of a DC: its host is the NTDS Settings GUID. */
#define DRS_CLASS "E3514235-4B06-11D1-AB04-00C04FC2DCD2/"

struct orphan_run {
	spn_ctx *ctx;
	const spn_index *index;
	spn_findings *findings;
	int resolve;
	const idx_derived *d; /* names, SPN hosts */
	hostmap *resolved;    /* host -> 1 (resolves) or 0, when resolving */
	uint32_t *accounts;   /* accounts of the SPN being reported */
	uint32_t *holders;    /* each one's value */
	size_t n_holders, cap_holders;
	spn_status failure;   /* why resolves() returned -1 */
};

/* SPNs whose host part is not a host name by design. */
static int not_a_host(const char *spn)
{
	return strncasecmp(spn, DRS_CLASS, sizeof(DRS_CLASS) - 1) == 0 ||
	       strcasecmp(spn, "kadmin/changepw") == 0;
}

/* Whether the host of SPN s is a computer's name or a live DNS name:
 * for a short host, a computer's short name or a DNS name's first label. */
static int known(const struct orphan_run *r, uint32_t s)
{
	uint32_t id = r->d->spn_name[s];

	if (id == IDX_NONE)
		return 0;
	if (r->d->spn_kind[s] == SPN_HOST_SHORT)
		return r->d->names[id].shorts != IDX_NONE ||
		       r->d->names[id].labels != IDX_NONE;
	return r->d->names[id].computers != IDX_NONE ||
	       r->d->names[id].nodes != IDX_NONE;
}

/* Ask the resolver once per host: 1 it resolves, 0 no such name, -1 the
 * resolver failed (error set on ctx). */
static int resolves(struct orphan_run *r, const char *host, size_t len)
{
	struct addrinfo hints, *res = NULL;
	uint32_t e;
	int rc, answer;

	e = hostmap_find(r->resolved, host, len);
	if (e != HOSTMAP_NONE)
		return (int)hostmap_value(r->resolved, e);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (res != NULL)
		freeaddrinfo(res);
	if (rc == 0)
		answer = 1;
	else if (rc == EAI_NONAME
#ifdef EAI_NODATA
		 || rc == EAI_NODATA
#endif
#ifdef EAI_ADDRFAMILY
		 || rc == EAI_ADDRFAMILY
#endif
		)
		answer = 0;
	else {
		r->failure = spn_error(r->ctx, SPN_E_DNS, "cannot resolve '%s' "
				       "(%s)", host, gai_strerror(rc));
		spn_error_set_resolver(r->ctx, rc);
		return -1;
	}
	spn_log(r->ctx, SPN_LOG_DEBUG, "orphan: %s %s", host,
		answer ? "resolves" : "does not resolve");
	if (hostmap_add(r->resolved, host, len, (uint32_t)answer) != 0) {
		r->failure = spn_error(r->ctx, SPN_E_NOMEM,
				       "out of memory in orphan");
		return -1;
	}
	return answer;
}

static spn_status report(struct orphan_run *r, uint32_t head,
			 const char *host, spn_host_kind kind)
{
	const spn_index *index = r->index;
	const char *spn = idx_s(index, index->spns[head].text);
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	size_t i;
	int fixes = spn_findings_fixes(r->findings);

	r->n_holders = 0;
	if (idx_group_holders(index, head, 0, &r->accounts, &r->holders,
			      &r->n_holders, &r->cap_holders) != 0)
		goto cleanup;
	accounts = calloc(r->n_holders, sizeof(*accounts));
	if (accounts == NULL)
		goto cleanup;
	for (i = 0; i < r->n_holders; i++)
		accounts[i] = idx_finding_account(index, r->accounts[i]);

	strbuf_printf(&msg, "%s (on %s%s) names %s, which is neither a "
		      "computer's %s nor a name in the AD DNS zones%s: a stale "
		      "SPN. Any authenticated user can create that name in an "
		      "AD-integrated zone by default and point it at a machine "
		      "of theirs, which then receives tickets for this "
		      "account's key (ghost SPN-jacking).", spn,
		      idx_account_label(index, r->accounts[0]),
		      r->n_holders > 1 ? " and others" : "", host,
		      kind == SPN_HOST_SHORT ? "short name" : "DNS name",
		      r->resolve ? ", and the resolver does not know it" : "");

	if (fixes) {
		strbuf_printf(&fix, "# Review: if nothing connects to %s any "
			      "more, remove the SPN:\n", host);
		fix_remove_spns(&fix, index, r->holders, r->n_holders);
	}
	memset(&f, 0, sizeof(f));
	f.check = "orphan";
	f.severity = SPN_SEVERITY_WARNING;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = r->n_holders;
	st = spn_findings_add_built(r->ctx, r->findings, &f, &msg,
				    fixes ? &fix : NULL);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(r->ctx, st, "out of memory reporting orphan SPN %s",
			  spn);
	strbuf_free(&msg);
	strbuf_free(&fix);
	free(accounts);
	return st;
}

static spn_status run_orphan(spn_ctx *ctx, const spn_index *index,
			     spn_findings *findings, int resolve)
{
	struct orphan_run r;
	char host[HOSTMAP_KEY_MAX + 1];
	const char *spn;
	spn_host_kind kind;
	spn_status st = SPN_OK;
	uint32_t i;
	int len, answer;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.index = index;
	r.findings = findings;
	r.resolve = resolve;
	r.d = idx_derived_spn_hosts(index);
	r.resolved = hostmap_new();
	if (r.d == NULL || r.resolved == NULL) {
		st = spn_error(ctx, SPN_E_NOMEM, "out of memory in orphan");
		goto cleanup;
	}
	IDX_FOR_EACH_KEY_HEAD(index, i) {
		kind = (spn_host_kind)r.d->spn_kind[i];
		if ((kind != SPN_HOST_FQDN && kind != SPN_HOST_SHORT) ||
		    known(&r, i))
			continue;
		spn = idx_s(index, index->spns[i].text);
		if (not_a_host(spn))
			continue;
		len = hostmap_spn_host(spn, host, sizeof(host), &kind);
		if (len < 0)
			continue;
		if (resolve) {
			answer = resolves(&r, host, (size_t)len);
			if (answer < 0) {
				st = r.failure;
				break;
			}
			if (answer > 0)
				continue;
		}
		st = report(&r, i, host, kind);
		if (st != SPN_OK)
			break;
	}
cleanup:
	hostmap_free(r.resolved);
	free(r.accounts);
	free(r.holders);
	return st;
}

spn_status spn_check_orphan(spn_ctx *ctx, const spn_index *index,
			    spn_findings *findings)
{
	return run_orphan(ctx, index, findings, 0);
}

SPN_EXPORT spn_status spn_check_orphan_resolve(spn_ctx *ctx,
					       const spn_index *index,
					       spn_findings *findings)
{
	size_t start;
	spn_status st;

	if (index == NULL || findings == NULL)
		return spn_error(ctx, SPN_E_USAGE, "spn_check_orphan_resolve: "
				 "no index or findings");
	start = spn_findings_count(findings);
	st = run_orphan(ctx, index, findings, 1);
	if (st == SPN_OK)
		spn_findings_sort_from(findings, start);
	return st;
}
