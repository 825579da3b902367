/* test_check_lookalike.c - the lookalike check over synthetic accounts. */
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

static const spn_finding *run(struct fixture *f, size_t expect)
{
	return fixture_run(f, "lookalike", expect);
}

/* http/intranet.corp.test with a Cyrillic small i (U+0456) */
#define CYR_INTRANET "http/\xd1\x96ntranet.corp.test"
/* http/payroll.corp.test with a zero-width space (U+200B) */
#define ZW_PAYROLL "http/pay\xe2\x80\x8broll.corp.test"

static void one(struct fixture *f, const char *dn, const char *sam,
		const char *spn)
{
	const char *s[1];

	s[0] = spn;
	add(f, SPN_ACCOUNT_USER, dn, sam, s, 1);
}

static void test_cyrillic_lookalike(void **state)
{
	struct fixture *f = *state;
	const spn_finding *x;

	one(f, "CN=svc_look1,DC=corp", "svc_look1", "http/intranet.corp.test");
	one(f, "CN=svc_look2,DC=corp", "svc_look2", CYR_INTRANET);
	one(f, "CN=svc_look5,DC=corp", "svc_look5", "http/intranet2.corp.test");
	x = run(f, 1);
	assert_string_equal(x->check, "lookalike");
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->spn, CYR_INTRANET);
	assert_string_equal(x->host, "\xd1\x96ntranet.corp.test");
	assert_int_equal(x->n_accounts, 2);
	assert_string_equal(x->accounts[0].sam, "svc_look2");
	assert_string_equal(x->accounts[1].sam, "svc_look1");
	assert_non_null(strstr(x->message, "(written http/<U+0456>ntranet.corp.test) "
			       "on svc_look2 looks like http/intranet.corp.test "
			       "on svc_look1"));
	assert_non_null(strstr(x->message, "CVE-2026-25177"));
	assert_non_null(strstr(x->message, "cannot tell them apart"));
	/* the value is not ASCII: LDIF in base64, no command line */
	assert_non_null(strstr(x->fix, "dn: CN=svc_look2,DC=corp\nchangetype: modify\n"
			       "delete: servicePrincipalName\n"
			       "servicePrincipalName:: "));
	assert_null(strstr(x->fix, "setspn -D"));
	assert_null(strstr(x->fix, "svc_look1"));
}

static void test_zero_width_lookalike(void **state)
{
	struct fixture *f = *state;
	const spn_finding *x;

	/* the lookalike first in directory order */
	one(f, "CN=svc_look3", "svc_look3", ZW_PAYROLL);
	one(f, "CN=svc_look4", "svc_look4", "http/payroll.corp.test");
	x = run(f, 1);
	assert_string_equal(x->spn, ZW_PAYROLL);
	assert_string_equal(x->accounts[0].sam, "svc_look3");
	assert_string_equal(x->accounts[1].sam, "svc_look4");
	assert_non_null(strstr(x->message, "http/pay<U+200B>roll.corp.test"));
	assert_non_null(strstr(x->message, "invisible characters"));
	assert_non_null(strstr(x->message, "CVE-2026-25177"));
}

static void test_two_lookalikes_of_a_name_nobody_holds(void **state)
{
	struct fixture *f = *state;
	const spn_finding *x;

	one(f, "CN=a", "a", CYR_INTRANET);
	one(f, "CN=b", "b", "http/intr\xe2\x80\x8b" "anet.corp.test");
	x = run(f, 1);
	assert_string_equal(x->accounts[0].sam, "b");
	assert_string_equal(x->accounts[1].sam, "a");
	assert_non_null(strstr(x->message, "looks like " CYR_INTRANET));
}

static void test_other_forms(void **state)
{
	struct fixture *f = *state;

	one(f, "CN=p", "p", "http/portal.corp.test");
	/* fullwidth small i, U+FF49 */
	one(f, "CN=fw", "fw", "http/\xef\xbd\x89ntranet.corp.test");
	one(f, "CN=i", "i", "http/intranet.corp.test");
	/* Greek capital iota and omicron, in upper case */
	one(f, "CN=gr", "gr", "HTTP/P\xce\x9fRTAL.CORP.TEST");
	/* a Cyrillic capital dze looks like S */
	one(f, "CN=s", "s", "HTTP/\xd0\x85QL.CORP.TEST");
	one(f, "CN=sql", "sql", "http/sql.corp.test");
	run(f, 3);
}

static void test_healthy_twins(void **state)
{
	struct fixture *f = *state;
	const char *both[] = { "http/intranet.corp.test", CYR_INTRANET };

	/* distinct ASCII names */
	one(f, "CN=a", "a", "http/intranet.corp.test");
	one(f, "CN=b", "b", "http/intranet2.corp.test");
	/* case variants are one key: dup's business */
	one(f, "CN=c", "c", "HTTP/INTRANET.CORP.TEST");
	/* Cyrillic case variants of one name: one key too */
	one(f, "CN=d", "d", "http/\xd0\xb0pp.corp.test");
	one(f, "CN=e", "e", "http/\xd0\x90PP.corp.test");
	/* a letter that looks like no ASCII letter */
	one(f, "CN=f", "f", "http/m\xc3\xbcnchen.corp.test");
	one(f, "CN=g", "g", "http/munchen.corp.test");
	/* a no-break space is a space, not nothing */
	one(f, "CN=h", "h", "http/pay\xc2\xa0roll.corp.test");
	one(f, "CN=i", "i", "http/payroll.corp.test");
	/* invalid UTF-8 differing bytes are not lookalikes */
	one(f, "CN=j", "j", "http/x\xff.corp.test");
	one(f, "CN=k", "k", "http/x\xfe.corp.test");
	/* one account holding a name and its lookalike */
	add(f, SPN_ACCOUNT_USER, "CN=l", "l", both, 0);
	run(f, 0);
	add(f, SPN_ACCOUNT_USER, "CN=m", "m", both + 1, 1);
	/* now "m" holds the lookalike of a's and c's name */
	assert_int_equal(spn_check_run(f->ctx, f->index, "lookalike",
				       f->findings), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 1);
	assert_int_equal(spn_findings_get(f->findings, 0)->n_accounts, 3);
}

static void test_same_account_holds_both(void **state)
{
	struct fixture *f = *state;
	const char *both[] = { "http/intranet.corp.test", CYR_INTRANET };

	add(f, SPN_ACCOUNT_USER, "CN=l", "l", both, 2);
	run(f, 0);
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "\xd0\xb0", "\xe2\x80\x8b", "a", "/\xd1\x96\n",
			    "/i\n", "\xff\xd1" };
	size_t n = 3000, i;
	char *plain, *look;
	const spn_finding *x;

	/* bare non-ASCII, an empty skeleton, newlines */
	add(f, SPN_ACCOUNT_USER, "CN=s1", "s1", s, 3);
	add(f, SPN_ACCOUNT_USER, "CN=s2", "s2", s + 3, 1);
	add(f, SPN_ACCOUNT_USER, "CN=s3", "s3", s + 4, 2);
	/* s4 shares s1's bare Cyrillic a, the lookalike of s1's "a" */
	add(f, SPN_ACCOUNT_USER, "CN=s4", "s4", s, 1);
	/* longer than any stack buffer */
	plain = malloc(5 + n + 1);
	look = malloc(5 + 2 * n + 1);
	assert_non_null(plain);
	assert_non_null(look);
	memcpy(plain, "http/", 5);
	memcpy(look, "http/", 5);
	for (i = 0; i < n; i++) {
		plain[5 + i] = 'a';
		memcpy(look + 5 + 2 * i, "\xd0\xb0", 2);
	}
	plain[5 + n] = '\0';
	look[5 + 2 * n] = '\0';
	one(f, "CN=plain", "plain", plain);
	one(f, "CN=look", "look", look);
	run(f, 3);
	for (i = 0; i < 3; i++) {
		x = spn_findings_get(f->findings, i);
		assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	}
	free(plain);
	free(look);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cyrillic_lookalike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_width_lookalike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_lookalikes_of_a_name_nobody_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_twins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_account_holds_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
