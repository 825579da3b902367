/* check_alias.c - DNS aliases (CNAMEs, names sharing a host's address,
 * load-balancer VIPs) and whether some account holds an SPN for them.
 *
 * A client that does not canonicalise the name it was given (the SMB client
 * among them) asks for cifs/<alias>. Without an SPN for the alias there is
 * no ticket and the client uses NTLM. With the SPN on one node's computer
 * account while the name spans several hosts, the other nodes cannot
 * decrypt the tickets: the service must run as one shared account (a gMSA).
 *
 * Names considered: live names of the AD-integrated zones that are CNAMEs,
 * or that are no computer's own name and carry an address that another
 * name carries. Skipped: the zone apex, service names (a label starting
 * with '_': _msdcs, _tcp, _udp, _sites), DomainDnsZones/ForestDnsZones and
 * computers' own names, the DCs' among them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "fix_script.h"
#include "hostmap.h"
#include "index_derived.h"

#define MAX_OWNERS 16      /* hosts remembered per name (more are counted) */
#define MAX_LISTED 8       /* hosts or accounts named in a message */
#define MAX_CNAME_HOPS 8
#define OWNER_NAME 0x80000000u  /* an owner that is a DNS name, not a computer */

/* The hosts a name leads to: computers (account ids), or DNS names (node
 * ids | OWNER_NAME) where no computer's name carries the address. */
struct owners {
	uint32_t id[MAX_OWNERS];
	size_t n;       /* remembered */
	size_t total;   /* distinct, remembered or not */
};

struct cand {
	uint32_t node;          /* first live node of the name */
	uint32_t spns;          /* first link of the SPNs for the name */
	idx_str cname;          /* the CNAME target as the record holds it */
	struct owners owners;
	size_t lonely;          /* addresses no other name carries */
	uint8_t is_cname;
	uint8_t several;        /* the name spans several hosts */
};

/* What one SPN holder means for the name. */
enum verdict {
	V_OK = 0,
	V_SHARED,      /* a service account: info */
	V_ELSEWHERE,   /* a computer the name does not point to: error */
	V_ONE_NODE,    /* one node's computer while the name spans several */
	V_NONE,        /* no SPN at all: error */
};

struct holder {
	uint32_t account;
	uint32_t spn;
	enum verdict verdict;
};

struct run {
	spn_ctx *ctx;
	const spn_index *index;
	spn_findings *findings;
	const idx_derived *d; /* names, addresses, SPN hosts */
	uint32_t *cand_of;    /* per name id: index into cands, or IDX_NONE */
	idx_link *spn_links;  /* the candidates' SPNs, chained */
	size_t n_spn_links, cap_spn_links;
	struct cand *cands;
	size_t n_cands, cap_cands;
	struct holder *holders;
	size_t n_holders, cap_holders;
};

static const char *fqdn_of(const spn_index *index, uint32_t node)
{
	return idx_s(index, index->dns_nodes[node].fqdn);
}

/* The first live node with the same name as node. */
static uint32_t canonical(const struct run *r, uint32_t node)
{
	uint32_t id = idx_node_name(r->d, node);

	return id != IDX_NONE ? r->d->links[r->d->names[id].nodes].value : node;
}

/* The first link of the live nodes named like node. */
static uint32_t same_name(const struct run *r, uint32_t node)
{
	uint32_t id = idx_node_name(r->d, node);

	return id != IDX_NONE ? r->d->names[id].nodes : IDX_NONE;
}

/* Names that are the zone's own records, not hosts: the apex, service
 * names, the application-partition names of DCs. */
static int structural(const spn_index *index, uint32_t node)
{
	const idx_dns_node *n = &index->dns_nodes[node];
	const char *fqdn = idx_s(index, n->fqdn), *p;
	size_t first = strcspn(fqdn, ".");

	if (strcasecmp(fqdn, idx_s(index, n->zone)) == 0)
		return 1;
	for (p = fqdn; p != NULL; p = p != NULL ? p + 1 : NULL) {
		if (*p == '_')
			return 1;
		p = strchr(p, '.');
	}
	return (first == 14 && strncasecmp(fqdn, "domaindnszones", 14) == 0) ||
	       (first == 14 && strncasecmp(fqdn, "forestdnszones", 14) == 0);
}

static void owners_add(struct owners *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->id[i] == id)
			return;
	if (o->n < MAX_OWNERS)
		o->id[o->n++] = id;
	o->total++;
}

static int owners_has(const struct owners *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->id[i] == id)
			return 1;
	return 0;
}

/* Add the computers whose own name is the name id (IDX_NONE: none);
 * returns how many there are. */
static size_t add_computers(const struct run *r, uint32_t id,
			    struct owners *o)
{
	uint32_t e;
	size_t n = 0;

	if (id == IDX_NONE)
		return 0;
	for (e = r->d->names[id].computers; e != IDX_NONE;
	     e = r->d->links[e].next, n++)
		if (o != NULL)
			owners_add(o, r->d->links[e].value);
	return n;
}

/* The hosts of one address (an address id, or IDX_NONE), other than the
 * name exclude (a canonical node, or IDX_NONE): the computers whose names
 * carry it, else the other names carrying it. Returns whether any other
 * name carries it. */
static int address_owners(const struct run *r, uint32_t addr,
			  uint32_t exclude, struct owners *o)
{
	uint32_t e, node;
	int computers = 0, others = 0;

	if (addr == IDX_NONE)
		return 0;
	IDX_CHAIN_FOR(r->d, e, r->d->addr_nodes[addr]) {
		node = r->d->links[e].value;
		if (canonical(r, node) == exclude)
			continue;
		if (add_computers(r, idx_node_name(r->d, node), NULL) > 0)
			computers = 1;
		else if (!structural(r->index, node))
			others = 1;
	}
	IDX_CHAIN_FOR(r->d, e, r->d->addr_nodes[addr]) {
		node = r->d->links[e].value;
		if (canonical(r, node) == exclude)
			continue;
		if (computers)
			add_computers(r, idx_node_name(r->d, node), o);
		else if (others && !structural(r->index, node))
			owners_add(o, canonical(r, node) | OWNER_NAME);
	}
	return computers || others;
}

/* The first CNAME target among the nodes named like node, or 0. */
static idx_str cname_of(const struct run *r, uint32_t node)
{
	uint32_t e, k;

	IDX_CHAIN_FOR(r->d, e, same_name(r, node)) {
		const idx_dns_node *n =
			&r->index->dns_nodes[r->d->links[e].value];

		for (k = 0; k < n->n_records; k++) {
			const idx_dns_record *rec =
				&r->index->dns_records[n->first_record + k];

			if (rec->type == SPN_DNS_TYPE_CNAME && rec->data != 0)
				return rec->data;
		}
	}
	return 0;
}

/* Walk the addresses of the name of node: the hosts they belong to, and
 * how many belong to no other name. */
static void name_owners(const struct run *r, uint32_t node, uint32_t exclude,
			struct owners *o, size_t *lonely)
{
	uint32_t e, k;

	IDX_CHAIN_FOR(r->d, e, same_name(r, node)) {
		const idx_dns_node *n =
			&r->index->dns_nodes[r->d->links[e].value];

		for (k = 0; k < n->n_records; k++) {
			const idx_dns_record *rec =
				&r->index->dns_records[n->first_record + k];

			if (rec->type != SPN_DNS_TYPE_A &&
			    rec->type != SPN_DNS_TYPE_AAAA)
				continue;
			if (!address_owners(r, r->d->rec_addr[n->first_record + k],
					    exclude, o) && lonely != NULL)
				(*lonely)++;
		}
	}
}

/* The hosts a CNAME leads to: the computer named by its (last) target, or
 * the hosts of the target's addresses. Unknown targets leave none. */
static void cname_owners(const struct run *r, const char *target,
			 struct owners *o)
{
	uint32_t id, node;
	idx_str next;
	int hop;

	for (hop = 0; hop < MAX_CNAME_HOPS; hop++) {
		id = idx_name_find(r->d, target, strlen(target));
		if (add_computers(r, id, o) > 0)
			return;
		if (id == IDX_NONE || r->d->names[id].nodes == IDX_NONE)
			return;
		node = r->d->links[r->d->names[id].nodes].value;
		next = cname_of(r, node);
		if (next == 0) {
			name_owners(r, node, IDX_NONE, o, NULL);
			return;
		}
		target = idx_s(r->index, next);
	}
}

static int push_cand(struct run *r, const struct cand *c)
{
	struct cand *p;
	size_t cap;

	if (r->n_cands == r->cap_cands) {
		cap = r->cap_cands ? r->cap_cands * 2 : 16;
		p = realloc(r->cands, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		r->cands = p;
		r->cap_cands = cap;
	}
	r->cands[r->n_cands++] = *c;
	return 0;
}

/* Decide whether the name of node is an alias; fill c when it is. */
static int classify(const struct run *r, uint32_t node, struct cand *c)
{
	memset(c, 0, sizeof(*c));
	c->node = node;
	c->spns = IDX_NONE;
	if (add_computers(r, idx_node_name(r->d, node), NULL) > 0 ||
	    structural(r->index, node))
		return 0;
	c->cname = cname_of(r, node);
	if (c->cname != 0) {
		c->is_cname = 1;
		cname_owners(r, idx_s(r->index, c->cname), &c->owners);
		c->several = c->owners.total >= 2;
		return 1;
	}
	name_owners(r, node, node, &c->owners, &c->lonely);
	if (c->owners.total == 0)
		return 0;
	c->several = c->owners.total >= 2 || c->lonely > 0;
	return 1;
}

static void put_owner(strbuf *b, const spn_index *index, uint32_t id)
{
	const char *dns;

	if (id & OWNER_NAME) {
		strbuf_puts(b, fqdn_of(index, id & ~OWNER_NAME));
		return;
	}
	dns = idx_s(index, index->accounts[id].dns_host);
	if (dns[0] != '\0')
		strbuf_printf(b, "%s (%s)", dns, idx_account_label(index, id));
	else
		strbuf_puts(b, idx_account_label(index, id));
}

static void put_owners(strbuf *b, const spn_index *index,
		       const struct owners *o)
{
	size_t i;

	for (i = 0; i < o->n && i < MAX_LISTED; i++) {
		strbuf_puts(b, i ? ", " : "");
		put_owner(b, index, o->id[i]);
	}
	if (o->total > MAX_LISTED)
		strbuf_printf(b, " and %zu more", o->total - MAX_LISTED);
}

/* The distinct accounts holding an SPN for the candidate's name, each with
 * the first such SPN and what it means. */
static int collect_holders(struct run *r, const struct cand *c)
{
	struct holder *p;
	uint32_t e, s, account;
	size_t i, cap;
	int seen;

	r->n_holders = 0;
	for (e = c->spns; e != IDX_NONE; e = r->spn_links[e].next) {
		s = r->spn_links[e].value;
		account = r->index->spns[s].account;
		seen = 0;
		for (i = 0; i < r->n_holders && !seen; i++)
			seen = r->holders[i].account == account;
		if (seen)
			continue;
		if (r->n_holders == r->cap_holders) {
			cap = r->cap_holders ? r->cap_holders * 2 : 8;
			p = realloc(r->holders, cap * sizeof(*p));
			if (p == NULL)
				return -1;
			r->holders = p;
			r->cap_holders = cap;
		}
		p = &r->holders[r->n_holders++];
		p->account = account;
		p->spn = s;
		if (r->index->accounts[account].kind == SPN_ACCOUNT_COMPUTER) {
			if (owners_has(&c->owners, account))
				p->verdict = c->several ? V_ONE_NODE : V_OK;
			else
				p->verdict = c->owners.total > 0 ?
					     V_ELSEWHERE : V_OK;
		} else {
			p->verdict = c->is_cname ? V_OK : V_SHARED;
		}
	}
	return 0;
}

/* The only computer the name leads to, or IDX_NONE. */
static uint32_t single_computer(const struct cand *c)
{
	if (c->owners.total == 1 && c->owners.n == 1 &&
	    !(c->owners.id[0] & OWNER_NAME) && !c->several)
		return c->owners.id[0];
	return IDX_NONE;
}

static void describe(strbuf *b, const struct run *r, const struct cand *c,
		     const char *host)
{
	if (c->is_cname) {
		strbuf_printf(b, "%s is a CNAME for %s", host,
			      idx_s(r->index, c->cname));
		if (c->owners.n > 0) {
			strbuf_puts(b, c->several ? " (hosts: " : " (host: ");
			put_owners(b, r->index, &c->owners);
			strbuf_puts(b, ")");
		}
	} else if (c->several) {
		strbuf_printf(b, "%s has the addresses of several hosts (", host);
		put_owners(b, r->index, &c->owners);
		if (c->lonely > 0)
			strbuf_printf(b, ", and %zu address%s no other name "
				      "has", c->lonely, c->lonely > 1 ? "es" : "");
		strbuf_puts(b, ")");
	} else {
		strbuf_printf(b, "%s shares its address with ", host);
		put_owners(b, r->index, &c->owners);
	}
}

static void fix_none(strbuf *fix, const struct run *r, const struct cand *c,
		     const char *host)
{
	uint32_t comp = single_computer(c);
	spn_finding_account fa;
	char spn[5 + HOSTMAP_KEY_MAX + 1];

	if (comp == IDX_NONE || strlen(host) > HOSTMAP_KEY_MAX) {
		strbuf_printf(fix, "# Run the service behind %s on every host "
			      "as one shared service account or gMSA and "
			      "register its SPNs there, e.g.:\n"
			      "# setspn -S http/%s ACCOUNT\n", host, host);
		return;
	}
	fa = idx_finding_account(r->index, comp);
	snprintf(spn, sizeof(spn), "HOST/%s", host);
	strbuf_printf(fix, "# Register the alias on %s, the host it points "
		      "to. SMB servers must also accept the name: 'netdom "
		      "computername %s /add:%s' does both.\n",
		      idx_account_label(r->index, comp),
		      idx_s(r->index, r->index->accounts[comp].dns_host)[0] ?
		      idx_s(r->index, r->index->accounts[comp].dns_host) :
		      idx_account_label(r->index, comp), host);
	fix_setspn_add(fix, spn, fa.sam, fa.dn);
	strbuf_puts(fix, "# or with ldapmodify:\n");
	fix_ldif_modify(fix, fa.dn, "add", "servicePrincipalName", spn);
}

static void fix_move(strbuf *fix, const struct run *r, const struct cand *c,
		     const struct holder *h, const char *host)
{
	const char *spn = idx_s(r->index, r->index->spns[h->spn].text);
	spn_finding_account from = idx_finding_account(r->index, h->account);
	uint32_t comp = single_computer(c);
	spn_finding_account to;

	if (h->verdict == V_ELSEWHERE && comp != IDX_NONE) {
		to = idx_finding_account(r->index, comp);
		strbuf_printf(fix, "# Move %s to %s, the host %s points to:\n",
			      spn, idx_account_label(r->index, comp), host);
		fix_setspn_delete(fix, spn, from.sam, from.dn);
		fix_setspn_add(fix, spn, to.sam, to.dn);
		strbuf_puts(fix, "# or with ldapmodify:\n");
		fix_ldif_modify(fix, from.dn, "delete", "servicePrincipalName",
				spn);
		fix_ldif_modify(fix, to.dn, "add", "servicePrincipalName", spn);
		return;
	}
	strbuf_printf(fix, "# Move %s to one shared service account or gMSA "
		      "that every host behind %s runs the service as:\n",
		      spn, host);
	fix_setspn_delete(fix, spn, from.sam, from.dn);
	strbuf_puts(fix, "# then: setspn -S <the SPN> ACCOUNT\n"
		    "# or with ldapmodify:\n");
	fix_ldif_modify(fix, from.dn, "delete", "servicePrincipalName", spn);
}

static spn_status report(struct run *r, const struct cand *c)
{
	const spn_index *index = r->index;
	strbuf msg = STRBUF_INIT, fix = STRBUF_INIT;
	spn_finding_account *accounts = NULL;
	char *host = NULL, *message = NULL, *fix_text = NULL;
	const struct holder *worst = NULL;
	const char *spn = NULL, *who;
	enum verdict v = V_NONE;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	size_t i;
	int fixes = spn_findings_fixes(r->findings);

	if (collect_holders(r, c) != 0)
		goto cleanup;
	if (r->n_holders > 0) {
		v = V_OK;
		for (i = 0; i < r->n_holders; i++)
			if (r->holders[i].verdict > v) {
				v = r->holders[i].verdict;
				worst = &r->holders[i];
			}
		if (v == V_OK) {
			st = SPN_OK;
			goto cleanup;
		}
		accounts = calloc(r->n_holders, sizeof(*accounts));
		if (accounts == NULL)
			goto cleanup;
		for (i = 0; i < r->n_holders; i++)
			accounts[i] = idx_finding_account(index,
							  r->holders[i].account);
		spn = idx_s(index, index->spns[worst->spn].text);
	}
	host = spn_host_display(fqdn_of(index, c->node));
	if (host == NULL)
		goto cleanup;

	describe(&msg, r, c, host);
	who = worst != NULL ? idx_account_label(index, worst->account) : NULL;
	switch (v) {
	case V_NONE:
		strbuf_printf(&msg, ", but no account holds an SPN for it: "
			      "clients that do not canonicalise the name (SMB "
			      "among them) ask for cifs/%s, get no ticket and "
			      "use NTLM.", host);
		if (fixes)
			fix_none(&fix, r, c, host);
		break;
	case V_ONE_NODE:
		strbuf_printf(&msg, ", and %s is on %s, one node's computer "
			      "account: the other nodes cannot decrypt its "
			      "tickets. Use one shared service account or "
			      "gMSA.", spn, who);
		if (fixes)
			fix_move(&fix, r, c, worst, host);
		break;
	case V_ELSEWHERE:
		strbuf_printf(&msg, ", but %s is on %s, a computer the name "
			      "does not point to: the host that answers cannot "
			      "decrypt its tickets.", spn, who);
		if (fixes)
			fix_move(&fix, r, c, worst, host);
		break;
	case V_SHARED:
		strbuf_printf(&msg, "; %s is on the shared service account %s: "
			      "every host behind the name must run the service "
			      "as %s.", spn, who, who);
		break;
	case V_OK:
		break;
	}
	message = strbuf_take(&msg);
	if (message == NULL)
		goto cleanup;
	if (fix.len > 0 || fix.failed) {
		fix_text = strbuf_take(&fix);
		if (fix_text == NULL)
			goto cleanup;
	}
	memset(&f, 0, sizeof(f));
	f.check = "alias";
	f.severity = v == V_SHARED ? SPN_SEVERITY_INFO : SPN_SEVERITY_ERROR;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = accounts != NULL ? r->n_holders : 0;
	f.message = message;
	f.fix = fix_text;
	st = spn_findings_add(r->findings, &f);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(r->ctx, st, "out of memory in alias");
	strbuf_free(&msg);
	strbuf_free(&fix);
	free(message);
	free(fix_text);
	free(accounts);
	free(host);
	return st;
}

/* Chain SPN s to the candidate k (in SPN order: the tails are kept in
 * tails). */
static int add_cand_spn(struct run *r, uint32_t *tails, uint32_t k,
			uint32_t s)
{
	idx_link *p;
	size_t cap;
	uint32_t l;

	if (r->n_spn_links == r->cap_spn_links) {
		cap = r->cap_spn_links ? r->cap_spn_links * 2 : 64;
		if (cap >= IDX_NONE)
			return -1;
		p = realloc(r->spn_links, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		r->spn_links = p;
		r->cap_spn_links = cap;
	}
	l = (uint32_t)r->n_spn_links++;
	r->spn_links[l].value = s;
	r->spn_links[l].next = IDX_NONE;
	if (r->cands[k].spns == IDX_NONE)
		r->cands[k].spns = l;
	else
		r->spn_links[tails[k]].next = l;
	tails[k] = l;
	return 0;
}

spn_status spn_check_alias(spn_ctx *ctx, const spn_index *index,
			   spn_findings *findings)
{
	struct run r;
	struct cand c;
	spn_status st = SPN_E_NOMEM;
	uint32_t i, k, id, *tails = NULL;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.index = index;
	r.findings = findings;
	r.d = idx_derived_addresses(index);
	if (r.d == NULL)
		goto cleanup;
	r.cand_of = malloc(((size_t)r.d->n_names + 1) * sizeof(*r.cand_of));
	if (r.cand_of == NULL)
		goto cleanup;
	for (i = 0; i < r.d->n_names; i++)
		r.cand_of[i] = IDX_NONE;

	for (i = 0; i < index->n_dns_nodes; i++) {
		if (!r.d->node_live[i] || canonical(&r, i) != i ||
		    !classify(&r, i, &c))
			continue;
		if (push_cand(&r, &c) != 0)
			goto cleanup;
		id = idx_node_name(r.d, i);
		if (id != IDX_NONE)
			r.cand_of[id] = (uint32_t)(r.n_cands - 1);
	}
	/* One pass over every SPN: the ones whose host is a candidate. */
	if (r.n_cands > 0) {
		r.d = idx_derived_spn_hosts(index);
		tails = malloc(r.n_cands * sizeof(*tails));
		if (r.d == NULL || tails == NULL)
			goto cleanup;
	}
	for (i = 0; r.n_cands > 0 && i < index->n_spns; i++) {
		id = r.d->spn_name[i];
		if (r.d->spn_kind[i] != SPN_HOST_FQDN || id == IDX_NONE ||
		    (k = r.cand_of[id]) == IDX_NONE)
			continue;
		if (add_cand_spn(&r, tails, k, i) != 0)
			goto cleanup;
	}
	st = SPN_OK;
	for (k = 0; k < r.n_cands && st == SPN_OK; k++)
		st = report(&r, &r.cands[k]);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory in alias");
	free(r.cand_of);
	free(r.spn_links);
	free(tails);
	free(r.cands);
	free(r.holders);
	return st;
}
