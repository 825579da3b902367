/* fold.h - UTF-8 decoding and Unicode simple case folding (private). */
#ifndef SPN_FOLD_H
#define SPN_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* Decode one well-formed UTF-8 sequence at s (at most len bytes): returns its
 * length (1-4) and sets *cp_out, or 0 when the bytes there are not valid
 * UTF-8 (truncated, overlong, surrogate, above U+10FFFF, stray continuation
 * byte). */
size_t spn_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp_out);

/* Encode a code point (at most U+10FFFF) as UTF-8 into buf: its length. */
size_t spn_utf8_encode(uint32_t cp, unsigned char buf[4]);

/* The simple case folding (Unicode CaseFolding.txt, status C and S) of one
 * code point, for ASCII, Latin-1 Supplement, Latin Extended-A, Greek and
 * Coptic, Cyrillic and Cyrillic Supplement; any other code point is returned
 * unchanged. */
uint32_t spn_fold_cp(uint32_t cp);

/* Case fold in_len bytes of UTF-8 into out, like snprintf: writes at most
 * out_size bytes including the terminating NUL (out may be NULL when
 * out_size is 0), never splits a character, and returns the length the whole
 * folded text needs (excluding the NUL). Bytes that are not valid UTF-8 are
 * copied unchanged. */
size_t spn_fold_utf8(const char *in, size_t in_len, char *out, size_t out_size);

#endif
