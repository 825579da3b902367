/* findings.c - the list of findings the checks append to. */
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "findings.h"

struct spn_findings {
	spn_finding *items;
	size_t n, cap;
};

SPN_EXPORT spn_status spn_findings_new(spn_findings **findings_out)
{
	spn_findings *f;

	if (findings_out == NULL)
		return SPN_E_USAGE;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return SPN_E_NOMEM;
	*findings_out = f;
	return SPN_OK;
}

static void finding_clear(spn_finding *item)
{
	size_t i;

	free((char *)item->spn);
	free((char *)item->host);
	free((char *)item->message);
	free((char *)item->fix);
	for (i = 0; i < item->n_accounts; i++) {
		free((char *)item->accounts[i].dn);
		free((char *)item->accounts[i].sam);
	}
	free((spn_finding_account *)item->accounts);
}

SPN_EXPORT void spn_findings_free(spn_findings *findings)
{
	size_t i;

	if (findings == NULL)
		return;
	for (i = 0; i < findings->n; i++)
		finding_clear(&findings->items[i]);
	free(findings->items);
	free(findings);
}

SPN_EXPORT size_t spn_findings_count(const spn_findings *findings)
{
	return findings != NULL ? findings->n : 0;
}

SPN_EXPORT const spn_finding *spn_findings_get(const spn_findings *findings,
					       size_t i)
{
	if (findings == NULL || i >= findings->n)
		return NULL;
	return &findings->items[i];
}

static int dup_or_null(const char *s, const char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup(s);
	return *out == NULL ? -1 : 0;
}

spn_status spn_findings_add(spn_findings *findings, const spn_finding *f)
{
	spn_finding item;
	spn_finding_account *accounts = NULL;
	size_t i;

	memset(&item, 0, sizeof(item));
	if (findings->n == findings->cap) {
		size_t cap = findings->cap ? findings->cap * 2 : 32;
		spn_finding *p = realloc(findings->items, cap * sizeof(*p));

		if (p == NULL)
			return SPN_E_NOMEM;
		findings->items = p;
		findings->cap = cap;
	}
	item.check = f->check;   /* static: a name from the check table */
	item.severity = f->severity;
	if (f->n_accounts > 0) {
		accounts = calloc(f->n_accounts, sizeof(*accounts));
		if (accounts == NULL)
			goto nomem;
	}
	item.accounts = accounts;
	item.n_accounts = f->n_accounts;
	for (i = 0; i < f->n_accounts; i++)
		if (dup_or_null(f->accounts[i].dn, &accounts[i].dn) != 0 ||
		    dup_or_null(f->accounts[i].sam, &accounts[i].sam) != 0)
			goto nomem;
	if (dup_or_null(f->spn, &item.spn) != 0 ||
	    dup_or_null(f->host, &item.host) != 0 ||
	    dup_or_null(f->message, &item.message) != 0 ||
	    dup_or_null(f->fix, &item.fix) != 0)
		goto nomem;
	findings->items[findings->n++] = item;
	return SPN_OK;
nomem:
	finding_clear(&item);
	return SPN_E_NOMEM;
}

static int cmp_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const spn_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = cmp_str(a->host, b->host)) != 0)
		return c;
	if ((c = cmp_str(a->spn, b->spn)) != 0)
		return c;
	if (a->n_accounts > 0 && b->n_accounts > 0)
		return cmp_str(a->accounts[0].dn, b->accounts[0].dn);
	return 0;
}

void spn_findings_sort_from(spn_findings *findings, size_t start)
{
	if (findings->n > start + 1)
		qsort(findings->items + start, findings->n - start,
		      sizeof(spn_finding), cmp_finding);
}

int spn_findings_spn_host(const char *spn, char **host_out)
{
	spn_name *name = NULL;
	char *host = NULL;
	int rc = -1;

	if (spn_name_parse(spn, &name) != SPN_OK)
		goto cleanup;
	if (name->invalid == NULL && name->host != NULL) {
		host = spn_host_display(name->host);
		if (host == NULL)
			goto cleanup;
	}
	*host_out = host;
	rc = 0;
cleanup:
	spn_name_free(name);
	return rc;
}

spn_status spn_findings_add_built(spn_ctx *ctx, spn_findings *findings,
				  spn_finding *f, strbuf *message, strbuf *fix)
{
	char *msg = strbuf_take(message);
	char *fix_text = fix != NULL ? strbuf_take(fix) : NULL;
	spn_status st = SPN_E_NOMEM;

	if (msg != NULL && (fix == NULL || fix_text != NULL)) {
		f->message = msg;
		f->fix = fix_text;
		st = spn_findings_add(findings, f);
	}
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting a %s finding for %s",
			  f->check, f->spn != NULL ? f->spn :
			  f->host != NULL ? f->host : "?");
	free(msg);
	free(fix_text);
	return st;
}
