/* ldif_parallel.c - the one-pass LDIF load in parts on threads: the parts
 * the calling thread reads from the first on go straight into the
 * caller's index (when it is empty); each of the others is read into an
 * index of its own, as ldif_load_entry reads it, and these are then
 * appended to the caller's in file order. */
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"
#include "index_impl.h"
#include "ldif.h"
#include "ldif_load_impl.h"

/* A part's line numbers count from the part's start, so nothing a part
 * would say can be passed on as it is: a part that logs anything (a
 * warning; at -vv a debug line), or fails, sends the caller back to the
 * one-pass load, which says it with the right line. */
typedef struct part_load {
	loader l;               /* first: the parts' userdata point here */
	size_t n_logged;
	spn_index *direct;      /* the caller's index, when it was empty */
} part_load;

static void count_logged(spn_log_level level, const char *message,
			 void *userdata)
{
	part_load *p = userdata;

	(void)level;
	(void)message;
	p->n_logged++;
}

/* A part read in order by the calling thread goes straight into the
 * caller's empty index, after the parts before it; any other into an
 * index of its own. */
static spn_status begin_part(void *userdata, int in_order)
{
	part_load *p = userdata;

	if (in_order && p->direct != NULL) {
		p->l.index = p->direct;
		return SPN_OK;
	}
	return spn_index_new(&p->l.index);
}

spn_status ldif_load_parallel(spn_index *index, spn_ctx *ctx,
			      const char *name, const char *buf, size_t len,
			      int mapped, unsigned int what, size_t n_parts,
			      loader *total, int *redo_out)
{
	size_t starts[SPN_LDIF_MAX_PARTS + 1], line_base[SPN_LDIF_MAX_PARTS];
	void *userdata[SPN_LDIF_MAX_PARTS];
	const spn_index *appended[SPN_LDIF_MAX_PARTS];
	part_load *parts = NULL;
	spn_index *direct = idx_is_empty(index) ? index : NULL;
	size_t n, i, n_direct = 0;
	spn_status st = SPN_OK;

	*redo_out = 1;
	n = spn_ldif_split(buf, len, n_parts, starts);
	if (n < 2)
		return SPN_OK;
	parts = calloc(n, sizeof(*parts));
	if (parts == NULL)
		return SPN_OK;   /* the one-pass load needs less */
	for (i = 0; i < n; i++) {
		loader *l = &parts[i].l;

		if (spn_ctx_new(&l->ctx) != SPN_OK)
			goto cleanup;
		parts[i].direct = direct;
		/* only what the caller's context would pass on counts */
		if (spn_log_enabled(ctx, SPN_LOG_ERROR))
			spn_ctx_set_log(l->ctx, ctx->log_level, count_logged,
					&parts[i]);
		l->what = what;
		userdata[i] = l;
	}
	/* plain entries straight from the input when accounts are read */
	if (spn_ldif_parse_split(name, buf, len, mapped, starts, n,
				 ldif_skip_unwanted, ldif_load_entry,
				 (what & SPN_LOAD_ACCOUNTS) ?
				 ldif_load_plain_all : NULL,
				 begin_part, NULL, userdata, line_base) != SPN_OK)
		goto cleanup;
	for (i = 0; i < n; i++)
		if (parts[i].n_logged > 0)
			goto cleanup;
	/* the parts read straight into index come first (begin_fn) */
	while (n_direct < n && parts[n_direct].l.index == index)
		n_direct++;
	*redo_out = 0;
	/* all at once: the room is made once, the copies share the cores */
	for (i = n_direct; i < n; i++)
		appended[i - n_direct] = parts[i].l.index;
	if (idx_append_all(index, appended, n - n_direct) != 0) {
		st = spn_error(ctx, SPN_E_NOMEM, "%s: out of memory", name);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const loader *l = &parts[i].l;

		total->n_entries += l->n_entries;
		total->n_accounts += l->n_accounts;
		total->n_spns += l->n_spns;
		total->n_nodes += l->n_nodes;
		total->n_records += l->n_records;
		total->n_mappings += l->n_mappings;
		total->skipped_records += l->skipped_records;
		total->n_unread += l->n_unread;
	}

cleanup:
	if (*redo_out && direct != NULL)
		idx_clear(index);
	for (i = 0; parts != NULL && i < n; i++) {
		ldif_free_loader(&parts[i].l);
		if (parts[i].l.index != index)
			spn_index_free(parts[i].l.index);
		spn_ctx_unref(parts[i].l.ctx);
	}
	free(parts);
	return st;
}
