/* findings.c - the list of findings the checks append to. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "findings.h"

/* The findings' strings and account lists are copied into blocks that
 * are freed together with the list: findings are never removed one by
 * one. */
#define BLOCK_SIZE ((size_t)64 << 10)

typedef struct block {
	struct block *next;
	size_t used, size;
	max_align_t data[];
} block;

struct spn_findings {
	spn_finding *items;
	size_t n, cap;
	block *blocks;          /* the newest first */
	int no_fixes;           /* spn_findings_set_fixes(findings, 0) */
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

SPN_EXPORT void spn_findings_free(spn_findings *findings)
{
	block *b, *next;

	if (findings == NULL)
		return;
	for (b = findings->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(findings->items);
	free(findings);
}

/* n bytes in the findings' blocks, aligned for any type; NULL when out of
 * memory. */
static void *block_alloc(spn_findings *findings, size_t n)
{
	const size_t align = sizeof(max_align_t);
	block *b = findings->blocks;
	size_t size;
	void *p;

	n = (n + align - 1) / align * align;
	if (b == NULL || b->size - b->used < n) {
		size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		if (size > SIZE_MAX - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = findings->blocks;
		findings->blocks = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

SPN_EXPORT void spn_findings_set_fixes(spn_findings *findings, int wanted)
{
	if (findings != NULL)
		findings->no_fixes = !wanted;
}

int spn_findings_fixes(const spn_findings *findings)
{
	return !findings->no_fixes;
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

/* Room for more findings: 0, or -1 when out of memory. */
static int grow_items(spn_findings *findings, size_t more)
{
	spn_finding *grown;
	size_t cap = findings->cap > 0 ? findings->cap : 32;

	while (cap - findings->n < more) {
		if (cap > SIZE_MAX / 2 / sizeof(*grown))
			return -1;
		cap *= 2;
	}
	if (cap == findings->cap)
		return 0;
	grown = realloc(findings->items, cap * sizeof(*grown));
	if (grown == NULL)
		return -1;
	findings->items = grown;
	findings->cap = cap;
	return 0;
}

static int dup_or_null(spn_findings *findings, const char *s,
		       const char **out)
{
	size_t n;
	char *copy;

	*out = NULL;
	if (s == NULL)
		return 0;
	n = strlen(s) + 1;
	copy = block_alloc(findings, n);
	if (copy == NULL)
		return -1;
	memcpy(copy, s, n);
	*out = copy;
	return 0;
}

spn_status spn_findings_add(spn_findings *findings, const spn_finding *f)
{
	spn_finding item;
	spn_finding_account *accounts = NULL;
	size_t i;

	memset(&item, 0, sizeof(item));
	if (grow_items(findings, 1) != 0)
		return SPN_E_NOMEM;
	item.check = f->check;   /* static: a name from the check table */
	item.severity = f->severity;
	if (f->n_accounts > 0) {
		if (f->n_accounts > SIZE_MAX / sizeof(*accounts))
			return SPN_E_NOMEM;
		accounts = block_alloc(findings,
				       f->n_accounts * sizeof(*accounts));
		if (accounts == NULL)
			return SPN_E_NOMEM;
	}
	item.accounts = accounts;
	item.n_accounts = f->n_accounts;
	for (i = 0; i < f->n_accounts; i++)
		if (dup_or_null(findings, f->accounts[i].dn,
				&accounts[i].dn) != 0 ||
		    dup_or_null(findings, f->accounts[i].sam,
				&accounts[i].sam) != 0)
			return SPN_E_NOMEM;
	if (dup_or_null(findings, f->spn, &item.spn) != 0 ||
	    dup_or_null(findings, f->host, &item.host) != 0 ||
	    dup_or_null(findings, f->message, &item.message) != 0 ||
	    dup_or_null(findings, findings->no_fixes ? NULL : f->fix,
			&item.fix) != 0)
		return SPN_E_NOMEM;
	findings->items[findings->n++] = item;
	return SPN_OK;
}

SPN_EXPORT spn_status spn_findings_take(spn_findings *dst, spn_findings *src)
{
	block *tail;

	if (dst == NULL || src == NULL || dst == src)
		return SPN_E_USAGE;
	if (grow_items(dst, src->n) != 0)
		return SPN_E_NOMEM;
	if (src->n > 0)
		memcpy(dst->items + dst->n, src->items,
		       src->n * sizeof(*src->items));
	dst->n += src->n;
	src->n = 0;
	/* the copies the findings point to go with them */
	if (src->blocks != NULL) {
		for (tail = src->blocks; tail->next != NULL; tail = tail->next)
			;
		tail->next = dst->blocks;
		dst->blocks = src->blocks;
		src->blocks = NULL;
	}
	return SPN_OK;
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
