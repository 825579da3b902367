/* ldif_plain.c - the reader of plain entries for the two-pass load
 * (ldif_shared.c) and the load in parts (ldif_parallel.c): an entry whose
 * lines are all "type: value" is read straight from the input, keeping
 * only what the load needs of it. */
#include <stdint.h>
#include <string.h>

#include "ldif_load_impl.h"
#include "ldif_parser.h"
#include "swar.h"

/* Nearly every entry of an export is plain. Whatever this reader does not
 * take, the general parser reads: an entry is taken only when reading it
 * here and there gives the same result, which the LDIF fuzz target checks
 * (the two-pass load and the load in parts against the one-pass load).
 * Nothing is handed over before the whole entry is read. */

/* One physical line: its bytes (CR LF or LF removed) and where the next
 * one starts. */
typedef struct phys_line {
	const unsigned char *s;
	size_t n;
	size_t next;
} phys_line;

/* The line at pos: 0, or -1 when it has no newline or holds a NUL byte
 * (the parser reads those). */
static inline int next_line(const parser *p, size_t pos, phys_line *out)
{
	const unsigned char *b = (const unsigned char *)p->buf;
	size_t nl = swar_line_end(b, pos, p->len);

	if (nl == p->len || b[nl] != '\n')
		return -1;
	out->s = b + pos;
	out->n = nl - pos;
	if (out->n > 0 && out->s[out->n - 1] == '\r')
		out->n--;
	out->next = nl + 1;
	return 0;
}

/* Types that belong to change records: their entry is left to the
 * parser, which reports them. */
static int record_type(const unsigned char *s, size_t n)
{
	const char *t = (const char *)s;

	return ldif_word_is(t, n, "changetype", 10) ||
	       ldif_word_is(t, n, "control", 7);
}

/* A "dn:" or "dn;" line, which ends the entry before it. */
static int dn_line(const unsigned char *s, size_t n)
{
	return n >= 3 && (s[0] | 0x20) == 'd' && (s[1] | 0x20) == 'n' &&
	       (s[2] == ':' || s[2] == ';');
}

/* Append bytes to the dn being read into the arena: -1 when out of
 * memory. */
static int add_dn(parser *p, const unsigned char *s, size_t n)
{
	if (ldif_grow_array((void **)&p->arena, &p->arena_cap,
			    p->arena_len + n + 1, 1) != 0)
		return -1;
	memcpy(p->arena + p->arena_len, s, n);
	p->arena_len += n;
	p->arena[p->arena_len] = '\0';
	return 0;
}

/* The "dn: text" line at p->pos and its folded lines, unfolded into the
 * arena; *pos_out is where the next line starts. 0, or -1 when the dn is
 * not plain text. */
static int read_dn(parser *p, size_t *pos_out, size_t *lines_out)
{
	const unsigned char *b = (const unsigned char *)p->buf;
	size_t pos = p->pos, v = 3, lines = 1;
	phys_line l;

	if (p->len - pos < 5 || (b[pos] | 0x20) != 'd' ||
	    (b[pos + 1] | 0x20) != 'n' || b[pos + 2] != ':' ||
	    next_line(p, pos, &l) != 0)
		return -1;
	while (v < l.n && l.s[v] == ' ')
		v++;
	/* no base64 or URL, and no value that starts on a folded line */
	if (v >= l.n || (v == 3 && (l.s[v] == ':' || l.s[v] == '<')))
		return -1;
	p->arena_len = 0;
	if (add_dn(p, l.s + v, l.n - v) != 0)
		return -1;
	pos = l.next;
	while (pos < p->len && b[pos] == ' ') {
		if (next_line(p, pos, &l) != 0 || add_dn(p, l.s + 1, l.n - 1) != 0)
			return -1;
		lines++;
		pos = l.next;
	}
	*pos_out = pos;
	*lines_out = lines;
	return 0;
}

/* Set the parser's record to the one read from p->pos: its first line,
 * lines lines, and where the parser goes on. */
static void start_taken(parser *p, size_t lines, size_t pos)
{
	p->line_pos = p->pos;
	p->record_pos = p->pos;
	p->record_line = p->lineno + 1;
	p->lineno += lines;
	p->pos = pos;
}

/* The rest of an entry the skip function declined, from pos, as
 * skip_entry in ldif.c reads it: up to the blank line that ends it. A
 * comment, a "dn:" line, a line without newline or with a NUL byte is
 * left to skip_entry, which goes on from there. */
static void skip_rest(parser *p, size_t pos, size_t lines)
{
	phys_line l;

	start_taken(p, lines, pos);
	p->record = REC_UNWANTED;
	while (p->pos < p->len) {
		if (next_line(p, p->pos, &l) != 0)
			return;
		if (l.n > 0 && (l.s[0] == '#' || dn_line(l.s, l.n)))
			return;
		p->pos = l.next;
		p->lineno++;
		if (l.n == 0)
			break;
	}
	ldif_end_entry(p);
}

/* Whether s[0..n) is an attribute type without options. */
static int plain_type(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ldif_type_chars[s[i]])
			return 0;
	return 1;
}

/* Whether the load reads the value of the attribute (so that it must not
 * be folded). */
static int value_read(attr_id id)
{
	return id == A_OBJECTCLASS || id == A_SPN || id == A_UAC ||
	       id == A_ENC_TYPES || id == A_SAM || id == A_DNS_HOST ||
	       id == A_ADDITIONAL || id == A_DNS_RECORD || id == A_TOMBSTONED;
}

/* Append a value to a growable span array: -1 when out of memory. */
static int add_span(ldif_span **spans, size_t *cap, size_t *n,
		    const char *s, size_t len)
{
	if (ldif_grow_array((void **)spans, cap, *n + 1, sizeof(**spans)) != 0)
		return -1;
	(*spans)[*n].s = s;
	(*spans)[*n].len = len;
	(*n)++;
	return 0;
}

/* Decode the entry's n base64 dnsRecord values into p->record_bytes, each
 * span then pointing at its bytes: 0, or -1 when one is not valid base64
 * (or out of memory). */
static int decode_records(parser *p, size_t n)
{
	size_t i, need = 1, used = 0;
	long len;

	for (i = 0; i < n; i++)
		need += p->records[i].len / 4 * 3;
	if (ldif_grow_array((void **)&p->record_bytes, &p->record_bytes_cap,
			    need, 1) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		len = ldif_base64_decode(p->records[i].s, p->records[i].len,
					 p->record_bytes + used);
		if (len < 0)
			return -1;
		p->records[i].s = (const char *)p->record_bytes + used;
		p->records[i].len = (size_t)len;
		used += (size_t)len;
	}
	return 0;
}

/* An entry's attribute lines from pos, read into e: 0 when they are all
 * plain, else -1; *end_out is where the entry ends. */
static int read_attrs(parser *p, size_t pos, struct ldif_plain_entry *e,
		      size_t *lines_out, size_t *end_out)
{
	const unsigned char *b = (const unsigned char *)p->buf, *line;
	phys_line l;
	const char *value;
	size_t n_spns = 0, n_extra = 0, n_records = 0, lines = 0, i, v, n;
	size_t colon;
	ldif_span uac = { NULL, 0 }, enc = { NULL, 0 };
	int fold_ok = 1, base64;
	attr_id id;

	while (pos < p->len) {
		line = b + pos;
		lines++;
		if (line[0] == ' ') {
			if (!fold_ok || next_line(p, pos, &l) != 0)
				return -1;
			pos = l.next;
			continue;   /* folded, of a value not read here */
		}
		/* the type ends at the line's first ':' */
		colon = swar_line_stop(b, pos, p->len, ':');
		if (colon == p->len || b[colon] != ':') {
			/* the blank line after the entry, or not plain */
			if (next_line(p, pos, &l) != 0 || l.n != 0)
				return -1;
			pos = l.next;
			break;
		}
		if (next_line(p, colon, &l) != 0)
			return -1;
		pos = l.next;
		i = colon - (size_t)(line - b);
		n = i + l.n;
		v = i + 1;
		if (i == 0 || (v < n && line[v] == '<'))
			return -1;   /* URL */
		id = ldif_attr_id((const char *)line, i);
		/* base64: only a dnsRecord's, decoded at the entry's end */
		base64 = v < n && line[v] == ':';
		if (base64 && id != A_DNS_RECORD)
			return -1;
		v += (size_t)base64;
		while (v < n && line[v] == ' ')
			v++;
		/* the known types are made of type characters; the others
		 * are checked, and options (after a ';') are not plain */
		if (id == A_OTHER && !plain_type(line, i))
			return -1;
		/* a value that starts on a folded line is of unknown kind */
		fold_ok = v < n && !value_read(id);
		value = (const char *)line + v;
		switch (id) {
		case A_OBJECTCLASS:
			e->classes |= ldif_class_bit(value, n - v);
			break;
		case A_SPN:
			if (add_span(&p->spans, &p->spans_cap, &n_spns, value,
				     n - v) != 0)
				return -1;   /* the parser says it */
			break;
		case A_ADDITIONAL:
			if (add_span(&p->extra, &p->extra_cap, &n_extra, value,
				     n - v) != 0)
				return -1;
			break;
		case A_SAM:
			if (e->sam.s == NULL) {
				e->sam.s = value;
				e->sam.len = n - v;
			}
			break;
		case A_DNS_HOST:
			if (e->dns_host.s == NULL) {
				e->dns_host.s = value;
				e->dns_host.len = n - v;
			}
			break;
		case A_MAPPINGS:
			e->has_mappings = 1;
			break;
		case A_DNS_RECORD:
			if (!base64 ||
			    add_span(&p->records, &p->records_cap, &n_records,
				     value, n - v) != 0)
				return -1;   /* the parser reads (or says) it */
			break;
		case A_TOMBSTONED:
			e->tombstoned = ldif_word_is(value, n - v, "TRUE", 4);
			break;
		case A_UAC:
			if (uac.s == NULL) {
				uac.s = value;
				uac.len = n - v;
			}
			break;
		case A_ENC_TYPES:
			if (enc.s == NULL) {
				enc.s = value;
				enc.len = n - v;
			}
			break;
		case A_OTHER:
			if (dn_line(line, n) || record_type(line, i))
				return -1;
			break;
		default:
			break;   /* not read by this load */
		}
	}
	if (n_records > 0 && decode_records(p, n_records) != 0)
		return -1;   /* the parser says which value is not base64 */
	/* an account's flags are parsed: the parser says what is wrong */
	if (n_spns > 0 || (e->classes & (OC_COMPUTER | OC_MSA))) {
		e->has_uac = uac.s != NULL;
		e->has_enc_types = enc.s != NULL;
		if ((e->has_uac &&
		     ldif_short_flags(uac.s, uac.len, &e->uac) != 0) ||
		    (e->has_enc_types &&
		     ldif_short_flags(enc.s, enc.len, &e->enc_types) != 0))
			return -1;
	}
	e->spns = p->spans;
	e->n_spns = n_spns;
	e->additional = p->extra;
	e->n_additional = n_extra;
	e->records = p->records;
	e->n_records = n_records;
	*lines_out = lines;
	*end_out = pos;
	return 0;
}

spn_status ldif_read_plain(parser *p, int *taken_out)
{
	struct ldif_plain_entry e;
	size_t pos, lines, more, end;
	spn_status st;

	*taken_out = 0;
	if (read_dn(p, &pos, &lines) != 0) {
		p->arena_len = 0;
		return SPN_OK;
	}
	/* A skip function that keeps an entry is asked again by the parser
	 * when this reader does not take it. */
	if (p->skip != NULL && p->skip(p->arena, p->arena_len, p->userdata)) {
		*taken_out = 1;
		skip_rest(p, pos, lines);
		return SPN_OK;
	}
	memset(&e, 0, sizeof(e));
	if (read_attrs(p, pos, &e, &more, &end) != 0) {
		p->arena_len = 0;
		return SPN_OK;
	}
	e.source = p->source;
	e.line = p->lineno + 1;
	e.offset = p->pos;
	e.end = end;
	e.dn = p->arena;
	e.dn_len = p->arena_len;
	st = p->plain_fn(p->ctx, &e, p->userdata);
	if (st == LDIF_PLAIN_LEAVE) {
		p->arena_len = 0;
		return SPN_OK;
	}
	*taken_out = 1;
	start_taken(p, lines + more, end);
	ldif_end_entry(p);
	return st;
}
