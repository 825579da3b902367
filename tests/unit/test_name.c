/* test_name.c - unit tests for the SPN model: parse, classify, key, display, folding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/name.h>
#include "fold.h"

#define BIG (64 * 1024)

struct parse_case {
	const char *text;
	const char *service_class;
	const char *host;
	const char *port;          /* NULL: none expected */
	const char *instance;
	const char *service_name;
	spn_host_kind kind;
	const char *invalid;       /* NULL: well formed; else the exact reason */
};

#define LABEL63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789a"
#define LABEL64 LABEL63 "b"

static const struct parse_case parse_cases[] = {
	/* well formed */
	{ "http/web01.corp.test", "http", "web01.corp.test", NULL, NULL, NULL,
	  SPN_HOST_FQDN, NULL },
	{ "HTTP/Web01.CORP.test.", "HTTP", "Web01.CORP.test", NULL, NULL, NULL,
	  SPN_HOST_FQDN, NULL },
	{ "http/web01", "http", "web01", NULL, NULL, NULL, SPN_HOST_SHORT, NULL },
	{ "HOST/WS01.", "HOST", "WS01", NULL, NULL, NULL, SPN_HOST_SHORT, NULL },
	{ "MSSQLSvc/sql1.corp.test:1433", "MSSQLSvc", "sql1.corp.test", "1433",
	  NULL, NULL, SPN_HOST_FQDN, NULL },
	{ "MSSQLSvc/sql1.corp.test:SQLPROD", "MSSQLSvc", "sql1.corp.test", NULL,
	  "SQLPROD", NULL, SPN_HOST_FQDN, NULL },
	{ "MSSQLSvc/sql1.corp.test.:1433", "MSSQLSvc", "sql1.corp.test", "1433",
	  NULL, NULL, SPN_HOST_FQDN, NULL },
	{ "http/web01.corp.test:8080", "http", "web01.corp.test", "8080", NULL,
	  NULL, SPN_HOST_FQDN, NULL },
	{ "http/web01:1", "http", "web01", "1", NULL, NULL, SPN_HOST_SHORT, NULL },
	{ "http/web01:65535", "http", "web01", "65535", NULL, NULL,
	  SPN_HOST_SHORT, NULL },
	{ "http/web01:00080", "http", "web01", "00080", NULL, NULL,
	  SPN_HOST_SHORT, NULL },
	{ "MSSQLSvc/sql1:1a", "MSSQLSvc", "sql1", NULL, "1a", NULL,
	  SPN_HOST_SHORT, NULL },
	{ "ldap/dc-01.fabrikam.com/fabrikam.com", "ldap", "dc-01.fabrikam.com",
	  NULL, NULL, "fabrikam.com", SPN_HOST_FQDN, NULL },
	{ "ldap/dc1.corp.test:389/corp.test", "ldap", "dc1.corp.test", "389",
	  NULL, "corp.test", SPN_HOST_FQDN, NULL },
	{ "ldap/dc1.corp.test/CN=My Service,DC=corp,DC=test", "ldap",
	  "dc1.corp.test", NULL, NULL, "CN=My Service,DC=corp,DC=test",
	  SPN_HOST_FQDN, NULL },
	{ "a/b/c/d", "a", "b", NULL, NULL, "c/d", SPN_HOST_SHORT, NULL },
	{ "Microsoft Virtual Console Service/HOSTMACHINE",
	  "Microsoft Virtual Console Service", "HOSTMACHINE", NULL, NULL, NULL,
	  SPN_HOST_SHORT, NULL },
	{ "E3514235-4B06-11D1-AB04-00C04FC2DCD2/"
	  "0aa3d5d4-1234-4c4c-9f1e-111111111111/corp.test",
	  "E3514235-4B06-11D1-AB04-00C04FC2DCD2",
	  "0aa3d5d4-1234-4c4c-9f1e-111111111111", NULL, NULL, "corp.test",
	  SPN_HOST_SHORT, NULL },
	/* addresses */
	{ "cifs/127.0.0.61", "cifs", "127.0.0.61", NULL, NULL, NULL,
	  SPN_HOST_IPV4, NULL },
	{ "cifs/127.0.0.61:445", "cifs", "127.0.0.61", "445", NULL, NULL,
	  SPN_HOST_IPV4, NULL },
	{ "http/2001:db8::15", "http", "2001:db8::15", NULL, NULL, NULL,
	  SPN_HOST_IPV6, NULL },
	{ "http/2001:DB8::15/svc", "http", "2001:DB8::15", NULL, NULL, "svc",
	  SPN_HOST_IPV6, NULL },
	/* a valid address as a whole: all host, no port (see name.c) */
	{ "http/2001:db8::15:8080", "http", "2001:db8::15:8080", NULL, NULL,
	  NULL, SPN_HOST_IPV6, NULL },
	{ "http/2001:db8::15:SQLPROD", "http", "2001:db8::15", NULL, "SQLPROD",
	  NULL, SPN_HOST_IPV6, NULL },
	{ "http/1:2:3:4:5:6:7:8:443", "http", "1:2:3:4:5:6:7:8", "443", NULL,
	  NULL, SPN_HOST_IPV6, NULL },
	{ "http/[2001:db8::15]:443", "http", "2001:db8::15", "443", NULL, NULL,
	  SPN_HOST_IPV6, NULL },
	{ "http/[2001:db8::15]", "http", "2001:db8::15", NULL, NULL, NULL,
	  SPN_HOST_IPV6, NULL },
	{ "http/[::1]:8443/svc", "http", "::1", "8443", NULL, "svc",
	  SPN_HOST_IPV6, NULL },
	{ "http/::1", "http", "::1", NULL, NULL, NULL, SPN_HOST_IPV6, NULL },
	{ "http/::ffff:10.1.2.3", "http", "::ffff:10.1.2.3", NULL, NULL, NULL,
	  SPN_HOST_IPV6, NULL },
	/* other scripts */
	{ "HTTP/\xd0\x92\xd0\x95\xd0\x91" "01.corp.test", "HTTP",
	  "\xd0\x92\xd0\x95\xd0\x91" "01.corp.test", NULL, NULL, NULL,
	  SPN_HOST_FQDN, NULL },
	{ "http/xn--bcher-kva.example", "http", "xn--bcher-kva.example", NULL,
	  NULL, NULL, SPN_HOST_FQDN, NULL },
	{ "http/" LABEL63 ".test", "http", LABEL63 ".test", NULL, NULL, NULL,
	  SPN_HOST_FQDN, NULL },

	/* malformed: kept, with a reason */
	{ "", "", "", NULL, NULL, NULL, SPN_HOST_INVALID, "empty SPN" },
	{ "http", "http", "", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "no '/' between service class and host" },
	{ "/", "", "", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "empty service class" },
	{ "a/", "a", "", NULL, NULL, NULL, SPN_HOST_INVALID, "empty host" },
	{ "/b", "", "b", NULL, NULL, NULL, SPN_HOST_SHORT,
	  "empty service class" },
	{ "//", "", "", NULL, NULL, "", SPN_HOST_INVALID,
	  "empty service class" },
	{ "http//svc", "http", "", NULL, NULL, "svc", SPN_HOST_INVALID,
	  "empty host" },
	{ "http/.", "http", ".", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "empty host" },
	{ "http/web01.corp.test/", "http", "web01.corp.test", NULL, NULL, "",
	  SPN_HOST_FQDN, "empty service name after the second '/'" },
	{ "http/web 01.corp.test", "http", "web 01.corp.test", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains a space" },
	{ "http/web01 ", "http", "web01 ", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host contains a space" },
	{ "http/web01\xc2\xa0", "http", "web01\xc2\xa0", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains a space" },
	{ " http/web01", " http", "web01", NULL, NULL, NULL, SPN_HOST_SHORT,
	  "service class starts or ends with a space" },
	{ "http /web01", "http ", "web01", NULL, NULL, NULL, SPN_HOST_SHORT,
	  "service class starts or ends with a space" },
	{ "ht\ttp/web01", "ht\ttp", "web01", NULL, NULL, NULL, SPN_HOST_SHORT,
	  "service class contains a control character" },
	{ "http/web\x01" "01", "http", "web\x01" "01", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains a control character" },
	{ "http/web01\x7f", "http", "web01\x7f", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains a control character" },
	{ "http/web01\xc2\x85", "http", "web01\xc2\x85", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains a control character" },
	{ "http/web01\n", "http", "web01\n", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host contains a control character" },
	{ "http/web01/svc\x1b[2J", "http", "web01", NULL, NULL, "svc\x1b[2J",
	  SPN_HOST_SHORT, "service name contains a control character" },
	{ "http/web01/ svc", "http", "web01", NULL, NULL, " svc",
	  SPN_HOST_SHORT, "service name starts or ends with a space" },
	{ "http/web\xff", "http", "web\xff", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host is not valid UTF-8" },
	{ "ht\xc3tp/web", "ht\xc3tp", "web", NULL, NULL, NULL, SPN_HOST_SHORT,
	  "service class is not valid UTF-8" },
	{ "http/web\xc0\xaf", "http", "web\xc0\xaf", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host is not valid UTF-8" },
	{ "http/web\xed\xa0\x80", "http", "web\xed\xa0\x80", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host is not valid UTF-8" },
	{ "http/web01:", "http", "web01", NULL, "", NULL, SPN_HOST_SHORT,
	  "empty port or instance name after ':'" },
	{ "http/web01:0", "http", "web01", "0", NULL, NULL, SPN_HOST_SHORT,
	  "port is outside 1..65535" },
	{ "http/web01:65536", "http", "web01", "65536", NULL, NULL,
	  SPN_HOST_SHORT, "port is outside 1..65535" },
	{ "http/web01:99999999999999999999999", "http", "web01",
	  "99999999999999999999999", NULL, NULL, SPN_HOST_SHORT,
	  "port is outside 1..65535" },
	{ "MSSQLSvc/sql1:SQL PROD", "MSSQLSvc", "sql1", NULL, "SQL PROD", NULL,
	  SPN_HOST_SHORT, "instance name contains a space" },
	{ "MSSQLSvc/sql1:SQL\x01", "MSSQLSvc", "sql1", NULL, "SQL\x01", NULL,
	  SPN_HOST_SHORT, "instance name contains a control character" },
	{ "http/[2001:db8::15", "http", "[2001:db8::15", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "'[' in host without a closing ']'" },
	{ "http/[2001:db8::15]x", "http", "2001:db8::15", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "characters after ']' in host" },
	{ "http/[web01]", "http", "web01", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "bracketed host is not an IPv6 address" },
	{ "http/[10.1.2.3]:80", "http", "10.1.2.3", "80", NULL, NULL,
	  SPN_HOST_INVALID, "bracketed host is not an IPv6 address" },
	{ "http/[]", "http", "", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "empty host" },
	{ "http/a:b:c", "http", "a:b:c", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host has several ':' but is not an IPv6 address" },
	{ "http/2001:db8::zz", "http", "2001:db8::zz", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host has several ':' but is not an IPv6 address" },
	{ "http/fe80::1%eth0", "http", "fe80::1%eth0", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host has several ':' but is not an IPv6 address" },
	{ "http/.web01", "http", ".web01", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host has an empty label (leading dot or '..')" },
	{ "http/web01..corp.test", "http", "web01..corp.test", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host has an empty label (leading dot or '..')" },
	{ "http/web01..", "http", "web01.", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host has an empty label (leading dot or '..')" },
	{ "http/" LABEL64 ".test", "http", LABEL64 ".test", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host has a label longer than 63 characters" },
	{ "http/256.1.1.1", "http", "256.1.1.1", NULL, NULL, NULL,
	  SPN_HOST_INVALID,
	  "host looks like an IPv4 address but is not a valid one" },
	{ "http/10.1.2", "http", "10.1.2", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host looks like an IPv4 address but is not a valid one" },
	{ "http/web01@CORP.TEST", "http", "web01@CORP.TEST", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains '@' (a realm or a user name?)" },
	{ "http/CORP\\web01", "http", "CORP\\web01", NULL, NULL, NULL,
	  SPN_HOST_INVALID, "host contains '\\'" },
	{ "http/web]01", "http", "web]01", NULL, NULL, NULL, SPN_HOST_INVALID,
	  "host contains ']'" },
	/* the first problem found is the one reported */
	{ " /web 01:0/", " ", "web 01", "0", NULL, "", SPN_HOST_INVALID,
	  "service class starts or ends with a space" },
};

static void assert_string_or_null(const char *got, const char *want,
				  const char *what, const char *text)
{
	if (want == NULL) {
		if (got != NULL)
			fail_msg("'%s': %s is '%s', expected none", text, what, got);
		return;
	}
	if (got == NULL)
		fail_msg("'%s': %s missing, expected '%s'", text, what, want);
	if (strcmp(got, want) != 0)
		fail_msg("'%s': %s is '%s', expected '%s'", text, what, got, want);
}

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		spn_name *name = NULL;

		assert_int_equal(spn_name_parse(c->text, &name), SPN_OK);
		assert_non_null(name);
		assert_string_or_null(name->service_class, c->service_class,
				      "service class", c->text);
		assert_string_or_null(name->host, c->host, "host", c->text);
		assert_string_or_null(name->port, c->port, "port", c->text);
		assert_string_or_null(name->instance, c->instance, "instance",
				      c->text);
		assert_string_or_null(name->service_name, c->service_name,
				      "service name", c->text);
		if (name->host_kind != c->kind)
			fail_msg("'%s': host kind %s, expected %s", c->text,
				 spn_host_kind_name(name->host_kind),
				 spn_host_kind_name(c->kind));
		assert_string_or_null(name->invalid, c->invalid, "invalid",
				      c->text);
		spn_name_free(name);
	}
}

static void test_parse_usage(void **state)
{
	spn_name *name = NULL;

	(void)state;
	assert_int_equal(spn_name_parse(NULL, &name), SPN_E_USAGE);
	assert_null(name);
	assert_int_equal(spn_name_parse("http/web01", NULL), SPN_E_USAGE);
	spn_name_free(NULL);
}

static char *big_string(const char *prefix, char fill, size_t fill_len)
{
	size_t plen = strlen(prefix);
	char *s = malloc(plen + fill_len + 1);

	assert_non_null(s);
	memcpy(s, prefix, plen);
	memset(s + plen, fill, fill_len);
	s[plen + fill_len] = '\0';
	return s;
}

static void test_parse_huge(void **state)
{
	spn_name *name = NULL;
	char *s;
	size_t i;

	(void)state;
	/* one 64 KiB label */
	s = big_string("http/", 'a', BIG);
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_string_equal(name->invalid, "host name longer than 255 characters");
	assert_int_equal(strlen(name->host), BIG);
	assert_int_equal(name->host_kind, SPN_HOST_INVALID);
	spn_name_free(name);
	free(s);

	/* 256 characters made of valid labels */
	s = big_string("http/", 'a', 256);
	for (i = 5 + 50; i < 5 + 250; i += 51)
		s[i] = '.';
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_string_equal(name->invalid, "host name longer than 255 characters");
	spn_name_free(name);
	/* 255 is still fine */
	s[5 + 255] = '\0';
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_null(name->invalid);
	assert_int_equal(name->host_kind, SPN_HOST_FQDN);
	spn_name_free(name);
	free(s);

	/* 64 KiB of slashes, of colons, no slash at all */
	s = big_string("", '/', BIG);
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_string_equal(name->invalid, "empty service class");
	assert_int_equal(strlen(name->service_name), BIG - 2);
	spn_name_free(name);
	free(s);

	s = big_string("http/", ':', BIG);
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_non_null(name->invalid);
	assert_int_equal(name->host_kind, SPN_HOST_INVALID);
	spn_name_free(name);
	free(s);

	s = big_string("", 'A', BIG);
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_string_equal(name->invalid, "no '/' between service class and host");
	spn_name_free(name);
	free(s);

	/* a huge port never overflows into a valid one */
	s = big_string("http/web01:", '9', BIG);
	assert_int_equal(spn_name_parse(s, &name), SPN_OK);
	assert_string_equal(name->invalid, "port is outside 1..65535");
	spn_name_free(name);
	free(s);
}

static void test_classify(void **state)
{
	static const struct {
		const char *host;
		spn_host_kind kind;
	} cases[] = {
		{ "web01.corp.test", SPN_HOST_FQDN },
		{ "web01.corp.test.", SPN_HOST_FQDN },
		{ "WEB01", SPN_HOST_SHORT },
		{ "WEB01.", SPN_HOST_SHORT },
		{ "127.0.0.61", SPN_HOST_IPV4 },
		{ "10.0.0.256", SPN_HOST_INVALID },
		{ "10.1", SPN_HOST_INVALID },
		{ "2001:db8::15", SPN_HOST_IPV6 },
		{ "[2001:db8::15]", SPN_HOST_IPV6 },
		{ "::1", SPN_HOST_IPV6 },
		{ "[web01]", SPN_HOST_INVALID },
		{ "[2001:db8::15", SPN_HOST_INVALID },
		{ "web01:80", SPN_HOST_INVALID },
		{ "web 01", SPN_HOST_INVALID },
		{ "web\x01", SPN_HOST_INVALID },
		{ "", SPN_HOST_INVALID },
		{ ".", SPN_HOST_INVALID },
		{ "..", SPN_HOST_INVALID },
		{ "a..b", SPN_HOST_INVALID },
		{ LABEL64, SPN_HOST_INVALID },
		{ LABEL63, SPN_HOST_SHORT },
		{ "\xd0\xba\xd0\xbe\xd1\x80\xd0\xbf.test", SPN_HOST_FQDN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spn_host_kind got = spn_host_classify(cases[i].host);

		if (got != cases[i].kind)
			fail_msg("'%s': %s, expected %s", cases[i].host,
				 spn_host_kind_name(got),
				 spn_host_kind_name(cases[i].kind));
	}
	assert_int_equal(spn_host_classify(NULL), SPN_HOST_INVALID);
	assert_string_equal(spn_host_kind_name(SPN_HOST_FQDN), "fqdn");
	assert_string_equal(spn_host_kind_name(SPN_HOST_SHORT), "short");
	assert_string_equal(spn_host_kind_name(SPN_HOST_IPV4), "ipv4");
	assert_string_equal(spn_host_kind_name(SPN_HOST_IPV6), "ipv6");
	assert_string_equal(spn_host_kind_name(SPN_HOST_INVALID), "invalid");
	assert_string_equal(spn_host_kind_name((spn_host_kind)42), "unknown");
}

/* The key of a, compared with the exact text want. */
static void assert_key(const char *spn, const char *want)
{
	char buf[512];
	size_t n = spn_key(spn, buf, sizeof(buf));

	if (n != strlen(want) || strcmp(buf, want) != 0)
		fail_msg("key of '%s' is '%s' (%zu), expected '%s'", spn, buf, n,
			 want);
}

static void assert_same_key(const char *a, const char *b, int same)
{
	char ka[512], kb[512];

	spn_key(a, ka, sizeof(ka));
	spn_key(b, kb, sizeof(kb));
	if ((strcmp(ka, kb) == 0) != same)
		fail_msg("keys of '%s' and '%s' should %sbe equal ('%s', '%s')",
			 a, b, same ? "" : "not ", ka, kb);
}

static void test_key_ascii(void **state)
{
	(void)state;
	assert_key("http/web01.corp.test", "http/web01.corp.test");
	/* a trailing dot is part of the SPN to AD: it stays */
	assert_key("HTTP/Web01.CORP.test.", "http/web01.corp.test.");
	assert_key("HOST/WS01.", "host/ws01.");
	assert_key("MSSQLSvc/SQL1.corp.test.:1433", "mssqlsvc/sql1.corp.test.:1433");
	assert_key("MSSQLSvc/SQL1:SQLPROD", "mssqlsvc/sql1:sqlprod");
	assert_key("ldap/DC1.corp.test./CORP.TEST.", "ldap/dc1.corp.test./corp.test.");
	assert_key("http/2001:DB8::15", "http/2001:db8::15");
	assert_key("http/[2001:DB8::15]:443", "http/[2001:db8::15]:443");
	assert_key("http/::FFFF:10.1.2.3", "http/::ffff:10.1.2.3");
	/* only one trailing dot, and a lone dot stays */
	assert_key("http/web01..", "http/web01..");
	assert_key("http/.", "http/.");
	assert_key("http/", "http/");
	assert_key("HTTP", "http");
	assert_key("", "");
	/* every ASCII letter, and only letters */
	assert_key("ABCDEFGHIJKLMNOPQRSTUVWXYZ/@[`{~",
		   "abcdefghijklmnopqrstuvwxyz/@[`{~");

	assert_same_key("HTTP/Web01.CORP.test.", "http/web01.corp.test", 0);
	assert_same_key("HTTP/Web01.CORP.test.", "http/web01.corp.test.", 1);
	assert_same_key("HTTP/APP.CORP.TEST", "http/app.corp.test", 1);
	assert_same_key("http/web01", "http/web02", 0);
	assert_same_key("http/web01:80", "http/web01:8080", 0);
	assert_same_key("http/web01", "http/web01.corp.test", 0);
	assert_same_key("http/web01/a", "http/web01/b", 0);
}

static void test_key_unicode(void **state)
{
	(void)state;
	/* Cyrillic: ВЕБ01.КОРП vs веб01.корп, Ё/ё (U+0401/U+0451), Ѣ/ѣ */
	assert_same_key("HTTP/\xd0\x92\xd0\x95\xd0\x91" "01.\xd0\x9a\xd0\x9e"
			"\xd0\xa0\xd0\x9f.TEST",
			"http/\xd0\xb2\xd0\xb5\xd0\xb1" "01.\xd0\xba\xd0\xbe"
			"\xd1\x80\xd0\xbf.test", 1);
	assert_same_key("http/\xd0\x81", "http/\xd1\x91", 1);
	assert_same_key("http/\xd1\xa2", "http/\xd1\xa3", 1);
	/* Greek: ΣΕΡΒΕΡ vs σερβερ, and final sigma folds to sigma */
	assert_same_key("HTTP/\xce\xa3\xce\x95\xce\xa1\xce\x92\xce\x95\xce\xa1",
			"http/\xcf\x83\xce\xb5\xcf\x81\xce\xb2\xce\xb5\xcf\x81", 1);
	assert_same_key("http/\xcf\x83\xcf\x82", "http/\xce\xa3\xce\xa3", 1);
	assert_same_key("http/\xce\x86", "http/\xce\xac", 1);      /* Ά ά */
	/* Latin-1 and Latin Extended-A */
	assert_same_key("http/\xc3\x84rger", "http/\xc3\xa4rger", 1); /* Ä ä */
	assert_same_key("http/\xc5\xb8", "http/\xc3\xbf", 1);      /* Ÿ ÿ */
	assert_same_key("http/\xc5\x81\xc3\xb3" "d\xc5\xba",          /* Łódź */
			"http/\xc5\x82\xc3\x93" "D\xc5\xb9", 1);
	/* different letters stay different */
	assert_same_key("http/\xd0\xb0", "http/a", 0);             /* а vs a */
	assert_same_key("http/\xce\xb1", "http/\xd0\xb0", 0);      /* α vs а */

	/* long s folds to s: the key is shorter than the SPN */
	assert_key("http/\xc5\xbf" "erver", "http/server");
	/* micro sign folds to Greek mu */
	assert_key("http/\xc2\xb5", "http/\xce\xbc");
	/* full-only foldings are left alone: ß, İ */
	assert_key("http/stra\xc3\x9f" "e", "http/stra\xc3\x9f" "e");
	assert_key("http/\xc4\xb0", "http/\xc4\xb0");
	/* outside the covered blocks: unchanged (Kelvin sign, CJK) */
	assert_key("http/\xe2\x84\xaa", "http/\xe2\x84\xaa");
	assert_key("http/\xe4\xb8\xad", "http/\xe4\xb8\xad");
}

static void test_key_invalid_utf8(void **state)
{
	(void)state;
	/* bytes that are not UTF-8 go through unchanged, letters around fold */
	assert_key("HTTP/\xff\xfeWEB", "http/\xff\xfeweb");
	assert_key("HTTP/\xc0\xafWEB", "http/\xc0\xafweb");            /* overlong */
	assert_key("HTTP/\xed\xa0\x80X", "http/\xed\xa0\x80x");        /* surrogate */
	assert_key("HTTP/\xf4\x90\x80\x80X", "http/\xf4\x90\x80\x80x");/* > 10FFFF */
	assert_key("HTTP/X\xd0", "http/x\xd0");                        /* cut short */
	assert_key("HTTP/\x80\xd0\x92", "http/\x80\xd0\xb2");          /* stray, В */
	assert_key("HTTP/\xd0\xd0\x92", "http/\xd0\xd0\xb2");          /* lead, В */
	assert_key("HTTP/\xf0\x9f\x98\x80", "http/\xf0\x9f\x98\x80");  /* emoji */
}

static void test_key_buffer(void **state)
{
	char buf[32];
	size_t n;

	(void)state;
	/* too small: the needed length, a NUL-terminated prefix, nothing past */
	memset(buf, 'Z', sizeof(buf));
	n = spn_key("HTTP/WEB01.CORP.TEST", buf, 8);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "http/we");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = spn_key("HTTP/WEB01.CORP.TEST", buf, 1);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'Z');

	/* exactly enough */
	n = spn_key("HTTP/WEB01.CORP.TEST", buf, 21);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "http/web01.corp.test");

	/* one short: the last byte gives way to the NUL */
	n = spn_key("HTTP/WEB01.CORP.TEST", buf, 20);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "http/web01.corp.tes");

	/* no buffer: just the length */
	assert_int_equal(spn_key("HTTP/WEB01.CORP.TEST.", NULL, 0), 21);
	assert_int_equal(spn_key("HTTP/WEB01.CORP.TEST.", NULL, 99), 21);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(spn_key("HTTP/WEB01", buf, 0), 10);
	assert_int_equal(buf[0], 'Z');

	/* a character is never split: Д needs two bytes, only one is left */
	memset(buf, 'Z', sizeof(buf));
	n = spn_key("http/\xd0\x94\xd0\x94", buf, 7);
	assert_int_equal(n, 9);
	assert_string_equal(buf, "http/");
	/* nor skipped: a shorter character after one that did not fit stays out */
	memset(buf, 'Z', sizeof(buf));
	n = spn_key("http/\xe4\xb8\xad\xd0\x94", buf, 8);
	assert_int_equal(n, 10);
	assert_string_equal(buf, "http/");

	/* NULL SPN: empty key */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(spn_key(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_key_huge(void **state)
{
	char *s, *key;
	size_t n, i;

	(void)state;
	s = big_string("HTTP/", 'A', BIG);
	n = spn_key(s, NULL, 0);
	assert_int_equal(n, BIG + 5);
	key = malloc(n + 1);
	assert_non_null(key);
	assert_int_equal(spn_key(s, key, n + 1), n);
	assert_memory_equal(key, "http/", 5);
	for (i = 5; i < n; i++)
		if (key[i] != 'a')
			fail_msg("byte %zu of the key is 0x%02x", i,
				 (unsigned char)key[i]);
	assert_int_equal(key[n], '\0');
	free(key);
	free(s);

	/* 64 KiB of invalid UTF-8 */
	s = big_string("HTTP/", '\xff', BIG);
	n = spn_key(s, NULL, 0);
	assert_int_equal(n, BIG + 5);
	free(s);
}

static void test_display(void **state)
{
	static const struct {
		const char *host;
		const char *want;
	} cases[] = {
		{ "Web01.CORP.test.", "web01.corp.test" },
		{ "web01.corp.test", "web01.corp.test" },
		{ "WEB01", "web01" },
		{ "web01..", "web01." },
		{ "[2001:DB8::15]", "2001:db8::15" },
		{ "2001:DB8::15", "2001:db8::15" },
		{ "127.0.0.61", "127.0.0.61" },
		{ "\xd0\x92\xd0\x95\xd0\x91" "01.", "\xd0\xb2\xd0\xb5\xd0\xb1" "01" },
		{ "\xc5\xbf" "erver", "server" },
		{ "", "" },
		{ "[]", "" },
		{ "[", "[" },
	};
	size_t i;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = spn_host_display(cases[i].host);
		assert_non_null(d);
		if (strcmp(d, cases[i].want) != 0)
			fail_msg("display of '%s' is '%s', expected '%s'",
				 cases[i].host, d, cases[i].want);
		free(d);
	}
	assert_null(spn_host_display(NULL));
}

/* Every row of the folding table, at both ends and just outside. */
static void test_fold_cp(void **state)
{
	static const uint32_t pairs[][2] = {
		{ 'A', 'a' }, { 'Z', 'z' }, { '@', '@' }, { '[', '[' },
		{ 'a', 'a' }, { 0x7F, 0x7F },
		{ 0xB5, 0x3BC }, { 0xC0, 0xE0 }, { 0xD6, 0xF6 }, { 0xD7, 0xD7 },
		{ 0xD8, 0xF8 }, { 0xDE, 0xFE }, { 0xDF, 0xDF }, { 0xE0, 0xE0 },
		{ 0x100, 0x101 }, { 0x101, 0x101 }, { 0x12E, 0x12F },
		{ 0x130, 0x130 }, { 0x131, 0x131 }, { 0x132, 0x133 },
		{ 0x136, 0x137 }, { 0x138, 0x138 }, { 0x139, 0x13A },
		{ 0x147, 0x148 }, { 0x149, 0x149 }, { 0x14A, 0x14B },
		{ 0x176, 0x177 }, { 0x178, 0xFF }, { 0x179, 0x17A },
		{ 0x17D, 0x17E }, { 0x17F, 's' }, { 0x180, 0x180 },
		{ 0x370, 0x371 }, { 0x372, 0x373 }, { 0x374, 0x374 },
		{ 0x376, 0x377 }, { 0x37F, 0x3F3 }, { 0x386, 0x3AC },
		{ 0x388, 0x3AD }, { 0x38A, 0x3AF }, { 0x38C, 0x3CC },
		{ 0x38E, 0x3CD }, { 0x38F, 0x3CE }, { 0x390, 0x390 },
		{ 0x391, 0x3B1 }, { 0x3A1, 0x3C1 }, { 0x3A2, 0x3A2 },
		{ 0x3A3, 0x3C3 }, { 0x3AB, 0x3CB }, { 0x3B0, 0x3B0 },
		{ 0x3C2, 0x3C3 }, { 0x3C3, 0x3C3 }, { 0x3CF, 0x3D7 },
		{ 0x3D0, 0x3B2 }, { 0x3D1, 0x3B8 }, { 0x3D2, 0x3D2 },
		{ 0x3D5, 0x3C6 }, { 0x3D6, 0x3C0 }, { 0x3D7, 0x3D7 },
		{ 0x3D8, 0x3D9 }, { 0x3EE, 0x3EF }, { 0x3F0, 0x3BA },
		{ 0x3F1, 0x3C1 }, { 0x3F2, 0x3F2 }, { 0x3F4, 0x3B8 },
		{ 0x3F5, 0x3B5 }, { 0x3F6, 0x3F6 }, { 0x3F7, 0x3F8 },
		{ 0x3F9, 0x3F2 }, { 0x3FA, 0x3FB }, { 0x3FD, 0x37B },
		{ 0x3FF, 0x37D },
		{ 0x400, 0x450 }, { 0x40F, 0x45F }, { 0x410, 0x430 },
		{ 0x42F, 0x44F }, { 0x430, 0x430 }, { 0x460, 0x461 },
		{ 0x480, 0x481 }, { 0x482, 0x482 }, { 0x48A, 0x48B },
		{ 0x4BE, 0x4BF }, { 0x4C0, 0x4CF }, { 0x4C1, 0x4C2 },
		{ 0x4CD, 0x4CE }, { 0x4CF, 0x4CF }, { 0x4D0, 0x4D1 },
		{ 0x4FE, 0x4FF }, { 0x500, 0x501 }, { 0x52E, 0x52F },
		{ 0x530, 0x530 }, { 0x531, 0x531 }, { 0x212A, 0x212A },
		{ 0x10400, 0x10400 }, { 0x10FFFF, 0x10FFFF },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint32_t got = spn_fold_cp(pairs[i][0]);

		if (got != pairs[i][1])
			fail_msg("U+%04X folds to U+%04X, expected U+%04X",
				 (unsigned)pairs[i][0], (unsigned)got,
				 (unsigned)pairs[i][1]);
	}
	/* folding is idempotent over the covered blocks */
	for (i = 0; i < 0x600; i++) {
		uint32_t f = spn_fold_cp((uint32_t)i);

		if (spn_fold_cp(f) != f)
			fail_msg("U+%04X: folding not idempotent", (unsigned)i);
	}
}

static void test_utf8_decode(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		size_t want_len;
		uint32_t want_cp;
	} cases[] = {
		{ "A", 1, 1, 'A' },
		{ "\xc2\x80", 2, 2, 0x80 },
		{ "\xdf\xbf", 2, 2, 0x7FF },
		{ "\xe0\xa0\x80", 3, 3, 0x800 },
		{ "\xef\xbf\xbf", 3, 3, 0xFFFF },
		{ "\xf0\x90\x80\x80", 4, 4, 0x10000 },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10FFFF },
		{ "\xc0\x80", 2, 0, 0 },            /* overlong NUL */
		{ "\xc1\xbf", 2, 0, 0 },            /* overlong */
		{ "\xe0\x9f\xbf", 3, 0, 0 },        /* overlong */
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },    /* overlong */
		{ "\xed\xa0\x80", 3, 0, 0 },        /* surrogate */
		{ "\xed\xbf\xbf", 3, 0, 0 },        /* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },    /* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xff", 1, 0, 0 },
		{ "\x80", 1, 0, 0 },                /* stray continuation */
		{ "\xc3", 1, 0, 0 },                /* cut short */
		{ "\xe2\x82", 2, 0, 0 },
		{ "\xc3\x41", 2, 0, 0 },            /* bad continuation */
		{ "\xe2\x28\xa1", 3, 0, 0 },
		{ "\xf0\x90\x28\xbc", 4, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t n = spn_utf8_decode((const unsigned char *)cases[i].bytes,
					   cases[i].len, &cp);

		if (n != cases[i].want_len)
			fail_msg("case %zu: length %zu, expected %zu", i, n,
				 cases[i].want_len);
		if (n > 0 && cp != cases[i].want_cp)
			fail_msg("case %zu: U+%04X, expected U+%04X", i,
				 (unsigned)cp, (unsigned)cases[i].want_cp);
	}
	assert_int_equal(spn_utf8_decode((const unsigned char *)"A", 0, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_usage),
		cmocka_unit_test(test_parse_huge),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_key_ascii),
		cmocka_unit_test(test_key_unicode),
		cmocka_unit_test(test_key_invalid_utf8),
		cmocka_unit_test(test_key_buffer),
		cmocka_unit_test(test_key_huge),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_fold_cp),
		cmocka_unit_test(test_utf8_decode),
	};

	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
