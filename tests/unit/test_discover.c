/* test_discover.c - SRV ordering and parsing, the ";range=" parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "discover.h"
#include "search.h"

/* A scripted random source: returns the next value, checks the bound the
 * orderer asked for. */
struct script {
	const unsigned long *values;
	const unsigned long *bounds;   /* expected bound of each call */
	size_t n;
	size_t next;
};

static unsigned long scripted(unsigned long bound, void *data)
{
	struct script *s = data;

	assert_true(s->next < s->n);
	if (s->bounds != NULL)
		assert_int_equal(bound, s->bounds[s->next]);
	return s->values[s->next++];
}

static unsigned long always_zero(unsigned long bound, void *data)
{
	(void)bound;
	(void)data;
	return 0;
}

static unsigned long always_max(unsigned long bound, void *data)
{
	(void)data;
	return bound;
}

static unsigned long too_big(unsigned long bound, void *data)
{
	(void)data;
	return bound + 1000;
}

#define SRV(name, prio, w) { (char *)(name), (prio), (w), 389 }

static void assert_order(const spn_srv *srv, size_t n, const char *const *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_string_equal(srv[i].target, want[i]);
}

static void test_priority_ascending(void **state)
{
	spn_srv srv[] = { SRV("a", 10, 0), SRV("b", 0, 0), SRV("c", 5, 0),
			  SRV("d", 0, 0), SRV("e", 65535, 0) };
	const char *want[] = { "b", "d", "c", "a", "e" };

	(void)state;
	spn_srv_order(srv, 5, always_zero, NULL);
	assert_order(srv, 5, want);
}

static void test_weighted_choice(void **state)
{
	spn_srv srv[] = { SRV("a", 1, 10), SRV("b", 1, 20), SRV("c", 1, 70) };
	/* sum 100, r=35 -> running 10, 30, 100: c; then a,b: sum 30, r=10 ->
	 * a (running sum 10 >= 10); b is last and needs no draw. */
	const unsigned long values[] = { 35, 10 };
	const unsigned long bounds[] = { 100, 30 };
	struct script s = { values, bounds, 2, 0 };
	const char *want[] = { "c", "a", "b" };

	(void)state;
	spn_srv_order(srv, 3, scripted, &s);
	assert_order(srv, 3, want);
	assert_int_equal(s.next, 2);
}

static void test_weighted_boundaries(void **state)
{
	spn_srv lo[] = { SRV("a", 1, 10), SRV("b", 1, 20), SRV("c", 1, 70) };
	spn_srv hi[] = { SRV("a", 1, 10), SRV("b", 1, 20), SRV("c", 1, 70) };
	spn_srv edge[] = { SRV("a", 1, 10), SRV("b", 1, 20) };
	const char *want_lo[] = { "a", "b", "c" };
	const char *want_hi[] = { "c", "b", "a" };
	/* r equal to a running sum selects that entry, one more the next. */
	const unsigned long v1[] = { 10 }, v2[] = { 11 };
	struct script s1 = { v1, NULL, 1, 0 }, s2 = { v2, NULL, 1, 0 };
	spn_srv e2[] = { SRV("a", 1, 10), SRV("b", 1, 20) };

	(void)state;
	spn_srv_order(lo, 3, always_zero, NULL);
	assert_order(lo, 3, want_lo);
	spn_srv_order(hi, 3, always_max, NULL);
	assert_order(hi, 3, want_hi);
	spn_srv_order(edge, 2, scripted, &s1);
	assert_string_equal(edge[0].target, "a");
	spn_srv_order(e2, 2, scripted, &s2);
	assert_string_equal(e2[0].target, "b");
}

static void test_weight_zero(void **state)
{
	/* Zero-weight entries go first in the running sum: chosen only by
	 * r == 0, and after any weighted one otherwise. */
	spn_srv srv[] = { SRV("x", 0, 5), SRV("y", 0, 0), SRV("z", 0, 0) };
	const unsigned long values[] = { 0, 1 };
	const unsigned long bounds[] = { 5, 5 };
	struct script s = { values, bounds, 2, 0 };
	const char *want[] = { "y", "x", "z" };
	spn_srv srv2[] = { SRV("x", 0, 5), SRV("y", 0, 0), SRV("z", 0, 0) };
	const char *want2[] = { "x", "y", "z" };

	(void)state;
	spn_srv_order(srv, 3, scripted, &s);
	assert_order(srv, 3, want);
	spn_srv_order(srv2, 3, always_max, NULL);
	assert_order(srv2, 3, want2);
}

static void test_all_zero_weights_keep_order(void **state)
{
	spn_srv srv[] = { SRV("p", 3, 0), SRV("q", 3, 0), SRV("r", 3, 0),
			  SRV("s", 3, 0) };
	const char *want[] = { "p", "q", "r", "s" };
	const unsigned long values[] = { 0, 0, 0 };
	const unsigned long bounds[] = { 0, 0, 0 };
	struct script s = { values, bounds, 3, 0 };

	(void)state;
	spn_srv_order(srv, 4, scripted, &s);
	assert_order(srv, 4, want);
}

static void test_groups_ordered_separately(void **state)
{
	/* Two priority groups: the draw bound is the sum of each group. */
	spn_srv srv[] = { SRV("late1", 20, 1), SRV("early1", 10, 3),
			  SRV("late2", 20, 9), SRV("early2", 10, 1) };
	const unsigned long values[] = { 4, 9 };
	const unsigned long bounds[] = { 4, 10 };
	struct script s = { values, bounds, 2, 0 };
	const char *want[] = { "early2", "early1", "late2", "late1" };

	(void)state;
	spn_srv_order(srv, 4, scripted, &s);
	assert_order(srv, 4, want);
}

static void test_out_of_range_random_clamped(void **state)
{
	spn_srv srv[] = { SRV("a", 0, 1), SRV("b", 0, 1), SRV("c", 0, 1) };
	const char *want[] = { "c", "b", "a" };

	(void)state;
	spn_srv_order(srv, 3, too_big, NULL);
	assert_order(srv, 3, want);
	spn_srv_order(NULL, 0, too_big, NULL);
	spn_srv_order(srv, 1, too_big, NULL);
	assert_string_equal(srv[0].target, "c");
}

static void test_random_source(void **state)
{
	int seen[4] = { 0, 0, 0, 0 }, i, heavy_first = 0;

	(void)state;
	assert_int_equal(spn_srv_random(0, NULL), 0);
	for (i = 0; i < 4000; i++) {
		unsigned long r = spn_srv_random(3, NULL);

		assert_true(r <= 3);
		seen[r]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(seen[i] > 700);   /* expected 1000 each */
	(void)spn_srv_random(~0UL, NULL);
	/* Weight 1 against 99: the heavy one leads about 99% of the time. */
	for (i = 0; i < 2000; i++) {
		spn_srv srv[] = { SRV("light", 0, 1), SRV("heavy", 0, 99) };

		spn_srv_order(srv, 2, spn_srv_random, NULL);
		heavy_first += strcmp(srv[0].target, "heavy") == 0;
	}
	assert_true(heavy_first > 1900);
	assert_true(heavy_first < 2000);
}

/* ---- SRV answer parsing ---- */

struct msg {
	unsigned char b[512];
	size_t len;
};

static void put8(struct msg *m, unsigned int v)
{
	m->b[m->len++] = (unsigned char)v;
}

static void put16(struct msg *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put_name(struct msg *m, const char *name)
{
	while (*name != '\0') {
		size_t l = strcspn(name, ".");

		put8(m, (unsigned int)l);
		memcpy(m->b + m->len, name, l);
		m->len += l;
		name += l;
		if (*name == '.')
			name++;
	}
	put8(m, 0);
}

static const char qname[] = "_ldap._tcp.dc._msdcs.corp.test";

static void header(struct msg *m, unsigned int ancount)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, 33);
	put16(m, 1);
}

/* An SRV answer; target NULL writes a compression pointer to ptr. */
static void answer(struct msg *m, unsigned int prio, unsigned int weight,
		   unsigned int port, const char *target, unsigned int ptr)
{
	size_t rdlen_at;

	put16(m, 0xc00c);
	put16(m, 33);
	put16(m, 1);
	put16(m, 0);
	put16(m, 600);
	rdlen_at = m->len;
	put16(m, 0);
	put16(m, prio);
	put16(m, weight);
	put16(m, port);
	if (target != NULL)
		put_name(m, target);
	else
		put16(m, 0xc000 | ptr);
	m->b[rdlen_at] = (unsigned char)((m->len - rdlen_at - 2) >> 8);
	m->b[rdlen_at + 1] = (unsigned char)((m->len - rdlen_at - 2) & 0xff);
}

static void test_parse_answer(void **state)
{
	struct msg m;
	spn_ctx *ctx = NULL;
	spn_srv *srv = NULL;
	size_t n = 0, dc1_at;

	(void)state;
	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	header(&m, 3);
	answer(&m, 0, 100, 389, "dc0.corp.test", 0);
	dc1_at = m.len;
	answer(&m, 0, 100, 389, "dc1.corp.test", 0);
	/* the third points at "corp.test" inside the second's target */
	answer(&m, 5, 0, 3268, NULL, (unsigned int)(dc1_at + 12 + 6 + 4));
	assert_int_equal(spn_srv_parse(ctx, qname, m.b, m.len, &srv, &n),
			 SPN_OK);
	assert_int_equal(n, 3);
	assert_string_equal(srv[0].target, "dc0.corp.test");
	assert_string_equal(srv[1].target, "dc1.corp.test");
	assert_int_equal(srv[1].priority, 0);
	assert_int_equal(srv[1].weight, 100);
	assert_int_equal(srv[1].port, 389);
	assert_string_equal(srv[2].target, "corp.test");
	assert_int_equal(srv[2].priority, 5);
	assert_int_equal(srv[2].port, 3268);
	spn_srv_free(srv, n);
	spn_ctx_unref(ctx);
}

static void test_parse_dot_target(void **state)
{
	struct msg m;
	spn_ctx *ctx = NULL;
	spn_srv *srv = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	header(&m, 1);
	answer(&m, 0, 0, 0, "", 0);
	assert_int_equal(spn_srv_parse(ctx, qname, m.b, m.len, &srv, &n),
			 SPN_OK);
	assert_int_equal(n, 0);
	spn_srv_free(srv, n);
	spn_ctx_unref(ctx);
}

static void test_parse_malformed(void **state)
{
	struct msg m, bad;
	spn_ctx *ctx = NULL;
	spn_srv *srv = NULL;
	size_t n = 0, cut;
	int failures = 0;

	(void)state;
	assert_int_equal(spn_ctx_new(&ctx), SPN_OK);
	header(&m, 2);
	answer(&m, 0, 100, 389, "dc0.corp.test", 0);
	answer(&m, 0, 100, 389, "dc1.corp.test", 0);
	/* Every truncation is refused, never read past the end. */
	for (cut = 0; cut < m.len; cut++) {
		unsigned char *copy = malloc(cut + 1);

		assert_non_null(copy);
		memcpy(copy, m.b, cut);
		srv = NULL;
		if (spn_srv_parse(ctx, qname, copy, cut, &srv, &n) != SPN_OK) {
			failures++;
			assert_null(srv);
			assert_non_null(strstr(spn_ctx_error(ctx), qname));
		} else {
			spn_srv_free(srv, n);
		}
		free(copy);
	}
	assert_int_equal(failures, (int)m.len);
	/* An SRV record whose rdata is shorter than its fixed part. */
	header(&bad, 1);
	put16(&bad, 0xc00c);
	put16(&bad, 33);
	put16(&bad, 1);
	put16(&bad, 0);
	put16(&bad, 600);
	put16(&bad, 4);
	put16(&bad, 0);
	put16(&bad, 0);
	srv = NULL;
	assert_int_equal(spn_srv_parse(ctx, qname, bad.b, bad.len, &srv, &n),
			 SPN_E_DNS);
	assert_null(srv);
	assert_non_null(strstr(spn_ctx_error(ctx), "truncated"));
	/* A target name that runs past its rdata into the next record
	 * ("\3dc1" without its end, then the next record's name pointer). */
	header(&bad, 2);
	put16(&bad, 0xc00c);
	put16(&bad, 33);
	put16(&bad, 1);
	put16(&bad, 0);
	put16(&bad, 600);
	put16(&bad, 10);
	put16(&bad, 0);
	put16(&bad, 0);
	put16(&bad, 389);
	put_name(&bad, "dc1");
	bad.len--;   /* drop the root label */
	answer(&bad, 0, 0, 389, "dc2.corp.test", 0);
	assert_int_equal(spn_srv_parse(ctx, qname, bad.b, bad.len, &srv, &n),
			 SPN_E_DNS);
	assert_non_null(strstr(spn_ctx_error(ctx), "bad target name"));
	spn_ctx_unref(ctx);
}

/* ---- the ";range=" option of range retrieval ---- */

static void test_range_parse(void **state)
{
	const char *spn = "servicePrincipalName";
	unsigned long lo = 7, hi = 7;

	(void)state;
	assert_int_equal(spn_range_parse("servicePrincipalName;range=0-1499",
					 spn, &lo, &hi), 1);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1499);
	assert_int_equal(spn_range_parse("SERVICEPRINCIPALNAME;Range=1500-*",
					 spn, &lo, &hi), 1);
	assert_int_equal(lo, 1500);
	assert_true(hi == SPN_RANGE_END);
	assert_int_equal(spn_range_parse("servicePrincipalName;binary;range=3-3",
					 spn, &lo, &hi), 1);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 3);
	/* not ranged, or another attribute: 0 */
	assert_int_equal(spn_range_parse("servicePrincipalName", spn, &lo, &hi), 0);
	assert_int_equal(spn_range_parse("servicePrincipalName;binary", spn,
					 &lo, &hi), 0);
	assert_int_equal(spn_range_parse("servicePrincipalNameX;range=0-1",
					 spn, &lo, &hi), 0);
	assert_int_equal(spn_range_parse("member;range=0-1499", spn, &lo, &hi), 0);
	assert_int_equal(spn_range_parse("service", spn, &lo, &hi), 0);
	assert_int_equal(spn_range_parse(NULL, spn, &lo, &hi), 0);
	/* malformed ranges: -1, outputs untouched */
	lo = hi = 42;
	assert_int_equal(spn_range_parse("servicePrincipalName;range=", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=5", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=5-", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=-5", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=*-5", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=9-5", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=0-1499x", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=0-*x", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range= 0-1", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=+0-1", spn, &lo, &hi), -1);
	assert_int_equal(spn_range_parse("servicePrincipalName;range=0-99999999999999999999999",
					 spn, &lo, &hi), -1);
	assert_int_equal(lo, 42);
	assert_int_equal(hi, 42);
	/* the largest number that is not the '*' marker */
	assert_int_equal(spn_range_parse("a;range=0-4294967295", "a", &lo, &hi), 1);
	assert_int_equal(hi, 4294967295UL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_ascending),
		cmocka_unit_test(test_weighted_choice),
		cmocka_unit_test(test_weighted_boundaries),
		cmocka_unit_test(test_weight_zero),
		cmocka_unit_test(test_all_zero_weights_keep_order),
		cmocka_unit_test(test_groups_ordered_separately),
		cmocka_unit_test(test_out_of_range_random_clamped),
		cmocka_unit_test(test_random_source),
		cmocka_unit_test(test_parse_answer),
		cmocka_unit_test(test_parse_dot_target),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_range_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
