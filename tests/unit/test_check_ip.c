/* test_check_ip.c - the ip check over synthetic accounts and DNS nodes. */
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

static void node(struct fixture *f, const char *fqdn, uint16_t type,
		 const char *data, int tombstoned)
{
	spn_dns_record r;
	spn_dns_node n;

	memset(&r, 0, sizeof(r));
	r.type = type;
	snprintf(r.data, sizeof(r.data), "%s", data);
	memset(&n, 0, sizeof(n));
	n.fqdn = fqdn;
	n.zone = "corp.test";
	n.records = &r;
	n.n_records = 1;
	n.tombstoned = tombstoned;
	assert_int_equal(spn_index_add_dns_node(f->index, &n), SPN_OK);
}

static size_t run(struct fixture *f)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, "ip", f->findings),
			 SPN_OK);
	return spn_findings_count(f->findings);
}

static const spn_finding *find_spn(struct fixture *f, const char *spn)
{
	const spn_finding *x;
	size_t i;

	for (i = 0; i < spn_findings_count(f->findings); i++) {
		x = spn_findings_get(f->findings, i);
		assert_string_equal(x->check, "ip");
		if (strcmp(x->spn, spn) == 0)
			return x;
	}
	fail_msg("no finding for %s", spn);
	return NULL;
}

static void test_own_address_is_info(void **state)
{
	struct fixture *f = *state;
	const char *fs3[] = { "HOST/FS3", "HOST/fs3.corp.test",
			      "HOST/127.0.0.61", "cifs/127.0.0.61" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS3,OU=Servers", "FS3$",
	    "fs3.corp.test", fs3, 4);
	node(f, "fs3.corp.test", SPN_DNS_TYPE_A, "127.0.0.61", 0);
	assert_int_equal(run(f), 2);
	x = find_spn(f, "cifs/127.0.0.61");
	assert_int_equal(x->severity, SPN_SEVERITY_INFO);
	assert_string_equal(x->host, "127.0.0.61");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "FS3$");
	assert_non_null(strstr(x->message, "fs3.corp.test (FS3$)"));
	assert_non_null(strstr(x->message, "own address"));
	assert_non_null(strstr(x->message, "TryIPSPN"));
	assert_non_null(strstr(x->message, "NTLM"));
	assert_null(x->fix);
	x = find_spn(f, "HOST/127.0.0.61");
	assert_int_equal(x->severity, SPN_SEVERITY_INFO);
}

static void test_unknown_address_is_a_warning(void **state)
{
	struct fixture *f = *state;
	const char *web[] = { "http/web01.corp.test", "http/2001:db8::15" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_web", "svc_web", NULL, web, 2);
	assert_int_equal(run(f), 1);
	x = find_spn(f, "http/2001:db8::15");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->host, "2001:db8::15");
	assert_non_null(strstr(x->message, "no name in the AD DNS zones"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/2001:db8::15\" svc_web\n"));
	assert_non_null(strstr(x->fix, "delete: servicePrincipalName\n"));
}

static void test_other_hosts_address_names_the_owner(void **state)
{
	struct fixture *f = *state;
	const char *fs3[] = { "HOST/fs3.corp.test" };
	const char *svc[] = { "http/127.0.0.61:8080", "HTTP/[2001:DB8::61]:443" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS3", "FS3$", "fs3.corp.test", fs3, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app", "svc_app", NULL, svc, 2);
	node(f, "fs3.corp.test", SPN_DNS_TYPE_A, "127.0.0.61", 0);
	/* written differently from the SPN's address */
	node(f, "fs3.corp.test", SPN_DNS_TYPE_AAAA, "2001:0db8:0:0::61", 0);
	assert_int_equal(run(f), 2);
	x = find_spn(f, "http/127.0.0.61:8080");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_non_null(strstr(x->message, "of fs3.corp.test (FS3$)"));
	x = find_spn(f, "HTTP/[2001:DB8::61]:443");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->host, "2001:db8::61");
	assert_non_null(strstr(x->message, "fs3.corp.test (FS3$)"));
}

static void test_names_and_bad_values_are_not_ip(void **state)
{
	struct fixture *f = *state;
	const char *svc[] = { "http/web01.corp.test", "http/web01",
			      "http/999.1.1.1", "http/1.2.3", "http/",
			      "nohost", "http/[127.0.0.1]", "http/\xff\xfe",
			      "http/1.2.3.4.5" };

	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, svc, 9);
	assert_int_equal(run(f), 0);
}

static void test_tombstoned_and_duplicate_holders(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "cifs/127.0.0.70" };
	const char *b[] = { "CIFS/127.0.0.70" };
	const spn_finding *x;

	/* the computer's name is deleted from DNS: the address is nobody's */
	add(f, SPN_ACCOUNT_COMPUTER, "CN=OLD", "OLD$", "old.corp.test", a, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, b, 1);
	node(f, "old.corp.test", SPN_DNS_TYPE_A, "127.0.0.70", 1);
	assert_int_equal(run(f), 1);
	x = find_spn(f, "cifs/127.0.0.70");
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_int_equal(x->n_accounts, 2);
	assert_non_null(strstr(x->message, "no name in the AD DNS zones"));
	assert_non_null(strstr(x->message, "OLD$ and 1 more"));
	/* each holder's own value is removed */
	assert_non_null(strstr(x->fix, "setspn -D \"CIFS/127.0.0.70\" svc\n"));
	assert_non_null(strstr(x->fix, "setspn -D \"cifs/127.0.0.70\" OLD\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_address_is_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_address_is_a_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_hosts_address_names_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_bad_values_are_not_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tombstoned_and_duplicate_holders, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
