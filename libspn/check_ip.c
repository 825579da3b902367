/* check_ip.c - SPNs whose host is an IPv4 or IPv6 address.
 *
 * Windows asks for a ticket to an IP address only when TryIPSPN is set
 * (Windows 10 1607+ / Server 2016+, registry value TryIPSPN under
 * HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Kerberos\
 * Parameters); every other client that connects by IP uses NTLM whatever
 * SPNs exist. An IP SPN therefore helps only those clients, and it goes
 * stale when the address moves. The owner of the address comes from the A
 * and AAAA records of the AD-integrated zones. */
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "fix_script.h"
#include "hostmap.h"
#include "index_derived.h"

#define MAX_LISTED 8

struct ip_run {
	spn_ctx *ctx;
	const spn_index *index;
	spn_findings *findings;
	const idx_derived *d; /* names, addresses, SPN hosts */
	uint32_t *holders;    /* accounts of the SPN being reported */
	uint32_t *spns;       /* each holder's value */
	size_t n_holders, cap_holders;
};

/* The first computer whose own name is the name of node, or IDX_NONE. */
static uint32_t node_computers(const struct ip_run *r, uint32_t node)
{
	uint32_t id = idx_node_name(r->d, node);

	return id != IDX_NONE ? r->d->names[id].computers : IDX_NONE;
}

/* Whether account is a computer one of whose own names carries the
 * address addr (an address id, or IDX_NONE). */
static int owns_address(const struct ip_run *r, uint32_t account,
			uint32_t addr)
{
	uint32_t e, c;

	if (r->index->accounts[account].kind != SPN_ACCOUNT_COMPUTER ||
	    addr == IDX_NONE)
		return 0;
	IDX_CHAIN_FOR(r->d, e, r->d->addr_nodes[addr])
		IDX_CHAIN_FOR(r->d, c, node_computers(r, r->d->links[e].value))
			if (r->d->links[c].value == account)
				return 1;
	return 0;
}

/* "fs3.corp.test (FS3$), ..." for the names that carry addr. */
static size_t put_owners(strbuf *b, const struct ip_run *r, uint32_t addr)
{
	uint32_t e, c, node;
	size_t n = 0;

	if (addr == IDX_NONE)
		return 0;
	for (e = r->d->addr_nodes[addr]; e != IDX_NONE;
	     e = r->d->links[e].next, n++) {
		if (n == MAX_LISTED) {
			strbuf_puts(b, " and more");
			continue;
		}
		if (n > MAX_LISTED)
			continue;
		node = r->d->links[e].value;
		strbuf_printf(b, "%s%s", n ? ", " : "",
			      idx_s(r->index, r->index->dns_nodes[node].fqdn));
		c = idx_chain_first(r->d, node_computers(r, node));
		if (c != IDX_NONE)
			strbuf_printf(b, " (%s)", idx_account_label(r->index, c));
	}
	return n;
}

static spn_status report(struct ip_run *r, uint32_t head, const char *host,
			 uint32_t addr)
{
	const spn_index *index = r->index;
	const char *spn = idx_s(index, index->spns[head].text);
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fix = STRBUF_INIT, owners = STRBUF_INIT;
	char *host_display = NULL, *message = NULL, *fix_text = NULL;
	spn_status st = SPN_E_NOMEM;
	size_t i, n_owners;
	spn_finding f;
	int own = 1;

	r->n_holders = 0;
	if (idx_group_holders(index, head, 0, &r->holders, &r->spns,
			      &r->n_holders, &r->cap_holders) != 0)
		goto cleanup;
	host_display = spn_host_display(host);
	accounts = calloc(r->n_holders, sizeof(*accounts));
	if (host_display == NULL || accounts == NULL)
		goto cleanup;
	for (i = 0; i < r->n_holders; i++) {
		accounts[i] = idx_finding_account(index, r->holders[i]);
		if (!owns_address(r, r->holders[i], addr))
			own = 0;
	}
	n_owners = put_owners(&owners, r, addr);

	strbuf_printf(&msg, "%s names the IP address %s", spn, host_display);
	if (own)
		strbuf_printf(&msg, ", the holder's own address (%s)",
			      owners.s != NULL ? owners.s : "");
	else if (n_owners > 0)
		strbuf_printf(&msg, " of %s", owners.s != NULL ? owners.s : "");
	else
		strbuf_puts(&msg, ", which no name in the AD DNS zones has");
	strbuf_printf(&msg, ", held by %s", idx_account_label(index, r->holders[0]));
	if (r->n_holders > 1)
		strbuf_printf(&msg, " and %zu more", r->n_holders - 1);
	strbuf_puts(&msg, ": only clients with TryIPSPN (Windows 10 1607+ / "
		    "Server 2016+) ask for IP SPNs; without it a client that "
		    "connects by IP uses NTLM.");
	if (!own)
		strbuf_puts(&msg, n_owners > 0 ?
			    " Clients should connect by name." :
			    " If the address no longer serves this, the SPN "
			    "is stale.");

	if (!own && spn_findings_fixes(r->findings)) {
		strbuf_printf(&fix, "# Review: clients should connect by name; "
			      "if %s no longer belongs to this service, remove "
			      "the SPN:\n", host_display);
		fix_remove_spns(&fix, index, r->spns, r->n_holders);
		fix_text = strbuf_take(&fix);
		if (fix_text == NULL)
			goto cleanup;
	}
	message = strbuf_take(&msg);
	if (message == NULL || owners.failed)
		goto cleanup;
	memset(&f, 0, sizeof(f));
	f.check = "ip";
	f.severity = own ? SPN_SEVERITY_INFO : SPN_SEVERITY_WARNING;
	f.spn = spn;
	f.host = host_display;
	f.accounts = accounts;
	f.n_accounts = r->n_holders;
	f.message = message;
	f.fix = fix_text;
	st = spn_findings_add(r->findings, &f);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(r->ctx, st, "out of memory reporting IP SPN %s", spn);
	strbuf_free(&msg);
	strbuf_free(&fix);
	strbuf_free(&owners);
	free(message);
	free(fix_text);
	free(accounts);
	free(host_display);
	return st;
}

spn_status spn_check_ip(spn_ctx *ctx, const spn_index *index,
			spn_findings *findings)
{
	struct ip_run r;
	char host[HOSTMAP_KEY_MAX + 1];
	unsigned char bytes[16];
	spn_host_kind kind;
	spn_status st = SPN_OK;
	uint32_t i;
	int len;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.index = index;
	r.findings = findings;
	r.d = idx_derived_spn_hosts(index);
	if (r.d != NULL)
		r.d = idx_derived_addresses(index);
	if (r.d == NULL) {
		st = spn_error(ctx, SPN_E_NOMEM, "out of memory in ip");
		goto cleanup;
	}
	IDX_FOR_EACH_KEY_HEAD(index, i) {
		if (r.d->spn_kind[i] != SPN_HOST_IPV4 &&
		    r.d->spn_kind[i] != SPN_HOST_IPV6)
			continue;
		len = hostmap_spn_host(idx_s(index, index->spns[i].text), host,
				       sizeof(host), &kind);
		if (len < 0 || hostmap_addr_parse(host, (size_t)len, bytes) < 0)
			continue;
		st = report(&r, i, host, idx_address_find(r.d, host, (size_t)len));
		if (st != SPN_OK)
			break;
	}
cleanup:
	free(r.holders);
	free(r.spns);
	return st;
}
