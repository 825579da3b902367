/* test_check_orphan.c - the orphan check (and its resolver variant) over
 * synthetic accounts and DNS nodes. The resolver is only asked about
 * "localhost", which /etc/hosts answers: no traffic leaves the machine. */
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
		const char *sam, const char *dns, const char *extra,
		const char *const *spns, size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.dns_host_name = dns;
	a.additional_dns = &extra;
	a.n_additional_dns = extra != NULL ? 1 : 0;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

static void node(struct fixture *f, const char *fqdn, const char *zone,
		 uint16_t type, const char *data, int tombstoned)
{
	spn_dns_record r;
	spn_dns_node n;

	memset(&r, 0, sizeof(r));
	r.type = type;
	snprintf(r.data, sizeof(r.data), "%s", data);
	memset(&n, 0, sizeof(n));
	n.fqdn = fqdn;
	n.zone = zone;
	n.records = &r;
	n.n_records = 1;
	n.tombstoned = tombstoned;
	assert_int_equal(spn_index_add_dns_node(f->index, &n), SPN_OK);
}

static size_t run(struct fixture *f)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, "orphan", f->findings),
			 SPN_OK);
	return spn_findings_count(f->findings);
}

static const spn_finding *get(struct fixture *f, size_t i)
{
	const spn_finding *x = spn_findings_get(f->findings, i);

	assert_non_null(x);
	assert_string_equal(x->check, "orphan");
	return x;
}

static void test_ghost_spns(void **state)
{
	struct fixture *f = *state;
	const char *ghost[] = { "http/ghost.corp.test", "http/gone.example.org" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_ghost,OU=Service Accounts", "svc_ghost",
	    NULL, NULL, ghost, 2);
	assert_int_equal(run(f), 2);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_WARNING);
	assert_string_equal(x->host, "ghost.corp.test");
	assert_string_equal(x->spn, "http/ghost.corp.test");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "svc_ghost");
	assert_non_null(strstr(x->message, "stale"));
	assert_non_null(strstr(x->message, "ghost SPN-jacking"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/ghost.corp.test\" svc_ghost\n"));
	assert_non_null(strstr(x->fix, "dn: CN=svc_ghost,OU=Service Accounts\n"
			       "changetype: modify\ndelete: servicePrincipalName\n"
			       "servicePrincipalName: http/ghost.corp.test\n"));
	assert_string_equal(get(f, 1)->host, "gone.example.org");
}

static void test_known_names_are_quiet(void **state)
{
	struct fixture *f = *state;
	const char *web01[] = { "HOST/WEB01", "host/web01.corp.test",
				"HOST/app07-alt.corp.test" };
	const char *dc[] = {
		"ldap/dc1.corp.test/corp.test", "ldap/DC1",
		"E3514235-4B06-11D1-AB04-00C04FC2DCD2/1c9f4c3c-3fd4-441c/corp.test",
		"ldap/1c9f4c3c-3fd4-441c._msdcs.corp.test",
		"GC/dc1.corp.test/corp.test", "ldap/corp.test",
	};
	const char *krbtgt[] = { "kadmin/changepw" };
	const char *svc[] = {
		"http/WEB01.CORP.TEST.", "http/web01", "http/portal.corp.test",
		"http/portal", "http/web01.corp.test:8080",
		"MSSQLSvc/sql1.corp.test:SQLPROD", "http/2001:db8::15",
		"cifs/127.0.0.61",
	};

	add(f, SPN_ACCOUNT_COMPUTER, "CN=WEB01", "WEB01$", "web01.corp.test",
	    "app07-alt.corp.test", web01, 3);
	add(f, SPN_ACCOUNT_COMPUTER, "CN=DC1", "DC1$", "dc1.corp.test", NULL,
	    dc, 6);
	add(f, SPN_ACCOUNT_USER, "CN=krbtgt", "krbtgt", NULL, NULL, krbtgt, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, NULL, svc, 8);
	node(f, "portal.corp.test", "corp.test", SPN_DNS_TYPE_CNAME,
	     "web01.corp.test", 0);
	node(f, "sql1.corp.test", "corp.test", SPN_DNS_TYPE_A, "127.0.0.1", 0);
	node(f, "1c9f4c3c-3fd4-441c._msdcs.corp.test", "_msdcs.corp.test",
	     SPN_DNS_TYPE_CNAME, "dc1.corp.test", 0);
	node(f, "corp.test", "corp.test", SPN_DNS_TYPE_A, "127.0.0.1", 0);
	assert_int_equal(run(f), 0);
}

static void test_deleted_and_internal_names_are_not_names(void **state)
{
	struct fixture *f = *state;
	const char *svc[] = { "http/old.corp.test", "http/a.root-servers.net",
			      "http/empty.corp.test", "http/old" };

	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, NULL, svc, 4);
	node(f, "old.corp.test", "corp.test", SPN_DNS_TYPE_A, "127.0.0.5", 1);
	node(f, "a.root-servers.net", "RootDNSServers", SPN_DNS_TYPE_A,
	     "198.41.0.4", 0);
	assert_int_equal(spn_index_add_dns_node(f->index, &(spn_dns_node){
		.fqdn = "empty.corp.test", .zone = "corp.test" }), SPN_OK);
	assert_int_equal(run(f), 4);
	/* single label: no computer's short name, no live first label */
	assert_string_equal(get(f, 2)->host, "old");
	assert_non_null(strstr(get(f, 2)->message, "short name"));
}

static void test_duplicate_holders_one_finding(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/app.corp.test" };
	const char *b[] = { "HTTP/APP.CORP.TEST" };
	const spn_finding *x;

	add(f, SPN_ACCOUNT_USER, "CN=svc_app1", "svc_app1", NULL, NULL, a, 1);
	add(f, SPN_ACCOUNT_USER, "CN=svc_app2", "svc_app2", NULL, NULL, b, 1);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->n_accounts, 2);
	assert_non_null(strstr(x->message, "svc_app1 and others"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/app.corp.test\" svc_app1\n"));
	assert_non_null(strstr(x->fix, "setspn -D \"HTTP/APP.CORP.TEST\" svc_app2\n"));
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	char huge[600];
	const char *svc[] = { "nohost", "http/", "http/a b.corp.test",
			      "http/\xc3\x28.corp.test", huge, "/",
			      "http/[::1", "http/x..corp.test" };
	const char *ok[] = { "http/\xd1\x96ntranet.corp.test" };

	memcpy(huge, "http/", 5);
	memset(huge + 5, 'a', sizeof(huge) - 6);
	huge[sizeof(huge) - 1] = '\0';
	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, NULL, svc, 8);
	/* a non-ASCII name that DNS has, in another case */
	add(f, SPN_ACCOUNT_USER, "CN=svc2", "svc2", NULL, NULL, ok, 1);
	node(f, "\xd0\x86ntranet.corp.test", "corp.test", SPN_DNS_TYPE_A,
	     "127.0.0.8", 0);
	assert_int_equal(run(f), 0);
}

/* Counts the resolver answers the check logs. */
static void count_lookups(spn_log_level level, const char *message,
			  void *userdata)
{
	(void)level;
	if (strncmp(message, "orphan: localhost ", 18) == 0)
		(*(int *)userdata)++;
}

static void test_resolver_variant(void **state)
{
	struct fixture *f = *state;
	const char *svc[] = { "http/localhost", "HTTP/LOCALHOST:8080" };
	int lookups = 0;

	add(f, SPN_ACCOUNT_USER, "CN=svc", "svc", NULL, NULL, svc, 2);
	/* the index alone does not know localhost */
	assert_int_equal(run(f), 2);
	assert_non_null(strstr(get(f, 0)->message, "short name"));
	/* the resolver does (from /etc/hosts), and is asked once */
	spn_ctx_set_log(f->ctx, SPN_LOG_DEBUG, count_lookups, &lookups);
	assert_int_equal(spn_check_orphan_resolve(f->ctx, f->index,
						  f->findings), SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), 2);
	assert_int_equal(lookups, 1);
	assert_int_equal(spn_check_orphan_resolve(f->ctx, NULL, f->findings),
			 SPN_E_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ghost_spns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_names_are_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_and_internal_names_are_not_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_holders_one_finding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolver_variant, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
