/* index_digest.h - everything an index holds, as text, for tests that
 * compare two indexes built in different ways (test_index.c, test_ldif.c,
 * the LDIF fuzz target). */
#ifndef SPNKIT_INDEX_DIGEST_H
#define SPNKIT_INDEX_DIGEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index_impl.h"

typedef struct index_digest {
	char *text;
	size_t len, cap;
	int failed;     /* out of memory */
} index_digest;

static void digest_add(index_digest *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void digest_add(index_digest *d, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	if (d->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->text != NULL ? d->text + d->len : NULL,
			      d->cap - d->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			d->failed = 1;
			return;
		}
		if ((size_t)n < d->cap - d->len) {
			d->len += (size_t)n;
			return;
		}
		p = realloc(d->text, d->cap * 2 + (size_t)n + 64);
		if (p == NULL) {
			d->failed = 1;
			return;
		}
		d->text = p;
		d->cap = d->cap * 2 + (size_t)n + 64;
	}
}

/* The accounts with their SPNs (text, key group, head bit), the DNS nodes
 * with their records, the mappings and the counts, one line each; NULL
 * when out of memory (free the text). */
static char *index_digest_text(const spn_index *index)
{
	index_digest d = { NULL, 0, 0, 0 };
	uint32_t i, k;

	digest_add(&d, "accounts %u spns %u keys %u extra %u passed %zu %zu\n",
		   index->n_accounts, index->n_spns, index->n_keys,
		   index->n_extra, index->passed_accounts, index->passed_spns);
	for (i = 0; i < index->n_accounts; i++) {
		const idx_account *a = &index->accounts[i];

		digest_add(&d, "A %s|%s|%s|%u|%u:%u|%u:%u|%u+%u\n",
			   idx_s(index, a->dn), idx_s(index, a->sam),
			   idx_s(index, a->dns_host), a->kind, a->has_uac,
			   a->uac, a->has_enc_types, a->enc_types,
			   a->first_spn, a->n_spns);
		for (k = 0; k < a->n_extra; k++)
			digest_add(&d, " extra %s\n", idx_s(index,
				   index->extra_names[a->first_extra + k]));
	}
	for (i = 0; i < index->n_spns; i++)
		digest_add(&d, "S %s|%u|%u|%u|%u\n",
			   idx_s(index, index->spns[i].text),
			   index->spns[i].account, index->spns[i].next_same,
			   idx_is_head(index, i),
			   idx_find_spn(index, idx_s(index, index->spns[i].text)));
	for (i = 0; i < index->n_dns_nodes; i++) {
		const idx_dns_node *n = &index->dns_nodes[i];

		digest_add(&d, "N %s|%s|%u\n", idx_s(index, n->fqdn),
			   idx_s(index, n->zone), n->tombstoned);
		for (k = 0; k < n->n_records; k++) {
			const idx_dns_record *r =
				&index->dns_records[n->first_record + k];

			digest_add(&d, " R %u %s\n", r->type,
				   idx_s(index, r->data));
		}
	}
	for (i = 0; i < index->n_mappings; i++)
		digest_add(&d, "M %s=%s\n",
			   idx_s(index, index->mappings[i].alias),
			   idx_s(index, index->mappings[i].target));
	if (d.failed) {
		free(d.text);
		return NULL;
	}
	return d.text;
}

#endif
