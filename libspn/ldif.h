/* ldif.h - a streaming, single-pass LDIF reader (RFC 2849; ldapsearch and
 * ldifde output). */
#ifndef SPN_LDIF_H
#define SPN_LDIF_H

#include <stddef.h>
#include <spn/context.h>
#include <spn/index.h>

/* One attribute value of an entry. */
typedef struct spn_ldif_attr {
	const char *name;     /* attribute type, options removed, NUL-terminated */
	size_t name_len;
	const char *options;  /* what followed the first ';' ("range=0-*"),
				 NUL-terminated, "" when none */
	size_t options_len;
	const char *value;    /* decoded (base64 undone), NUL-terminated; may
				 itself contain NUL bytes: value_len counts */
	size_t value_len;
	size_t line;          /* line number where the attribute starts */
} spn_ldif_attr;

/* One entry: its dn and its attribute values in file order. A view, valid
 * only for the duration of the callback that receives it. */
typedef struct spn_ldif_entry {
	const char *source;   /* the name the parser was given, for messages */
	size_t line;          /* line number of the dn: line */
	const char *dn;       /* NUL-terminated */
	size_t dn_len;
	const spn_ldif_attr *attrs;
	size_t n_attrs;
} spn_ldif_entry;

/* Receives one entry. Return SPN_OK to go on; anything else stops parsing
 * and is returned by the parser (set the context's error first). */
typedef spn_status (*spn_ldif_entry_fn)(spn_ctx *ctx,
					const spn_ldif_entry *entry,
					void *userdata);

/* Decides from an entry's dn alone (decoded, NUL-terminated) whether the
 * entry is wanted: nonzero skips it. A skipped entry costs only the search
 * for its end: its lines are not split or decoded, so their attribute
 * syntax, base64 and URL values go unchecked; a "dn:" among them (a blank
 * line missing) and ldapsearch's comments are still handled as anywhere. It
 * counts as an entry for "# numEntries" but never reaches the callback. */
typedef int (*spn_ldif_skip_fn)(const char *dn, size_t dn_len, void *userdata);

/* Parse LDIF held in memory, calling fn once per entry (skip, when not
 * NULL, is asked first; both get userdata). name is used in
 * error messages ("name:line: what is wrong"). Any malformed or truncated
 * input fails the whole parse with SPN_E_INPUT: the callback may already
 * have seen some entries, which the caller must then discard. Besides
 * RFC 2849 this knows ldapsearch's comments and result records (a result
 * other than 0, a "# numEntries" that does not match, or a missing trailer
 * fail) and ldifde's "changetype: add". Values given as URLs ("attr:< ...")
 * are refused, never read. */
spn_status spn_ldif_parse_buffer(spn_ctx *ctx, const char *name,
				 const char *buf, size_t len,
				 spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
				 void *userdata);

/* The same over a regular file, mapped read-only and read sequentially;
 * pages already parsed are dropped so memory does not grow with the file.
 * Fails with SPN_E_IO when the file cannot be opened or mapped. */
spn_status spn_ldif_parse_file(spn_ctx *ctx, const char *path,
			       spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
			       void *userdata);

/* spn_index_load_ldif (ldif_load.c) over LDIF held in memory: the same
 * parts (what: SPN_LOAD_* bits), the same errors. For tests and fuzzing. */
spn_status spn_index_load_ldif_buffer(spn_index *index, spn_ctx *ctx,
				      const char *name, const char *buf,
				      size_t len, unsigned int what);

#endif
