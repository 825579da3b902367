/* ldif.c - a streaming LDIF reader over a buffer or a mapped file, in one
 * pass (in parts on threads, or over chosen entries: ldif_split.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_impl.h"
#include "ldif_parser.h"

/* Pages of a mapped file behind the parser are dropped in steps this big. */
#define RELEASE_STEP ((size_t)4 << 20)

typedef enum value_kind {
	VAL_PLAIN = 0,  /* attr: text */
	VAL_BASE64,     /* attr:: base64 */
	VAL_URL,        /* attr:< url */
} value_kind;

/* One logical line split into its parts (pointing into the line). */
typedef struct line_parts {
	const char *name;
	size_t name_len;
	const char *options;
	size_t options_len;
	value_kind kind;
	const char *value;
	size_t value_len;
} line_parts;

/* A printable excerpt of s for an error message. */
static const char *shown(const char *s, size_t n, char *out, size_t size)
{
	size_t i, max = size - 4;

	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < n)
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

static spn_status no_memory(parser *p)
{
	return spn_error(p->ctx, SPN_E_NOMEM, "%s:%zu: out of memory", p->source,
			 p->lineno);
}

/* Make room for need more bytes in a growable byte buffer. */
static int reserve(char **buf, size_t *cap, size_t len, size_t need)
{
	size_t new_cap;
	char *grown;

	if (need <= *cap - len)
		return 0;
	if (need > SIZE_MAX / 2 - len)
		return -1;
	new_cap = *cap > 0 ? *cap : 4096;
	while (new_cap - len < need)
		new_cap *= 2;
	grown = realloc(*buf, new_cap);
	if (grown == NULL)
		return -1;
	*buf = grown;
	*cap = new_cap;
	return 0;
}

/* Copy bytes plus a NUL into the arena; *off_out is where they start. */
static spn_status arena_add(parser *p, const char *s, size_t n, size_t *off_out)
{
	if (reserve(&p->arena, &p->arena_cap, p->arena_len, n + 1) != 0)
		return no_memory(p);
	memcpy(p->arena + p->arena_len, s, n);
	p->arena[p->arena_len + n] = '\0';
	*off_out = p->arena_len;
	p->arena_len += n + 1;
	return SPN_OK;
}

/* The value of a base64 character, -1 for any other byte. */
static const signed char base64_values[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* Characters of an attribute type: letters, digits, '-' (and '.' for
 * numeric OIDs). */
const unsigned char ldif_type_chars[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

long ldif_base64_decode(const char *s, size_t n, unsigned char *out)
{
	const unsigned char *in = (const unsigned char *)s;
	size_t i, o = 0, full, pad = 0;
	int v0, v1, v2, v3;

	if (n % 4 != 0)
		return -1;
	if (n == 0)
		return 0;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	/* every quantum but the last has no padding */
	full = n - 4;
	for (i = 0; i < full; i += 4) {
		v0 = base64_values[in[i]];
		v1 = base64_values[in[i + 1]];
		v2 = base64_values[in[i + 2]];
		v3 = base64_values[in[i + 3]];
		if ((v0 | v1 | v2 | v3) < 0)
			return -1;
		out[o++] = (unsigned char)(v0 << 2 | v1 >> 4);
		out[o++] = (unsigned char)((v1 & 0xf) << 4 | v2 >> 2);
		out[o++] = (unsigned char)((v2 & 0x3) << 6 | v3);
	}
	v0 = base64_values[in[i]];
	v1 = base64_values[in[i + 1]];
	v2 = pad >= 2 ? 0 : base64_values[in[i + 2]];
	v3 = pad >= 1 ? 0 : base64_values[in[i + 3]];
	if ((v0 | v1 | v2 | v3) < 0)
		return -1;
	out[o++] = (unsigned char)(v0 << 2 | v1 >> 4);
	if (pad < 2)
		out[o++] = (unsigned char)((v1 & 0xf) << 4 | v2 >> 2);
	if (pad < 1)
		out[o++] = (unsigned char)((v2 & 0x3) << 6 | v3);
	return (long)o;
}

/* The next physical line, its CR LF or LF removed. Every line must end in
 * a newline: a last line without one is a file cut short. */
static spn_status read_physical(parser *p, const char **s_out, size_t *n_out)
{
	const char *start = p->buf + p->pos;
	const char *nl = memchr(start, '\n', p->len - p->pos);
	size_t n;

	p->lineno++;
	if (nl == NULL)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: the last line has no newline: the file "
				 "looks truncated", p->source, p->lineno);
	n = (size_t)(nl - start);
	p->pos += n + 1;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*s_out = start;
	*n_out = n;
	return SPN_OK;
}

/* The next logical line: a physical line with its continuation lines (each
 * starting with one space, which is removed) appended. Comments keep only
 * their first physical line. */
static spn_status read_logical(parser *p, const char **s_out, size_t *n_out,
			       size_t *line_out)
{
	const char *s = NULL, *cont = NULL;
	size_t n = 0, cont_len = 0, used = 0, line;
	int comment;
	spn_status st;

	st = read_physical(p, &s, &n);
	if (st != SPN_OK)
		return st;
	line = p->lineno;
	if (n > 0 && s[0] == ' ')
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: a continuation line (starting with a "
				 "space) follows no line it could continue",
				 p->source, line);
	if (n > 0 && p->pos < p->len && p->buf[p->pos] == ' ') {
		comment = s[0] == '#';
		if (!comment) {
			if (reserve(&p->fold, &p->fold_cap, 0, n) != 0)
				return no_memory(p);
			memcpy(p->fold, s, n);
			used = n;
		}
		while (p->pos < p->len && p->buf[p->pos] == ' ') {
			st = read_physical(p, &cont, &cont_len);
			if (st != SPN_OK)
				return st;
			if (comment || cont_len < 1)
				continue;
			if (reserve(&p->fold, &p->fold_cap, used,
				    cont_len - 1) != 0)
				return no_memory(p);
			memcpy(p->fold + used, cont + 1, cont_len - 1);
			used += cont_len - 1;
		}
		if (!comment) {
			s = p->fold;
			n = used;
		}
	}
	*s_out = s;
	*n_out = n;
	*line_out = line;
	return SPN_OK;
}

/* A checked attribute description ("type;options") in a direct-mapped
 * cache, so that repeated ones are compared instead of checked again. */
static type_slot *type_cache_slot(parser *p, const char *s, size_t len)
{
	size_t h = len * 7 + (unsigned char)s[0] + (unsigned char)s[len - 1];

	return &p->types[h % TYPE_CACHE_SLOTS];
}

/* Check "type;options" (before the ':'): an attribute type of letters,
 * digits, '-' and '.', then options of printable characters. */
static spn_status check_description(parser *p, const char *s, size_t len,
				    size_t line, size_t *name_len_out)
{
	char what[80];
	size_t name_len, i;

	if (len == 0)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: there is no attribute name before "
				 "the ':'", p->source, line);
	for (name_len = 0; name_len < len &&
	     ldif_type_chars[(unsigned char)s[name_len]]; name_len++)
		;
	if (name_len == 0 || (name_len < len && s[name_len] != ';'))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: '%s' is not a valid attribute name",
				 p->source, line,
				 shown(s, len, what, sizeof(what)));
	for (i = name_len + 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			return spn_error(p->ctx, SPN_E_INPUT,
					 "%s:%zu: '%s' has invalid attribute "
					 "options", p->source, line,
					 shown(s, len, what, sizeof(what)));
	}
	*name_len_out = name_len;
	return SPN_OK;
}

/* Find the ':' of "type;options: value" and check what comes before it:
 * the length of that description and of its type. */
static spn_status split_description(parser *p, const char *s, size_t n,
				    size_t line, size_t *desc_len_out,
				    size_t *name_len_out)
{
	char what[80];
	const unsigned char *u = (const unsigned char *)s;
	const char *colon;
	size_t i = 0, desc_len, name_len = 0;
	type_slot *slot;
	spn_status st;

	/* The common line, "type: value": first a type seen before (by its
	 * first two bytes), then a run of type characters that a ':' ends,
	 * checked as it is found. Options, and every error, take the general
	 * path below. */
	slot = &p->plain[(u[0] * 7u + (n > 1 ? u[1] : 0) * 5u) %
			 PLAIN_CACHE_SLOTS];
	if (slot->len > 0 && slot->len < n && u[slot->len] == ':' &&
	    memcmp(s, slot->text, slot->len) == 0) {
		*desc_len_out = slot->len;
		*name_len_out = slot->len;
		return SPN_OK;
	}
	while (i < n && ldif_type_chars[u[i]])
		i++;
	if (i > 0 && i < n && u[i] == ':') {
		if (i <= sizeof(slot->text)) {
			slot->len = (unsigned char)i;
			memcpy(slot->text, s, i);
		}
		*desc_len_out = i;
		*name_len_out = i;
		return SPN_OK;
	}
	colon = memchr(s, ':', n);
	if (colon == NULL)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: '%s' is not 'attribute: value' (no "
				 "':'): not LDIF?", p->source, line,
				 shown(s, n, what, sizeof(what)));
	desc_len = (size_t)(colon - s);
	if (desc_len == 0)
		return check_description(p, s, 0, line, &name_len);
	slot = type_cache_slot(p, s, desc_len);
	if (slot->len == desc_len && memcmp(slot->text, s, desc_len) == 0) {
		name_len = slot->name_len;
	} else {
		st = check_description(p, s, desc_len, line, &name_len);
		if (st != SPN_OK)
			return st;
		if (desc_len <= sizeof(slot->text)) {
			memcpy(slot->text, s, desc_len);
			slot->len = (unsigned char)desc_len;
			slot->name_len = (unsigned char)name_len;
		}
	}
	*desc_len_out = desc_len;
	*name_len_out = name_len;
	return SPN_OK;
}

/* Split "type;options: value" (or ":: base64", ":< url"). */
static spn_status split_line(parser *p, const char *s, size_t n, size_t line,
			     line_parts *out)
{
	const char *colon;
	size_t desc_len = 0, name_len = 0, rest;
	spn_status st;

	st = split_description(p, s, n, line, &desc_len, &name_len);
	if (st != SPN_OK)
		return st;
	colon = s + desc_len;
	memset(out, 0, sizeof(*out));
	out->name = s;
	out->name_len = name_len;
	if (name_len < desc_len) {
		out->options = s + name_len + 1;
		out->options_len = desc_len - name_len - 1;
	} else {
		out->options = colon;
	}

	rest = n - (size_t)(colon - s) - 1;
	s = colon + 1;
	out->kind = VAL_PLAIN;
	if (rest > 0 && (s[0] == ':' || s[0] == '<')) {
		out->kind = s[0] == ':' ? VAL_BASE64 : VAL_URL;
		s++;
		rest--;
	}
	while (rest > 0 && s[0] == ' ') {
		s++;
		rest--;
	}
	if (out->kind != VAL_PLAIN) {
		while (rest > 0 && (s[rest - 1] == ' ' || s[rest - 1] == '\t'))
			rest--;
	}
	out->value = s;
	out->value_len = rest;
	return SPN_OK;
}

/* Decode the value of a line into the arena. */
static spn_status store_value(parser *p, const line_parts *lp, size_t line,
			      size_t *off_out, size_t *len_out)
{
	char what[80];
	long decoded;

	if (lp->kind == VAL_URL)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: attribute '%s' takes its value from "
				 "the URL '%s': values in other files are not "
				 "read; export the values inline", p->source,
				 line, shown(lp->name, lp->name_len, what,
					     sizeof(what) / 2),
				 shown(lp->value, lp->value_len,
				       what + sizeof(what) / 2,
				       sizeof(what) / 2));
	if (lp->kind == VAL_PLAIN) {
		spn_status st = arena_add(p, lp->value, lp->value_len, off_out);

		if (st == SPN_OK)
			*len_out = lp->value_len;
		return st;
	}
	if (reserve(&p->arena, &p->arena_cap, p->arena_len,
		    lp->value_len / 4 * 3 + 1) != 0)
		return no_memory(p);
	decoded = ldif_base64_decode(lp->value, lp->value_len,
				     (unsigned char *)p->arena + p->arena_len);
	if (decoded < 0)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: the value of attribute '%s' is not "
				 "valid base64", p->source, line,
				 shown(lp->name, lp->name_len, what,
				       sizeof(what)));
	p->arena[p->arena_len + (size_t)decoded] = '\0';
	*off_out = p->arena_len;
	*len_out = (size_t)decoded;
	p->arena_len += (size_t)decoded + 1;
	return SPN_OK;
}

static int name_is(const line_parts *lp, const char *name, size_t len)
{
	return lp->name_len == len && strncasecmp(lp->name, name, len) == 0;
}

/* Drop the pages of a mapped file from p->released up to the page that
 * holds offset upto (which stays). */
void ldif_release_upto(parser *p, size_t upto)
{
	upto &= ~((size_t)sysconf(_SC_PAGESIZE) - 1);
	if (p->mapped && upto > p->released) {
		(void)madvise((void *)(uintptr_t)(p->buf + p->released),
			      upto - p->released, MADV_DONTNEED);
		p->released = upto;
	}
}

void ldif_end_entry(parser *p)
{
	p->n_entries++;
	p->entries_since_count++;
	p->record = REC_NONE;
	p->arena_len = 0;
	p->n_raw = 0;
	if (p->mapped && p->pos > p->released &&
	    p->pos - p->released >= RELEASE_STEP)
		ldif_release_upto(p, p->pos);
}

/* Hand the entry read so far to the callback, then forget it. */
static spn_status dispatch(parser *p)
{
	spn_ldif_entry entry;
	spn_status st;
	size_t i;

	if (p->n_raw > p->attrs_cap) {
		spn_ldif_attr *grown;
		size_t cap = p->attrs_cap > 0 ? p->attrs_cap : 64;

		while (cap < p->n_raw)
			cap *= 2;
		grown = realloc(p->attrs, cap * sizeof(*grown));
		if (grown == NULL)
			return no_memory(p);
		p->attrs = grown;
		p->attrs_cap = cap;
	}
	for (i = 0; i < p->n_raw; i++) {
		const raw_attr *r = &p->raw[i];
		spn_ldif_attr *a = &p->attrs[i];

		a->name = p->arena + r->name;
		a->name_len = r->name_len;
		a->options = p->arena + r->options;
		a->options_len = r->options_len;
		a->value = p->arena + r->value;
		a->value_len = r->value_len;
		a->line = r->line;
	}
	entry.source = p->source;
	entry.line = p->record_line;
	entry.offset = p->record_pos;
	entry.end = p->pos;
	entry.dn = p->arena + p->dn;
	entry.dn_len = p->dn_len;
	entry.attrs = p->attrs;
	entry.n_attrs = p->n_raw;
	st = p->fn(p->ctx, &entry, p->userdata);
	ldif_end_entry(p);
	return st;
}

/* Parse a decimal count after a prefix of an ldapsearch comment. */
static int comment_count(const char *s, size_t n, size_t *count_out)
{
	size_t i, count = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || count > SIZE_MAX / 10 - 1)
			return -1;
		count = count * 10 + (size_t)(s[i] - '0');
	}
	*count_out = count;
	return 0;
}

#define PREFIX_IS(s, n, lit) \
	((n) >= sizeof(lit) - 1 && memcmp((s), (lit), sizeof(lit) - 1) == 0)

/* In a part of the input, a bookkeeping comment is noted for later. */
static spn_status note_comment(parser *p, comment_kind kind, const char *s,
			       size_t n)
{
	comment_note *c;

	if (p->n_notes == p->notes_cap) {
		size_t cap = p->notes_cap > 0 ? p->notes_cap * 2 : 16;
		comment_note *grown;

		if (cap > SIZE_MAX / sizeof(*grown))
			return no_memory(p);
		grown = realloc(p->notes, cap * sizeof(*grown));
		if (grown == NULL)
			return no_memory(p);
		p->notes = grown;
		p->notes_cap = cap;
	}
	c = &p->notes[p->n_notes++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->entries = p->n_entries;
	c->pending = p->record == REC_ENTRY || p->record == REC_UNWANTED;
	if (kind == CM_ENTRIES)
		c->counted = comment_count(s + 14, n - 14, &c->count) == 0;
	return SPN_OK;
}

/* ldapsearch's own comments: its header ("# extended LDIF", "# LDAPv3";
 * not with -LLL) promises a trailer, whose "# numEntries" says how many
 * entries came before it. A part notes them for replay_comments; an entry
 * read again ignores them. */
static spn_status comment_line(parser *p, const char *s, size_t n, size_t line)
{
	size_t count, pending;

	if (p->mode == MODE_ENTRY)
		return SPN_OK;
	if (p->mode == MODE_PART) {
		if ((n == 15 && memcmp(s, "# extended LDIF", 15) == 0) ||
		    (n == 8 && memcmp(s, "# LDAPv3", 8) == 0))
			return note_comment(p, CM_HEADER, s, n);
		if (PREFIX_IS(s, n, "# numResponses: "))
			return note_comment(p, CM_RESPONSES, s, n);
		if (PREFIX_IS(s, n, "# numEntries: "))
			return note_comment(p, CM_ENTRIES, s, n);
		return SPN_OK;
	}
	if ((n == 15 && memcmp(s, "# extended LDIF", 15) == 0) ||
	    (n == 8 && memcmp(s, "# LDAPv3", 8) == 0)) {
		/* the header of an ldapsearch output, repeated for every page
		 * of a paged search: its count starts at the first */
		if (!p->expect_trailer) {
			p->expect_trailer = 1;
			p->trailer_line = line;
			p->entries_since_count = 0;
		}
	} else if (PREFIX_IS(s, n, "# numResponses: ")) {
		p->expect_trailer = 0;
	} else if (PREFIX_IS(s, n, "# numEntries: ")) {
		pending = p->entries_since_count + (p->record == REC_ENTRY ||
						    p->record == REC_UNWANTED);
		if (comment_count(s + 14, n - 14, &count) == 0 &&
		    count != pending)
			return spn_error(p->ctx, SPN_E_INPUT,
					 "%s:%zu: ldapsearch counted %zu entries "
					 "here but the file holds %zu: it is "
					 "incomplete or was edited", p->source,
					 line, count, pending);
		p->entries_since_count = 0;
	}
	return SPN_OK;
}

/* A line that starts a record. */
static spn_status start_record(parser *p, const line_parts *lp, size_t line)
{
	char what[80];
	size_t off, len;
	spn_status st;

	/* RFC 2849 puts it first; paged ldapsearch -L repeats it per page */
	if (name_is(lp, "version", 7) && lp->options_len == 0) {
		st = store_value(p, lp, line, &off, &len);
		if (st != SPN_OK)
			return st;
		p->arena_len = 0;
		if (len != 1 || p->arena[off] != '1')
			return spn_error(p->ctx, SPN_E_INPUT,
					 "%s:%zu: LDIF version '%s' is not "
					 "supported (only 1)", p->source, line,
					 shown(p->arena + off, len, what,
					       sizeof(what)));
		return SPN_OK;
	}
	p->record_line = line;
	p->record_pos = p->line_pos;
	if (name_is(lp, "dn", 2) && lp->options_len == 0) {
		st = store_value(p, lp, line, &p->dn, &p->dn_len);
		if (st != SPN_OK)
			return st;
		p->record = REC_ENTRY;
		if (p->skip != NULL &&
		    p->skip(p->arena + p->dn, p->dn_len, p->userdata))
			p->record = REC_UNWANTED;
		return SPN_OK;
	}
	if (name_is(lp, "search", 6)) {
		p->record = REC_RESULT;
		return SPN_OK;
	}
	if (name_is(lp, "ref", 3)) {
		p->record = REC_SKIP;
		return SPN_OK;
	}
	return spn_error(p->ctx, SPN_E_INPUT,
			 "%s:%zu: an entry must start with 'dn:', not '%s:'",
			 p->source, line,
			 shown(lp->name, lp->name_len, what, sizeof(what)));
}

/* A line of ldapsearch's result record ("search: 4", "result: 0 Success",
 * "control: ...", "pagedresults: cookie=...", "matchedDN:", "text:") or of
 * a search reference ("ref: ldap://..."). A result other than 0 means the
 * search did not return everything; a dn there means a blank line is
 * missing and an entry would be lost. */
static spn_status result_line(parser *p, const line_parts *lp, size_t line)
{
	char what[80];
	size_t off, len;
	spn_status st;

	if (name_is(lp, "dn", 2))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: 'dn:' inside ldapsearch's %s record "
				 "that starts at line %zu (a blank line is "
				 "missing?)", p->source, line,
				 p->record == REC_RESULT ? "result" :
							   "search reference",
				 p->record_line);
	if (p->record != REC_RESULT || !name_is(lp, "result", 6))
		return SPN_OK;
	st = store_value(p, lp, line, &off, &len);
	if (st != SPN_OK)
		return st;
	p->arena_len = 0;
	if (len < 1 || p->arena[off] != '0' ||
	    (len > 1 && p->arena[off + 1] != ' '))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: the search that wrote this file "
				 "ended with 'result: %s': the export is "
				 "incomplete", p->source, line,
				 shown(p->arena + off, len, what,
				       sizeof(what)));
	return SPN_OK;
}

/* An attribute line inside an entry. */
static spn_status entry_line(parser *p, const line_parts *lp, size_t line)
{
	char what[80];
	raw_attr *r;
	char *dst;
	size_t off, len;
	spn_status st;

	if (name_is(lp, "dn", 2))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: a second 'dn:' inside the entry that "
				 "starts at line %zu (a blank line is missing?)",
				 p->source, line, p->record_line);
	if (p->n_raw == 0 && name_is(lp, "changetype", 10)) {
		size_t mark = p->arena_len;

		st = store_value(p, lp, line, &off, &len);
		if (st != SPN_OK)
			return st;
		p->arena_len = mark;
		if (len != 3 || strncasecmp(p->arena + off, "add", 3) != 0)
			return spn_error(p->ctx, SPN_E_INPUT,
					 "%s:%zu: 'changetype: %s' is a change "
					 "record, not an export (only "
					 "'changetype: add' is read)", p->source,
					 line, shown(p->arena + off, len, what,
						     sizeof(what)));
		return SPN_OK;
	}
	if (p->n_raw == 0 && name_is(lp, "control", 7))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: 'control:' belongs to a change "
				 "record, not an export", p->source, line);

	if (p->n_raw == p->raw_cap) {
		size_t cap = p->raw_cap > 0 ? p->raw_cap * 2 : 64;
		raw_attr *grown;

		if (cap > SIZE_MAX / sizeof(*grown))
			return no_memory(p);
		grown = realloc(p->raw, cap * sizeof(*grown));
		if (grown == NULL)
			return no_memory(p);
		p->raw = grown;
		p->raw_cap = cap;
	}
	r = &p->raw[p->n_raw];
	r->line = line;
	/* the name and the options, each NUL-terminated; no options share
	 * the name's NUL */
	if (reserve(&p->arena, &p->arena_cap, p->arena_len,
		    lp->name_len + lp->options_len + 2) != 0)
		return no_memory(p);
	dst = p->arena + p->arena_len;
	memcpy(dst, lp->name, lp->name_len);
	dst[lp->name_len] = '\0';
	r->name = p->arena_len;
	r->name_len = lp->name_len;
	r->options = r->name + lp->name_len;
	r->options_len = lp->options_len;
	p->arena_len += lp->name_len + 1;
	if (lp->options_len > 0) {
		memcpy(dst + lp->name_len + 1, lp->options, lp->options_len);
		dst[lp->name_len + 1 + lp->options_len] = '\0';
		r->options = p->arena_len;
		p->arena_len += lp->options_len + 1;
	}
	st = store_value(p, lp, line, &r->value, &r->value_len);
	if (st != SPN_OK)
		return st;
	p->n_raw++;
	return SPN_OK;
}

/* The lines of an unwanted entry up to the blank line that ends it (or
 * the end of the input), found without splitting or decoding them. */
static spn_status skip_entry(parser *p)
{
	const char *s = NULL;
	size_t n = 0;
	spn_status st;

	while (p->pos < p->len) {
		st = read_physical(p, &s, &n);
		if (st != SPN_OK)
			return st;
		if (n == 0)
			break;
		if (s[0] == ' ')
			continue;   /* continues the line before it */
		if (s[0] == '#') {
			st = comment_line(p, s, n, p->lineno);
			if (st != SPN_OK)
				return st;
			continue;
		}
		if (n >= 3 && (s[0] | 0x20) == 'd' && (s[1] | 0x20) == 'n' &&
		    (s[2] == ':' || s[2] == ';'))
			return spn_error(p->ctx, SPN_E_INPUT,
					 "%s:%zu: a second 'dn:' inside the "
					 "entry that starts at line %zu (a blank "
					 "line is missing?)", p->source,
					 p->lineno, p->record_line);
	}
	ldif_end_entry(p);
	return SPN_OK;
}

/* A UTF-8 byte order mark is skipped; UTF-16 (ldifde -u) is not LDIF
 * this reader can use. */
spn_status ldif_byte_order_mark(parser *p)
{
	if (p->len >= 3 && memcmp(p->buf, "\xef\xbb\xbf", 3) == 0)
		p->pos = 3;
	else if (p->len >= 2 && (memcmp(p->buf, "\xff\xfe", 2) == 0 ||
				 memcmp(p->buf, "\xfe\xff", 2) == 0))
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s: the file is UTF-16 (ldifde -u?): export "
				 "it without -u, or convert it to UTF-8",
				 p->source);
	return SPN_OK;
}

/* The records from p->pos to p->len, the last one handed over at the end. */
spn_status ldif_parse_records(parser *p)
{
	const char *s = NULL;
	size_t n = 0, line = 0;
	int taken;
	line_parts lp;
	spn_status st;

	while (p->pos < p->len) {
		if (p->record == REC_UNWANTED) {
			st = skip_entry(p);
			if (st != SPN_OK)
				return st;
			continue;
		}
		if (p->record == REC_NONE && p->plain_fn != NULL) {
			st = ldif_read_plain(p, &taken);
			if (st != SPN_OK)
				return st;
			if (taken)
				continue;
		}
		p->line_pos = p->pos;
		st = read_logical(p, &s, &n, &line);
		if (st != SPN_OK)
			return st;
		if (n == 0) {
			if (p->record == REC_ENTRY) {
				st = dispatch(p);
				if (st != SPN_OK)
					return st;
			}
			p->record = REC_NONE;
			continue;
		}
		if (s[0] == '#') {
			st = comment_line(p, s, n, line);
			if (st != SPN_OK)
				return st;
			continue;
		}
		st = split_line(p, s, n, line, &lp);
		if (st != SPN_OK)
			return st;
		switch (p->record) {
		case REC_NONE:
			st = start_record(p, &lp, line);
			break;
		case REC_ENTRY:
			st = entry_line(p, &lp, line);
			break;
		case REC_RESULT:
		case REC_SKIP:
			st = result_line(p, &lp, line);
			break;
		case REC_UNWANTED:
			break;   /* not reached: skip_entry reads these */
		}
		if (st != SPN_OK)
			return st;
	}
	if (p->record == REC_ENTRY) {
		st = dispatch(p);
		if (st != SPN_OK)
			return st;
	} else if (p->record == REC_UNWANTED) {
		ldif_end_entry(p);   /* its dn was the last line */
	}
	return SPN_OK;
}

static spn_status parse(parser *p)
{
	spn_status st;

	st = ldif_byte_order_mark(p);
	if (st == SPN_OK)
		st = ldif_parse_records(p);
	if (st != SPN_OK)
		return st;
	if (p->expect_trailer)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s:%zu: ldapsearch output (header at line %zu) "
				 "without its closing '# numResponses' comment: "
				 "the file looks truncated", p->source,
				 p->lineno, p->trailer_line);
	if (p->n_entries == 0)
		return spn_error(p->ctx, SPN_E_INPUT,
				 "%s: no entries (an empty file, or not an LDIF "
				 "export)", p->source);
	return SPN_OK;
}

void ldif_free_parser(parser *p)
{
	free(p->fold);
	free(p->arena);
	free(p->raw);
	free(p->attrs);
	free(p->notes);
	free(p->spans);
	free(p->extra);
	free(p->records);
	free(p->record_bytes);
}

void ldif_init_parser(parser *p, spn_ctx *ctx, const char *name,
		      const char *buf, size_t len, int mapped,
		      spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
		      void *userdata)
{
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->source = name;
	p->buf = buf;
	p->len = len;
	p->skip = skip;
	p->fn = fn;
	p->userdata = userdata;
	p->mapped = mapped;
}

static spn_status parse_impl(spn_ctx *ctx, const char *name, const char *buf,
			     size_t len, int mapped, spn_ldif_skip_fn skip,
			     spn_ldif_entry_fn fn, void *userdata)
{
	parser p;
	spn_status st;

	ldif_init_parser(&p, ctx, name, buf, len, mapped, skip, fn, userdata);
	st = parse(&p);
	ldif_free_parser(&p);
	return st;
}

spn_status spn_ldif_parse_buffer(spn_ctx *ctx, const char *name,
				 const char *buf, size_t len,
				 spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
				 void *userdata)
{
	if (name == NULL || (buf == NULL && len > 0) || fn == NULL)
		return spn_error(ctx, SPN_E_USAGE,
				 "LDIF parser called without input or callback");
	return parse_impl(ctx, name, buf, len, 0, skip, fn, userdata);
}

spn_status spn_ldif_map_file(spn_ctx *ctx, const char *path,
			     const char **buf_out, size_t *len_out)
{
	struct stat sb;
	void *map = MAP_FAILED;
	size_t len = 0;
	int fd = -1;
	spn_status st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		st = spn_error(ctx, SPN_E_IO, "%s: cannot open: %s", path,
			       strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &sb) != 0) {
		st = spn_error(ctx, SPN_E_IO, "%s: cannot stat: %s", path,
			       strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = spn_error(ctx, SPN_E_INPUT,
			       "%s: not a regular file (save the export to a "
			       "file first)", path);
		goto cleanup;
	}
	if (sb.st_size == 0) {
		st = spn_error(ctx, SPN_E_INPUT,
			       "%s: the file is empty: no entries", path);
		goto cleanup;
	}
	if ((uintmax_t)sb.st_size > SIZE_MAX) {
		st = spn_error(ctx, SPN_E_IO, "%s: too large to map", path);
		goto cleanup;
	}
	len = (size_t)sb.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		st = spn_error(ctx, SPN_E_IO, "%s: cannot map: %s", path,
			       strerror(errno));
		goto cleanup;
	}
	(void)madvise(map, len, MADV_SEQUENTIAL);
	*buf_out = map;
	*len_out = len;
	st = SPN_OK;

cleanup:
	if (fd >= 0)
		close(fd);
	return st;
}

void spn_ldif_unmap(const char *buf, size_t len)
{
	if (buf != NULL)
		munmap((void *)(uintptr_t)buf, len);
}

spn_status spn_ldif_parse_mapped(spn_ctx *ctx, const char *name,
				 const char *buf, size_t len,
				 spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
				 void *userdata)
{
	return parse_impl(ctx, name, buf, len, 1, skip, fn, userdata);
}

spn_status spn_ldif_parse_file(spn_ctx *ctx, const char *path,
			       spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
			       void *userdata)
{
	const char *buf = NULL;
	size_t len = 0;
	spn_status st;

	if (path == NULL || fn == NULL)
		return spn_error(ctx, SPN_E_USAGE,
				 "LDIF parser called without file or callback");
	st = spn_ldif_map_file(ctx, path, &buf, &len);
	if (st != SPN_OK)
		return st;
	st = parse_impl(ctx, path, buf, len, 1, skip, fn, userdata);
	spn_ldif_unmap(buf, len);
	return st;
}
