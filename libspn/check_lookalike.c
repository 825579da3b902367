/* check_lookalike.c - SPNs that look like another account's SPN (Unicode lookalikes).
 *
 * AD compares SPNs by their key (case folded, otherwise byte for byte), so
 * http/іntranet (Cyrillic і) and http/pay<U+200B>roll pass its duplicate
 * check next to http/intranet and http/payroll. People cannot tell them
 * apart, and CVE-2026-25177 (fixed in March 2026) is about exactly such
 * Unicode SPNs: characters a domain controller accepts when the SPN is
 * written but drops when it looks names up, so the KDC can resolve the
 * plain name to the other account. Names equal under plain case folding
 * are one key: that is dup's finding, not this one.
 *
 * Only SPNs with a non-ASCII byte get a skeleton (confusable.h). A skeleton
 * is looked up in the index's own key table (an all-ASCII SPN's skeleton is
 * its key), and in a map of the skeletons seen so far, which catches two
 * lookalikes of a name nobody holds. */
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "checks.h"
#include "confusable.h"
#include "fix_script.h"

#define MAX_LISTED 4

/* Whether s has a byte above 0x7f: eight bytes at a time up to its NUL. */
static int has_non_ascii(const char *s)
{
	size_t len = strlen(s), i;
	uint64_t w, high = 0;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		high |= w;
	}
	for (; i < len; i++)
		high |= (unsigned char)s[i];
	return (high & UINT64_C(0x8080808080808080)) != 0;
}

typedef size_t (*render_fn)(const char *in, char *out, size_t out_size);

/* fn(in) in buf when it fits, else malloc'd; NULL on no memory. */
static char *render(render_fn fn, const char *in, char *buf, size_t size)
{
	size_t need = fn(in, buf, size);
	char *heap;

	if (need < size)
		return buf;
	heap = malloc(need + 1);
	if (heap != NULL)
		fn(in, heap, need + 1);
	return heap;
}

/* Skeleton keys seen so far -> the key group (head SPN) that had it. */
struct skel_map {
	uint32_t *slots;      /* index into keys, or IDX_NONE */
	uint32_t mask;
	struct skel_key {
		size_t off;       /* into pool */
		uint32_t hash;
		uint32_t head;
	} *keys;
	size_t n_keys;
	char *pool;
	size_t pool_len, pool_cap;
};

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int map_init(struct skel_map *m, size_t n)
{
	size_t size = 16;

	memset(m, 0, sizeof(*m));
	while (size < n * 2 && size < ((size_t)1 << 31))
		size *= 2;
	m->slots = malloc(size * sizeof(*m->slots));
	m->keys = malloc(n * sizeof(*m->keys) + 1);
	if (m->slots == NULL || m->keys == NULL)
		return -1;
	memset(m->slots, 0xff, size * sizeof(*m->slots));
	m->mask = (uint32_t)(size - 1);
	return 0;
}

static void map_free(struct skel_map *m)
{
	free(m->slots);
	free(m->keys);
	free(m->pool);
}

/* The head stored for key, after storing head when key is new; IDX_NONE on
 * no memory. There is room for every non-ASCII SPN (map_init's n). */
static uint32_t map_get_or_put(struct skel_map *m, const char *key,
			       uint32_t head)
{
	uint32_t hash = fnv1a(key), slot = hash & m->mask, k;
	size_t len = strlen(key) + 1, cap;
	char *p;

	while ((k = m->slots[slot]) != IDX_NONE) {
		if (m->keys[k].hash == hash &&
		    strcmp(m->pool + m->keys[k].off, key) == 0)
			return m->keys[k].head;
		slot = (slot + 1) & m->mask;
	}
	if (m->pool_len + len > m->pool_cap) {
		cap = m->pool_cap ? m->pool_cap : 4096;
		while (cap < m->pool_len + len)
			cap *= 2;
		p = realloc(m->pool, cap);
		if (p == NULL)
			return IDX_NONE;
		m->pool = p;
		m->pool_cap = cap;
	}
	memcpy(m->pool + m->pool_len, key, len);
	m->keys[m->n_keys].off = m->pool_len;
	m->keys[m->n_keys].hash = hash;
	m->keys[m->n_keys].head = head;
	m->slots[slot] = (uint32_t)m->n_keys++;
	m->pool_len += len;
	return head;
}

static int group_only_held_by(const spn_index *index, uint32_t head,
			      uint32_t account)
{
	uint32_t s;

	for (s = head; s != IDX_NONE; s = index->spns[s].next_same)
		if (index->spns[s].account != account)
			return 0;
	return 1;
}

static void list_labels(strbuf *b, const spn_index *index,
			const uint32_t *acc, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < MAX_LISTED; i++)
		strbuf_printf(b, "%s%s", i ? ", " : "",
			      idx_account_label(index, acc[i]));
	if (n > MAX_LISTED)
		strbuf_printf(b, " and %zu more", n - MAX_LISTED);
}

/* "text", followed by " (written ESCAPED)" when it has characters outside
 * printable ASCII. */
static void put_spn(strbuf *b, const char *text)
{
	char buf[512], *esc;

	strbuf_puts(b, text);
	if (!has_non_ascii(text))
		return;
	esc = render(spn_escape_unicode, text, buf, sizeof(buf));
	if (esc == NULL) {
		b->failed = 1;
		return;
	}
	strbuf_printf(b, " (written %s)", esc);
	if (esc != buf)
		free(esc);
}

/* The lookalike key group (head; look is the SPN that collided) against
 * target: acc[0..n_look) hold the lookalike, acc[n_look..n) the target. */
static spn_status report(spn_ctx *ctx, const spn_index *index,
			 uint32_t head, uint32_t look, uint32_t target,
			 const uint32_t *acc, size_t n_look, size_t n,
			 spn_findings *findings)
{
	const char *spn = idx_s(index, index->spns[look].text);
	const char *other = idx_s(index, index->spns[target].text);
	unsigned int kinds = spn_lookalike_kinds(spn) |
			     spn_lookalike_kinds(other);
	spn_finding_account *accounts = NULL;
	strbuf msg = STRBUF_INIT, fx = STRBUF_INIT;
	char *host = NULL;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	size_t i, j, n_accounts = 0;
	int seen, fixes = spn_findings_fixes(findings);

	if (spn_findings_spn_host(spn, &host) != 0)
		goto cleanup;
	accounts = calloc(n, sizeof(*accounts));
	if (accounts == NULL)
		goto cleanup;
	/* every account once: the lookalike's holders, then the target's */
	for (i = 0; i < n; i++) {
		seen = 0;
		for (j = 0; j < n_look && j < i && !seen; j++)
			seen = acc[j] == acc[i];
		if (!seen)
			accounts[n_accounts++] = idx_finding_account(index, acc[i]);
	}

	put_spn(&msg, spn);
	strbuf_puts(&msg, " on ");
	list_labels(&msg, index, acc, n_look);
	strbuf_puts(&msg, " looks like ");
	put_spn(&msg, other);
	strbuf_puts(&msg, " on ");
	list_labels(&msg, index, acc + n_look, n - n_look);
	strbuf_puts(&msg, " but is another name to AD, so both passed its "
		    "duplicate check.");
	if (kinds & SPN_LOOK_INVISIBLE)
		strbuf_puts(&msg, " They differ by invisible characters, which "
			    "domain controllers without the March 2026 updates "
			    "drop when they look SPNs up (CVE-2026-25177): the "
			    "KDC may then encrypt tickets for the plain name "
			    "with the wrong account's key, hijacking or "
			    "breaking that service.");
	else
		strbuf_puts(&msg, " A person cannot tell them apart, so a "
			    "link, script or setting that carries the "
			    "lookalike gets tickets for the other account; "
			    "Unicode SPNs that slip past AD's duplicate check "
			    "are the technique of CVE-2026-25177.");

	if (fixes) {
		strbuf_puts(&fx, "# Review: remove the lookalike unless it is "
			    "meant to be there, and find out who wrote it:\n");
		fix_remove_chain(&fx, index, head);
	}
	memset(&f, 0, sizeof(f));
	f.check = "lookalike";
	f.severity = SPN_SEVERITY_ERROR;
	f.spn = spn;
	f.host = host;
	f.accounts = accounts;
	f.n_accounts = n_accounts;
	st = spn_findings_add_built(ctx, findings, &f, &msg,
				    fixes ? &fx : NULL);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting the lookalike SPN %s",
			  spn);
	strbuf_free(&msg);
	strbuf_free(&fx);
	free(accounts);
	free(host);
	return st;
}

/* The key group another SPN of the index collides with when spn is reduced
 * to its skeleton: IDX_NONE when none, head when only itself. */
static uint32_t collision(const spn_index *index, struct skel_map *map,
			  uint32_t head, const char *spn, spn_status *st)
{
	char sk_buf[512], key_buf[512], *sk, *key = NULL;
	uint32_t t;

	*st = SPN_OK;
	sk = render(spn_skeleton, spn, sk_buf, sizeof(sk_buf));
	if (sk == NULL) {
		*st = SPN_E_NOMEM;
		return IDX_NONE;
	}
	t = idx_find_spn(index, sk);
	if (t == IDX_NONE) {
		/* nobody holds the plain name: another lookalike may */
		key = render(spn_key, sk, key_buf, sizeof(key_buf));
		if (key == NULL)
			*st = SPN_E_NOMEM;
		else
			t = map_get_or_put(map, key, head);
		if (key != NULL && t == IDX_NONE)
			*st = SPN_E_NOMEM;
	}
	if (sk != sk_buf)
		free(sk);
	if (key != NULL && key != key_buf)
		free(key);
	return t;
}

spn_status spn_check_lookalike(spn_ctx *ctx, const spn_index *index,
			       spn_findings *findings)
{
	struct skel_map map;
	uint32_t *acc = NULL;
	size_t n_non_ascii = 0, n, n_look, cap = 0;
	uint32_t i, s, t, target, look;
	spn_status st = SPN_OK;

	for (i = 0; i < index->n_spns; i++)
		if (has_non_ascii(idx_s(index, index->spns[i].text)))
			n_non_ascii++;
	if (n_non_ascii == 0)
		return SPN_OK;
	if (map_init(&map, n_non_ascii) != 0) {
		st = spn_error(ctx, SPN_E_NOMEM, "out of memory in lookalike");
		goto cleanup;
	}
	IDX_FOR_EACH_KEY_HEAD(index, i) {
		target = IDX_NONE;
		look = IDX_NONE;
		for (s = i; s != IDX_NONE && target == IDX_NONE;
		     s = index->spns[s].next_same) {
			const char *text = idx_s(index, index->spns[s].text);

			if (!has_non_ascii(text))
				continue;
			t = collision(index, &map, i, text, &st);
			if (st != SPN_OK) {
				spn_error(ctx, st, "out of memory in lookalike");
				goto cleanup;
			}
			if (t != IDX_NONE && t != i) {
				target = t;
				look = s;
			}
		}
		if (target == IDX_NONE)
			continue;
		/* one account holding both names: no other account's key */
		if (group_only_held_by(index, i, index->spns[i].account) &&
		    group_only_held_by(index, target, index->spns[i].account))
			continue;
		n = 0;
		if (idx_group_holders(index, i, 0, &acc, NULL, &n, &cap) != 0) {
			st = spn_error(ctx, SPN_E_NOMEM, "out of memory in lookalike");
			goto cleanup;
		}
		n_look = n;
		if (idx_group_holders(index, target, n_look, &acc, NULL, &n,
				      &cap) != 0) {
			st = spn_error(ctx, SPN_E_NOMEM, "out of memory in lookalike");
			goto cleanup;
		}
		st = report(ctx, index, i, look, target, acc, n_look, n,
			    findings);
		if (st != SPN_OK)
			goto cleanup;
	}
cleanup:
	map_free(&map);
	free(acc);
	return st;
}
