/* fuzz_ldif.c - libFuzzer target: the LDIF reader and the LDIF loader over
 * bytes held in memory, and differential: the reader in parts against the
 * one-pass reader, the full load in parts against the one-pass load, the
 * dup check's two-pass load against the full load. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spn/spn.h>
#include "index_impl.h"
#include "ldif.h"
#include "../unit/index_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte the entry view points at, so that a view past its buffer
 * is caught by the sanitizer. */
static spn_status touch_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			      void *userdata)
{
	unsigned int *sum = userdata;
	size_t i, j;

	(void)ctx;
	if (e->dn[e->dn_len] != '\0')
		__builtin_trap();
	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];

		if (a->name_len == 0 || a->name[a->name_len] != '\0' ||
		    a->options[a->options_len] != '\0' ||
		    a->value[a->value_len] != '\0')
			__builtin_trap();
		for (j = 0; j < a->value_len; j++)
			*sum += (unsigned char)a->value[j];
	}
	return SPN_OK;
}

/* ---- the reader in parts: the same entries, lines and byte ranges ------ */

typedef struct entry_sum {
	uint64_t hash;         /* of the dn, attributes and byte range */
	size_t line;           /* dn line, from the start of the part */
} entry_sum;

typedef struct entry_list {
	entry_sum *items;
	size_t n, cap;
	int skip_dc;           /* skip the entries whose dn starts "DC=" */
} entry_list;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * UINT64_C(0x100000001b3);
	return h;
}

static spn_status list_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			     void *userdata)
{
	entry_list *l = userdata;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	(void)ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		entry_sum *grown = realloc(l->items, cap * sizeof(*grown));

		if (grown == NULL)
			return SPN_E_NOMEM;
		l->items = grown;
		l->cap = cap;
	}
	h = mix(h, e->dn, e->dn_len + 1);
	h = mix(h, &e->offset, sizeof(e->offset));
	h = mix(h, &e->end, sizeof(e->end));
	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];
		size_t below = a->line - e->line;   /* the same in any part */

		h = mix(h, a->name, a->name_len + 1);
		h = mix(h, a->options, a->options_len + 1);
		h = mix(h, a->value, a->value_len + 1);
		h = mix(h, &below, sizeof(below));
	}
	l->items[l->n].hash = h;
	l->items[l->n].line = e->line;
	l->n++;
	return SPN_OK;
}

static int skip_dc(const char *dn, size_t dn_len, void *userdata)
{
	const entry_list *l = userdata;

	return l->skip_dc && dn_len >= 3 && memcmp(dn, "DC=", 3) == 0;
}

/* The one-pass parse and the parse in n parts hand over the same entries
 * at the same lines (a part counts from its start: base[i] lines before
 * it) and byte ranges, or both fail. */
static void compare_split(spn_ctx *ctx, const char *buf, size_t size,
			  size_t n_parts, int skip)
{
	entry_list whole, parts[SPN_LDIF_MAX_PARTS];
	void *userdata[SPN_LDIF_MAX_PARTS];
	size_t starts[SPN_LDIF_MAX_PARTS + 1], base[SPN_LDIF_MAX_PARTS];
	size_t n, i, j, k = 0;
	spn_status one, split;

	memset(&whole, 0, sizeof(whole));
	memset(parts, 0, sizeof(parts));
	whole.skip_dc = skip;
	one = spn_ldif_parse_buffer(ctx, "fuzz.ldif", buf, size, skip_dc,
				    list_entry, &whole);
	n = spn_ldif_split(buf, size, n_parts, starts);
	for (i = 0; i < n; i++) {
		parts[i].skip_dc = skip;
		userdata[i] = &parts[i];
	}
	split = spn_ldif_parse_split("fuzz.ldif", buf, size, 0, starts, n,
				     skip_dc, list_entry, NULL, NULL, NULL,
				     userdata, base);
	if (one == SPN_E_NOMEM || split == SPN_E_NOMEM)
		goto cleanup;
	if ((one == SPN_OK) != (split == SPN_OK))
		__builtin_trap();
	if (one != SPN_OK)
		goto cleanup;
	for (i = 0; i < n; i++) {
		for (j = 0; j < parts[i].n; j++, k++) {
			if (k >= whole.n ||
			    parts[i].items[j].line + base[i] !=
				    whole.items[k].line ||
			    parts[i].items[j].hash != whole.items[k].hash)
				__builtin_trap();
		}
	}
	if (k != whole.n)
		__builtin_trap();

cleanup:
	free(whole.items);
	for (i = 0; i < SPN_LDIF_MAX_PARTS; i++)
		free(parts[i].items);
}

/* ---- the full load in parts against the one-pass load ------------------ */

typedef struct full_outcome {
	spn_status load;
	char error[1024];
	size_t n_logged;
	char *index;           /* index_digest_text, or NULL */
} full_outcome;

static void count_log(spn_log_level level, const char *message, void *userdata)
{
	(void)level;
	(void)message;
	(*(size_t *)userdata)++;
}

static void run_full(spn_ctx *ctx, const char *buf, size_t size,
		     size_t n_parts, full_outcome *out)
{
	spn_index *index = NULL;

	memset(out, 0, sizeof(*out));
	if (spn_index_new(&index) != SPN_OK) {
		out->load = SPN_E_NOMEM;
		return;
	}
	spn_ctx_clear_error(ctx);
	spn_ctx_set_log(ctx, SPN_LOG_DEBUG, count_log, &out->n_logged);
	out->load = spn_index_load_ldif_parts(index, ctx, "fuzz.ldif", buf,
					      size, SPN_LOAD_ACCOUNTS |
					      SPN_LOAD_DNS | SPN_LOAD_MAPPINGS,
					      n_parts);
	spn_ctx_set_log(ctx, SPN_LOG_ERROR, NULL, NULL);
	snprintf(out->error, sizeof(out->error), "%s", spn_ctx_error(ctx));
	out->index = index_digest_text(index);
	spn_index_free(index);
}

static void compare_full(spn_ctx *ctx, const char *buf, size_t size,
			 size_t n_parts)
{
	full_outcome one, parts;

	run_full(ctx, buf, size, 1, &one);
	run_full(ctx, buf, size, n_parts, &parts);
	if (one.load != SPN_E_NOMEM && parts.load != SPN_E_NOMEM &&
	    one.index != NULL && parts.index != NULL &&
	    (one.load != parts.load || strcmp(one.error, parts.error) != 0 ||
	     one.n_logged != parts.n_logged ||
	     strcmp(one.index, parts.index) != 0))
		__builtin_trap();
	free(one.index);
	free(parts.index);
}

/* ---- the dup check's load against the full load ------------------------ */

typedef struct outcome {
	spn_status load;
	char error[1024];
	size_t accounts, spns;
	spn_status check;
	uint64_t findings;     /* hash of every finding, in order */
	size_t n_findings;
} outcome;

static void run_dup(spn_ctx *ctx, const char *buf, size_t size,
		    unsigned int what, size_t n_parts, outcome *out)
{
	spn_index *index = NULL;
	spn_findings *findings = NULL;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i, j;

	memset(out, 0, sizeof(*out));
	if (spn_index_new(&index) != SPN_OK) {
		out->load = SPN_E_NOMEM;
		return;
	}
	spn_ctx_clear_error(ctx);
	out->load = spn_index_load_ldif_parts(index, ctx, "fuzz.ldif", buf,
					      size, what, n_parts);
	snprintf(out->error, sizeof(out->error), "%s", spn_ctx_error(ctx));
	out->accounts = spn_index_account_count(index);
	out->spns = spn_index_spn_count(index);
	if (out->load == SPN_OK && spn_findings_new(&findings) == SPN_OK) {
		out->check = spn_check_run(ctx, index, "dup", findings);
		out->n_findings = spn_findings_count(findings);
		for (i = 0; i < out->n_findings; i++) {
			const spn_finding *f = spn_findings_get(findings, i);

			h = mix(h, f->message, strlen(f->message) + 1);
			if (f->fix != NULL)
				h = mix(h, f->fix, strlen(f->fix) + 1);
			if (f->spn != NULL)
				h = mix(h, f->spn, strlen(f->spn) + 1);
			for (j = 0; j < f->n_accounts; j++)
				h = mix(h, f->accounts[j].dn,
					strlen(f->accounts[j].dn) + 1);
		}
		out->findings = h;
	}
	spn_findings_free(findings);
	spn_index_free(index);
}

static void compare_dup(spn_ctx *ctx, const char *buf, size_t size,
			size_t n_parts)
{
	static outcome full, shared;

	run_dup(ctx, buf, size, SPN_LOAD_ACCOUNTS, 0, &full);
	run_dup(ctx, buf, size, SPN_LOAD_ACCOUNTS | SPN_LOAD_SHARED_ONLY,
		n_parts, &shared);
	if (full.load == SPN_E_NOMEM || shared.load == SPN_E_NOMEM)
		return;
	if (full.load != shared.load || strcmp(full.error, shared.error) != 0 ||
	    full.accounts != shared.accounts || full.spns != shared.spns ||
	    full.check != shared.check ||
	    full.n_findings != shared.n_findings ||
	    full.findings != shared.findings)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static spn_ctx *ctx;
	spn_index *index = NULL;
	unsigned int sum = 0;
	const char *buf = (const char *)data;
	size_t n_parts = size > 0 ? 2 + data[size - 1] % 7 : 2;

	if (ctx == NULL && spn_ctx_new(&ctx) != SPN_OK)
		return 0;
	(void)spn_ldif_parse_buffer(ctx, "fuzz.ldif", buf, size, NULL,
				    touch_entry, &sum);
	if (spn_index_new(&index) != SPN_OK)
		return 0;
	(void)spn_index_load_ldif_buffer(index, ctx, "fuzz.ldif", buf, size,
					 SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS |
						 SPN_LOAD_MAPPINGS);
	spn_index_free(index);
	/* and with the DNS entries skipped unread, as spncheck dup does */
	if (spn_index_new(&index) != SPN_OK)
		return 0;
	(void)spn_index_load_ldif_buffer(index, ctx, "fuzz.ldif", buf, size,
					 SPN_LOAD_ACCOUNTS);
	spn_index_free(index);

	compare_split(ctx, buf, size, n_parts, 0);
	compare_split(ctx, buf, size, n_parts, 1);
	compare_full(ctx, buf, size, n_parts);
	compare_dup(ctx, buf, size, 1);
	compare_dup(ctx, buf, size, n_parts);
	return 0;
}
