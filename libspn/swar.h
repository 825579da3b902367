/* swar.h - reading text eight bytes at a time in a 64-bit word (SWAR),
 * byte 0 of the text in the word's low byte on any host; and finding line
 * ends sixteen bytes at a time where SSE2 is there (every x86-64). */
#ifndef SPN_SWAR_H
#define SPN_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define SWAR_ONES  UINT64_C(0x0101010101010101)
#define SWAR_HIGHS UINT64_C(0x8080808080808080)
#define SWAR_LOWS  UINT64_C(0x7f7f7f7f7f7f7f7f)

static inline uint64_t swar_load(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The last len (< 8) bytes at p, zero-padded. */
static inline uint64_t swar_load_tail(const unsigned char *p, size_t len)
{
	unsigned char b[8] = { 0 };

	memcpy(b, p, len);
	return swar_load(b);
}

/* The bytes s[i..len) (fewer than eight), zero-padded: when s has eight
 * bytes, its last eight, shifted, without a copy. */
static inline uint64_t swar_load_end(const unsigned char *s, size_t i,
				     size_t len)
{
	if (len >= 8)
		return swar_load(s + len - 8) >> (8 * (8 - (len - i)));
	return swar_load_tail(s + i, len - i);
}

/* The offset of the first byte c, '\n' or NUL in b[from..len), or len. */
static inline size_t swar_line_stop(const unsigned char *b, size_t from,
				    size_t len, unsigned char c)
{
	size_t i = from;

#if defined(__SSE2__) && defined(__GNUC__)
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	const __m128i stop = _mm_set1_epi8((char)c);

	for (; len - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const void *)(b + i));
		int m = _mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nl),
						  _mm_cmpeq_epi8(v, zero)),
				     _mm_cmpeq_epi8(v, stop)));

		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned int)m);
	}
#endif
	for (; i < len; i++)
		if (b[i] == '\n' || b[i] == '\0' || b[i] == c)
			return i;
	return len;
}

/* The offset of the first '\n' or NUL byte in b[from..len), or len. */
static inline size_t swar_line_end(const unsigned char *b, size_t from,
				   size_t len)
{
	return swar_line_stop(b, from, len, '\n');
}

#endif
