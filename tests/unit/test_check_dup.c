/* test_check_dup.c - the dup check over synthetic accounts. */
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

static void add(struct fixture *f, spn_account_kind kind, const char *dn,
		const char *sam, const char *dns, const char *const *spns,
		size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.dns_host_name = dns;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

static const spn_finding *run(struct fixture *f, size_t expect)
{
	return fixture_run(f, "dup", expect);
}

static void test_case_variants_are_one_spn(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/app.corp.test" };
	const char *b[] = { "HTTP/APP.CORP.TEST" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_app1,DC=corp", "svc_app1", NULL, a, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app2,DC=corp", "svc_app2", NULL, b, 1);
	x = run(f, 1);
	assert_string_equal(x->check, "dup");
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->spn, "http/app.corp.test");
	assert_string_equal(x->host, "app.corp.test");
	assert_int_equal(x->n_accounts, 2);
	assert_string_equal(x->accounts[0].sam, "svc_app1");
	assert_string_equal(x->accounts[1].dn, "CN=svc_app2,DC=corp");
	assert_non_null(strstr(x->message, "different case"));
	/* the fix removes the variant the second account holds, as it holds it */
	assert_non_null(strstr(x->fix, "setspn -D \"HTTP/APP.CORP.TEST\" svc_app2\n"));
	assert_null(strstr(x->fix, "svc_app1\n"));
	assert_non_null(strstr(x->fix, "dn: CN=svc_app2,DC=corp\nchangetype: modify\n"
			       "delete: servicePrincipalName\n"
			       "servicePrincipalName: HTTP/APP.CORP.TEST\n-\n"));
}

static void test_ports_and_same_account_are_not_duplicates(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/web01.corp.test", "HTTP/web01.corp.test" };
	const char *b[] = { "http/web01.corp.test:8080" };
	const char *c[] = { "MSSQLSvc/sql1.corp.test:1433",
			    "MSSQLSvc/sql1.corp.test:SQLPROD" };

	add(f, SPN_ACCOUNT_USER, "CN=svc_web", "svc_web", NULL, a, 2);
	add(f, SPN_ACCOUNT_USER, "CN=svc_web8080", "svc_web8080", NULL, b, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_sql", "svc_sql", NULL, c, 2);
	run(f, 0);
}

/* An account that holds two case variants of a duplicated SPN (an export,
 * or a value written below the DC's checks) loses both in the fix; the
 * account kept keeps both of its own. */
static void test_fix_removes_every_variant_an_account_holds(void **state)
{
	struct fixture *f = *state;
	const char *c[] = { "cifs/y.corp.test", "CIFS/y.corp.test" };
	const char *d[] = { "cifs/Y.corp.test", "CIFS/Y.CORP.TEST" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=c,DC=corp", "c", NULL, c, 2);
	add(f, SPN_ACCOUNT_USER, "CN=d,DC=corp", "d", NULL, d, 2);
	x = run(f, 1);
	assert_int_equal(x->n_accounts, 2);
	assert_non_null(strstr(x->fix, "setspn -D \"cifs/Y.corp.test\" d\n"));
	assert_non_null(strstr(x->fix, "setspn -D \"CIFS/Y.CORP.TEST\" d\n"));
	assert_null(strstr(x->fix, "\" c\n"));
}

static void test_keeps_the_computer_named_by_the_host(void **state)
{
	struct fixture *f = *state;
	const char *user[] = { "cifs/fs2.corp.test" };
	const char *comp[] = { "HOST/FS2", "cifs/fs2.corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_backup,DC=corp", "svc_backup", NULL,
	    user, 1);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS2,DC=corp", "FS2$", "fs2.corp.test",
	    comp, 2);
	/* the computer first: it must be suggested, and removing from the user
	 * names the user */
	x = run(f, 1);
	assert_non_null(strstr(x->fix, "suggested: FS2$"));
	assert_non_null(strstr(x->fix, "setspn -D \"cifs/fs2.corp.test\" svc_backup\n"));
	assert_null(strstr(x->fix, "setspn -D \"cifs/fs2.corp.test\" FS2"));
}

static void test_computers_are_named_without_dollar(void **state)
{
	struct fixture *f = *state;
	const char *spn[] = { "http/shared.corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_x,DC=corp", "svc_x", NULL, spn, 1);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=WEB9,DC=corp", "WEB9$", "web9.corp.test",
	    spn, 1);
	x = run(f, 1);
	assert_non_null(strstr(x->fix, "suggested: svc_x"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/shared.corp.test\" WEB9\n"));
}

static void test_three_way_and_many(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "MSSQLSvc/sqlclu.corp.test:1433" };
	const char *m[] = { "http/shared" };
	char dn[32], sam[32];
	const spn_finding *x;
	size_t i;

	add(f, SPN_ACCOUNT_USER, "CN=svc_sqla", "svc_sqla", NULL, s, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_sqlb", "svc_sqlb", NULL, s, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_sqlc", "svc_sqlc", NULL, s, 1);
	for (i = 0; i < 12; i++) {
		snprintf(dn, sizeof(dn), "CN=m%zu", i);
		snprintf(sam, sizeof(sam), "m%zu", i);
		add(f, SPN_ACCOUNT_USER, dn, sam, NULL, m, 1);
	}
	run(f, 2);
	/* sorted by host: "shared" < "sqlclu.corp.test" */
	x = spn_findings_get(f->findings, 0);
	assert_string_equal(x->spn, "http/shared");
	assert_int_equal(x->n_accounts, 12);
	assert_non_null(strstr(x->message, "and 4 more"));
	x = spn_findings_get(f->findings, 1);
	assert_int_equal(x->n_accounts, 3);
	assert_string_equal(x->host, "sqlclu.corp.test");
}

static void test_without_fixes(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/app.corp.test" };
	const char *b[] = { "HTTP/APP.CORP.TEST" };
	spn_findings *plain = NULL;
	const spn_finding *x, *y;

	add(f, SPN_ACCOUNT_USER, "CN=svc_app1,DC=corp", "svc_app1", NULL, a, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app2,DC=corp", "svc_app2", NULL, b, 1);
	x = run(f, 1);
	assert_non_null(x->fix);
	/* a list that wants no fixes gets the same findings without them */
	assert_int_equal(spn_findings_new(&plain), SPN_OK);
	spn_findings_set_fixes(plain, 0);
	assert_int_equal(spn_check_run(f->ctx, f->index, "dup", plain), SPN_OK);
	assert_int_equal(spn_findings_count(plain), 1);
	y = spn_findings_get(plain, 0);
	assert_null(y->fix);
	assert_string_equal(y->message, x->message);
	assert_string_equal(y->spn, x->spn);
	assert_int_equal(y->n_accounts, x->n_accounts);
	spn_findings_free(plain);
}

static void test_hostile_values_are_safe_in_the_fix(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/evil\n\"x\".corp.test" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=a", "a", NULL, s, 1);
	add(f, SPN_ACCOUNT_USER, "CN=b", "b", NULL, s, 1);
	x = run(f, 1);
	/* no command line with the raw value; LDIF in base64; the comment
	 * cannot be broken out of */
	assert_null(strstr(x->fix, "setspn -D"));
	assert_non_null(strstr(x->fix, "servicePrincipalName:: "));
	assert_null(strstr(x->fix, "\n\"x\""));
	assert_non_null(strstr(x->fix, "<U+000A>"));
}

static void test_unknown_check(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(spn_check_run(f->ctx, f->index, "nosuch", f->findings),
			 SPN_E_USAGE);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_variants_are_one_spn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_and_same_account_are_not_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fix_removes_every_variant_an_account_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_the_computer_named_by_the_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_computers_are_named_without_dollar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_way_and_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_fixes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values_are_safe_in_the_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
