/* test_dnsrecord.c - dnsRecord (MS-DNSP DNS_RPC_RECORD) blobs, byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/dns.h>

typedef struct blob {
	unsigned char b[1024];
	size_t len;
} blob;

static void put(blob *x, const void *p, size_t n)
{
	assert_true(x->len + n <= sizeof(x->b));
	memcpy(x->b + x->len, p, n);
	x->len += n;
}

static void put8(blob *x, unsigned int v)
{
	unsigned char c = (unsigned char)v;

	put(x, &c, 1);
}

/* The 24-byte header, DataLength little-endian, TTL big-endian. */
static void header(blob *x, unsigned int data_len, unsigned int type,
		   uint32_t ttl)
{
	x->len = 0;
	put8(x, data_len & 0xff);
	put8(x, data_len >> 8);
	put8(x, type & 0xff);
	put8(x, type >> 8);
	put8(x, 5);             /* Version */
	put8(x, 0xf0);          /* Rank: RANK_ZONE */
	put8(x, 0);             /* Flags */
	put8(x, 0);
	put8(x, 1);             /* Serial, little-endian */
	put8(x, 0);
	put8(x, 0);
	put8(x, 0);
	put8(x, ttl >> 24);     /* TtlSeconds, big-endian */
	put8(x, (ttl >> 16) & 0xff);
	put8(x, (ttl >> 8) & 0xff);
	put8(x, ttl & 0xff);
	put8(x, 0);             /* Reserved */
	put8(x, 0);
	put8(x, 0);
	put8(x, 0);
	put8(x, 0x10);          /* TimeStamp (hours since 1601) */
	put8(x, 0x20);
	put8(x, 0x36);
	put8(x, 0);
}

/* A DNS_COUNT_NAME for a dotted name, written label by label. */
static void count_name(blob *x, const char *name)
{
	unsigned char raw[300];
	size_t rl = 0, labels = 0;
	const char *p = name;

	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);

		raw[rl++] = (unsigned char)n;
		memcpy(raw + rl, p, n);
		rl += n;
		labels++;
		p += n;
		if (*p == '.')
			p++;
	}
	raw[rl++] = 0;
	assert_true(rl <= 255);
	put8(x, (unsigned int)rl);
	put8(x, (unsigned int)labels);
	put(x, raw, rl);
}

static void fix_data_len(blob *x)
{
	size_t dl = x->len - 24;

	x->b[0] = (unsigned char)(dl & 0xff);
	x->b[1] = (unsigned char)(dl >> 8);
}

static blob a_record(void)
{
	blob x;
	const unsigned char addr[4] = { 192, 0, 2, 10 };

	header(&x, 4, SPN_DNS_TYPE_A, 900);
	put(&x, addr, 4);
	return x;
}

static blob cname_record(const char *target)
{
	blob x;

	header(&x, 0, SPN_DNS_TYPE_CNAME, 3600);
	count_name(&x, target);
	fix_data_len(&x);
	return x;
}

static blob srv_record(unsigned int prio, unsigned int weight,
		       unsigned int port, const char *target)
{
	blob x;

	header(&x, 0, SPN_DNS_TYPE_SRV, 600);
	put8(&x, prio >> 8);
	put8(&x, prio & 0xff);
	put8(&x, weight >> 8);
	put8(&x, weight & 0xff);
	put8(&x, port >> 8);
	put8(&x, port & 0xff);
	count_name(&x, target);
	fix_data_len(&x);
	return x;
}

/* Decode from an allocation of exactly len bytes, so that a read past the
 * end is caught by valgrind or ASan. */
static spn_status decode_exact(const unsigned char *b, size_t len,
			       spn_dns_record *rec)
{
	unsigned char *copy = malloc(len > 0 ? len : 1);
	spn_status st;

	assert_non_null(copy);
	memcpy(copy, b, len);
	st = spn_dns_record_decode(copy, len, rec);
	free(copy);
	return st;
}

/* Every proper prefix of a valid blob is refused. */
static void assert_every_truncation_fails(const blob *x)
{
	spn_dns_record rec;
	size_t n;

	for (n = 0; n < x->len; n++)
		assert_int_equal(decode_exact(x->b, n, &rec), SPN_E_INPUT);
}

static void test_a(void **state)
{
	blob x = a_record();
	spn_dns_record rec;

	(void)state;
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, SPN_DNS_TYPE_A);
	assert_int_equal(rec.ttl, 900);
	assert_string_equal(rec.data, "192.0.2.10");
	assert_every_truncation_fails(&x);
}

static void test_aaaa(void **state)
{
	blob x;
	spn_dns_record rec;
	const unsigned char addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 0x15 };

	(void)state;
	header(&x, 16, SPN_DNS_TYPE_AAAA, 0x01020304);
	put(&x, addr, 16);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, SPN_DNS_TYPE_AAAA);
	assert_int_equal(rec.ttl, 0x01020304);
	assert_string_equal(rec.data, "2001:db8::15");
	assert_every_truncation_fails(&x);
}

static void test_cname(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	/* Length counts the labels with their length bytes and the final 0 */
	assert_int_equal(x.b[24], 15);
	assert_int_equal(x.b[25], 3);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, SPN_DNS_TYPE_CNAME);
	assert_int_equal(rec.ttl, 3600);
	assert_string_equal(rec.data, "fs1.corp.test");
	assert_every_truncation_fails(&x);
}

static void test_ns_and_ptr_names(void **state)
{
	blob x = cname_record("dc1.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[2] = 2;   /* NS */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, 2);
	assert_string_equal(rec.data, "dc1.corp.test");
	x.b[2] = 12;  /* PTR */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, 12);
	assert_string_equal(rec.data, "dc1.corp.test");
}

static void test_srv(void **state)
{
	blob x = srv_record(0, 100, 389, "dc0.corp.test");
	spn_dns_record rec;

	(void)state;
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, SPN_DNS_TYPE_SRV);
	assert_int_equal(rec.ttl, 600);
	assert_string_equal(rec.data, "0 100 389 dc0.corp.test");
	assert_every_truncation_fails(&x);

	x = srv_record(65535, 258, 0x1234, "x");
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_string_equal(rec.data, "65535 258 4660 x");
}

static void test_srv_root_target(void **state)
{
	blob x;
	spn_dns_record rec;
	const unsigned char data[] = { 0, 0, 0, 0, 0, 0,
				       2, 1, 0, 0 };  /* one empty label */

	(void)state;
	header(&x, sizeof(data), SPN_DNS_TYPE_SRV, 60);
	put(&x, data, sizeof(data));
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_string_equal(rec.data, "0 0 0 .");
}

static void test_other_types_keep_type_and_ttl(void **state)
{
	blob x;
	spn_dns_record rec;
	const unsigned char txt[] = { 5, 'h', 'e', 'l', 'l', 'o' };
	const unsigned char filetime[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)state;
	header(&x, sizeof(txt), 16, 300);
	put(&x, txt, sizeof(txt));
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, 16);
	assert_int_equal(rec.ttl, 300);
	assert_string_equal(rec.data, "");

	/* a tombstoned node holds one type-0 record: the deletion time */
	header(&x, 8, 0, 0);
	put(&x, filetime, 8);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_int_equal(rec.type, 0);
	assert_every_truncation_fails(&x);
}

static void test_wrong_data_length(void **state)
{
	blob x = a_record();
	blob c = cname_record("files.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[0] = 5;   /* says 5, holds 4 */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
	x.b[0] = 3;   /* says 3, holds 4 */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
	x.b[0] = 4;
	x.b[1] = 1;   /* 260 */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	/* consistent DataLength, but an A record is 4 bytes */
	x = a_record();
	put8(&x, 7);
	fix_data_len(&x);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	/* a blob longer than its header says */
	c = cname_record("files.corp.test");
	put8(&c, 0);
	assert_int_equal(decode_exact(c.b, c.len, &rec), SPN_E_INPUT);

	/* a CNAME with a byte after its name */
	c = cname_record("files.corp.test");
	put8(&c, 0);
	fix_data_len(&c);
	assert_int_equal(decode_exact(c.b, c.len, &rec), SPN_E_INPUT);
}

static void test_wrong_version(void **state)
{
	blob x = a_record();
	spn_dns_record rec;

	(void)state;
	x.b[4] = 4;
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_label_past_the_end(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[26] = 60;   /* first label says 60 bytes, 13 follow */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	x = cname_record("fs1.corp.test");
	x.b[35] = 5;    /* "test" says 5: runs over the terminator */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	/* the last label runs past the end, and no 0 byte stops it */
	x = cname_record("fs1.corp.test");
	x.len--;        /* drop the terminator */
	x.b[24]--;
	fix_data_len(&x);
	x.b[35] = 10;   /* "test" says 10 */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	x = cname_record("fs1.corp.test");
	x.b[24] = 200;  /* Length larger than the data */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_label_count_mismatch(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[25] = 4;    /* one label more than there is */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
	x.b[25] = 2;    /* one label fewer: no terminator after two */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_terminator_and_padding(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[x.len - 1] = 'x';   /* no terminating zero length */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	/* pad bytes inside Length after the terminator are allowed */
	x = cname_record("fs1.corp.test");
	put8(&x, 0);
	x.b[24]++;
	fix_data_len(&x);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_string_equal(rec.data, "fs1.corp.test");
}

static void test_empty_label_inside_a_name(void **state)
{
	blob x;
	spn_dns_record rec;
	/* fs1..test: three labels, the second empty */
	const unsigned char data[] = { 11, 3, 3, 'f', 's', '1', 0,
				       4, 't', 'e', 's', 't', 0 };

	(void)state;
	header(&x, sizeof(data), SPN_DNS_TYPE_CNAME, 1);
	put(&x, data, sizeof(data));
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_nul_in_label(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	x.b[28] = 0;    /* "f", NUL, "1" */
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_long_names(void **state)
{
	char name[300];
	blob x;
	spn_dns_record rec;

	(void)state;
	/* the longest name: 63+63+63+61 characters, RawName 255 bytes */
	memset(name, 'a', 63);
	name[63] = '.';
	memset(name + 64, 'b', 63);
	name[127] = '.';
	memset(name + 128, 'c', 63);
	name[191] = '.';
	memset(name + 192, 'd', 61);
	name[253] = '\0';
	x = cname_record(name);
	assert_int_equal(x.b[24], 255);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_string_equal(rec.data, name);
	assert_every_truncation_fails(&x);

	/* one label more than Length can count: the labels run past it */
	x = cname_record(name);
	x.b[25] = 5;
	x.b[x.len - 1] = 3;
	put(&x, "eee", 3);
	put8(&x, 0);
	fix_data_len(&x);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);

	/* an SRV target that long does not fit "prio weight port target" */
	x = srv_record(10, 20, 30, name);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_empty_name(void **state)
{
	blob x;
	spn_dns_record rec;
	const unsigned char empty[2] = { 0, 0 };
	const unsigned char bad[2] = { 0, 1 };

	(void)state;
	header(&x, 2, SPN_DNS_TYPE_CNAME, 1);
	put(&x, empty, 2);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_OK);
	assert_string_equal(rec.data, "");
	header(&x, 2, SPN_DNS_TYPE_CNAME, 1);
	put(&x, bad, 2);
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
}

static void test_bad_calls(void **state)
{
	blob x = a_record();
	spn_dns_record rec;

	(void)state;
	assert_int_equal(spn_dns_record_decode(NULL, 4, &rec), SPN_E_USAGE);
	assert_int_equal(spn_dns_record_decode(x.b, x.len, NULL), SPN_E_USAGE);
}

static void test_failure_leaves_output_alone(void **state)
{
	blob x = cname_record("fs1.corp.test");
	spn_dns_record rec;

	(void)state;
	memset(&rec, 0x5a, sizeof(rec));
	x.b[25] = 9;
	assert_int_equal(decode_exact(x.b, x.len, &rec), SPN_E_INPUT);
	assert_int_equal(rec.type, 0x5a5a);
	assert_int_equal((unsigned char)rec.data[0], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_ns_and_ptr_names),
		cmocka_unit_test(test_srv),
		cmocka_unit_test(test_srv_root_target),
		cmocka_unit_test(test_other_types_keep_type_and_ttl),
		cmocka_unit_test(test_wrong_data_length),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_label_past_the_end),
		cmocka_unit_test(test_label_count_mismatch),
		cmocka_unit_test(test_terminator_and_padding),
		cmocka_unit_test(test_empty_label_inside_a_name),
		cmocka_unit_test(test_nul_in_label),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_failure_leaves_output_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
