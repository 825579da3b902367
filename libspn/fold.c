/* fold.c - UTF-8 decoding and the Unicode simple case folding of SPN keys. */
#include <string.h>

#include "fold.h"

/* One run of code points that fold the same way. With alternate set, only
 * the code points of the same parity as first fold (upper/lower pairs that
 * alternate, as in most of Latin Extended-A and Cyrillic), always by +1. */
struct fold_range {
	uint16_t first;
	uint16_t last;
	int16_t delta;
	uint8_t alternate;
};

/* Sorted by first; checked against CaseFolding.txt (Unicode 14) for every
 * code point of the blocks named in fold.h. Code points with only a full
 * folding (U+00DF, U+0130, U+0149, U+0390, U+03B0) are left alone. */
static const struct fold_range fold_table[] = {
	/* Latin-1 Supplement */
	{ 0x00B5, 0x00B5, 0x03BC - 0x00B5, 0 },  /* micro sign -> mu */
	{ 0x00C0, 0x00D6, 0x20, 0 },
	{ 0x00D8, 0x00DE, 0x20, 0 },
	/* Latin Extended-A */
	{ 0x0100, 0x012F, 1, 1 },
	{ 0x0132, 0x0137, 1, 1 },
	{ 0x0139, 0x0148, 1, 1 },
	{ 0x014A, 0x0177, 1, 1 },
	{ 0x0178, 0x0178, 0x00FF - 0x0178, 0 },  /* Y diaeresis */
	{ 0x0179, 0x017E, 1, 1 },
	{ 0x017F, 0x017F, 0x0073 - 0x017F, 0 },  /* long s -> s */
	/* Greek and Coptic */
	{ 0x0370, 0x0373, 1, 1 },
	{ 0x0376, 0x0376, 1, 0 },
	{ 0x037F, 0x037F, 0x03F3 - 0x037F, 0 },
	{ 0x0386, 0x0386, 0x03AC - 0x0386, 0 },
	{ 0x0388, 0x038A, 0x03AD - 0x0388, 0 },
	{ 0x038C, 0x038C, 0x03CC - 0x038C, 0 },
	{ 0x038E, 0x038F, 0x03CD - 0x038E, 0 },
	{ 0x0391, 0x03A1, 0x20, 0 },
	{ 0x03A3, 0x03AB, 0x20, 0 },
	{ 0x03C2, 0x03C2, 1, 0 },                /* final sigma -> sigma */
	{ 0x03CF, 0x03CF, 0x03D7 - 0x03CF, 0 },
	{ 0x03D0, 0x03D0, 0x03B2 - 0x03D0, 0 },
	{ 0x03D1, 0x03D1, 0x03B8 - 0x03D1, 0 },
	{ 0x03D5, 0x03D5, 0x03C6 - 0x03D5, 0 },
	{ 0x03D6, 0x03D6, 0x03C0 - 0x03D6, 0 },
	{ 0x03D8, 0x03EF, 1, 1 },
	{ 0x03F0, 0x03F0, 0x03BA - 0x03F0, 0 },
	{ 0x03F1, 0x03F1, 0x03C1 - 0x03F1, 0 },
	{ 0x03F4, 0x03F4, 0x03B8 - 0x03F4, 0 },
	{ 0x03F5, 0x03F5, 0x03B5 - 0x03F5, 0 },
	{ 0x03F7, 0x03F7, 1, 0 },
	{ 0x03F9, 0x03F9, 0x03F2 - 0x03F9, 0 },
	{ 0x03FA, 0x03FA, 1, 0 },
	{ 0x03FD, 0x03FF, 0x037B - 0x03FD, 0 },
	/* Cyrillic and Cyrillic Supplement */
	{ 0x0400, 0x040F, 0x50, 0 },
	{ 0x0410, 0x042F, 0x20, 0 },
	{ 0x0460, 0x0481, 1, 1 },
	{ 0x048A, 0x04BF, 1, 1 },
	{ 0x04C0, 0x04C0, 0x04CF - 0x04C0, 0 },
	{ 0x04C1, 0x04CE, 1, 1 },
	{ 0x04D0, 0x052F, 1, 1 },
};

size_t spn_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp_out)
{
	unsigned char c, lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t cp;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp_out = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		cp = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		cp = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0;          /* overlong */
		else if (c == 0xED)
			hi = 0x9F;          /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		cp = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90;          /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;          /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	/* the second byte has the narrowed range, the others 80..BF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < need; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	*cp_out = cp;
	return need;
}

uint32_t spn_fold_cp(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(fold_table) / sizeof(fold_table[0]);

	if (cp < 0x80)
		return (cp - 'A' < 26u) ? cp + 0x20 : cp;
	if (cp < fold_table[0].first || cp > 0xFFFF)
		return cp;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fold_range *r = &fold_table[mid];

		if (cp < r->first) {
			hi = mid;
		} else if (cp > r->last) {
			lo = mid + 1;
		} else {
			if (r->alternate && ((cp - r->first) & 1u) != 0)
				return cp;
			return (uint32_t)((int32_t)cp + r->delta);
		}
	}
	return cp;
}

size_t spn_utf8_encode(uint32_t cp, unsigned char buf[4])
{
	if (cp < 0x80) {
		buf[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (unsigned char)(0xC0 | (cp >> 6));
		buf[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (unsigned char)(0xE0 | (cp >> 12));
		buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (unsigned char)(0xF0 | (cp >> 18));
	buf[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t spn_fold_utf8(const char *in, size_t in_len, char *out, size_t out_size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t limit = (out != NULL && out_size > 0) ? out_size - 1 : 0;
	size_t written = 0;  /* bytes stored in out */
	size_t needed = 0;   /* bytes the whole result needs */
	int full = 0;        /* a character did not fit: store nothing more */
	size_t i = 0;

	while (i < in_len) {
		unsigned char buf[4];
		const unsigned char *src;
		size_t src_len, out_len;
		uint32_t cp, folded;

		/* the common case: ASCII, folded in place without a call */
		if (s[i] < 0x80) {
			unsigned char c = s[i++];

			if ((unsigned int)(c - 'A') < 26u)
				c = (unsigned char)(c + 0x20);
			if (!full && written < limit)
				out[written++] = (char)c;
			else
				full = 1;
			needed++;
			continue;
		}
		src_len = spn_utf8_decode(s + i, in_len - i, &cp);
		if (src_len == 0) {
			/* not UTF-8: this one byte goes through unchanged */
			src = s + i;
			src_len = 1;
			out_len = 1;
		} else {
			folded = spn_fold_cp(cp);
			if (folded == cp) {
				src = s + i;
				out_len = src_len;
			} else {
				out_len = spn_utf8_encode(folded, buf);
				src = buf;
			}
		}
		i += src_len;
		if (!full && limit - written >= out_len) {
			memcpy(out + written, src, out_len);
			written += out_len;
		} else {
			full = 1;
		}
		needed += out_len;
	}
	if (out != NULL && out_size > 0)
		out[written] = '\0';
	return needed;
}
