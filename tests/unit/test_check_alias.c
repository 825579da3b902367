/* test_check_alias.c - the alias check over synthetic accounts and DNS
 * nodes: CNAMEs, shared addresses, VIPs, and the names it must skip. */
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
		const char *sam, unsigned int uac, const char *dns,
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
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

/* A computer NAME with name.corp.test, its default HOST/ SPNs and one
 * more SPN when extra is not NULL. */
static void computer(struct fixture *f, const char *name, unsigned int uac,
		     const char *extra)
{
	char dn[64], sam[64], dns[128], s1[160], s2[160];
	const char *spns[] = { s1, s2, extra };
	size_t i;

	snprintf(dn, sizeof(dn), "CN=%s,OU=Servers,DC=corp", name);
	snprintf(sam, sizeof(sam), "%s$", name);
	snprintf(dns, sizeof(dns), "%s.corp.test", name);
	for (i = 0; dns[i] != '\0'; i++)
		if (dns[i] >= 'A' && dns[i] <= 'Z')
			dns[i] = (char)(dns[i] + 32);
	snprintf(s1, sizeof(s1), "HOST/%s", name);
	snprintf(s2, sizeof(s2), "HOST/%s", dns);
	add(f, SPN_ACCOUNT_COMPUTER, dn, sam, uac, dns, spns,
	    extra != NULL ? 3 : 2);
}

/* records: "A 127.0.0.1", "AAAA ::1", "CNAME fs1.corp.test", "SRV ..." */
static void node_in(struct fixture *f, const char *fqdn, const char *zone,
		    int tombstoned, const char *const *records, size_t n)
{
	spn_dns_record r[8];
	spn_dns_node node;
	size_t i;

	assert_true(n <= 8);
	memset(r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		const char *sp = strchr(records[i], ' ');

		assert_non_null(sp);
		if (strncmp(records[i], "A ", 2) == 0)
			r[i].type = SPN_DNS_TYPE_A;
		else if (strncmp(records[i], "AAAA ", 5) == 0)
			r[i].type = SPN_DNS_TYPE_AAAA;
		else if (strncmp(records[i], "CNAME ", 6) == 0)
			r[i].type = SPN_DNS_TYPE_CNAME;
		else
			r[i].type = SPN_DNS_TYPE_SRV;
		snprintf(r[i].data, sizeof(r[i].data), "%s", sp + 1);
	}
	memset(&node, 0, sizeof(node));
	node.fqdn = fqdn;
	node.zone = zone;
	node.records = r;
	node.n_records = n;
	node.tombstoned = tombstoned;
	assert_int_equal(spn_index_add_dns_node(f->index, &node), SPN_OK);
}

static void node(struct fixture *f, const char *fqdn, const char *record)
{
	node_in(f, fqdn, "corp.test", 0, &record, 1);
}

static void user(struct fixture *f, const char *sam, const char *spn)
{
	char dn[64];

	snprintf(dn, sizeof(dn), "CN=%s,OU=Service Accounts,DC=corp", sam);
	add(f, SPN_ACCOUNT_USER, dn, sam, 512, NULL, &spn, 1);
}

/* The lab's hosts: computers with their A records; NODE1 and WEB01 may
 * hold one more SPN. */
static void hosts_with(struct fixture *f, const char *node1_extra,
		       const char *web01_extra)
{
	const char *fs1[] = { "A 127.0.0.21", "AAAA 2001:db8::21" };

	computer(f, "FS1", 4096, NULL);
	computer(f, "WEB01", 4096, web01_extra);
	computer(f, "NODE1", 4096, node1_extra);
	computer(f, "NODE2", 4096, NULL);
	computer(f, "NODE3", 4096, NULL);
	computer(f, "NODE4", 4096, NULL);
	node_in(f, "fs1.corp.test", "corp.test", 0, fs1, 2);
	node(f, "web01.corp.test", "A 127.0.0.41");
	node(f, "node1.corp.test", "A 127.0.0.51");
	node(f, "node2.corp.test", "A 127.0.0.52");
	node(f, "node3.corp.test", "A 127.0.0.53");
	node(f, "node4.corp.test", "A 127.0.0.54");
}

static void hosts(struct fixture *f)
{
	hosts_with(f, NULL, NULL);
}

static size_t run(struct fixture *f)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, "alias", f->findings),
			 SPN_OK);
	return spn_findings_count(f->findings);
}

static const spn_finding *get(struct fixture *f, size_t i)
{
	const spn_finding *x = spn_findings_get(f->findings, i);

	assert_non_null(x);
	assert_string_equal(x->check, "alias");
	return x;
}

static void test_cname_without_spn(void **state)
{
	struct fixture *f = *state;
	const spn_finding *x;

	hosts(f);
	node(f, "files.corp.test", "CNAME fs1.corp.test");
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->host, "files.corp.test");
	assert_null(x->spn);
	assert_int_equal(x->n_accounts, 0);
	assert_non_null(strstr(x->message, "CNAME for fs1.corp.test"));
	assert_non_null(strstr(x->message, "FS1$"));
	assert_non_null(strstr(x->message, "cifs/files.corp.test"));
	assert_non_null(strstr(x->message, "NTLM"));
	assert_non_null(strstr(x->fix, "setspn -S \"HOST/files.corp.test\" FS1\n"));
	assert_non_null(strstr(x->fix, "add: servicePrincipalName\n"
			       "servicePrincipalName: HOST/files.corp.test\n"));
}

static void test_healthy_cnames(void **state)
{
	struct fixture *f = *state;
	const char *web02[] = { "HOST/WEB02", "HOST/web02.corp.test",
				"HOST/intranet.corp.test" };
	const spn_finding *x;

	hosts_with(f, NULL, "HOST/wiki.corp.test");
	/* a service account serves the alias: healthy */
	node(f, "portal.corp.test", "CNAME web01.corp.test");
	user(f, "svc_web", "http/portal.corp.test");
	/* the target's computer and a service account: healthy */
	node(f, "wiki.corp.test", "CNAME WEB01.corp.test.");
	user(f, "svc_wiki", "http/wiki.corp.test");
	/* another computer holds the alias: its tickets go to the wrong key */
	node(f, "intranet.corp.test", "CNAME web01.corp.test.");
	add(f, SPN_ACCOUNT_COMPUTER, "CN=WEB02", "WEB02$", 4096,
	    "web02.corp.test", web02, 3);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->host, "intranet.corp.test");
	assert_string_equal(x->spn, "HOST/intranet.corp.test");
	assert_string_equal(x->accounts[0].sam, "WEB02$");
	assert_non_null(strstr(x->message, "does not point to"));
	assert_non_null(strstr(x->fix,
			       "setspn -D \"HOST/intranet.corp.test\" WEB02\n"));
	assert_non_null(strstr(x->fix,
			       "setspn -S \"HOST/intranet.corp.test\" WEB01\n"));
}

static void test_cname_held_by_target_computer(void **state)
{
	struct fixture *f = *state;
	const char *spns[] = { "HOST/FS9", "HOST/fs9.corp.test",
			       "HOST/share.corp.test" };

	add(f, SPN_ACCOUNT_COMPUTER, "CN=FS9", "FS9$", 4096, "fs9.corp.test",
	    spns, 3);
	node(f, "fs9.corp.test", "A 127.0.0.29");
	node(f, "share.corp.test", "CNAME fs9.corp.test");
	user(f, "svc_share", "http/share.corp.test");
	assert_int_equal(run(f), 0);
}

static void test_vip_on_one_node(void **state)
{
	struct fixture *f = *state;
	const char *lb[] = { "A 127.0.0.51", "A 127.0.0.52" };
	const spn_finding *x;

	hosts_with(f, "http/lb.corp.test", NULL);
	node_in(f, "lb.corp.test", "corp.test", 0, lb, 2);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->host, "lb.corp.test");
	assert_string_equal(x->spn, "http/lb.corp.test");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "NODE1$");
	assert_non_null(strstr(x->message, "several hosts"));
	assert_non_null(strstr(x->message, "node2.corp.test (NODE2$)"));
	assert_non_null(strstr(x->message, "cannot decrypt"));
	assert_non_null(strstr(x->message, "gMSA"));
	assert_non_null(strstr(x->fix, "setspn -D \"http/lb.corp.test\" NODE1\n"));
	assert_non_null(strstr(x->fix, "delete: servicePrincipalName\n"));
}

static void test_vip_on_service_account_is_info(void **state)
{
	struct fixture *f = *state;
	const char *lb2[] = { "A 127.0.0.53", "A 127.0.0.54" };
	const spn_finding *x;

	hosts(f);
	node_in(f, "lb2.corp.test", "corp.test", 0, lb2, 2);
	user(f, "svc_lb2", "http/lb2.corp.test");
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_INFO);
	assert_string_equal(x->spn, "http/lb2.corp.test");
	assert_string_equal(x->accounts[0].sam, "svc_lb2");
	assert_non_null(strstr(x->message, "svc_lb2"));
	assert_null(x->fix);
}

static void test_vip_without_spn(void **state)
{
	struct fixture *f = *state;
	const char *lb3[] = { "A 127.0.0.53", "AAAA 2001:db8::1" };
	const spn_finding *x;

	hosts(f);
	/* one address of NODE3, one of no other name: several hosts */
	node_in(f, "lb3.corp.test", "corp.test", 0, lb3, 2);
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_non_null(strstr(x->message, "1 address no other name has"));
	assert_non_null(strstr(x->fix, "gMSA"));
}

static void test_shared_address(void **state)
{
	struct fixture *f = *state;
	const spn_finding *x;

	/* shares WEB01's address; WEB01$ holds its SPN: healthy */
	hosts_with(f, NULL, "HOST/app.corp.test");
	node(f, "app.corp.test", "A 127.0.0.41");
	user(f, "svc_unrelated", "http/other.corp.test");
	/* shares FS1's IPv6 address (written differently), on a service
	 * account */
	node(f, "docs.corp.test", "AAAA 2001:0db8:0000::21");
	user(f, "svc_docs", "http/docs.corp.test");
	assert_int_equal(run(f), 1);
	x = get(f, 0);
	assert_int_equal(x->severity, SPN_SEVERITY_INFO);
	assert_string_equal(x->host, "docs.corp.test");
	assert_non_null(strstr(x->message, "shares its address with fs1.corp.test (FS1$)"));
}

static void test_skipped_names(void **state)
{
	struct fixture *f = *state;
	const char *apex[] = { "A 127.0.0.1", "A 127.0.0.51" };

	hosts(f);
	computer(f, "DC1", 0x2000, NULL);
	node(f, "dc1.corp.test", "A 127.0.0.1");
	node_in(f, "corp.test", "corp.test", 0, apex, 2);          /* apex */
	node(f, "domaindnszones.corp.test", "A 127.0.0.1");
	node(f, "ForestDnsZones.corp.test", "A 127.0.0.51");
	node_in(f, "gc._msdcs.corp.test", "_msdcs.corp.test", 0, apex, 2);
	node_in(f, "1c9f4c3c-3fd4._msdcs.corp.test", "_msdcs.corp.test", 0,
		(const char *const[]){ "CNAME dc1.corp.test" }, 1);
	node(f, "_ldap._tcp.corp.test", "SRV 0 100 389 dc0.corp.test");
	node_in(f, "old.corp.test", "corp.test", 1,                  /* deleted */
		(const char *const[]){ "CNAME fs1.corp.test" }, 1);
	node_in(f, "empty.corp.test", "corp.test", 0, NULL, 0);
	node_in(f, "a.root-servers.net", "rootdnsservers", 0, apex, 2);
	/* a name with two addresses no other name has: not known as an alias */
	node_in(f, "multi.corp.test", "corp.test", 0,
		(const char *const[]){ "A 127.0.0.70", "AAAA ::70" }, 2);
	node(f, "dc0.corp.test", "A 127.0.0.9");
	assert_int_equal(run(f), 0);
}

static void test_hostile_dns(void **state)
{
	struct fixture *f = *state;
	char huge[300];

	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	hosts(f);
	/* a CNAME loop, a CNAME to nowhere, empty and bad data */
	node(f, "loop1.corp.test", "CNAME loop2.corp.test");
	node(f, "loop2.corp.test", "CNAME loop1.corp.test");
	node(f, "away.corp.test", "CNAME www.example.org");
	node(f, "blank.corp.test", "CNAME ");
	node(f, "badaddr.corp.test", "A 999.1.1.1");
	node(f, "\xc3\x28.corp.test", "CNAME fs1.corp.test");
	node(f, huge, "CNAME fs1.corp.test");
	user(f, "svc_bad", "http/\xc3\x28.corp.test");
	user(f, "svc_bad2", "http/away.corp.test:\xff");
	/* reported, for want of an SPN: loop1, loop2 and the invalid UTF-8
	 * name (its SPN is not a valid one). Not: away (a service account
	 * holds an SPN for it), blank (no target), badaddr, and the name
	 * longer than 255 bytes (no DNS name is). */
	assert_int_equal(run(f), 3);
	assert_string_equal(spn_findings_get(f->findings, 0)->host,
			    "loop1.corp.test");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cname_without_spn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthy_cnames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname_held_by_target_computer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vip_on_one_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vip_on_service_account_is_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vip_without_spn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_dns, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
