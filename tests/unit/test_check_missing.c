/* test_check_missing.c - the missing check and spn_check_missing_targets
 * over synthetic accounts and sPNMappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/spn.h>

#include "check_fixture.h"

static void add_full(struct fixture *f, spn_account_kind kind, const char *dn,
		     const char *sam, unsigned int uac, const char *dns,
		     const char *const *extra, size_t n_extra,
		     const char *const *spns, size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.uac = uac;
	a.has_uac = 1;
	a.dns_host_name = dns;
	a.additional_dns = extra;
	a.n_additional_dns = n_extra;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

static void add(struct fixture *f, spn_account_kind kind, const char *dn,
		const char *sam, const char *dns, const char *const *spns,
		size_t n)
{
	add_full(f, kind, dn, sam, 4096, dns, NULL, 0, spns, n);
}

/* The default forest's host=... value, split as the sources do. */
static void add_default_mappings(struct fixture *f)
{
	const char *aliases[] = { "cifs", "http", "rpc", "rpcss", "dcom",
				  "w3svc", "www", "spooler", "time" };
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		assert_int_equal(spn_index_add_mapping(f->index, aliases[i],
						       "host"), SPN_OK);
}

static size_t run(struct fixture *f)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, "missing",
				       f->findings), SPN_OK);
	return spn_findings_count(f->findings);
}

static const spn_finding *get(struct fixture *f, size_t i)
{
	const spn_finding *x = spn_findings_get(f->findings, i);

	assert_non_null(x);
	assert_string_equal(x->check, "missing");
	return x;
}

static void test_renamed_computer(void **state)
{
	struct fixture *f = *state;
	const char *spns[] = { "HOST/APP07OLD", "HOST/app07old.corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP07,OU=Servers,DC=corp", "APP07$",
	    "app07.corp.test", spns, 2);
	assert_int_equal(run(f), 2);
	/* sorted by host: "app07" < "app07.corp.test" */
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->host, "app07");
	assert_string_equal(x->spn, "HOST/APP07");
	assert_non_null(strstr(x->message, "NetBIOS name"));
	x = get(f, 1);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->host, "app07.corp.test");
	assert_string_equal(x->spn, "HOST/app07.corp.test");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "APP07$");
	assert_non_null(strstr(x->message, "HOST/APP07OLD, HOST/app07old.corp.test"));
	assert_non_null(strstr(x->message, "renamed"));
	assert_non_null(strstr(x->message, "NTLM"));
	assert_non_null(strstr(x->fix, "setspn -S \"HOST/app07.corp.test\" APP07\n"));
	assert_non_null(strstr(x->fix, "dn: CN=APP07,OU=Servers,DC=corp\n"
			       "changetype: modify\nadd: servicePrincipalName\n"
			       "servicePrincipalName: HOST/app07.corp.test\n"));
}

static void test_healthy_computers_are_quiet(void **state)
{
	struct fixture *f = *state;
	const char *fs1_extra[] = { "files-new.corp.test", "FS1.corp.test" };
	const char *fs1[] = { "HOST/FS1", "HOST/fs1.corp.test",
			      "HOST/files-new.corp.test" };
	/* case does not matter to AD */
	const char *web[] = { "host/web01", "host/WEB01.CORP.TEST" };

	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=FS1", "FS1$", 4096,
		 "fs1.corp.test", fs1_extra, 2, fs1, 3);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=WEB01", "WEB01$", "web01.corp.test",
	    web, 2);
	assert_int_equal(run(f), 0);
}

static void test_additional_name_is_a_warning(void **state)
{
	struct fixture *f = *state;
	const char *extra[] = { "app07-alt.corp.test", "web01.corp.test",
				"APP07-ALT.corp.test" };
	const char *web[] = { "HOST/WEB01", "HOST/web01.corp.test" };
	const spn_finding *x;

	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=WEB01", "WEB01$", 4096,
		 "web01.corp.test", extra, 3, web, 2);
	/* the repeated names (dNSHostName, a case variant) count once */
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->host, "app07-alt.corp.test");
	assert_string_equal(x->spn, "HOST/app07-alt.corp.test");
	assert_non_null(strstr(x->message, "additional DNS name"));
	assert_null(strstr(x->message, "renamed"));
}

static void test_held_by_another_account(void **state)
{
	struct fixture *f = *state;
	const char *fs9[] = { "HOST/FS9" };
	const char *svc[] = { "HOST/fs9.corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS9", "FS9$", "fs9.corp.test", fs9, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_x", "svc_x", NULL, svc, 1);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->n_accounts, 2);
	assert_string_equal(x->accounts[0].sam, "FS9$");
	assert_string_equal(x->accounts[1].sam, "svc_x");
	assert_non_null(strstr(x->message, "held by svc_x instead"));
	assert_non_null(strstr(x->fix, "setspn -D \"HOST/fs9.corp.test\" svc_x\n"));
	assert_non_null(strstr(x->fix, "setspn -S \"HOST/fs9.corp.test\" FS9\n"));
}

static void test_skipped_accounts(void **state)
{
	struct fixture *f = *state;
	const char *none[] = { "HOST/other" };

	/* disabled computer, pre-staged computer, user, gMSA */
	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=OLD", "OLD$", 4096 | 2,
		 "old.corp.test", NULL, 0, NULL, 0);
	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=NEW", "NEW$", 4096, NULL, NULL,
		 0, NULL, 0);
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", "svc.corp.test", none, 1);
	add(f, SPN_ACCOUNT_MSA, "CN=gmsa", "gmsa$", "gmsa.corp.test", none, 1);
	assert_int_equal(run(f), 0);
}

static void test_hostile_names(void **state)
{
	struct fixture *f = *state;
	char huge[400];
	const char *spns[] = { "HOST/", "no-slash", "HOST/\xff\xfe",
			       "HOST/[::1" };
	const char *bad_extra[] = { "", "a b.corp.test", "\xc3\x28.corp.test" };

	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=H1", "$", 4096, huge, bad_extra,
		 3, spns, 4);
	add_full(f, SPN_ACCOUNT_COMPUTER, "CN=H2", NULL, 4096,
		 "bad\x01name.corp.test", NULL, 0, spns, 4);
	/* nothing usable to report, and nothing crashes */
	assert_int_equal(run(f), 0);
}

static void test_short_name_only(void **state)
{
	struct fixture *f = *state;
	const char *spns[] = { "HOST/ws09.corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=WS09", "WS09$", "ws09.corp.test",
	    spns, 1);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_string_equal(x->spn, "HOST/WS09");
	assert_string_equal(x->host, "ws09");
	/* its HOST/ SPN is for its own DNS name: not a rename */
	assert_null(strstr(x->message, "renamed"));
}

/* ------------------------------------------------------------ targets */

static void lab_like(struct fixture *f)
{
	const char *fs1[] = { "HOST/FS1", "HOST/fs1.corp.test" };
	const char *fs3[] = { "HOST/FS3", "HOST/fs3.corp.test",
			      "HOST/127.0.0.61" };
	const char *app07[] = { "HOST/APP07OLD" };
	const char *web[] = { "http/web01.corp.test", "http/portal.corp.test" };
	const char *sql[] = { "MSSQLSvc/sql1.corp.test:1433" };

	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS1", "FS1$", "fs1.corp.test", fs1, 2);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS3", "FS3$", "fs3.corp.test", fs3, 3);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP07", "APP07$", "app07.corp.test",
	    app07, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_web", "svc_web", NULL, web, 2);
	add(f, SPN_ACCOUNT_USER, "CN=svc_sql", "svc_sql", NULL, sql, 1);
}

static spn_status targets(struct fixture *f, const char *const *t, size_t n)
{
	return spn_check_missing_targets(f->ctx, f->index, t, n, f->findings);
}

static const spn_finding *find_spn(struct fixture *f, const char *spn)
{
	size_t i;

	for (i = 0; i < spn_findings_count(f->findings); i++)
		if (strcmp(get(f, i)->spn, spn) == 0)
			return get(f, i);
	return NULL;
}

static void test_targets_through_mappings(void **state)
{
	struct fixture *f = *state;
	const char *t[] = {
		"\\\\fs1\\share",                     /* cifs/fs1 -> HOST/FS1 */
		"\\\\fs1.corp.test\\share\\dir",
		"//FS1.CORP.TEST/share",
		"http://portal.corp.test:8080/app",   /* held as written */
		"https://web01.corp.test/",
		"fs3.corp.test",                      /* HOST/ itself */
		"MSSQLSvc/sql1.corp.test:1433",
		"",
		"# a comment",
		"   \t",
		"\\\\files.corp.test\\share\r",       /* a CRLF file */
	};
	const spn_finding *x;

	lab_like(f);
	add_default_mappings(f);
	assert_int_equal(targets(f, t, sizeof(t) / sizeof(t[0])), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->spn, "cifs/files.corp.test");
	assert_string_equal(x->host, "files.corp.test");
	assert_non_null(strstr(x->message, "line 11"));
	assert_non_null(strstr(x->message, "SMB client"));
	assert_non_null(strstr(x->message, "HOST/files.corp.test"));
	assert_non_null(strstr(x->message, "NTLM"));
	assert_int_equal(x->n_accounts, 0);
}

static void test_targets_reported(void **state)
{
	struct fixture *f = *state;
	const char *t[] = {
		"app07.corp.test",                    /* renamed computer */
		"https://nosuch.corp.test/x",
		"MSSQLSvc/sql1.corp.test:1434",
		"ldap://ldapsrv.corp.test/",
		"\\\\fs3.corp.test@SSL\\dav",          /* WebDAV: HTTP/ */
	};
	const spn_finding *x;

	lab_like(f);
	add_default_mappings(f);
	assert_int_equal(targets(f, t, sizeof(t) / sizeof(t[0])), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 4);

	x = find_spn(f, "HOST/app07.corp.test");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "every client"));
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "APP07$");
	assert_non_null(strstr(x->fix, "setspn -S \"HOST/app07.corp.test\" APP07\n"));

	x = find_spn(f, "HTTP/nosuch.corp.test");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "browsers"));
	assert_non_null(strstr(x->message, "HOST/nosuch.corp.test"));
	assert_non_null(strstr(x->fix, "setspn -S HTTP/nosuch.corp.test ACCOUNT"));

	x = find_spn(f, "MSSQLSvc/sql1.corp.test:1434");
	assert_non_null(x);
	/* no sPNMappings stand-in for MSSQLSvc */
	assert_null(strstr(x->message, "stand-in"));

	x = find_spn(f, "ldap/ldapsrv.corp.test");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "LDAP clients"));

	/* the WebDAV path to fs3 is satisfied by HOST/fs3.corp.test */
	assert_null(find_spn(f, "HTTP/fs3.corp.test"));
}

static void test_targets_ip_addresses(void **state)
{
	struct fixture *f = *state;
	const char *t[] = { "\\\\127.0.0.61\\share", "\\\\127.0.0.99\\share",
			    "2001:db8::99" };
	const spn_finding *x;

	lab_like(f);
	add_default_mappings(f);
	assert_int_equal(targets(f, t, 3), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 3);
	x = find_spn(f, "cifs/127.0.0.61");
	assert_non_null(x);
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_non_null(strstr(x->message, "TryIPSPN"));
	assert_non_null(strstr(x->message, "FS3$"));
	x = find_spn(f, "cifs/127.0.0.99");
	assert_non_null(x);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	x = find_spn(f, "HOST/2001:db8::99");
	assert_non_null(x);
	assert_string_equal(x->host, "2001:db8::99");
}

static void test_targets_default_and_own_mappings(void **state)
{
	struct fixture *f = *state;
	const char *t[] = { "\\\\fs1\\share", "http://fs1.corp.test/" };

	lab_like(f);
	/* no sPNMappings in the index: a default forest's are used */
	assert_int_equal(targets(f, t, 2), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 0);
	/* the index's own mappings decide when it has some */
	assert_int_equal(spn_index_add_mapping(f->index, "http", "host"), SPN_OK);
	assert_int_equal(targets(f, t, 2), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 1);
	assert_string_equal(get(f, 0)->spn, "cifs/fs1");
	assert_non_null(strstr(get(f, 0)->message, "line 1"));
}

static void test_targets_bad_lines(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "\\\\fs1\\share", "", "ftp://fs1/x" };
	const char *port[] = { "sql1.corp.test:1433" };
	const char *ctl[] = { "\\\\fs1\\share", "fs\x01.corp.test" };
	const char *utf[] = { "\\\\f\xc3\x28s\\share" };
	char huge[2000];
	const char *big[] = { huge };

	lab_like(f);
	assert_int_equal(targets(f, bad, 3), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "line 3"));
	assert_non_null(strstr(spn_ctx_error(f->ctx), "ftp://fs1/x"));
	assert_int_equal(spn_findings_count(f->findings), 0);

	assert_int_equal(targets(f, port, 1), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "line 1"));
	assert_non_null(strstr(spn_ctx_error(f->ctx), "MSSQLSvc/sql1.corp.test:1433"));

	assert_int_equal(targets(f, ctl, 2), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "line 2"));
	assert_int_equal(targets(f, utf, 1), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "UTF-8"));

	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(targets(f, big, 1), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "line 1"));
	assert_int_equal(spn_findings_count(f->findings), 0);
}

static void test_targets_usage(void **state)
{
	struct fixture *f = *state;
	const char *null_line[] = { NULL };

	assert_int_equal(targets(f, NULL, 0), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 0);
	assert_int_equal(targets(f, NULL, 1), SPN_E_USAGE);
	assert_int_equal(targets(f, null_line, 1), SPN_E_USAGE);
	assert_int_equal(spn_check_missing_targets(f->ctx, NULL, null_line, 0,
						   f->findings), SPN_E_USAGE);
	assert_int_equal(spn_check_missing_targets(NULL, f->index, NULL, 0,
						   NULL), SPN_E_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_renamed_computer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_computers_are_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_additional_name_is_a_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_by_another_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_name_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_through_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_ip_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_default_and_own_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_usage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
