/* test_target.c - unit tests for krbprobe targets: parsing (with hostile
 * strings), the client rules that need no DNS, and probe results. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/probe.h>
#include <spn/context.h>

struct good_case {
	const char *text;
	const char *service;        /* --service, or NULL */
	spn_target_kind kind;
	const char *service_class;
	const char *host;
	const char *suffix;
	spn_host_kind host_kind;
	const char *spn;            /* the SPN requested (plan without DNS);
				       NULL: a short name, not planned here */
	const char *note;           /* a substring of target->note, or NULL */
};

static const struct good_case good_cases[] = {
	/* SPNs, as typed */
	{ "cifs/fs1.corp.example", NULL, SPN_TARGET_SPN, "cifs",
	  "fs1.corp.example", "", SPN_HOST_FQDN, "cifs/fs1.corp.example", NULL },
	{ "MSSQLSvc/sql1:1433", NULL, SPN_TARGET_SPN, "MSSQLSvc", "sql1",
	  ":1433", SPN_HOST_SHORT, NULL, NULL },
	{ "MSSQLSvc/sql1.corp.test:SQLPROD", NULL, SPN_TARGET_SPN, "MSSQLSvc",
	  "sql1.corp.test", ":SQLPROD", SPN_HOST_FQDN,
	  "MSSQLSvc/sql1.corp.test:SQLPROD", NULL },
	{ "ldap/dc1.corp.test/corp.test", NULL, SPN_TARGET_SPN, "ldap",
	  "dc1.corp.test", "/corp.test", SPN_HOST_FQDN,
	  "ldap/dc1.corp.test/corp.test", NULL },
	{ "HTTP/Web01.Corp.Test.", NULL, SPN_TARGET_SPN, "HTTP",
	  "Web01.Corp.Test", "", SPN_HOST_FQDN, "HTTP/Web01.Corp.Test.", NULL },
	{ "http/web01.corp.test", "MSSQLSvc", SPN_TARGET_SPN, "http",
	  "web01.corp.test", "", SPN_HOST_FQDN, "http/web01.corp.test", NULL },
	/* hosts */
	{ "fs1", NULL, SPN_TARGET_HOST, "cifs", "fs1", "", SPN_HOST_SHORT,
	  NULL, NULL },
	{ "fs1.corp.example", NULL, SPN_TARGET_HOST, "cifs",
	  "fs1.corp.example", "", SPN_HOST_FQDN, "cifs/fs1.corp.example", NULL },
	{ "fs1.corp.example.", NULL, SPN_TARGET_HOST, "cifs",
	  "fs1.corp.example", "", SPN_HOST_FQDN, "cifs/fs1.corp.example", NULL },
	{ "web01.corp.test", "HTTP", SPN_TARGET_HOST, "HTTP",
	  "web01.corp.test", "", SPN_HOST_FQDN, "HTTP/web01.corp.test", NULL },
	{ "sql1.corp.test:1433", "MSSQLSvc", SPN_TARGET_HOST_PORT, "MSSQLSvc",
	  "sql1.corp.test", ":1433", SPN_HOST_FQDN,
	  "MSSQLSvc/sql1.corp.test:1433", NULL },
	{ "192.0.2.7", NULL, SPN_TARGET_HOST, "cifs", "192.0.2.7", "",
	  SPN_HOST_IPV4, "cifs/192.0.2.7", NULL },
	{ "2001:db8::7", NULL, SPN_TARGET_HOST, "cifs", "2001:db8::7", "",
	  SPN_HOST_IPV6, "cifs/2001:db8::7", NULL },
	{ "[2001:db8::7]", NULL, SPN_TARGET_HOST, "cifs", "2001:db8::7", "",
	  SPN_HOST_IPV6, "cifs/2001:db8::7", NULL },
	{ "[2001:db8::7]:1433", "MSSQLSvc", SPN_TARGET_HOST_PORT, "MSSQLSvc",
	  "2001:db8::7", ":1433", SPN_HOST_IPV6,
	  "MSSQLSvc/[2001:db8::7]:1433", NULL },
	{ "192.0.2.7:1433", "MSSQLSvc", SPN_TARGET_HOST_PORT, "MSSQLSvc",
	  "192.0.2.7", ":1433", SPN_HOST_IPV4, "MSSQLSvc/192.0.2.7:1433",
	  NULL },
	/* UNC paths */
	{ "\\\\fs1\\share", NULL, SPN_TARGET_UNC, "cifs", "fs1", "",
	  SPN_HOST_SHORT, NULL, NULL },
	{ "\\\\fs1.corp.test\\share\\dir\\file.txt", "HTTP", SPN_TARGET_UNC,
	  "cifs", "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test",
	  NULL },
	{ "//fs1.corp.test/share", NULL, SPN_TARGET_UNC, "cifs",
	  "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "\\\\fs1.corp.test", NULL, SPN_TARGET_UNC, "cifs", "fs1.corp.test",
	  "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "\\\\?\\UNC\\fs1.corp.test\\share", NULL, SPN_TARGET_UNC, "cifs",
	  "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "\\\\?\\unc\\fs1.corp.test\\share", NULL, SPN_TARGET_UNC, "cifs",
	  "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "\\\\fs1.corp.test\\my share", NULL, SPN_TARGET_UNC, "cifs",
	  "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "\\\\127.0.0.61\\share", NULL, SPN_TARGET_UNC, "cifs", "127.0.0.61",
	  "", SPN_HOST_IPV4, "cifs/127.0.0.61", NULL },
	{ "\\\\web.corp.test@SSL\\DavWWWRoot", NULL, SPN_TARGET_UNC, "HTTP",
	  "web.corp.test", "", SPN_HOST_FQDN, "HTTP/web.corp.test", "WebDAV" },
	{ "\\\\web.corp.test@SSL@8443\\dav", NULL, SPN_TARGET_UNC, "HTTP",
	  "web.corp.test", "", SPN_HOST_FQDN, "HTTP/web.corp.test", "WebDAV" },
	{ "\\\\web.corp.test@8080\\dav", NULL, SPN_TARGET_UNC, "HTTP",
	  "web.corp.test", "", SPN_HOST_FQDN, "HTTP/web.corp.test", "WebDAV" },
	{ "\\\\2001-db8--15.ipv6-literal.net\\share", NULL, SPN_TARGET_UNC,
	  "cifs", "2001:db8::15", "", SPN_HOST_IPV6, "cifs/2001:db8::15",
	  "IPv6" },
	{ "\\\\fe80--1s4.IPV6-LITERAL.NET\\share", NULL, SPN_TARGET_UNC,
	  "cifs", "fe80::1", "", SPN_HOST_IPV6, "cifs/fe80::1", "IPv6" },
	/* URLs */
	{ "https://portal/", NULL, SPN_TARGET_URL, "HTTP", "portal", "",
	  SPN_HOST_SHORT, NULL, NULL },
	{ "https://web01.corp.test/", "cifs", SPN_TARGET_URL, "HTTP",
	  "web01.corp.test", "", SPN_HOST_FQDN, "HTTP/web01.corp.test", NULL },
	{ "HTTP://web01.corp.test", NULL, SPN_TARGET_URL, "HTTP",
	  "web01.corp.test", "", SPN_HOST_FQDN, "HTTP/web01.corp.test", NULL },
	{ "https://user:p%40ss@web01.corp.test:8443/a/b?c=d#e", NULL,
	  SPN_TARGET_URL, "HTTP", "web01.corp.test", "", SPN_HOST_FQDN,
	  "HTTP/web01.corp.test", "port 8443" },
	{ "http://web01.corp.test:/x", NULL, SPN_TARGET_URL, "HTTP",
	  "web01.corp.test", "", SPN_HOST_FQDN, "HTTP/web01.corp.test", NULL },
	{ "http://web01.corp.test?q=/x", NULL, SPN_TARGET_URL, "HTTP",
	  "web01.corp.test", "", SPN_HOST_FQDN, "HTTP/web01.corp.test", NULL },
	{ "http://[2001:db8::1]:8080/", NULL, SPN_TARGET_URL, "HTTP",
	  "2001:db8::1", "", SPN_HOST_IPV6, "HTTP/2001:db8::1", "port 8080" },
	{ "ldap://dc1.corp.test/dc=corp,dc=test", NULL, SPN_TARGET_URL, "ldap",
	  "dc1.corp.test", "", SPN_HOST_FQDN, "ldap/dc1.corp.test", NULL },
	{ "ldaps://dc1.corp.test:636", NULL, SPN_TARGET_URL, "ldap",
	  "dc1.corp.test", "", SPN_HOST_FQDN, "ldap/dc1.corp.test", "port 636" },
	{ "smb://fs1.corp.test/share", NULL, SPN_TARGET_URL, "cifs",
	  "fs1.corp.test", "", SPN_HOST_FQDN, "cifs/fs1.corp.test", NULL },
	{ "https://b\xc3\xbcro.corp.test/", NULL, SPN_TARGET_URL, "HTTP",
	  "b\xc3\xbcro.corp.test", "", SPN_HOST_FQDN,
	  "HTTP/b\xc3\xbcro.corp.test", NULL },
};

struct bad_case {
	const char *text;
	const char *service;
	const char *why;   /* a substring of the error */
};

#define LABEL63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789a"

static const struct bad_case bad_cases[] = {
	{ "", NULL, "empty target" },
	{ " ", NULL, "space" },
	{ "fs1 ", NULL, "space" },
	{ "fs1\tcorp", NULL, "control character" },
	{ "fs1\n", NULL, "control character" },
	{ "fs1\r", NULL, "control character" },
	{ "\x1b[31mfs1", NULL, "control character" },
	{ "fs1\x7f", NULL, "control character" },
	{ "fs1\xc2\x9b" "31m", NULL, "control character" },   /* C1 CSI */
	{ "fs1\xff", NULL, "not valid UTF-8" },
	{ "fs1\xc0\xaf", NULL, "not valid UTF-8" },           /* overlong '/' */
	{ "fs1\xed\xa0\x80", NULL, "not valid UTF-8" },       /* surrogate */
	{ "fs1\xe2\x82", NULL, "not valid UTF-8" },           /* truncated */
	{ "a..b", NULL, "empty label" },
	{ ".fs1", NULL, "empty label" },
	{ "fs1..", NULL, "empty label" },
	{ LABEL63 "b.corp.test", NULL, "longer than 63" },
	{ "fs1:1433", NULL, "--service" },
	{ "fs1:0", "MSSQLSvc", "1..65535" },
	{ "fs1:65536", "MSSQLSvc", "1..65535" },
	{ "fs1:-1", "MSSQLSvc", "1..65535" },
	{ "fs1:", "MSSQLSvc", "1..65535" },
	{ "fs1:SQLPROD", "MSSQLSvc", "SPN form" },
	{ "fs1:99999999999999999999", "MSSQLSvc", "1..65535" },
	{ "x:y:z", NULL, "IPv6" },
	{ "[::1", NULL, "without ']'" },
	{ "[::1]x", NULL, "after ']'" },
	{ "[fs1.corp.test]", NULL, "IPv6" },
	{ "fs1\\share", NULL, "not a UNC path" },
	{ "fs1@corp.test", NULL, "'@'" },
	{ "\\\\", NULL, "without a server name" },
	{ "\\\\\\share", NULL, "without a server name" },
	{ "//", NULL, "without a server name" },
	{ "\\\\.\\pipe\\x", NULL, "device path" },
	{ "\\\\?\\C:\\x", NULL, "device path" },
	{ "\\\\fs1@foo\\x", NULL, "WebDAV" },
	{ "\\\\fs1@SSL@0\\x", NULL, "1..65535" },
	{ "\\\\fs1@SSLx\\x", NULL, "after '@SSL'" },
	{ "\\\\fs1@\\x", NULL, "WebDAV" },
	{ "\\\\zz.ipv6-literal.net\\x", NULL, "IPv6" },
	{ "\\\\fs1:445\\x", NULL, "no port" },
	{ "\\\\[::1]\\x", NULL, "no port and no brackets" },
	{ "\\\\2001:db8::1\\x", NULL, "ipv6-literal.net" },
	{ "\\\\a..b\\x", NULL, "empty label" },
	{ "\\\\my host.corp.test\\x", NULL, "space" },
	{ "https://", NULL, "without a host" },
	{ "https:///x", NULL, "without a host" },
	{ "https://:80/", NULL, "without a host" },
	{ "https://user@/", NULL, "without a host" },
	{ "http://h:99999/", NULL, "1..65535" },
	{ "http://h:abc/", NULL, "1..65535" },
	{ "http://h%41.corp/", NULL, "percent-encoded" },
	{ "http://[::1/", NULL, "without ']'" },
	{ "http://[::1]x/", NULL, "after ']'" },
	{ "http://[fs1]/", NULL, "IPv6" },
	{ "http://a b/", NULL, "space" },
	{ "ftp://fs1/", NULL, "scheme" },
	{ "javascript://x", NULL, "scheme" },
	{ "1http://x", NULL, "scheme is malformed" },
	{ "cifs/fs1://x", NULL, "scheme is malformed" },
	{ "cifs/", NULL, "not a valid SPN" },
	{ "/fs1", NULL, "not a valid SPN" },
	{ "cifs/fs1@CORP.TEST", NULL, "'@'" },
	{ "cifs/fs1\\x", NULL, "not a valid SPN" },
	{ "cifs/a..b", NULL, "empty label" },
	{ "cifs/fs1:0", NULL, "1..65535" },
	{ "cifs/fs1/", NULL, "empty service name" },
	{ "http:/x", NULL, "mistyped URL" },
	{ "fs1", "ci fs", "service class" },
	{ "fs1", "", "service class" },
	{ "fs1", "cifs/x", "service class" },
};

static void test_good(void **state)
{
	spn_ctx *ctx = *state;
	spn_probe_options opts;
	size_t i;

	memset(&opts, 0, sizeof(opts));
	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *c = &good_cases[i];
		spn_target *t = NULL;
		spn_probe_result r;
		spn_status st;
		int ask = -1;

		spn_ctx_clear_error(ctx);
		st = spn_target_parse(ctx, c->text, c->service, &t);
		if (st != SPN_OK)
			fail_msg("'%s': %s", c->text, spn_ctx_error(ctx));
		assert_non_null(t);
		assert_int_equal(t->kind, c->kind);
		assert_string_equal(t->text, c->text);
		assert_string_equal(t->service_class, c->service_class);
		assert_string_equal(t->host, c->host);
		assert_string_equal(t->suffix, c->suffix);
		assert_int_equal(t->host_kind, c->host_kind);
		if (c->note != NULL) {
			assert_non_null(t->note);
			if (strstr(t->note, c->note) == NULL)
				fail_msg("'%s': note '%s' lacks '%s'", c->text,
					 t->note, c->note);
		}
		if (c->spn != NULL) {
			/* IP targets: as a client with TryIPSPN */
			opts.try_ip_spn = 1;
			spn_probe_result_init(&r);
			assert_int_equal(spn_target_plan(t, &opts, &r, &ask),
					 SPN_OK);
			assert_int_equal(ask, 1);
			assert_non_null(r.spn);
			assert_string_equal(r.spn, c->spn);
			spn_probe_result_clear(&r);
		}
		spn_target_free(t);
	}
}

static void test_bad(void **state)
{
	spn_ctx *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		spn_target *t = NULL;
		spn_status st;
		const char *err;

		spn_ctx_clear_error(ctx);
		st = spn_target_parse(ctx, c->text, c->service, &t);
		if (st != SPN_E_INPUT)
			fail_msg("'%s' parsed (status %d), expected an error "
				 "with '%s'", c->text, (int)st, c->why);
		assert_null(t);
		err = spn_ctx_error(ctx);
		if (strstr(err, c->why) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", c->text, err,
				 c->why);
		/* one line, naming the input (quoted raw: the tools print
		 * it made safe) */
		if (strchr(c->text, '\n') == NULL)
			assert_null(strchr(err, '\n'));
		if (c->text[0] != '\0' && c->service == NULL)
			assert_non_null(strstr(err, "target '"));
	}
}

static void test_ip_rules(void **state)
{
	static const struct {
		const char *text;
		const char *service;
		const char *would;   /* the SPN named in the detail */
	} cases[] = {
		{ "192.0.2.7", NULL, "cifs/192.0.2.7" },
		{ "\\\\127.0.0.61\\share", NULL, "cifs/127.0.0.61" },
		{ "https://192.0.2.8/", NULL, "HTTP/192.0.2.8" },
		{ "[2001:db8::7]:1433", "MSSQLSvc", "MSSQLSvc/[2001:db8::7]:1433" },
		{ "cifs/127.0.0.61", NULL, "cifs/127.0.0.61" },
		{ "2001:db8::15", "http", "http/2001:db8::15" },
	};
	spn_ctx *ctx = *state;
	spn_probe_options opts;
	size_t i;

	memset(&opts, 0, sizeof(opts));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spn_target *t = NULL;
		spn_probe_result r;
		int ask = -1;

		assert_int_equal(spn_target_parse(ctx, cases[i].text,
						  cases[i].service, &t), SPN_OK);
		spn_probe_result_init(&r);
		assert_int_equal(spn_target_plan(t, &opts, &r, &ask), SPN_OK);
		assert_int_equal(ask, 0);
		assert_null(r.spn);
		assert_int_equal(r.rule, SPN_RULE_IP_NTLM);
		assert_int_equal(r.reason, SPN_REASON_IP_TARGET);
		assert_int_equal(r.verdict, SPN_VERDICT_NTLM);
		assert_non_null(r.detail);
		assert_non_null(strstr(r.detail, cases[i].would));
		spn_probe_result_clear(&r);

		opts.try_ip_spn = 1;
		spn_probe_result_init(&r);
		assert_int_equal(spn_target_plan(t, &opts, &r, &ask), SPN_OK);
		assert_int_equal(ask, 1);
		assert_string_equal(r.spn, cases[i].would);
		assert_int_equal(r.rule, SPN_RULE_IP_SPN);
		assert_non_null(strstr(r.detail, "TryIPSPN"));
		spn_probe_result_clear(&r);
		opts.try_ip_spn = 0;
		spn_target_free(t);
	}
}

static void test_fqdn_rule(void **state)
{
	spn_ctx *ctx = *state;
	spn_probe_options opts;
	spn_probe_result r;
	spn_target *t = NULL;
	int ask = -1;

	memset(&opts, 0, sizeof(opts));
	assert_int_equal(spn_target_parse(ctx, "fs1.corp.example", NULL, &t),
			 SPN_OK);
	spn_probe_result_init(&r);
	assert_int_equal(spn_target_plan(t, &opts, &r, &ask), SPN_OK);
	assert_int_equal(ask, 1);
	assert_int_equal(r.rule, SPN_RULE_AS_TYPED);
	assert_string_equal(r.spn, "cifs/fs1.corp.example");
	assert_null(r.detail);   /* no DNS lookup, nothing to say */
	spn_probe_result_clear(&r);
	spn_target_free(t);

	t = NULL;
	assert_int_equal(spn_target_parse(ctx, "https://web.corp.example:8443/",
					  NULL, &t), SPN_OK);
	spn_probe_result_init(&r);
	assert_int_equal(spn_target_plan(t, &opts, &r, &ask), SPN_OK);
	assert_string_equal(r.spn, "HTTP/web.corp.example");
	assert_non_null(strstr(r.detail, "port 8443 is not part of the SPN"));
	spn_probe_result_clear(&r);
	spn_target_free(t);
}

static void test_length(void **state)
{
	spn_ctx *ctx = *state;
	spn_target *t = NULL;
	char *text;
	size_t prefix = strlen("\\\\fs1.corp.test\\"), big = 1u << 20;

	text = malloc(big + 1);
	assert_non_null(text);
	memcpy(text, "\\\\fs1.corp.test\\", prefix);
	memset(text + prefix, 'a', SPN_TARGET_MAX - prefix);
	text[SPN_TARGET_MAX] = '\0';
	assert_int_equal(spn_target_parse(ctx, text, NULL, &t), SPN_OK);
	assert_string_equal(t->host, "fs1.corp.test");
	spn_target_free(t);
	t = NULL;

	text[SPN_TARGET_MAX] = 'a';
	text[SPN_TARGET_MAX + 1] = '\0';
	assert_int_equal(spn_target_parse(ctx, text, NULL, &t), SPN_E_INPUT);
	assert_null(t);
	assert_non_null(strstr(spn_ctx_error(ctx), "the limit is 1024"));

	/* a megabyte of hostile bytes: refused, the message stays short */
	memset(text, 0x1b, big);
	text[big] = '\0';
	assert_int_equal(spn_target_parse(ctx, text, NULL, &t), SPN_E_INPUT);
	assert_null(t);
	assert_true(strlen(spn_ctx_error(ctx)) < 200);
	free(text);
}

static void test_usage(void **state)
{
	spn_ctx *ctx = *state;
	spn_target *t = NULL;
	spn_probe_options opts;
	spn_probe_result r;
	int ask;

	memset(&opts, 0, sizeof(opts));
	spn_probe_result_init(&r);
	assert_int_equal(spn_target_parse(ctx, NULL, NULL, &t), SPN_E_USAGE);
	assert_int_equal(spn_target_parse(ctx, "fs1", NULL, NULL), SPN_E_USAGE);
	/* no context: still refuses bad input, just without a message */
	assert_int_equal(spn_target_parse(NULL, "a..b", NULL, &t), SPN_E_INPUT);
	assert_null(t);
	assert_int_equal(spn_target_plan(NULL, &opts, &r, &ask), SPN_E_USAGE);
	assert_int_equal(spn_target_note_alias(NULL, &opts, &r), SPN_E_USAGE);
	assert_int_equal(spn_probe_result_note(NULL, "x"), SPN_E_USAGE);
	assert_int_equal(spn_probe_result_owners(&r, NULL, 2), SPN_E_USAGE);
	spn_target_free(NULL);
	spn_probe_result_clear(NULL);
	assert_true(spn_service_class_valid("MSSQLSvc"));
	assert_true(spn_service_class_valid("exchangeAB"));
	assert_true(spn_service_class_valid("a-b_c.d"));
	assert_false(spn_service_class_valid(""));
	assert_false(spn_service_class_valid(NULL));
	assert_false(spn_service_class_valid("ci fs"));
	assert_false(spn_service_class_valid("cifs/"));
	assert_false(spn_service_class_valid("c\xc3\xbc"));
	assert_false(spn_service_class_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_results(void **state)
{
	const char *owners[] = { "svc_b", "SVC_a", "FS2$" };
	spn_probe_result r;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < SPN_REASON_COUNT; i++) {
		const char *name = spn_probe_reason_name((spn_probe_reason)i);

		assert_true(strlen(name) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(name,
				spn_probe_reason_name((spn_probe_reason)j));
	}
	assert_string_equal(spn_probe_reason_name(SPN_REASON_OK), "ok");
	assert_string_equal(spn_probe_reason_name(SPN_REASON_DUPLICATE_SPN),
			    "duplicate-spn");
	assert_string_equal(spn_probe_reason_name((spn_probe_reason)99),
			    "error");
	assert_int_equal(spn_probe_reason_verdict(SPN_REASON_OK),
			 SPN_VERDICT_KERBEROS);
	assert_int_equal(spn_probe_reason_verdict(SPN_REASON_ETYPE_UNSUPPORTED),
			 SPN_VERDICT_NTLM);
	assert_int_equal(spn_probe_reason_verdict(SPN_REASON_KDC_UNREACHABLE),
			 SPN_VERDICT_ERROR);
	assert_int_equal(spn_probe_reason_verdict((spn_probe_reason)-1),
			 SPN_VERDICT_ERROR);
	assert_string_equal(spn_verdict_name(SPN_VERDICT_NTLM), "ntlm");
	assert_string_equal(spn_client_rule_name(SPN_RULE_SHORT_NAME),
			    "short-name");

	spn_probe_result_init(&r);
	assert_int_equal(r.verdict, SPN_VERDICT_ERROR);
	spn_probe_result_set_reason(&r, (spn_probe_reason)1000);
	assert_int_equal(r.reason, SPN_REASON_ERROR);
	assert_int_equal(spn_probe_result_note(&r, "%s", ""), SPN_OK);
	assert_null(r.detail);
	assert_int_equal(spn_probe_result_note(&r, "one %d", 1), SPN_OK);
	assert_int_equal(spn_probe_result_note(&r, "two"), SPN_OK);
	assert_string_equal(r.detail, "one 1; two");

	spn_probe_result_set_reason(&r, SPN_REASON_SPN_UNKNOWN_TO_KDC);
	assert_int_equal(spn_probe_result_owners(&r, owners, 3), SPN_OK);
	assert_int_equal(r.reason, SPN_REASON_DUPLICATE_SPN);
	assert_int_equal(r.verdict, SPN_VERDICT_NTLM);
	assert_non_null(strstr(r.detail, "3 accounts hold this SPN: FS2$, SVC_a, svc_b"));
	spn_probe_result_clear(&r);

	assert_int_equal(spn_probe_result_owners(&r, NULL, 0), SPN_OK);
	assert_int_equal(r.reason, SPN_REASON_SPN_NOT_FOUND);
	spn_probe_result_clear(&r);
	assert_null(r.detail);

	assert_int_equal(spn_probe_result_owners(&r, owners, 1), SPN_OK);
	assert_int_equal(r.reason, SPN_REASON_SPN_UNKNOWN_TO_KDC);
	assert_non_null(strstr(r.detail, "svc_b"));
	spn_probe_result_clear(&r);
}

/* Pieces that hostile or sloppy input is made of. */
static const char *const pieces[] = {
	"\\", "\\\\", "/", "//", ":", "::", "[", "]", "@", "@SSL", ".", "..",
	"%", "?", "#", "a", "Z", "0", "65535", "99999", "-", "_", " ", "\t",
	"\x1b", "\x7f", "\xc2\x9b", "\xff", "\xc3\xbc", "\xe2\x80\x8b",
	"http://", "HTTPS://", "ldap://", "smb://", "ftp://", "\\\\?\\UNC\\",
	"\\\\.\\", "ipv6-literal.net", "2001-db8--1", "s4", "cifs/",
	"MSSQLSvc/", "fs1", "corp.test", "127.0.0.1", "2001:db8::1", "user:pw@",
};

static void test_random(void **state)
{
	spn_ctx *ctx = *state;
	spn_probe_options opts;
	uint32_t seed = 12345;
	char text[256];
	size_t i, n, k, len, parsed = 0;

	memset(&opts, 0, sizeof(opts));
	opts.try_ip_spn = 1;
	for (i = 0; i < 200000; i++) {
		spn_target *t = NULL;
		spn_status st;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 8;
		len = 0;
		text[0] = '\0';
		for (k = 0; k < n; k++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			if (len + strlen(p) >= sizeof(text))
				break;
			memcpy(text + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		st = spn_target_parse(ctx, text, (seed & 0x100) ? "MSSQLSvc" :
				      NULL, &t);
		if (st != SPN_OK) {
			assert_int_equal(st, SPN_E_INPUT);
			assert_null(t);
			continue;
		}
		parsed++;
		/* what parsed is a usable name, without the bytes that
		 * could split or smuggle a principal */
		assert_true(t->service_class[0] != '\0');
		assert_true(t->host[0] != '\0');
		assert_null(strpbrk(t->host, "\\/@[] \t\x1b\x7f"));
		assert_null(strpbrk(t->service_class, ":@\\\t\x1b"));
		assert_string_equal(t->text, text);
		if (t->host_kind != SPN_HOST_SHORT) {
			spn_probe_result r;
			int ask = -1;

			spn_probe_result_init(&r);
			assert_int_equal(spn_target_plan(t, &opts, &r, &ask),
					 SPN_OK);
			assert_int_equal(ask, 1);
			assert_non_null(r.spn);
			assert_non_null(strchr(r.spn, '/'));
			spn_probe_result_clear(&r);
		}
		spn_target_free(t);
	}
	/* the pieces do make targets now and then */
	assert_true(parsed > 100);
}

static int setup(void **state)
{
	spn_ctx *ctx = NULL;

	if (spn_ctx_new(&ctx) != SPN_OK)
		return -1;
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	spn_ctx_unref(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_ip_rules),
		cmocka_unit_test(test_fqdn_rule),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
