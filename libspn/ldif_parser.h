/* ldif_parser.h - the LDIF reader's parser state and the steps of it
 * that the split parse (ldif_split.c) runs; private to ldif*.c. */
#ifndef SPN_LDIF_PARSER_H
#define SPN_LDIF_PARSER_H

#include <stddef.h>
#include <spn/context.h>
#include "ldif.h"

/* What the lines being read belong to. */
typedef enum record_kind {
	REC_NONE = 0,  /* between records */
	REC_ENTRY,     /* dn: ... */
	REC_RESULT,    /* ldapsearch's "search: N" / "result: 0 Success" */
	REC_SKIP,      /* ldapsearch's "ref: ldap://..." search reference */
	REC_UNWANTED,  /* an entry the skip function declined */
} record_kind;

/* One attribute while its entry is being read: offsets into the arena,
 * which may move as it grows. */
typedef struct raw_attr {
	size_t name, name_len;
	size_t options, options_len;
	size_t value, value_len;
	size_t line;
} raw_attr;

/* Attribute descriptions checked before, in two direct-mapped caches. */
#define TYPE_CACHE_SLOTS 16
#define PLAIN_CACHE_SLOTS 64

typedef struct type_slot {
	unsigned char len;       /* 0: empty */
	unsigned char name_len;
	char text[62];
} type_slot;

/* One of ldapsearch's bookkeeping comments seen in a part of the input,
 * checked once every part is read (replay_comments in ldif_split.c). */
typedef enum comment_kind {
	CM_HEADER = 0,     /* "# extended LDIF", "# LDAPv3" */
	CM_RESPONSES,      /* "# numResponses: " */
	CM_ENTRIES,        /* "# numEntries: N" */
} comment_kind;

typedef struct comment_note {
	comment_kind kind;
	int counted;       /* CM_ENTRIES: N is a number */
	int pending;       /* an entry was open at the comment */
	size_t count;
	size_t entries;    /* entries of the part ended before the comment */
} comment_note;

/* What a parse reads: which checks it makes of ldapsearch's comments. */
typedef enum parse_mode {
	MODE_WHOLE = 0,    /* the whole input, every check */
	MODE_PART,         /* a part: comments noted, checked after the join */
	MODE_ENTRY,        /* one entry read before: comments ignored */
} parse_mode;

/* Bytes of the input, not followed by a NUL. */
typedef struct ldif_span {
	const char *s;
	size_t len;
} ldif_span;

/* An entry whose lines are all "type: value" (ldif_plain.c), as the
 * two-pass load needs it: a view, valid for the callback. */
struct ldif_plain_entry {
	const char *source;       /* as in spn_ldif_entry */
	size_t line;              /* of its dn: line */
	size_t offset, end;
	const char *dn;           /* NUL-terminated */
	size_t dn_len;
	unsigned int classes;     /* the OC_* bits of its objectClass values */
	const ldif_span *spns;    /* its servicePrincipalName values, in order */
	size_t n_spns;
	ldif_span sam, dns_host;  /* the first of each (s is NULL: none) */
	const ldif_span *additional;  /* msDS-AdditionalDnsHostName values */
	size_t n_additional;
	/* an account's userAccountControl, msDS-SupportedEncryptionTypes */
	int has_uac, has_enc_types;
	unsigned int uac, enc_types;
	int has_mappings;         /* it has sPNMappings values */
	const ldif_span *records; /* its dnsRecord values, decoded */
	size_t n_records;
	int tombstoned;           /* its last dNSTombstoned value is TRUE */
};

/* The characters of an attribute type: letters, digits, '-' and '.'. */
extern const unsigned char ldif_type_chars[256];

/* The state of a parse of buf from pos to len: set up by ldif_init_parser
 * (a caller that starts mid-input then sets pos, mode, released, lineno
 * and record), freed by ldif_free_parser. */
typedef struct parser {
	spn_ctx *ctx;
	const char *source;
	const char *buf;
	size_t len;
	size_t pos;
	size_t lineno;
	spn_ldif_skip_fn skip;
	spn_ldif_entry_fn fn;
	spn_ldif_plain_fn plain_fn; /* when set: plain entries, read by
				     ldif_read_plain, go here, not to fn */
	void *userdata;

	char *fold;            /* a folded line, unfolded */
	size_t fold_cap;
	char *arena;           /* the current entry's names and values */
	size_t arena_len, arena_cap;
	raw_attr *raw;
	size_t n_raw, raw_cap;
	spn_ldif_attr *attrs;  /* handed to the callback */
	size_t attrs_cap;

	record_kind record;
	size_t record_line;
	size_t dn, dn_len;
	size_t n_entries;
	size_t entries_since_count;  /* since an ldapsearch header or count */
	int expect_trailer;    /* "# extended LDIF" seen, "# numResponses" not */
	size_t trailer_line;

	type_slot types[TYPE_CACHE_SLOTS];
	type_slot plain[PLAIN_CACHE_SLOTS];  /* of "type: value" lines */

	int mapped;            /* buf is a file mapping: drop parsed pages */
	size_t released;

	parse_mode mode;
	size_t line_pos;       /* where the line being read starts */
	size_t record_pos;     /* where the current record's first line starts */
	comment_note *notes;   /* MODE_PART */
	size_t n_notes, notes_cap;
	ldif_span *spans;      /* ldif_read_plain's SPN values */
	size_t spans_cap;
	ldif_span *extra;      /* and msDS-AdditionalDnsHostName values */
	size_t extra_cap;
	ldif_span *records;    /* and dnsRecord values */
	size_t records_cap;
	unsigned char *record_bytes;  /* the dnsRecord values decoded */
	size_t record_bytes_cap;
} parser;

/* A UTF-8 byte order mark at the start of the input is skipped; UTF-16
 * fails. */
spn_status ldif_byte_order_mark(parser *p);

/* Read the records from p->pos to p->len, handing each entry to p->fn. */
spn_status ldif_parse_records(parser *p);

/* Count the entry just read (handed over or skipped) and forget it; drop
 * the pages of a mapped file behind it. */
void ldif_end_entry(parser *p);

/* At the start of a record: when the entry at p->pos is plain (every
 * line "type: value", no options, no URL value, no base64 value but a
 * dnsRecord's (valid base64), no folded value that the load reads, no
 * comment or NUL byte, no second dn, changetype or control, and an
 * account's userAccountControl and msDS-SupportedEncryptionTypes written
 * as short decimals), read it, hand it to p->skip and then p->plain_fn, and
 * set *taken_out (not when p->plain_fn leaves it). Otherwise nothing is
 * read: the general parser reads the entry, with every check and message
 * it has. */
spn_status ldif_read_plain(parser *p, int *taken_out);

/* Decode RFC 4648 base64 (padded, no whitespace) into out, which has room
 * for n / 4 * 3 bytes. Returns the decoded length, or -1 when it is not
 * such base64. */
long ldif_base64_decode(const char *s, size_t n, unsigned char *out);

/* What p->plain_fn returns for an entry it wants the general parser to
 * read instead (it has done nothing with it): not an spn_status. */
#define LDIF_PLAIN_LEAVE ((spn_status)1)

/* Drop the pages of a mapped input behind offset upto. */
void ldif_release_upto(parser *p, size_t upto);

/* Zero the parser and set what every parse needs: the input buf[0..len),
 * its name for messages, the callbacks and whether buf is a file mapping.
 * The mode is MODE_WHOLE; callers of a part or a range change it after. */
void ldif_init_parser(parser *p, spn_ctx *ctx, const char *name,
		      const char *buf, size_t len, int mapped,
		      spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
		      void *userdata);

/* Free what the parser allocated (not the parser itself). */
void ldif_free_parser(parser *p);

#endif
