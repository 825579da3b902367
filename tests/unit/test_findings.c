/* test_findings.c - the findings list: moving findings between lists. */
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

/* Two accounts sharing each of the SPNs: one dup finding per SPN. */
static void add_pair(struct fixture *f, const char *spn, int first)
{
	char dn[64], sam[16];
	const char *spns[1] = { spn };
	int i;

	for (i = first; i < first + 2; i++) {
		snprintf(dn, sizeof(dn), "CN=a%d,DC=corp", i);
		snprintf(sam, sizeof(sam), "a%d", i);
		add_with_flags(f, SPN_ACCOUNT_USER, dn, sam, -1, -1, spns, 1);
	}
}

static void test_take_moves_in_order(void **state)
{
	struct fixture *f = *state;
	spn_findings *other = NULL;
	char spn0[64], spn2[64];

	add_pair(f, "http/one.corp.test", 0);
	add_pair(f, "http/two.corp.test", 2);
	fixture_run(f, "dup", 2);
	assert_int_equal(spn_findings_new(&other), SPN_OK);
	assert_int_equal(spn_check_run(f->ctx, f->index, "dup", other), SPN_OK);
	snprintf(spn0, sizeof(spn0), "%s", spn_findings_get(f->findings, 0)->spn);
	snprintf(spn2, sizeof(spn2), "%s", spn_findings_get(other, 0)->spn);

	/* other's findings follow f's, in order; other is left empty */
	assert_int_equal(spn_findings_take(f->findings, other), SPN_OK);
	assert_int_equal(spn_findings_count(other), 0);
	assert_int_equal(spn_findings_count(f->findings), 4);
	/* their strings outlive the list they came from */
	spn_findings_free(other);
	assert_string_equal(spn_findings_get(f->findings, 0)->spn, spn0);
	assert_string_equal(spn_findings_get(f->findings, 2)->spn, spn2);
	assert_string_equal(spn_findings_get(f->findings, 3)->accounts[1].dn,
			    "CN=a3,DC=corp");
	assert_non_null(strstr(spn_findings_get(f->findings, 3)->message,
			       "two.corp.test"));

	/* an empty list moves nothing; a list cannot take itself */
	assert_int_equal(spn_findings_new(&other), SPN_OK);
	assert_int_equal(spn_findings_take(f->findings, other), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 4);
	assert_int_equal(spn_findings_take(other, f->findings), SPN_OK);
	assert_int_equal(spn_findings_count(other), 4);
	assert_int_equal(spn_findings_take(other, other), SPN_E_USAGE);
	assert_int_equal(spn_findings_take(NULL, other), SPN_E_USAGE);
	spn_findings_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_moves_in_order, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
