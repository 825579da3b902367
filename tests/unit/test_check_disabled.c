/* test_check_disabled.c - the disabled check over synthetic accounts. */
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

static const spn_finding *run(struct fixture *f, size_t expect)
{
	return fixture_run(f, "disabled", expect);
}

static void test_one_finding_per_spn(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/old.corp.test", "http/old" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_disabled,DC=corp",
		       "svc_disabled",
	    514, -1, s, 2);
	run(f, 2);
	/* sorted by host: "old" < "old.corp.test" */
	x = spn_findings_get(f->findings, 0);
	assert_string_equal(x->spn, "http/old");
	assert_string_equal(x->host, "old");
	x = spn_findings_get(f->findings, 1);
	assert_string_equal(x->check, "disabled");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->spn, "http/old.corp.test");
	assert_string_equal(x->host, "old.corp.test");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "svc_disabled");
	assert_string_equal(x->accounts[0].dn, "CN=svc_disabled,DC=corp");
	assert_non_null(strstr(x->message, "held by svc_disabled, a disabled "
			       "account: the KDC still issues tickets"));
	assert_non_null(strstr(x->message, "duplicates are refused"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/old.corp.test\" "
			       "svc_disabled\n"));
	assert_non_null(strstr(x->fix, "dn: CN=svc_disabled,DC=corp\n"
			       "changetype: modify\ndelete: servicePrincipalName\n"
			       "servicePrincipalName: http/old.corp.test\n-\n"));
}

static void test_enabled_accounts_are_healthy(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/app.corp.test" };
	const char *b[] = { "http/nouac.corp.test" };
	const char *c[] = { "HOST/ws01", "HOST/ws01.corp.test" };

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_app", "svc_app", 512, -1, a,
		       1);
	/* no userAccountControl read: nothing is known */
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_nouac", "svc_nouac", -1, -1,
		       b, 1);
	add_with_flags(f, SPN_ACCOUNT_COMPUTER, "CN=WS01", "WS01$", 4096, 28, c,
		       2);
	/* disabled, but no SPN */
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=gone", "gone", 514, -1, NULL,
		       0);
	run(f, 0);
}

static void test_disabled_computer(void **state)
{
	struct fixture *f = *state;
	const char *c[] = { "HOST/oldpc.corp.test" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_COMPUTER, "CN=OLDPC,DC=corp", "OLDPC$",
	    4096 | 2, 28, c, 1);
	x = run(f, 1);
	assert_string_equal(x->accounts[0].sam, "OLDPC$");
	/* setspn finds a computer by its name without the '$' */
	assert_non_null(strstr(x->fix, "setspn -D \"HOST/oldpc.corp.test\" "
			       "OLDPC\n"));
}

static void test_krbtgt_is_left_out(void **state)
{
	struct fixture *f = *state;
	const char *k[] = { "kadmin/changepw" };

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=krbtgt,CN=Users", "krbtgt", 514,
		       -1, k, 1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=krbtgt_8245,CN=Users",
		       "KRBTGT_8245", 514,
	    -1, k, 1);
	run(f, 0);
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/x\nrm -rf /\n", "http/\xff\xfe.corp.test" };
	const spn_finding *x;
	size_t i;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=a\nb", "\"$x", 514, -1, s, 2);
	run(f, 2);
	for (i = 0; i < 2; i++) {
		x = spn_findings_get(f->findings, i);
		/* no value reaches a command line, and no comment line is
		 * broken by a newline from the directory */
		assert_null(strstr(x->fix, "setspn -D"));
		assert_null(strstr(x->fix, "\nrm -rf"));
		assert_non_null(strstr(x->fix, "servicePrincipalName:: "));
		assert_non_null(strstr(x->fix, "dn:: "));
	}
	x = spn_findings_get(f->findings, 0);
	if (strstr(x->spn, "rm") == NULL)
		x = spn_findings_get(f->findings, 1);
	assert_non_null(strstr(x->fix, "remove http/x<U+000A>rm -rf /<U+000A> "
			       "from \"$x (then"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_finding_per_spn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enabled_accounts_are_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_computer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_krbtgt_is_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
