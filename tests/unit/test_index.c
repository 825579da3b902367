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
#include "index_digest.h"

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

/* The things an index holds, added one by one to an index: account i of
 * the list below, node i, or mapping i. */
#define N_ITEMS 9

static void add_item(spn_index *index, size_t i)
{
	static const char *const spns[][4] = {
		{ "HOST/ws01", "HOST/ws01.corp.test", "http/app", NULL },
		{ "http/APP", "", "cifs/files.corp.test", NULL },
		{ NULL },
		{ "host/WS01.corp.test", "http/app", "http/app", "MSSQLSvc/db:1433" },
		{ "cifs/files.corp.test", "http/\u00e9t\u00e9", NULL },
	};
	static const char *const extra[] = { "alias.corp.test", "" };
	spn_account a;
	spn_dns_node node;
	spn_dns_record rec[2];
	size_t n = 0;

	if (i < 5) {
		memset(&a, 0, sizeof(a));
		a.dn = i == 2 ? "CN=empty,DC=corp" : i % 2 ? "CN=odd,DC=corp" :
			"CN=even,DC=corp";
		a.sam = i == 1 ? NULL : "sam$";
		a.dns_host_name = i == 0 ? "ws01.corp.test" : NULL;
		a.kind = i == 0 ? SPN_ACCOUNT_COMPUTER : SPN_ACCOUNT_USER;
		a.uac = (uint32_t)(512 + i);
		a.has_uac = i != 3;
		a.enc_types = 24;
		a.has_enc_types = i == 4;
		while (n < 4 && spns[i][n] != NULL)
			n++;
		a.spns = spns[i];
		a.n_spns = n;
		a.additional_dns = extra;
		a.n_additional_dns = i == 0 ? 2 : 0;
		assert_int_equal(spn_index_add_account(index, &a), SPN_OK);
	} else if (i < 8) {
		memset(&node, 0, sizeof(node));
		memset(rec, 0, sizeof(rec));
		node.fqdn = i == 6 ? "corp.test" : "files.corp.test";
		node.zone = "corp.test";
		rec[0].type = 1;
		snprintf(rec[0].data, sizeof(rec[0].data), "10.0.0.%zu", i);
		rec[1].type = 5;
		snprintf(rec[1].data, sizeof(rec[1].data), "app.corp.test");
		node.records = rec;
		node.n_records = i - 5;
		node.tombstoned = i == 7;
		assert_int_equal(spn_index_add_dns_node(index, &node), SPN_OK);
	} else {
		assert_int_equal(spn_index_add_mapping(index, "cifs", "host"),
				 SPN_OK);
	}
}

/* An index appended to another holds what one index holds when the same
 * things are added to it in the same order, wherever the list is cut. */
static void test_append_is_adding_in_order(void **state)
{
	spn_index *whole = NULL, *head = NULL, *tail = NULL;
	char *want, *got;
	size_t cut, i;

	(void)state;
	assert_int_equal(spn_index_new(&whole), SPN_OK);
	for (i = 0; i < N_ITEMS; i++)
		add_item(whole, i);
	whole->passed_accounts = 3;
	whole->passed_spns = 7;
	want = index_digest_text(whole);
	assert_non_null(want);
	for (cut = 0; cut <= N_ITEMS; cut++) {
		assert_int_equal(spn_index_new(&head), SPN_OK);
		assert_int_equal(spn_index_new(&tail), SPN_OK);
		for (i = 0; i < N_ITEMS; i++)
			add_item(i < cut ? head : tail, i);
		head->passed_accounts = 1;
		head->passed_spns = 2;
		tail->passed_accounts = 2;
		tail->passed_spns = 5;
		assert_int_equal(idx_append(head, tail), 0);
		got = index_digest_text(head);
		assert_non_null(got);
		assert_string_equal(got, want);
		free(got);
		spn_index_free(head);
		spn_index_free(tail);
	}
	free(want);
	spn_index_free(whole);
}

/* Two indexes appended at once (idx_append_all), wherever the list is cut
 * in three, hold the same as one index the things were added to. */
static void test_append_all_is_adding_in_order(void **state)
{
	spn_index *whole = NULL, *part[3];
	const spn_index *later[2];
	char *want, *got;
	size_t c1, c2, i, k;

	(void)state;
	assert_int_equal(spn_index_new(&whole), SPN_OK);
	for (i = 0; i < N_ITEMS; i++)
		add_item(whole, i);
	want = index_digest_text(whole);
	assert_non_null(want);
	for (c1 = 0; c1 <= N_ITEMS; c1++) {
		for (c2 = c1; c2 <= N_ITEMS; c2++) {
			for (k = 0; k < 3; k++)
				assert_int_equal(spn_index_new(&part[k]),
						 SPN_OK);
			for (i = 0; i < N_ITEMS; i++)
				add_item(part[i < c1 ? 0 : i < c2 ? 1 : 2], i);
			later[0] = part[1];
			later[1] = part[2];
			assert_int_equal(idx_append_all(part[0], later, 2), 0);
			got = index_digest_text(part[0]);
			assert_non_null(got);
			assert_string_equal(got, want);
			free(got);
			for (k = 0; k < 3; k++)
				spn_index_free(part[k]);
		}
	}
	free(want);
	spn_index_free(whole);
}

/* Appended key groups find their SPNs across a table that had to grow. */
static void test_append_grows_the_table(void **state)
{
	spn_index *a = NULL, *b = NULL;
	char spn[64], other[64];
	const char *one[] = { spn }, *two[] = { spn, other };
	int i;

	(void)state;
	assert_int_equal(spn_index_new(&a), SPN_OK);
	assert_int_equal(spn_index_new(&b), SPN_OK);
	for (i = 0; i < 3000; i++) {
		snprintf(spn, sizeof(spn), "http/a%d.corp.test", i);
		add(a, "CN=a", NULL, one, 1);
		snprintf(spn, sizeof(spn), "HTTP/A%d.corp.test", i * 2);
		snprintf(other, sizeof(other), "http/b%d", i);
		add(b, "CN=b", NULL, two, 2);
	}
	assert_int_equal(idx_append(a, b), 0);
	assert_int_equal(a->n_spns, 9000);
	assert_int_equal(a->n_keys, 1500 + 3000 + 3000);
	assert_int_equal(group_size(a, "http/a10.corp.test"), 2);
	assert_int_equal(group_size(a, "http/a11.corp.test"), 1);
	assert_int_equal(group_size(a, "http/a5998.corp.test"), 1);
	assert_int_equal(group_size(a, "http/b2999"), 1);
	assert_true(a->n_keys * 10 <= (a->table_mask + 1) * 7);
	spn_index_free(a);
	spn_index_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_fold_case),
		cmocka_unit_test(test_non_ascii_keys),
		cmocka_unit_test(test_growth_keeps_every_key),
		cmocka_unit_test(test_empty_values_and_bad_calls),
		cmocka_unit_test(test_append_is_adding_in_order),
		cmocka_unit_test(test_append_all_is_adding_in_order),
		cmocka_unit_test(test_append_grows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
