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
} parser;

/* A UTF-8 byte order mark at the start of the input is skipped; UTF-16
 * fails. */
spn_status ldif_byte_order_mark(parser *p);

/* Read the records from p->pos to p->len, handing each entry to p->fn. */
spn_status ldif_parse_records(parser *p);

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
