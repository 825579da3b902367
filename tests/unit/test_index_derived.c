/* test_index_derived.c - the names, SPN hosts and addresses the host checks
 * share: what each chain holds and in which order, the cases the maps must
 * keep apart, and that growing the index drops the derived data. */
#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/spn.h>
#include "index_derived.h"
#include "name_impl.h"

#include "check_fixture.h"

static void account(struct fixture *f, spn_account_kind kind, const char *sam,
		    const char *dns, const char *extra,
		    const char *const *spns, size_t n)
{
	char dn[128];
	spn_account a;

	snprintf(dn, sizeof(dn), "CN=%s,DC=corp,DC=test", sam);
	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.dns_host_name = dns;
	a.additional_dns = extra != NULL ? &extra : NULL;
	a.n_additional_dns = extra != NULL ? 1 : 0;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

/* One node with one record ("A 10.0.0.1", "AAAA ::1", "CNAME x"). */
static void node(struct fixture *f, const char *fqdn, const char *zone,
		 const char *record, int tombstoned)
{
	spn_dns_record r;
	spn_dns_node n;

	memset(&r, 0, sizeof(r));
	if (strncmp(record, "A ", 2) == 0)
		r.type = SPN_DNS_TYPE_A;
	else if (strncmp(record, "AAAA ", 5) == 0)
		r.type = SPN_DNS_TYPE_AAAA;
	else
		r.type = SPN_DNS_TYPE_CNAME;
	snprintf(r.data, sizeof(r.data), "%s", strchr(record, ' ') + 1);
	memset(&n, 0, sizeof(n));
	n.fqdn = fqdn;
	n.zone = zone;
	n.records = &r;
	n.n_records = 1;
	n.tombstoned = tombstoned;
	assert_int_equal(spn_index_add_dns_node(f->index, &n), SPN_OK);
}

/* The values of a chain, as "1,2,3". */
static const char *chain(const idx_derived *d, uint32_t head)
{
	static char buf[256];
	size_t len = 0;
	uint32_t l;

	buf[0] = '\0';
	IDX_CHAIN_FOR(d, l, head)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u",
					len ? "," : "",
					(unsigned int)d->links[l].value);
	return buf;
}

static uint32_t name_id(const idx_derived *d, const char *name)
{
	return idx_name_find(d, name, strlen(name));
}

/* Computers' names and short names, live nodes' names and labels: four
 * chains of one name, kept apart, in index order, each holder once. */
static void test_names(void **state)
{
	struct fixture *f = *state;
	const idx_derived *d;
	uint32_t id;

	/* 0, 1: two computers claiming fs1 (one through an additional name,
	 * the other twice: dNSHostName and additional name) */
	account(f, SPN_ACCOUNT_COMPUTER, "FS1$", "fs1.corp.test", NULL, NULL, 0);
	account(f, SPN_ACCOUNT_COMPUTER, "FS2$", "FS1.corp.test.",
		"fs1.CORP.test", NULL, 0);
	/* 2: a user is nobody's host */
	account(f, SPN_ACCOUNT_USER, "fs1", "fs1.corp.test", NULL, NULL, 0);
	node(f, "fs1.corp.test", "corp.test", "A 10.0.0.1", 0);     /* 0 */
	node(f, "fs1.corp.test", "corp.test", "A 10.0.0.2", 1);     /* 1 dead */
	node(f, "Fs1.Corp.Test", "corp.test", "A 10.0.0.3", 0);     /* 2 */
	node(f, "fs2.other.test", "other.test", "A 10.0.0.1", 0);   /* 3 */
	node(f, "a.root-servers.net", "RootDNSServers", "A 1.2.3.4", 0); /* 4 */

	d = idx_derived_names(f->index);
	assert_non_null(d);
	id = name_id(d, "FS1.CORP.TEST");
	assert_int_not_equal(id, IDX_NONE);
	assert_string_equal(chain(d, d->names[id].computers), "0,1");
	assert_string_equal(chain(d, d->names[id].nodes), "0,2");
	assert_int_equal(d->names[id].shorts, IDX_NONE);
	assert_int_equal(d->names[id].labels, IDX_NONE);
	assert_int_equal(idx_node_name(d, 0), id);
	assert_int_equal(idx_node_name(d, 2), id);
	assert_int_equal(idx_node_name(d, 1), IDX_NONE);
	assert_int_equal(d->node_live[1], 0);
	assert_int_equal(d->node_live[4], 0);
	assert_int_equal(idx_node_name(d, 4), IDX_NONE);

	id = name_id(d, "fs1");
	assert_int_not_equal(id, IDX_NONE);
	assert_string_equal(chain(d, d->names[id].shorts), "0");
	assert_string_equal(chain(d, d->names[id].labels), "0,2");
	assert_int_equal(d->names[id].computers, IDX_NONE);
	id = name_id(d, "FS2");
	assert_string_equal(chain(d, d->names[id].shorts), "1");
	assert_string_equal(chain(d, d->names[id].labels), "3");

	assert_int_equal(name_id(d, "fs3.corp.test"), IDX_NONE);
	assert_int_equal(name_id(d, "a.root-servers.net"), IDX_NONE);
	assert_int_equal(name_id(d, ""), IDX_NONE);
}

/* Names compared as AD compares them beyond ASCII: case-folded Greek, and
 * the long s (two bytes folding to one, "s"), are one name. */
static void test_names_unicode(void **state)
{
	struct fixture *f = *state;
	const idx_derived *d;
	uint32_t id;

	account(f, SPN_ACCOUNT_COMPUTER, "\xce\xa3\xce\x95$",
		"\xce\xa3\xce\x95.corp.test", NULL, NULL, 0);
	node(f, "\xcf\x83\xce\xb5.corp.test", "corp.test", "A 10.0.0.1", 0);
	node(f, "\xc5\xbf" "1.corp.test", "corp.test", "A 10.0.0.2", 0);
	d = idx_derived_names(f->index);
	assert_non_null(d);
	id = name_id(d, "\xcf\x83\xce\xb5.CORP.test");
	assert_int_not_equal(id, IDX_NONE);
	assert_string_equal(chain(d, d->names[id].computers), "0");
	assert_string_equal(chain(d, d->names[id].nodes), "0");
	id = name_id(d, "\xce\xa3\xce\x95");
	assert_string_equal(chain(d, d->names[id].shorts), "0");
	assert_string_equal(chain(d, d->names[id].labels), "0");
	id = name_id(d, "S1.corp.test");
	assert_int_not_equal(id, IDX_NONE);
	assert_string_equal(chain(d, d->names[id].nodes), "1");
	assert_int_equal(name_id(d, "S1"), name_id(d, "\xc5\xbf" "1"));
	assert_int_not_equal(name_id(d, "s1"), IDX_NONE);
}

/* Each SPN's host kind and name, as hostmap_spn_host finds the host. */
static void test_spn_hosts(void **state)
{
	struct fixture *f = *state;
	const char *spns[] = {
		"HOST/FS1", "HOST/fs1.corp.test", "cifs/fs1.corp.test.",
		"MSSQLSvc/fs1.corp.test:1433", "http/10.0.0.1",
		"http/[2001:db8::1]:443", "http/2001:db8::1",
		"nohost", "http/bad host", "http/ghost.corp.test",
		"RestrictedKrbHost/FS1", "http/fs1.corp.test/extra",
	};
	const idx_derived *d;
	uint32_t fqdn, shortname, i;

	account(f, SPN_ACCOUNT_COMPUTER, "FS1$", "fs1.corp.test", NULL,
		spns, sizeof(spns) / sizeof(spns[0]));
	d = idx_derived_spn_hosts(f->index);
	assert_non_null(d);
	fqdn = name_id(d, "fs1.corp.test");
	shortname = name_id(d, "fs1");
	assert_int_not_equal(fqdn, IDX_NONE);
	assert_int_not_equal(shortname, IDX_NONE);

	assert_int_equal(d->spn_kind[0], SPN_HOST_SHORT);
	assert_int_equal(d->spn_name[0], shortname);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(d->spn_kind[i], SPN_HOST_FQDN);
		assert_int_equal(d->spn_name[i], fqdn);
	}
	assert_int_equal(d->spn_kind[4], SPN_HOST_IPV4);
	assert_int_equal(d->spn_name[4], IDX_NONE);
	assert_int_equal(d->spn_kind[5], SPN_HOST_IPV6);
	assert_int_equal(d->spn_kind[6], SPN_HOST_IPV6);
	assert_int_equal(d->spn_kind[7], IDX_HOST_NONE);
	assert_int_equal(d->spn_kind[8], IDX_HOST_NONE);
	assert_int_equal(d->spn_kind[9], SPN_HOST_FQDN);
	assert_int_equal(d->spn_name[9], IDX_NONE);
	/* the memo of recent hosts gives the same answers */
	assert_int_equal(d->spn_kind[10], SPN_HOST_SHORT);
	assert_int_equal(d->spn_name[10], shortname);
	assert_int_equal(d->spn_name[11], fqdn);
}

/* Enough SPNs for the second half to be read on a thread of its own: the
 * answers are the same on both sides of the cut. */
static void test_spn_hosts_on_two_threads(void **state)
{
	struct fixture *f = *state;
	char sam[32], dns[64], spn[4][80];
	const char *spns[4] = { spn[0], spn[1], spn[2], spn[3] };
	const idx_derived *d;
	uint32_t i, n = 20000, id;

	for (i = 0; i < n; i++) {
		snprintf(sam, sizeof(sam), "H%u$", i);
		snprintf(dns, sizeof(dns), "h%u.corp.test", i);
		snprintf(spn[0], sizeof(spn[0]), "HOST/H%u", i);
		snprintf(spn[1], sizeof(spn[1]), "HOST/h%u.corp.test", i);
		snprintf(spn[2], sizeof(spn[2]), "http/ghost%u.corp.test", i);
		snprintf(spn[3], sizeof(spn[3]), "http/10.0.%u.%u", i / 256,
			 i % 256);
		account(f, SPN_ACCOUNT_COMPUTER, sam, dns, NULL, spns, 4);
	}
	d = idx_derived_spn_hosts(f->index);
	assert_non_null(d);
	assert_true(f->index->n_spns >= 65536);
	for (i = 0; i < n; i++) {
		snprintf(dns, sizeof(dns), "h%u.corp.test", i);
		id = name_id(d, dns);
		assert_int_not_equal(id, IDX_NONE);
		assert_int_equal(d->spn_kind[4 * i], SPN_HOST_SHORT);
		snprintf(sam, sizeof(sam), "h%u", i);
		assert_int_not_equal(name_id(d, sam), IDX_NONE);
		assert_int_equal(d->spn_name[4 * i], name_id(d, sam));
		assert_int_equal(d->spn_kind[4 * i + 1], SPN_HOST_FQDN);
		assert_int_equal(d->spn_name[4 * i + 1], id);
		assert_int_equal(d->spn_kind[4 * i + 2], SPN_HOST_FQDN);
		assert_int_equal(d->spn_name[4 * i + 2], IDX_NONE);
		assert_int_equal(d->spn_kind[4 * i + 3], SPN_HOST_IPV4);
		assert_int_equal(d->spn_name[4 * i + 3], IDX_NONE);
	}
}

/* address -> live nodes (each once, in index order), each record's
 * address, and lookups by any text inet_pton reads. */
static void test_addresses(void **state)
{
	struct fixture *f = *state;
	const idx_derived *d;
	spn_dns_record r[2];
	spn_dns_node n;
	uint32_t a, b;

	node(f, "a.corp.test", "corp.test", "A 10.0.0.1", 0);          /* 0 */
	node(f, "b.corp.test", "corp.test", "AAAA 2001:db8::1", 0);    /* 1 */
	node(f, "c.corp.test", "corp.test", "A 10.0.0.1", 1);          /* 2 */
	node(f, "d.corp.test", "corp.test", "CNAME a.corp.test", 0);   /* 3 */
	memset(r, 0, sizeof(r));
	r[0].type = r[1].type = SPN_DNS_TYPE_A;
	strcpy(r[0].data, "10.0.0.1");
	strcpy(r[1].data, "10.0.0.1");
	memset(&n, 0, sizeof(n));
	n.fqdn = "e.corp.test";
	n.zone = "corp.test";
	n.records = r;
	n.n_records = 2;
	assert_int_equal(spn_index_add_dns_node(f->index, &n), SPN_OK); /* 4 */

	d = idx_derived_addresses(f->index);
	assert_non_null(d);
	a = idx_address_find(d, "10.0.0.1", 8);
	assert_int_not_equal(a, IDX_NONE);
	assert_string_equal(chain(d, d->addr_nodes[a]), "0,4");
	b = idx_address_find(d, "2001:DB8:0::1", 13);
	assert_int_not_equal(b, IDX_NONE);
	assert_int_not_equal(a, b);
	assert_string_equal(chain(d, d->addr_nodes[b]), "1");
	assert_int_equal(idx_address_find(d, "[2001:db8::1]", 13), b);
	assert_int_equal(idx_address_find(d, "10.0.0.01", 9), IDX_NONE);
	assert_int_equal(idx_address_find(d, "10.0.0.2", 8), IDX_NONE);
	assert_int_equal(idx_address_find(d, "a.corp.test", 11), IDX_NONE);
	assert_int_equal(d->rec_addr[0], a);
	assert_int_equal(d->rec_addr[1], b);
	assert_int_equal(d->rec_addr[2], IDX_NONE);   /* tombstoned */
	assert_int_equal(d->rec_addr[3], IDX_NONE);   /* a CNAME */
	assert_int_equal(d->rec_addr[4], a);
	assert_int_equal(d->rec_addr[5], a);
}

/* Many addresses: the IPv4 table grows and keeps every one. */
static void test_many_addresses(void **state)
{
	struct fixture *f = *state;
	const idx_derived *d;
	char fqdn[64], rec[64];
	uint32_t i, id;

	for (i = 0; i < 5000; i++) {
		snprintf(fqdn, sizeof(fqdn), "h%u.corp.test", (unsigned int)i);
		snprintf(rec, sizeof(rec), "A 10.%u.%u.%u",
			 (unsigned int)(i >> 16), (unsigned int)(i >> 8 & 255),
			 (unsigned int)(i & 255));
		node(f, fqdn, "corp.test", rec, 0);
	}
	d = idx_derived_addresses(f->index);
	assert_non_null(d);
	assert_int_equal(d->n_addrs, 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(rec, sizeof(rec), "10.%u.%u.%u",
			 (unsigned int)(i >> 16), (unsigned int)(i >> 8 & 255),
			 (unsigned int)(i & 255));
		id = idx_address_find(d, rec, strlen(rec));
		assert_int_not_equal(id, IDX_NONE);
		assert_int_equal(d->links[d->addr_nodes[id]].value, i);
		snprintf(fqdn, sizeof(fqdn), "H%u.CORP.TEST", (unsigned int)i);
		assert_int_equal(idx_node_name(d, i), name_id(d, fqdn));
	}
}

/* Adding to the index drops what was derived; asking again rebuilds it
 * with the new entry. */
static void test_growth_drops(void **state)
{
	struct fixture *f = *state;
	const idx_derived *d;
	const char *spn = "HOST/new.corp.test";

	node(f, "old.corp.test", "corp.test", "A 10.0.0.1", 0);
	d = idx_derived_spn_hosts(f->index);
	assert_non_null(d);
	assert_int_equal(name_id(d, "new.corp.test"), IDX_NONE);
	node(f, "new.corp.test", "corp.test", "A 10.0.0.2", 0);
	account(f, SPN_ACCOUNT_USER, "svc", NULL, NULL, &spn, 1);
	assert_int_equal(spn_index_add_mapping(f->index, "cifs", "host"),
			 SPN_OK);
	d = idx_derived_spn_hosts(f->index);
	assert_non_null(d);
	assert_int_not_equal(name_id(d, "new.corp.test"), IDX_NONE);
	assert_int_equal(d->spn_name[0], name_id(d, "new.corp.test"));
	d = idx_derived_addresses(f->index);
	assert_non_null(d);
	assert_int_not_equal(idx_address_find(d, "10.0.0.2", 8), IDX_NONE);
}

/* The IPv4 text helpers agree with inet_pton and inet_ntop. */
static void test_ipv4_text(void **state)
{
	static const char *const texts[] = {
		"0.0.0.0", "255.255.255.255", "1.2.3.4", "01.2.3.4", "1.2.3",
		"1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "1..2.3", ".1.2.3",
		"1.2.3.4 ", "", "a.b.c.d", "1.2.3.04", "10.0.0.255",
	};
	unsigned char a[4], b[4];
	char x[INET_ADDRSTRLEN], y[16];
	size_t i;
	uint32_t w;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int want = inet_pton(AF_INET, texts[i], a) == 1;

		assert_int_equal(spn_ipv4_parse(texts[i], strlen(texts[i]), b),
				 want);
		if (want)
			assert_memory_equal(a, b, 4);
	}
	for (w = 0; w < 300000; w++) {
		uint32_t v = w * 2654435761u;

		memcpy(a, &v, 4);
		assert_non_null(inet_ntop(AF_INET, a, x, sizeof(x)));
		assert_int_equal(spn_ipv4_format(a, y), (int)strlen(x));
		assert_string_equal(x, y);
	}
}

struct check_thread {
	const spn_index *index;
	const char *check;
	spn_status status;
	size_t found;
};

static void *run_check(void *arg)
{
	struct check_thread *t = arg;
	spn_findings *findings = NULL;
	spn_ctx *ctx = NULL;

	t->status = spn_ctx_new(&ctx);
	if (t->status == SPN_OK)
		t->status = spn_findings_new(&findings);
	if (t->status == SPN_OK)
		t->status = spn_check_run(ctx, t->index, t->check, findings);
	t->found = spn_findings_count(findings);
	spn_findings_free(findings);
	spn_ctx_unref(ctx);
	return NULL;
}

/* Two checks on two threads over one index build its shared data once,
 * under the index's lock, and find what each finds alone (the sanitizer
 * runs of the unit suite see any race). */
static void test_checks_on_two_threads(void **state)
{
	struct fixture *f = *state;
	struct check_thread t[2] = { { f->index, "alias", SPN_OK, 0 },
				     { f->index, "ip", SPN_OK, 0 } };
	pthread_t id[2];
	char host[64], spn[80], alias[64], addr[32];
	const char *spns[2];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(host, sizeof(host), "h%d.corp.test", i);
		snprintf(spn, sizeof(spn), "HOST/h%d.corp.test", i);
		snprintf(alias, sizeof(alias), "alias%d.corp.test", i);
		snprintf(addr, sizeof(addr), "A 10.0.%d.%d", i / 250, i % 250);
		spns[0] = spn;
		spns[1] = "http/10.9.0.1";
		account(f, SPN_ACCOUNT_COMPUTER, host, host, NULL, spns,
			i % 100 == 0 ? 2 : 1);
		node(f, host, "corp.test", addr, 0);
		node(f, alias, "corp.test", addr, 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&id[i], NULL, run_check, &t[i]),
				 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(id[i], NULL), 0);
	assert_int_equal(t[0].status, SPN_OK);
	assert_int_equal(t[1].status, SPN_OK);
	assert_int_equal(t[0].found, 2000);   /* every alias: no SPN */
	assert_int_equal(t[1].found, 1);      /* http/10.9.0.1, 20 holders */
	/* and the same again, one at a time, from what the threads built */
	for (i = 0; i < 2; i++) {
		size_t found = t[i].found;

		run_check(&t[i]);
		assert_int_equal(t[i].status, SPN_OK);
		assert_int_equal(t[i].found, found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_unicode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_spn_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spn_hosts_on_two_threads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_growth_drops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_checks_on_two_threads,
						setup, teardown),
		cmocka_unit_test(test_ipv4_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
