/* test_filter.c - unit tests for RFC 4515 escaping and setspn -Q style patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/context.h>
#include "filter.h"

static void assert_escape(const char *value, const char *want)
{
	char *got = spn_filter_escape(value);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("escape of '%s' is '%s', expected '%s'", value, got, want);
	free(got);
}

static void test_escape_specials(void **state)
{
	(void)state;
	assert_escape("http/web01.corp.test", "http/web01.corp.test");
	assert_escape("", "");
	assert_escape("*", "\\2a");
	assert_escape("(", "\\28");
	assert_escape(")", "\\29");
	assert_escape("\\", "\\5c");
	assert_escape("a*b(c)d\\e", "a\\2ab\\28c\\29d\\5ce");
	/* an injection attempt stays one value */
	assert_escape("x)(objectClass=*", "x\\29\\28objectClass=\\2a");
	assert_escape("*)(|(servicePrincipalName=*",
		      "\\2a\\29\\28|\\28servicePrincipalName=\\2a");
	/* an already escaped value is escaped again: it is data */
	assert_escape("\\2a", "\\5c2a");
	/* characters that are not special in a value */
	assert_escape("MSSQLSvc/sql1:1433 =~<>&|!", "MSSQLSvc/sql1:1433 =~<>&|!");
}

static void test_escape_nonprintable(void **state)
{
	(void)state;
	assert_escape("\x01", "\\01");
	assert_escape("a\tb\nc\r", "a\\09b\\0ac\\0d");
	assert_escape("\x1b[2J", "\\1b[2J");
	assert_escape("\x7f", "\\7f");
	/* C1 control NEL (U+0085): both bytes escaped */
	assert_escape("a\xc2\x85" "b", "a\\c2\\85b");
	/* valid UTF-8 is kept */
	assert_escape("http/\xd0\xb2\xd0\xb5\xd0\xb1" "01",
		      "http/\xd0\xb2\xd0\xb5\xd0\xb1" "01");
	assert_escape("\xc2\xa0\xe4\xb8\xad\xf0\x9f\x98\x80",
		      "\xc2\xa0\xe4\xb8\xad\xf0\x9f\x98\x80");
	/* bytes that are not UTF-8 are escaped one by one */
	assert_escape("\xff", "\\ff");
	assert_escape("a\xc0\xaf" "b", "a\\c0\\afb");
	assert_escape("\xed\xa0\x80", "\\ed\\a0\\80");
	assert_escape("\xd0", "\\d0");
	assert_escape("\xd0\xd0\xb2", "\\d0\xd0\xb2");
}

static void test_escape_null_and_huge(void **state)
{
	char *value, *got;
	size_t i, n = 64 * 1024;

	(void)state;
	assert_null(spn_filter_escape(NULL));

	value = malloc(n + 1);
	assert_non_null(value);
	memset(value, '*', n);
	value[n] = '\0';
	got = spn_filter_escape(value);
	assert_non_null(got);
	assert_int_equal(strlen(got), 3 * n);
	for (i = 0; i < n; i++)
		assert_memory_equal(got + 3 * i, "\\2a", 3);
	free(got);
	free(value);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode an escaped value as the server would; fails on anything RFC 4515
 * does not allow unescaped in a value. Returns the decoded length. */
static size_t unescape(const char *escaped, unsigned char *out)
{
	size_t o = 0;
	const char *p;

	for (p = escaped; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\') {
			int hi = hex_value(p[1]);
			int lo = hi < 0 ? -1 : hex_value(p[2]);

			if (hi < 0 || lo < 0)
				fail_msg("bad escape in '%s'", escaped);
			out[o++] = (unsigned char)(hi * 16 + lo);
			p += 2;
			continue;
		}
		if (c == '*' || c == '(' || c == ')' || c < 0x20 || c == 0x7f)
			fail_msg("unescaped 0x%02x in '%s'", c, escaped);
		out[o++] = c;
	}
	return o;
}

/* Every byte string round-trips: escape, then decode, gives it back. */
static void test_escape_round_trip(void **state)
{
	unsigned char value[65], back[65];
	uint32_t seed = 12345;
	int round;
	size_t len, i;
	char *got;

	(void)state;
	for (round = 0; round < 5000; round++) {
		len = (size_t)(round % 64) + 1;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			value[i] = (unsigned char)((seed >> 16) % 255 + 1);
		}
		value[len] = '\0';
		got = spn_filter_escape((const char *)value);
		assert_non_null(got);
		assert_int_equal(unescape(got, back), len);
		assert_memory_equal(back, value, len);
		free(got);
	}
}

/* User input with an embedded NUL (from a file or another program: argv
 * cannot carry one, execve's strings end at it). The API takes C strings,
 * so the value ends at the NUL: what follows it never reaches a filter,
 * and nothing before it is left unescaped. */
static void test_embedded_nul(void **state)
{
	static const char input[] = "svc_a\0*)(objectClass=*";
	static const char pattern[] = "http/web*\0)(|(servicePrincipalName=*";
	char *got = NULL;

	(void)state;
	assert_int_equal(sizeof(input) - 1, 22);
	assert_escape(input, "svc_a");
	assert_escape("a*\0*", "a\\2a");
	assert_escape("\0*)(", "");
	assert_int_equal(spn_filter_pattern(NULL, pattern, &got), SPN_OK);
	assert_string_equal(got, "http/web*");
	free(got);
	got = NULL;
	/* a pattern that is only wildcards once cut at the NUL is refused */
	assert_int_equal(spn_filter_pattern(NULL, "*\0http/x", &got), SPN_E_INPUT);
	assert_null(got);
}

static void assert_pattern(const char *pattern, const char *want)
{
	spn_ctx *ctx = NULL;
	char *got = NULL;

	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	if (spn_filter_pattern(ctx, pattern, &got) != SPN_OK)
		fail_msg("pattern '%s' refused: %s", pattern, spn_ctx_error(ctx));
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("pattern '%s' gives '%s', expected '%s'", pattern, got,
			 want);
	free(got);
	spn_ctx_unref(ctx);
}

static void test_pattern_ok(void **state)
{
	(void)state;
	assert_pattern("http/web01.corp.test", "http/web01.corp.test");
	assert_pattern("http/*", "http/*");
	assert_pattern("http/web*", "http/web*");
	assert_pattern("MSSQLSvc/sql1*:1433", "MSSQLSvc/sql1*:1433");
	assert_pattern("h*/*.corp.test", "h*/*.corp.test");
	/* runs of wildcards collapse: "a**b" is not a valid substring filter */
	assert_pattern("http/a**b***", "http/a*b*");
	/* everything else is escaped */
	assert_pattern("http/(x)*", "http/\\28x\\29*");
	assert_pattern("http/a\\*", "http/a\\5c*");
	assert_pattern("http/x)(objectClass=*", "http/x\\29\\28objectClass=*");
	assert_pattern("http/\x01*", "http/\\01*");
	assert_pattern("http/\xff*", "http/\\ff*");
	assert_pattern("HTTP/\xd0\x92\xd0\x95\xd0\x91*",
		       "HTTP/\xd0\x92\xd0\x95\xd0\x91*");
}

/* A refused pattern: the status, one line naming it, nothing returned. */
static void assert_refused(const char *pattern, spn_status want,
			   const char *must_contain)
{
	spn_ctx *ctx = NULL;
	char *got = NULL;
	const char *message;

	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	assert_int_equal(spn_filter_pattern(ctx, pattern, &got), want);
	assert_null(got);
	assert_int_equal(spn_ctx_error_status(ctx), want);
	message = spn_ctx_error(ctx);
	if (strstr(message, must_contain) == NULL)
		fail_msg("error for '%s' is '%s', expected it to contain '%s'",
			 pattern ? pattern : "(null)", message, must_contain);
	if (strchr(message, '\n') != NULL)
		fail_msg("error for '%s' is not one line: '%s'",
			 pattern ? pattern : "(null)", message);
	spn_ctx_unref(ctx);
}

static void test_pattern_refused(void **state)
{
	spn_ctx *ctx = NULL;
	char *got = NULL;

	(void)state;
	assert_refused("", SPN_E_INPUT, "empty SPN pattern");
	assert_refused("*", SPN_E_INPUT, "SPN pattern '*' is only wildcards");
	assert_refused("***", SPN_E_INPUT, "SPN pattern '***' is only wildcards");
	assert_refused("*/*", SPN_E_INPUT, "SPN pattern '*/*' starts with '*'");
	assert_refused("*/web01.corp.test", SPN_E_INPUT,
		       "'*/web01.corp.test' starts with '*'");
	assert_refused("**http/web01", SPN_E_INPUT,
		       "'**http/web01' starts with '*'");
	assert_refused(NULL, SPN_E_USAGE, "no SPN pattern given");

	/* no place for the result */
	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	assert_int_equal(spn_filter_pattern(ctx, "http/*", NULL), SPN_E_USAGE);
	spn_ctx_unref(ctx);

	/* a NULL context still gets the status */
	assert_int_equal(spn_filter_pattern(NULL, "*", &got), SPN_E_INPUT);
	assert_null(got);
	assert_int_equal(spn_filter_pattern(NULL, "http/x*", &got), SPN_OK);
	assert_string_equal(got, "http/x*");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_nonprintable),
		cmocka_unit_test(test_escape_null_and_huge),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_pattern_ok),
		cmocka_unit_test(test_pattern_refused),
	};

	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
