/* ldif.h - a streaming LDIF reader (RFC 2849; ldapsearch and ldifde
 * output): one pass, or in parts on threads, or over chosen entries. */
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
	size_t offset;        /* its bytes in the input: from its dn: line */
	size_t end;           /* to after the blank line (or input) ending it */
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

/* Receives an entry the split parse read as plain text (ldif_parser.h),
 * in place of the entry callback. */
struct ldif_plain_entry;
typedef spn_status (*spn_ldif_plain_fn)(spn_ctx *ctx,
					const struct ldif_plain_entry *entry,
					void *userdata);

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

/* Map a regular file read-only for the functions below, with the errors
 * of spn_ldif_parse_file; spn_ldif_unmap releases it. */
spn_status spn_ldif_map_file(spn_ctx *ctx, const char *path,
			     const char **buf_out, size_t *len_out);
void spn_ldif_unmap(const char *buf, size_t len);

/* spn_ldif_parse_buffer over a mapping: parsed pages are dropped. */
spn_status spn_ldif_parse_mapped(spn_ctx *ctx, const char *name,
				 const char *buf, size_t len,
				 spn_ldif_skip_fn skip, spn_ldif_entry_fn fn,
				 void *userdata);

#define SPN_LDIF_MAX_PARTS 64

/* How many parts spn_ldif_split should aim for: 1 for an input under
 * 8 MB or on one CPU, else a few per online CPU (at most 8 CPUs). */
size_t spn_ldif_part_count(size_t len);

/* Split buf into at most n_parts (capped at SPN_LDIF_MAX_PARTS) parts that
 * each start with a record: starts[i] is where part i begins, starts[n] is
 * len (starts has room for n_parts + 1). Returns n, 1 when no split point
 * is found. A part starts at a "dn:" line or a comment right after a
 * blank line. */
size_t spn_ldif_split(const char *buf, size_t len, size_t n_parts,
		      size_t *starts);

/* Called on the thread that parsed a part, after its last entry, with its
 * userdata: anything but SPN_OK fails the split parse. */
typedef spn_status (*spn_ldif_part_fn)(void *userdata);

/* Called on the thread that parses a part, before its first entry, with
 * its userdata: in_order is 1 when the part is parsed by the calling
 * thread, which takes the parts from the first on, in order (so every
 * part before it was parsed by that thread, before it); the other threads
 * take them from the last on. Anything but SPN_OK fails the split
 * parse. */
typedef spn_status (*spn_ldif_begin_fn)(void *userdata, int in_order);

/* Parse the parts of a split on up to one thread per online CPU (at most
 * 8), each with its own context: part i calls begin (when not NULL), skip
 * and fn, then done (when not NULL), with userdata[i] and with line
 * numbers counted from the part's start; calls for one part come from one
 * thread, in order. When
 * plain is not NULL, the entries that are plain text (ldif_read_plain) go
 * to plain instead of fn; skip may then be asked twice about an entry it
 * keeps, so it must change nothing when it returns 0.
 * ldapsearch's header,
 * "# numEntries" and "# numResponses" comments are checked across the
 * parts after they are read. Returns SPN_OK, with line_base_out[i] the
 * lines before part i, when the whole input parsed and those comments
 * agree; else an error status without a message (run the one-pass parser
 * for it). mapped: buf is a file mapping whose parsed pages may be
 * dropped. */
spn_status spn_ldif_parse_split(const char *name, const char *buf,
				size_t len, int mapped, const size_t *starts,
				size_t n_parts, spn_ldif_skip_fn skip,
				spn_ldif_entry_fn fn, spn_ldif_plain_fn plain,
				spn_ldif_begin_fn begin, spn_ldif_part_fn done,
				void *const *userdata, size_t *line_base_out);

/* An entry a parse handed over before: its offset and end, and the line
 * number of its dn: line in the whole input. */
typedef struct spn_ldif_range {
	size_t offset, end, line;
} spn_ldif_range;

/* Parse again just the entries at ranges (in file order), calling fn for
 * each as the one-pass parser did (or plain, when not NULL, for the plain
 * ones, as spn_ldif_parse_split does); comments are ignored. mapped: the
 * pages behind, from the first range's on, are dropped. */
spn_status spn_ldif_parse_entries(spn_ctx *ctx, const char *name,
				  const char *buf, int mapped,
				  const spn_ldif_range *ranges, size_t n_ranges,
				  spn_ldif_entry_fn fn, spn_ldif_plain_fn plain,
				  void *userdata);

/* spn_index_load_ldif (ldif_load.c) over LDIF held in memory: the same
 * parts (what: SPN_LOAD_* bits), the same errors. For tests and fuzzing. */
spn_status spn_index_load_ldif_buffer(spn_index *index, spn_ctx *ctx,
				      const char *name, const char *buf,
				      size_t len, unsigned int what);

/* The same with the first pass of SPN_LOAD_SHARED_ONLY split into
 * n_parts parts (0: as spn_index_load_ldif chooses, by size and CPUs),
 * so that tests reach the threaded reader with small inputs. */
spn_status spn_index_load_ldif_parts(spn_index *index, spn_ctx *ctx,
				     const char *name, const char *buf,
				     size_t len, unsigned int what,
				     size_t n_parts);

#endif
