/* test_confusable.c - SPN skeletons, lookalike kinds and escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "confusable.h"

static void expect_skeleton(const char *in, const char *want)
{
	char out[256];
	size_t need;

	need = spn_skeleton(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(need, strlen(want));
	assert_int_equal(spn_skeleton(in, NULL, 0), need);
}

static void test_ascii_is_case_folded(void **state)
{
	(void)state;
	expect_skeleton("HTTP/Intranet.Corp.Test:8080", "http/intranet.corp.test:8080");
	expect_skeleton("", "");
	expect_skeleton("http/intranet2.corp.test", "http/intranet2.corp.test");
}

static void test_homoglyphs(void **state)
{
	(void)state;
	/* Cyrillic small i (U+0456) */
	expect_skeleton("http/\xd1\x96ntranet", "http/intranet");
	/* Cyrillic a, e, o, p, c, y, x in "paycox" */
	expect_skeleton("\xd1\x80\xd0\xb0\xd1\x83\xd1\x81\xd0\xbe\xd1\x85",
			"paycox");
	/* Cyrillic capitals A, B, E, K, M, H, O, P, C, T, X */
	expect_skeleton("\xd0\x90\xd0\x92\xd0\x95\xd0\x9a\xd0\x9c\xd0\x9d"
			"\xd0\x9e\xd0\xa0\xd0\xa1\xd0\xa2\xd0\xa5", "abekmhopctx");
	/* Greek capital iota, omicron; small alpha, nu, rho */
	expect_skeleton("\xce\x99\xce\x9f\xce\xb1\xce\xbd\xcf\x81", "ioavp");
	/* Cyrillic dze, je, shha, komi de, qa, we */
	expect_skeleton("\xd1\x95\xd1\x98\xd2\xbb\xd4\x81\xd4\x9b\xd4\x9d",
			"sjhdqw");
	/* Cyrillic capital dze folds to dze and then maps */
	expect_skeleton("\xd0\x85", "s");
	/* lower-case ve does not look like b: only folded */
	expect_skeleton("\xd0\x92\xd0\xb2", "b\xd0\xb2");
	/* a letter that is no lookalike is only case folded: U+00DC -> U+00FC */
	expect_skeleton("M\xc3\x9cNCHEN", "m\xc3\xbcnchen");
	/* long s is folded to s by AD's own key */
	expect_skeleton("\xc5\xbfvc", "svc");
	/* hyphen, one dot leader, fraction slash, Kelvin sign */
	expect_skeleton("a\xe2\x80\x90" "b\xe2\x80\xa4" "c\xe2\x81\x84\xe2\x84\xaa",
			"a-b.c/k");
}

static void test_invisible_and_spaces(void **state)
{
	(void)state;
	/* zero-width space, ZWNJ, ZWJ, word joiner, BOM, soft hyphen */
	expect_skeleton("pay\xe2\x80\x8broll", "payroll");
	expect_skeleton("p\xe2\x80\x8c" "a\xe2\x80\x8dy\xe2\x81\xa0r\xef\xbb\xbfo\xc2\xadll",
			"payroll");
	/* a tag character (U+E0041) and a variation selector */
	expect_skeleton("a\xf3\xa0\x81\x81" "b\xef\xb8\x8f", "ab");
	/* no-break space and ideographic space look like a space */
	expect_skeleton("pay\xc2\xa0roll", "pay roll");
	expect_skeleton("pay\xe3\x80\x80roll", "pay roll");
}

static void test_fullwidth(void **state)
{
	(void)state;
	/* U+FF28 U+FF34 U+FF34 U+FF30 U+FF0F U+FF49 */
	expect_skeleton("\xef\xbc\xa8\xef\xbc\xb4\xef\xbc\xb4\xef\xbc\xb0"
			"\xef\xbc\x8f\xef\xbd\x89", "http/i");
	/* U+FF01 and U+FF5E are the ends of the block */
	expect_skeleton("\xef\xbc\x81\xef\xbd\x9e", "!~");
	/* U+FF5F is outside it */
	expect_skeleton("\xef\xbd\x9f", "\xef\xbd\x9f");
}

static void test_invalid_utf8_is_copied(void **state)
{
	(void)state;
	expect_skeleton("A\xff" "B\xc3", "a\xff" "b\xc3");
	/* an overlong encoding of '/' is not '/' */
	expect_skeleton("\xc0\xaf", "\xc0\xaf");
	/* a surrogate encoded in UTF-8 is not valid */
	expect_skeleton("\xed\xa0\x80", "\xed\xa0\x80");
}

static void test_short_buffers(void **state)
{
	char out[8];
	size_t need;

	(void)state;
	/* the whole skeleton needs 13 bytes; 7 fit, whole characters only */
	need = spn_skeleton("HTTP/\xd0\x96\xd0\x96\xd0\x96\xd0\x96", out, sizeof(out));
	assert_int_equal(need, 13);
	assert_string_equal(out, "http/\xd0\xb6");
	need = spn_skeleton("abc", out, 1);
	assert_int_equal(need, 3);
	assert_string_equal(out, "");
	assert_int_equal(spn_skeleton(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(spn_lookalike_kinds("http/intranet"), 0);
	assert_int_equal(spn_lookalike_kinds("http/m\xc3\xbcnchen"), 0);
	assert_int_equal(spn_lookalike_kinds("http/\xd1\x96ntranet"),
			 SPN_LOOK_HOMOGLYPH);
	assert_int_equal(spn_lookalike_kinds("pay\xe2\x80\x8broll"),
			 SPN_LOOK_INVISIBLE);
	assert_int_equal(spn_lookalike_kinds("a\xc2\xa0" "b\xef\xbd\x89"),
			 SPN_LOOK_SPACE | SPN_LOOK_FULLWIDTH);
	assert_int_equal(spn_lookalike_kinds(NULL), 0);
	assert_int_equal(spn_lookalike_kinds("\xff\xfe"), 0);
}

static void test_escape(void **state)
{
	char out[64], small[12];
	size_t need;

	(void)state;
	need = spn_escape_unicode("http/pay\xe2\x80\x8broll", out, sizeof(out));
	assert_string_equal(out, "http/pay<U+200B>roll");
	assert_int_equal(need, strlen(out));
	spn_escape_unicode("a\nb\xff\xf0\x9f\x98\x80", out, sizeof(out));
	assert_string_equal(out, "a<U+000A>b<0xFF><U+1F600>");
	/* an escape that does not fit is left out whole */
	need = spn_escape_unicode("abcd\xe2\x80\x8b", small, sizeof(small));
	assert_int_equal(need, 12);
	assert_string_equal(small, "abcd");
	assert_int_equal(spn_escape_unicode(NULL, NULL, 0), 0);
}

static void test_huge_input(void **state)
{
	size_t n = 100000, i, need;
	char *in = malloc(n * 2 + 1), *out;

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++)
		memcpy(in + 2 * i, "\xd0\xb0", 2);   /* Cyrillic a */
	in[2 * n] = '\0';
	need = spn_skeleton(in, NULL, 0);
	assert_int_equal(need, n);
	out = malloc(need + 1);
	assert_non_null(out);
	assert_int_equal(spn_skeleton(in, out, need + 1), n);
	for (i = 0; i < n; i++)
		assert_int_equal(out[i], 'a');
	assert_int_equal(out[n], '\0');
	free(out);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_is_case_folded),
		cmocka_unit_test(test_homoglyphs),
		cmocka_unit_test(test_invisible_and_spaces),
		cmocka_unit_test(test_fullwidth),
		cmocka_unit_test(test_invalid_utf8_is_copied),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_huge_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
