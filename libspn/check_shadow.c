/* check_shadow.c - explicit SPNs that take a name from a computer's HOST/ SPN.
 *
 * sPNMappings lets HOST/name stand in for cifs/name, http/name and the other
 * classes it lists: the KDC looks the requested SPN up first and maps it to
 * HOST/ only when no account holds it. So cifs/app03 on a user account,
 * while APP03$ holds HOST/app03, sends every ticket for cifs/app03 to the
 * user's key: the file service on app03, running as the computer, cannot
 * decrypt them. Right only when the service really runs as that user. The
 * classes come from the index's sPNMappings (target "host"); an index
 * without any (an LDIF without the Directory Service object) gets the
 * Windows default list, and the fix says so. The mapped name is looked up
 * with the index's key rules, as the KDC compares names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spn/name.h>
#include "checks.h"
#include "fix_script.h"

#define MAX_LISTED 4

struct classes {
	const char **names;   /* lower case (ASCII), sorted */
	char *text;           /* the lower-case copies */
	char *buf;            /* room for the longest name and a NUL */
	size_t n, max_len;
	uint64_t lengths[256];  /* per first byte: bit min(len, 63) of names */
	int defaults;         /* the index had no sPNMappings */
};

/* ASCII lower case, as strcasecmp compares. */
static char lower(char c)
{
	return (unsigned char)(c - 'A') < 26u ? (char)(c + 0x20) : c;
}

static int cmp_class(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The service classes that map to host, in lower case and sorted for
 * bsearch: strcmp of lower-case copies orders and matches them as
 * strcasecmp does. */
static spn_status load_classes(spn_ctx *ctx, const spn_index *index,
			       struct classes *c)
{
	const char *name;
	size_t i, j, n = 0, bytes = 0, off = 0;

	c->defaults = index->n_mappings == 0;
	c->names = calloc(c->defaults ? spn_n_default_host_aliases : index->n_mappings + 1,
			  sizeof(*c->names));
	if (c->names == NULL)
		return spn_error(ctx, SPN_E_NOMEM, "out of memory in shadow");
	if (c->defaults) {
		for (i = 0; i < spn_n_default_host_aliases; i++)
			c->names[n++] = spn_default_host_aliases[i];
		spn_log(ctx, SPN_LOG_INFO, "shadow: no sPNMappings in the "
			"index; using the Windows default list");
	} else {
		for (i = 0; i < index->n_mappings; i++) {
			const idx_mapping *m = &index->mappings[i];

			if (strcasecmp(idx_s(index, m->target), "host") == 0 &&
			    strcasecmp(idx_s(index, m->alias), "host") != 0)
				c->names[n++] = idx_s(index, m->alias);
		}
	}
	for (i = 0; i < n; i++) {
		j = strlen(c->names[i]);
		bytes += j + 1;
		if (j > c->max_len)
			c->max_len = j;
	}
	c->text = malloc(bytes + 1);
	c->buf = malloc(c->max_len + 1);
	if (c->text == NULL || c->buf == NULL)
		return spn_error(ctx, SPN_E_NOMEM, "out of memory in shadow");
	for (i = 0; i < n; i++) {
		name = c->names[i];
		c->names[i] = c->text + off;
		for (j = 0; name[j] != '\0'; j++)
			c->text[off++] = lower(name[j]);
		c->text[off++] = '\0';
		c->lengths[(unsigned char)c->names[i][0]] |=
			UINT64_C(1) << (j < 63 ? j : 63);
	}
	qsort(c->names, n, sizeof(*c->names), cmp_class);
	c->n = n;
	return SPN_OK;
}

/* Whether the service class of spn (the text before its first '/') is one
 * that maps to host; *rest_out points after the '/'. */
static int mapped_class(const struct classes *c, const char *spn,
			const char **rest_out)
{
	const char *slash = strchr(spn, '/');
	char *buf = c->buf;
	size_t len, lo = 0, hi = c->n, i;
	int r;

	if (slash == NULL || slash == spn || slash[1] == '\0')
		return 0;
	len = (size_t)(slash - spn);
	if (len > c->max_len)
		return 0;   /* longer than every class name */
	buf[0] = lower(spn[0]);
	/* no class name starts so and is so long: most SPNs stop here */
	if (!((c->lengths[(unsigned char)buf[0]] >> (len < 63 ? len : 63)) & 1))
		return 0;
	for (i = 1; i < len; i++)
		buf[i] = lower(spn[i]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = c->names[mid];

		r = strncmp(buf, name, len);
		if (r == 0 && name[len] != '\0')
			r = -1;     /* spn's class is a prefix of name */
		if (r < 0) {
			hi = mid;
		} else if (r > 0) {
			lo = mid + 1;
		} else {
			*rest_out = slash + 1;
			return 1;
		}
	}
	return 0;
}

/* The head of the key group of "host/" + rest, or IDX_NONE. */
static uint32_t find_host_spn(const spn_index *index, const char *rest,
			      spn_status *st)
{
	char buf[512], *name = buf;
	size_t need = 5 + strlen(rest) + 1;
	uint32_t head;

	*st = SPN_OK;
	if (need > sizeof(buf)) {
		name = malloc(need);
		if (name == NULL) {
			*st = SPN_E_NOMEM;
			return IDX_NONE;
		}
	}
	memcpy(name, "host/", 5);
	memcpy(name + 5, rest, need - 5);
	head = idx_find_spn(index, name);
	if (name != buf)
		free(name);
	return head;
}

static int group_has_account(const spn_index *index, uint32_t head,
			     uint32_t account)
{
	uint32_t s;

	for (s = head; s != IDX_NONE; s = index->spns[s].next_same)
		if (index->spns[s].account == account)
			return 1;
	return 0;
}

static void list_labels(strbuf *b, const spn_finding_account *fa, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < MAX_LISTED; i++)
		strbuf_printf(b, "%s%s", i ? ", " : "", finding_account_label(&fa[i]));
	if (n > MAX_LISTED)
		strbuf_printf(b, " and %zu more", n - MAX_LISTED);
}

/* acc[0..n_explicit) hold the explicit SPN, the rest its HOST/ name. */
static spn_status report(spn_ctx *ctx, const spn_index *index,
			 const struct classes *c, uint32_t head,
			 uint32_t host_head, const uint32_t *acc,
			 size_t n_explicit, size_t n, spn_findings *findings)
{
	const char *spn = idx_s(index, index->spns[head].text);
	const char *host_spn = idx_s(index, index->spns[host_head].text);
	size_t class_len = (size_t)(strchr(spn, '/') - spn);
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fx = STRBUF_INIT;
	char *host = NULL;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	size_t i;
	int fixes = spn_findings_fixes(findings);

	if (spn_findings_spn_host(spn, &host) != 0)
		goto cleanup;
	accounts = calloc(n, sizeof(*accounts));
	if (accounts == NULL)
		goto cleanup;
	for (i = 0; i < n; i++)
		accounts[i] = idx_finding_account(index, acc[i]);

	strbuf_printf(&msg, "%s on ", spn);
	list_labels(&msg, accounts, n_explicit);
	strbuf_printf(&msg, " takes precedence over %s on ", host_spn);
	list_labels(&msg, accounts + n_explicit, n - n_explicit);
	strbuf_printf(&msg, " (sPNMappings maps %.*s to host): the KDC "
		      "encrypts every ticket for it with ", (int)class_len, spn);
	list_labels(&msg, accounts, n_explicit);
	strbuf_printf(&msg, "'s key, so a %.*s/ service running as the "
		      "computer cannot accept them and clients fail or fall "
		      "back to NTLM. This is right only if the service runs as ",
		      (int)class_len, spn);
	list_labels(&msg, accounts, n_explicit);
	strbuf_puts(&msg, ".");

	if (fixes && c->defaults)
		strbuf_puts(&fx, "# sPNMappings were not loaded (an LDIF "
			    "without CN=Directory Service): the Windows default "
			    "list was used.\n");
	if (fixes) {
		strbuf_puts(&fx, "# Review: if the service runs as the "
			    "computer, remove ");
		fix_comment_text(&fx, spn);
		strbuf_puts(&fx, " and let ");
		fix_comment_text(&fx, host_spn);
		strbuf_puts(&fx, " cover it:\n");
		fix_remove_chain(&fx, index, head);
	}
	memset(&f, 0, sizeof(f));
	f.check = "shadow";
	f.severity = SPN_SEVERITY_WARNING;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = n;
	st = spn_findings_add_built(ctx, findings, &f, &msg,
				    fixes ? &fx : NULL);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting the shadowing SPN %s",
			  spn);
	strbuf_free(&msg);
	strbuf_free(&fx);
	free(accounts);
	free(host);
	return st;
}

spn_status spn_check_shadow(spn_ctx *ctx, const spn_index *index,
			    spn_findings *findings)
{
	struct classes c;
	uint32_t *acc = NULL;
	size_t n, n_explicit, cap = 0, j;
	const char *rest;
	uint32_t i, host_head;
	spn_status st;
	int shared;

	memset(&c, 0, sizeof(c));
	st = load_classes(ctx, index, &c);
	if (st != SPN_OK)
		goto cleanup;
	IDX_FOR_EACH_KEY_HEAD(index, i) {
		if (!mapped_class(&c, idx_s(index, index->spns[i].text), &rest))
			continue;
		host_head = find_host_spn(index, rest, &st);
		if (st != SPN_OK) {
			spn_error(ctx, st, "out of memory in shadow");
			goto cleanup;
		}
		if (host_head == IDX_NONE)
			continue;
		n = 0;
		if (idx_group_holders(index, i, 0, &acc, NULL, &n, &cap) != 0) {
			st = spn_error(ctx, SPN_E_NOMEM, "out of memory in shadow");
			goto cleanup;
		}
		n_explicit = n;
		/* A HOST/ holder that also holds the explicit SPN: the name
		 * is its own (or duplicated, which dup reports). */
		shared = 0;
		for (j = 0; j < n_explicit && !shared; j++)
			shared = group_has_account(index, host_head, acc[j]);
		if (shared)
			continue;
		if (idx_group_holders(index, host_head, 0, &acc, NULL, &n,
				      &cap) != 0) {
			st = spn_error(ctx, SPN_E_NOMEM, "out of memory in shadow");
			goto cleanup;
		}
		st = report(ctx, index, &c, i, host_head, acc, n_explicit, n,
			    findings);
		if (st != SPN_OK)
			goto cleanup;
	}
	st = SPN_OK;
cleanup:
	free(acc);
	free(c.names);
	free(c.text);
	free(c.buf);
	return st;
}
