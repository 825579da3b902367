/* test_index.c - the index: key groups, growth, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/spn.h>
#include "index_impl.h"

static void add(spn_index *index, const char *dn, const char *sam,
		const char *const *spns, size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.dn = dn;
	a.sam = sam;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(index, &a), SPN_OK);
}

static size_t group_size(const spn_index *index, const char *spn)
{
	uint32_t s = idx_find_spn(index, spn);
	size_t n = 0;

	for (; s != IDX_NONE; s = index->spns[s].next_same)
		n++;
	return n;
}

static void test_groups_fold_case(void **state)
{
	spn_index *index = NULL;
	const char *a[] = { "http/app.corp.test", "HOST/ws01" };
	const char *b[] = { "HTTP/APP.CORP.TEST" };
	const char *c[] = { "http/app.corp.test:8080" };

	(void)state;
	assert_int_equal(spn_index_new(&index), SPN_OK);
	add(index, "CN=a", "a", a, 2);
	add(index, "CN=b", "b", b, 1);
	add(index, "CN=c", "c", c, 1);
	assert_int_equal(spn_index_account_count(index), 3);
	assert_int_equal(spn_index_spn_count(index), 4);
	assert_int_equal(group_size(index, "Http/App.Corp.Test"), 2);
	assert_int_equal(group_size(index, "http/app.corp.test:8080"), 1);
	assert_int_equal(group_size(index, "host/WS01"), 1);
	assert_int_equal(group_size(index, "http/app"), 0);
	spn_index_free(index);
}

static void test_non_ascii_keys(void **state)
{
	spn_index *index = NULL;
	/* Cyrillic capital/small DE fold together; Latin d does not match. */
	const char *a[] = { "http/\xd0\x94om.corp.test" };
	const char *b[] = { "http/\xd0\xb4OM.corp.test" };
	const char *c[] = { "http/dom.corp.test" };

	(void)state;
	assert_int_equal(spn_index_new(&index), SPN_OK);
	add(index, "CN=a", "a", a, 1);
	add(index, "CN=b", "b", b, 1);
	add(index, "CN=c", "c", c, 1);
	assert_int_equal(group_size(index, "http/\xd0\xb4om.corp.test"), 2);
	assert_int_equal(group_size(index, "http/dom.corp.test"), 1);
	spn_index_free(index);
}

static void test_growth_keeps_every_key(void **state)
{
	spn_index *index = NULL;
	char buf[64];
	const char *one[1];
	char dn[32];
	int i;

	(void)state;
	assert_int_equal(spn_index_new(&index), SPN_OK);
	for (i = 0; i < 50000; i++) {
		snprintf(buf, sizeof(buf), "http/host%05d.corp.test", i);
		snprintf(dn, sizeof(dn), "CN=h%d", i);
		one[0] = buf;
		add(index, dn, NULL, one, 1);
	}
	/* the same names again in upper case: every key now has two */
	for (i = 0; i < 50000; i += 5000) {
		snprintf(buf, sizeof(buf), "HTTP/HOST%05d.CORP.TEST", i);
		one[0] = buf;
		add(index, "CN=dup", "dup", one, 1);
	}
	assert_int_equal(spn_index_spn_count(index), 50010);
	assert_int_equal(index->n_keys, 50000);
	assert_int_equal(group_size(index, "http/host45000.corp.test"), 2);
	assert_int_equal(group_size(index, "http/host45001.corp.test"), 1);
	assert_true(index->n_keys * 10 <= (index->table_mask + 1) * 7);
	spn_index_free(index);
}

static void test_empty_values_and_bad_calls(void **state)
{
	spn_index *index = NULL;
	spn_account a;
	const char *spns[] = { "", "http/x" };

	(void)state;
	assert_int_equal(spn_index_new(&index), SPN_OK);
	memset(&a, 0, sizeof(a));
	assert_int_equal(spn_index_add_account(index, &a), SPN_E_USAGE);
	assert_int_equal(spn_index_add_account(NULL, &a), SPN_E_USAGE);
	a.dn = "CN=x";
	a.spns = spns;
	a.n_spns = 2;
	assert_int_equal(spn_index_add_account(index, &a), SPN_OK);
	assert_int_equal(spn_index_spn_count(index), 1);
	assert_int_equal(spn_index_new(NULL), SPN_E_USAGE);
	spn_index_free(index);
	spn_index_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_fold_case),
		cmocka_unit_test(test_non_ascii_keys),
		cmocka_unit_test(test_growth_keeps_every_key),
		cmocka_unit_test(test_empty_values_and_bad_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
