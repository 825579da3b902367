/* test_check_shadow.c - the shadow check over synthetic accounts and sPNMappings. */
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
		const char *sam, const char *const *spns, size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

static void map(struct fixture *f, const char *alias, const char *target)
{
	assert_int_equal(spn_index_add_mapping(f->index, alias, target), SPN_OK);
}

static void default_mappings(struct fixture *f)
{
	map(f, "cifs", "host");
	map(f, "http", "host");
	map(f, "rpcss", "host");
}

static const spn_finding *run(struct fixture *f, size_t expect)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, "shadow",
				       f->findings), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), expect);
	return expect ? spn_findings_get(f->findings, 0) : NULL;
}

static const char *const app03[] = { "HOST/APP03", "HOST/app03.corp.test",
				     "RestrictedKrbHost/app03.corp.test" };

static void test_cifs_on_a_user_shadows_host(void **state)
{
	struct fixture *f = *state;
	const char *u[] = { "cifs/app03.corp.test" };
	const spn_finding *x;

	default_mappings(f);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP03,DC=corp", "APP03$", app03, 3);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app03,DC=corp", "svc_app03", u, 1);
	x = run(f, 1);
	assert_string_equal(x->check, "shadow");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->spn, "cifs/app03.corp.test");
	assert_string_equal(x->host, "app03.corp.test");
	assert_int_equal(x->n_accounts, 2);
	assert_string_equal(x->accounts[0].sam, "svc_app03");
	assert_string_equal(x->accounts[1].sam, "APP03$");
	assert_non_null(strstr(x->message, "cifs/app03.corp.test on svc_app03 "
			       "takes precedence over HOST/app03.corp.test on "
			       "APP03$ (sPNMappings maps cifs to host)"));
	assert_non_null(strstr(x->message, "right only if the service runs as "
			       "svc_app03"));
	assert_non_null(strstr(x->fix, "setspn -D \"cifs/app03.corp.test\" "
			       "svc_app03\n"));
	assert_non_null(strstr(x->fix, "delete: servicePrincipalName\n"
			       "servicePrincipalName: cifs/app03.corp.test\n"));
	assert_null(strstr(x->fix, "default list"));
}

static void test_key_rules_apply(void **state)
{
	struct fixture *f = *state;
	const char *u[] = { "CIFS/APP03.CORP.TEST", "Http/App03" };

	map(f, "CIFS", "HOST");
	map(f, "http", "Host");
	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP03", "APP03$", app03, 3);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app03", "svc_app03", u, 2);
	run(f, 2);
}

static void test_healthy_twins(void **state)
{
	struct fixture *f = *state;
	const char *comp[] = { "HOST/fs1.corp.test", "cifs/fs1.corp.test" };
	const char *port[] = { "cifs/app03.corp.test:445",
			       "http/app03.corp.test/extra" };
	const char *sql[] = { "MSSQLSvc/app03.corp.test", "ldap/app03.corp.test" };
	const char *web[] = { "http/intranet.corp.test", "HOST/other" };

	default_mappings(f);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP03", "APP03$", app03, 3);
	/* the computer holds the explicit SPN itself */
	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS1", "FS1$", comp, 2);
	/* the mapped name HOST/app03.corp.test:445 is nobody's */
	add(f, SPN_ACCOUNT_USER, "CN=svc_port", "svc_port", port, 2);
	/* classes that do not map to host */
	add(f, SPN_ACCOUNT_USER, "CN=svc_sql", "svc_sql", sql, 2);
	/* no HOST/ for the name */
	add(f, SPN_ACCOUNT_USER, "CN=svc_web", "svc_web", web, 2);
	run(f, 0);
}

static void test_duplicate_with_the_computer_is_dups_finding(void **state)
{
	struct fixture *f = *state;
	const char *comp[] = { "HOST/fs2.corp.test", "cifs/fs2.corp.test" };
	const char *user[] = { "cifs/fs2.corp.test" };

	default_mappings(f);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS2", "FS2$", comp, 2);
	add(f, SPN_ACCOUNT_USER, "CN=svc_backup", "svc_backup", user, 1);
	run(f, 0);
}

static void test_mappings_decide_the_classes(void **state)
{
	struct fixture *f = *state;
	const char *u[] = { "cifs/app03.corp.test", "custom/app03.corp.test" };
	const spn_finding *x;

	/* this forest maps only "custom" (and an alias to another target) */
	map(f, "custom", "host");
	map(f, "cifs", "ldap");
	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP03", "APP03$", app03, 3);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app03", "svc_app03", u, 2);
	x = run(f, 1);
	assert_string_equal(x->spn, "custom/app03.corp.test");
}

static void test_default_list_without_mappings(void **state)
{
	struct fixture *f = *state;
	const char *u[] = { "cifs/app03.corp.test", "www/app03.corp.test",
			    "msdtc/app03.corp.test", "nosuchclass/app03.corp.test" };
	const spn_finding *x;
	size_t i;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=APP03", "APP03$", app03, 3);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app03", "svc_app03", u, 4);
	run(f, 3);
	for (i = 0; i < 3; i++) {
		x = spn_findings_get(f->findings, i);
		assert_non_null(strstr(x->fix, "Windows default list was used"));
		assert_null(strstr(x->spn, "nosuchclass"));
	}
}

static void test_many_host_holders(void **state)
{
	struct fixture *f = *state;
	const char *h[] = { "HOST/shared.corp.test" };
	const char *u[] = { "cifs/shared.corp.test" };
	char dn[16], sam[16];
	const spn_finding *x;
	int i;

	default_mappings(f);
	for (i = 0; i < 6; i++) {
		snprintf(dn, sizeof(dn), "CN=C%d", i);
		snprintf(sam, sizeof(sam), "C%d$", i);
		add(f, SPN_ACCOUNT_COMPUTER, dn, sam, h, 1);
	}
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", u, 1);
	x = run(f, 1);
	assert_int_equal(x->n_accounts, 7);
	assert_non_null(strstr(x->message, "C0$, C1$, C2$, C3$ and 2 more"));
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	const char *h[] = { "HOST/", "HOST/x\ny", "HOST/\xff" };
	const char *u[] = { "cifs", "cifs/", "/app03", "", "cifs/x\ny",
			    "cifs/\xff", "cifsx/x\ny", "cif/x\ny" };
	const char *big_spns[2];
	const spn_finding *x;
	char *big, *big_host;
	size_t i;

	default_mappings(f);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=weird", "weird$", h, 3);
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", u, 8);
	big = malloc(5001);
	big_host = malloc(5001);
	assert_non_null(big);
	assert_non_null(big_host);
	memcpy(big, "cifs/", 5);
	memcpy(big_host, "HOST/", 5);
	memset(big + 5, 'b', 4995);
	memset(big_host + 5, 'b', 4995);
	big[5000] = big_host[5000] = '\0';
	big_spns[0] = big_host;
	add(f, SPN_ACCOUNT_COMPUTER, "CN=big", "big$", big_spns, 1);
	big_spns[0] = big;
	add(f, SPN_ACCOUNT_USER, "CN=svcbig", "svcbig", big_spns, 1);
	run(f, 3);
	for (i = 0; i < 3; i++) {
		x = spn_findings_get(f->findings, i);
		/* a newline never breaks out of a comment line */
		assert_null(strstr(x->fix, "\ny cover"));
		assert_null(strstr(x->fix, "x\ny"));
	}
	free(big);
	free(big_host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cifs_on_a_user_shadows_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_rules_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_twins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_with_the_computer_is_dups_finding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mappings_decide_the_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_list_without_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_host_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
