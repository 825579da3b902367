/* confusable.h - the skeleton of an SPN: what it looks like to a person (private).
 *
 * Two SPNs that AD keeps apart (different keys) but that a person, a link or
 * a lenient comparison takes for one are lookalikes. The skeleton maps each
 * to the same string: invisible characters removed, other spaces made ' ',
 * fullwidth forms made ASCII, common Cyrillic, Greek and Armenian letters and
 * punctuation that look like ASCII made that ASCII, and everything case
 * folded as the SPN key is. */
#ifndef SPN_CONFUSABLE_H
#define SPN_CONFUSABLE_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of lookalike characters (spn_lookalike_kinds). */
#define SPN_LOOK_INVISIBLE 0x1u  /* removed: zero-width, soft hyphen, ... */
#define SPN_LOOK_SPACE 0x2u      /* a space other than U+0020 (NBSP, ...) */
#define SPN_LOOK_FULLWIDTH 0x4u  /* U+FF01..U+FF5E */
#define SPN_LOOK_HOMOGLYPH 0x8u  /* a letter or mark that looks like ASCII */

/* The skeleton of in, like snprintf: writes at most out_size bytes including
 * the NUL (out may be NULL when out_size is 0), never splits a character,
 * and returns the length the whole skeleton needs. Bytes that are not valid
 * UTF-8 are copied unchanged. An all-ASCII input gives its ASCII case
 * folding. */
size_t spn_skeleton(const char *in, char *out, size_t out_size);

/* Which SPN_LOOK_* kinds of character in contains (0: none). */
unsigned int spn_lookalike_kinds(const char *in);

/* in for a message: every code point outside printable ASCII written as
 * <U+XXXX> and every byte that is not UTF-8 as <0xNN>; snprintf-like, never
 * splits an escape. */
size_t spn_escape_unicode(const char *in, char *out, size_t out_size);

#endif
