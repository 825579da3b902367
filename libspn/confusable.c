/* confusable.c - the skeleton of an SPN, table-driven (see confusable.h). */
#include <stdio.h>
#include <string.h>

#include "confusable.h"
#include "fold.h"

struct cp_range {
	uint32_t first;
	uint32_t last;
};

/* Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt): drawn
 * as nothing, so a name containing one looks like the name without it. */
static const struct cp_range invisible[] = {
	{ 0x00AD, 0x00AD },   /* soft hyphen */
	{ 0x034F, 0x034F },   /* combining grapheme joiner */
	{ 0x061C, 0x061C },   /* Arabic letter mark */
	{ 0x115F, 0x1160 },   /* Hangul fillers */
	{ 0x17B4, 0x17B5 },   /* Khmer inherent vowels */
	{ 0x180B, 0x180F },   /* Mongolian variation selectors, vowel separator */
	{ 0x200B, 0x200F },   /* zero-width space, ZWNJ, ZWJ, LRM, RLM */
	{ 0x202A, 0x202E },   /* bidirectional embeddings and overrides */
	{ 0x2060, 0x206F },   /* word joiner, invisible operators, isolates */
	{ 0x3164, 0x3164 },   /* Hangul filler */
	{ 0xFE00, 0xFE0F },   /* variation selectors */
	{ 0xFEFF, 0xFEFF },   /* zero-width no-break space (BOM) */
	{ 0xFFA0, 0xFFA0 },   /* halfwidth Hangul filler */
	{ 0xFFF0, 0xFFF8 },   /* unassigned, default ignorable */
	{ 0x1BCA0, 0x1BCA3 }, /* shorthand format controls */
	{ 0x1D173, 0x1D17A }, /* musical symbol format controls */
	{ 0xE0000, 0xE0FFF }, /* tags, variation selectors supplement */
};

/* Spaces other than U+0020: they look like a space, so they become one
 * (a no-break space is not invisible: "a b" is not "ab"). */
static const struct cp_range spaces[] = {
	{ 0x00A0, 0x00A0 },   /* no-break space */
	{ 0x1680, 0x1680 },   /* Ogham space mark */
	{ 0x2000, 0x200A },   /* en quad .. hair space */
	{ 0x202F, 0x202F },   /* narrow no-break space */
	{ 0x205F, 0x205F },   /* medium mathematical space */
	{ 0x3000, 0x3000 },   /* ideographic space */
};

/* Letters and punctuation that look like one ASCII character (lower case
 * here: the skeleton is case folded). Both cases are listed where both look
 * like the ASCII letter; a code point not listed is case folded and looked
 * up again, so an upper-case letter whose lower case is listed maps too.
 * Sorted by code point. */
struct lookalike {
	uint32_t cp;
	char ascii;
};

static const struct lookalike lookalikes[] = {
	{ 0x0131, 'i' },  /* dotless i */
	{ 0x01C0, 'l' },  /* Latin letter dental click */
	{ 0x0261, 'g' },  /* Latin small letter script g */
	{ 0x037F, 'j' },  /* Greek capital yot */
	{ 0x0391, 'a' },  /* Greek capital alpha */
	{ 0x0392, 'b' },  /* beta */
	{ 0x0395, 'e' },  /* epsilon */
	{ 0x0396, 'z' },  /* zeta */
	{ 0x0397, 'h' },  /* eta */
	{ 0x0399, 'i' },  /* iota */
	{ 0x039A, 'k' },  /* kappa */
	{ 0x039C, 'm' },  /* mu */
	{ 0x039D, 'n' },  /* nu */
	{ 0x039F, 'o' },  /* omicron */
	{ 0x03A1, 'p' },  /* rho */
	{ 0x03A4, 't' },  /* tau */
	{ 0x03A5, 'y' },  /* upsilon */
	{ 0x03A7, 'x' },  /* chi */
	{ 0x03B1, 'a' },  /* Greek small alpha */
	{ 0x03B9, 'i' },  /* iota */
	{ 0x03BA, 'k' },  /* kappa */
	{ 0x03BD, 'v' },  /* nu */
	{ 0x03BF, 'o' },  /* omicron */
	{ 0x03C1, 'p' },  /* rho */
	{ 0x03C4, 't' },  /* tau */
	{ 0x03C5, 'u' },  /* upsilon */
	{ 0x03C7, 'x' },  /* chi */
	{ 0x03F2, 'c' },  /* lunate sigma */
	{ 0x03F3, 'j' },  /* yot */
	{ 0x03F9, 'c' },  /* capital lunate sigma */
	{ 0x0405, 's' },  /* Cyrillic capital dze */
	{ 0x0406, 'i' },  /* Byelorussian-Ukrainian I */
	{ 0x0408, 'j' },  /* je */
	{ 0x0410, 'a' },  /* Cyrillic capital a */
	{ 0x0412, 'b' },  /* ve */
	{ 0x0415, 'e' },  /* ie */
	{ 0x041A, 'k' },  /* ka */
	{ 0x041C, 'm' },  /* em */
	{ 0x041D, 'h' },  /* en */
	{ 0x041E, 'o' },  /* o */
	{ 0x0420, 'p' },  /* er */
	{ 0x0421, 'c' },  /* es */
	{ 0x0422, 't' },  /* te */
	{ 0x0423, 'y' },  /* u */
	{ 0x0425, 'x' },  /* ha */
	{ 0x0430, 'a' },  /* Cyrillic small a */
	{ 0x0435, 'e' },  /* ie */
	{ 0x043E, 'o' },  /* o */
	{ 0x0440, 'p' },  /* er */
	{ 0x0441, 'c' },  /* es */
	{ 0x0443, 'y' },  /* u */
	{ 0x0445, 'x' },  /* ha */
	{ 0x0455, 's' },  /* dze */
	{ 0x0456, 'i' },  /* Byelorussian-Ukrainian i */
	{ 0x0458, 'j' },  /* je */
	{ 0x04AE, 'y' },  /* straight u */
	{ 0x04AF, 'y' },
	{ 0x04BB, 'h' },  /* shha */
	{ 0x04C0, 'i' },  /* palochka (capital) */
	{ 0x04CF, 'l' },  /* palochka (small) */
	{ 0x0501, 'd' },  /* komi de */
	{ 0x051A, 'q' },  /* qa */
	{ 0x051B, 'q' },
	{ 0x051C, 'w' },  /* we */
	{ 0x051D, 'w' },
	{ 0x0555, 'o' },  /* Armenian capital oh */
	{ 0x0585, 'o' },  /* Armenian small oh */
	{ 0x0589, ':' },  /* Armenian full stop */
	{ 0x2010, '-' },  /* hyphen */
	{ 0x2011, '-' },  /* non-breaking hyphen */
	{ 0x2012, '-' },  /* figure dash */
	{ 0x2013, '-' },  /* en dash */
	{ 0x2024, '.' },  /* one dot leader */
	{ 0x2044, '/' },  /* fraction slash */
	{ 0x212A, 'k' },  /* Kelvin sign */
	{ 0x2212, '-' },  /* minus sign */
	{ 0x2215, '/' },  /* division slash */
	{ 0x2236, ':' },  /* ratio */
	{ 0x3002, '.' },  /* ideographic full stop */
	{ 0xFE63, '-' },  /* small hyphen-minus */
	{ 0xFF61, '.' },  /* halfwidth ideographic full stop */
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int in_ranges(const struct cp_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static char lookalike_of(uint32_t cp)
{
	size_t lo = 0, hi = N_ELEMS(lookalikes);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < lookalikes[mid].cp)
			hi = mid;
		else if (cp > lookalikes[mid].cp)
			lo = mid + 1;
		else
			return lookalikes[mid].ascii;
	}
	return 0;
}

static unsigned char fold_ascii(unsigned char c)
{
	return (unsigned int)(c - 'A') < 26u ? (unsigned char)(c + 0x20) : c;
}

enum { SK_DROP, SK_ASCII, SK_CP };

/* What one code point (not ASCII) becomes: dropped, one ASCII character
 * (*ascii) or a code point (*cp_out, case folded); *kinds says why. */
static int skeleton_cp(uint32_t cp, unsigned char *ascii, uint32_t *cp_out,
		       unsigned int *kinds)
{
	uint32_t folded;
	char c;

	if (in_ranges(invisible, N_ELEMS(invisible), cp)) {
		*kinds |= SPN_LOOK_INVISIBLE;
		return SK_DROP;
	}
	if (in_ranges(spaces, N_ELEMS(spaces), cp)) {
		*kinds |= SPN_LOOK_SPACE;
		*ascii = ' ';
		return SK_ASCII;
	}
	if (cp >= 0xFF01 && cp <= 0xFF5E) {
		*kinds |= SPN_LOOK_FULLWIDTH;
		*ascii = fold_ascii((unsigned char)(cp - 0xFEE0));
		return SK_ASCII;
	}
	c = lookalike_of(cp);
	if (c == 0) {
		folded = spn_fold_cp(cp);
		if (folded < 0x80) {
			/* AD's own key folds it to ASCII (long s): not a
			 * lookalike, the same name */
			*ascii = fold_ascii((unsigned char)folded);
			return SK_ASCII;
		}
		c = lookalike_of(folded);
		if (c == 0) {
			*cp_out = folded;
			return SK_CP;
		}
	}
	*kinds |= SPN_LOOK_HOMOGLYPH;
	*ascii = (unsigned char)c;
	return SK_ASCII;
}

/* snprintf-like output: whole pieces or nothing once one did not fit. */
struct sink {
	char *out;
	size_t limit;    /* bytes that may be stored, NUL excluded */
	size_t written;
	size_t needed;
	int full;
	int terminate;   /* out has room for the NUL */
};

static void sink_init(struct sink *k, char *out, size_t out_size)
{
	k->out = out;
	k->limit = (out != NULL && out_size > 0) ? out_size - 1 : 0;
	k->written = 0;
	k->needed = 0;
	k->full = 0;
	k->terminate = out != NULL && out_size > 0;
}

static void emit(struct sink *k, const void *src, size_t len)
{
	if (!k->full && k->limit - k->written >= len) {
		memcpy(k->out + k->written, src, len);
		k->written += len;
	} else {
		k->full = 1;
	}
	k->needed += len;
}

static size_t sink_end(struct sink *k)
{
	if (k->terminate)
		k->out[k->written] = '\0';
	return k->needed;
}

/* Walk in: fills k (when not NULL) with the skeleton, returns the kinds. */
static unsigned int walk(const char *in, struct sink *k)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, n;
	unsigned int kinds = 0;
	unsigned char ascii, buf[4];
	uint32_t cp, out_cp;

	while (i < len) {
		if (s[i] < 0x80) {
			ascii = fold_ascii(s[i++]);
			if (k != NULL)
				emit(k, &ascii, 1);
			continue;
		}
		n = spn_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			/* not UTF-8: the byte goes through, as in the key */
			if (k != NULL)
				emit(k, s + i, 1);
			i++;
			continue;
		}
		i += n;
		switch (skeleton_cp(cp, &ascii, &out_cp, &kinds)) {
		case SK_ASCII:
			if (k != NULL)
				emit(k, &ascii, 1);
			break;
		case SK_CP:
			if (k != NULL)
				emit(k, buf, spn_utf8_encode(out_cp, buf));
			break;
		default:
			break;
		}
	}
	return kinds;
}

size_t spn_skeleton(const char *in, char *out, size_t out_size)
{
	struct sink k;

	sink_init(&k, out, out_size);
	if (in != NULL)
		walk(in, &k);
	return sink_end(&k);
}

unsigned int spn_lookalike_kinds(const char *in)
{
	return in != NULL ? walk(in, NULL) : 0;
}

size_t spn_escape_unicode(const char *in, char *out, size_t out_size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len, i = 0, n;
	struct sink k;
	char esc[16];
	uint32_t cp;
	int w;

	sink_init(&k, out, out_size);
	if (in == NULL)
		return sink_end(&k);
	len = strlen(in);
	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7F) {
			emit(&k, s + i, 1);
			i++;
			continue;
		}
		n = spn_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			w = snprintf(esc, sizeof(esc), "<0x%02X>", s[i]);
			n = 1;
		} else {
			w = snprintf(esc, sizeof(esc), "<U+%04X>", (unsigned int)cp);
		}
		if (w > 0)
			emit(&k, esc, (size_t)w);
		i += n;
	}
	return sink_end(&k);
}
