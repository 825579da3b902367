/* test_ldif_plain.c - the first pass's plain-entry reader (ldif_plain.c):
 * which entries it takes, what it hands over, and which it leaves to the
 * general parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <spn/spn.h>
#include "context_impl.h"
#include "ldif.h"
#include "ldif_load_impl.h"
#include "ldif_parser.h"

/* Every call of the three callbacks, as a line of text. */
typedef struct calls {
	char text[8192];
	size_t len;
} calls;

static void add(calls *c, const char *fmt, ...) SPN_PRINTF(2, 3);

static void add(calls *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->text + c->len, sizeof(c->text) - c->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(c->text) - c->len);
	c->len += (size_t)n;
}

/* Entries whose dn starts with "DC=" are skipped, as the loader skips
 * DNS zone objects. */
static int on_skip(const char *dn, size_t len, void *userdata)
{
	if (dn == NULL) {
		fail_msg("the skip function got no dn");
		return 0;
	}
	assert_int_equal(strlen(dn), len);
	add(userdata, "ask %s\n", dn);
	return strncmp(dn, "DC=", 3) == 0;
}

static spn_status on_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			   void *userdata)
{
	(void)ctx;
	add(userdata, "parser %s line %zu [%zu,%zu)\n", e->dn, e->line,
	    e->offset, e->end);
	return SPN_OK;
}

static void add_span(calls *c, const char *what, ldif_span s)
{
	if (s.s != NULL)
		add(c, " %s <%.*s>", what, (int)s.len, s.s);
}

/* Decoded bytes, in hex. */
static void add_bytes(calls *c, const char *what, ldif_span s)
{
	size_t i;

	add(c, " %s <", what);
	for (i = 0; i < s.len; i++)
		add(c, "%02x", (unsigned char)s.s[i]);
	add(c, ">");
}

static spn_status on_plain(spn_ctx *ctx, const struct ldif_plain_entry *e,
			   void *userdata)
{
	size_t i;

	(void)ctx;
	assert_string_equal(e->source, "t.ldif");
	assert_int_equal(strlen(e->dn), e->dn_len);
	add(userdata, "plain line %zu [%zu,%zu) classes %u mappings %d spns",
	    e->line, e->offset, e->end, e->classes, e->has_mappings);
	for (i = 0; i < e->n_spns; i++)
		add(userdata, " <%.*s>", (int)e->spns[i].len, e->spns[i].s);
	add_span(userdata, "sam", e->sam);
	add_span(userdata, "dns", e->dns_host);
	for (i = 0; i < e->n_additional; i++)
		add_span(userdata, "also", e->additional[i]);
	if (e->has_uac)
		add(userdata, " uac %u", e->uac);
	if (e->has_enc_types)
		add(userdata, " enc %u", e->enc_types);
	for (i = 0; i < e->n_records; i++)
		add_bytes(userdata, "record", e->records[i]);
	if (e->tombstoned)
		add(userdata, " tombstoned");
	add(userdata, "\n");
	return SPN_OK;
}

/* Read text of len bytes as one part, with the plain reader: the calls
 * made, and the status. */
static spn_status read_part(const char *text, size_t len, calls *c)
{
	size_t starts[2] = { 0, len }, base[1];
	void *userdata[1] = { c };
	char *copy = malloc(len > 0 ? len : 1);   /* no NUL after the input */
	spn_status st;

	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(c, 0, sizeof(*c));
	st = spn_ldif_parse_split("t.ldif", copy, len, 0, starts, 1, on_skip,
				  on_entry, on_plain, NULL, NULL, userdata, base);
	free(copy);
	return st;
}

static void assert_calls(const char *text, size_t len, const char *expected)
{
	calls c;

	assert_int_equal(read_part(text, len, &c), SPN_OK);
	assert_string_equal(c.text, expected);
}

static void test_plain_entries_are_taken(void **state)
{
	static const char text[] =
		"dn: CN=ws1,DC=corp\n"
		"objectClass: top\n"
		"objectClass: user\n"
		"OBJECTCLASS: Computer\n"
		"userAccountControl: 4096\n"
		"msDS-SupportedEncryptionTypes: -2147483648\n"
		"servicePrincipalName: HOST/ws1\n"
		"servicePrincipalName:   http/ws1 \n"
		"servicePrincipalName:\n"
		"name: ws1\n"
		"sAMAccountName: WS1$\n"
		"sAMAccountName: second\n"
		"dNSHostName: ws1.corp\n"
		"msDS-AdditionalDnsHostName: a1.corp\n"
		"msDS-AdditionalDnsHostName: a2.corp\n"
		"\n"
		"dn: CN=map,DC=corp\n"
		"sPNMappings: host=alerter,http\n"
		"\n"
		"dn: CN=last,DC=corp\n"
		"objectClass: msDS-GroupManagedServiceAccount\n";

	(void)state;
	/* the values as written, after the spaces that follow the ':' */
	assert_calls(text, sizeof(text) - 1,
		"ask CN=ws1,DC=corp\n"
		"plain line 1 [0,380) classes 3 mappings 0 spns <HOST/ws1> "
		"<http/ws1 > <> sam <WS1$> dns <ws1.corp> also <a1.corp> "
		"also <a2.corp> uac 4096 enc 2147483648\n"
		"ask CN=map,DC=corp\n"
		"plain line 17 [380,431) classes 0 mappings 1 spns\n"
		"ask CN=last,DC=corp\n"
		"plain line 20 [431,496) classes 4 mappings 0 spns\n");
}

static void test_folds_and_line_ends(void **state)
{
	/* CR LF; the dn unfolded; a folded value not read here passed over */
	static const char text[] =
		"dn: CN=a,DC=co\r\n"
		" rp,DC=test\r\n"
		"description: a long\r\n"
		"  text\r\n"
		"servicePrincipalName: h/a\r\n"
		"\r\n"
		"dn: CN=b,DC=corp\n"
		"servicePrincipalName: h/b\n"
		"\n";

	(void)state;
	assert_calls(text, sizeof(text) - 1,
		"ask CN=a,DC=corp,DC=test\n"
		"plain line 1 [0,87) classes 0 mappings 0 spns <h/a>\n"
		"ask CN=b,DC=corp\n"
		"plain line 7 [87,131) classes 0 mappings 0 spns <h/b>\n");
}

/* Each of these entries, read by the general parser, is valid; the plain
 * reader leaves it to the parser, and takes the entry after it. */
static void test_what_the_parser_reads(void **state)
{
	static const char *const odd[] = {
		"servicePrincipalName:: aC9i\n",              /* base64 */
		"servicePrincipalName: h/\n b\n",             /* folded SPN */
		"objectClass: comp\n uter\n",                 /* folded class */
		"userAccountControl: 40\n 96\n",              /* folded flags */
		"sAMAccountName: a\n b\n",                   /* folded name */
		"dNSHostName: h\n .corp\n",
		"msDS-AdditionalDnsHostName: h\n .corp\n",
		"name:\n x\n",                 /* the value starts folded */
		"servicePrincipalName;range=0-*: h/b\n",      /* options */
		"# a comment\n",
		"changetype: add\n",
		"objectClass: user\nuserAccountControl: 00000004096\n",
		"msDS-SupportedEncryptionTypes: +24\n",
		/* not a 32-bit number: the loader says so */
		"userAccountControl: 4294967296\n",
		"msDS-SupportedEncryptionTypes: 24x\n",
		/* a dnsRecord as text, folded */
		"dnsRecord: BAABAA==\n",
		"dnsRecord:: BAAB\n AA==\n",
		"dNSTombstoned: TR\n UE\n",
	};
	static const char next[] =
		"dn: CN=next,DC=corp\n"
		"servicePrincipalName: h/next\n";
	char text[512], expected[512];
	size_t i, len, lines;
	const char *c;
	int n;

	(void)state;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		n = snprintf(text, sizeof(text),
			     "dn: CN=odd,DC=corp\n"
			     "servicePrincipalName: h/odd\n"
			     "%s\n%s", odd[i], next);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		len = (size_t)n;
		for (lines = 3, c = odd[i]; *c != '\0'; c++)
			lines += *c == '\n';
		/* the parser asks the skip function again */
		snprintf(expected, sizeof(expected),
			 "ask CN=odd,DC=corp\n"
			 "ask CN=odd,DC=corp\n"
			 "parser CN=odd,DC=corp line 1 [0,%zu)\n"
			 "ask CN=next,DC=corp\n"
			 "plain line %zu [%zu,%zu) classes 0 mappings 0 spns "
			 "<h/next>\n",
			 len - strlen(next), lines + 1, len - strlen(next), len);
		assert_calls(text, len, expected);
	}
}

/* A dnsNode's dnsRecord values are base64: the reader hands them over
 * decoded (an empty one too); its last dNSTombstoned too. */
static void test_dns_records_are_taken(void **state)
{
	/* (dc= in lower case: the skip function here skips "DC=") */
	static const char text[] =
		"dn: dc=web,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: top\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: BAABAA==\n"
		"dnsRecord::   QUJD\n"
		"dnsRecord::\n"
		"dNSTombstoned: TRUE\n"
		"\n"
		"dn: dc=old,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"dNSTombstoned: TRUE\n"
		"dNSTombstoned: false\n"
		"\n";

	(void)state;
	assert_calls(text, sizeof(text) - 1,
		"ask dc=web,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"plain line 1 [0,169) classes 8 mappings 0 spns record "
		"<04000100> record <414243> record <> tombstoned\n"
		"ask dc=old,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"plain line 9 [169,290) classes 8 mappings 0 spns\n");
}

static void test_not_taken_at_all(void **state)
{
	/* a dn in base64, an empty dn, a NUL byte: the parser reads them */
	static const char text[] =
		"dn:: Q049YQ==\n"
		"servicePrincipalName: h/a\n"
		"\n"
		"dn: CN=b\n"
		"name: x\0y\n"
		"\n"
		"dn:\n"
		"servicePrincipalName: h/c\n"
		"\n";

	(void)state;
	assert_calls(text, sizeof(text) - 1,
		"ask CN=a\n"
		"parser CN=a line 1 [0,41)\n"
		"ask CN=b\n"
		"ask CN=b\n"
		"parser CN=b line 4 [41,61)\n"
		"ask \n"
		"parser  line 7 [61,92)\n");
}

static void test_flags_of_other_entries_are_not_read(void **state)
{
	/* not an account (no SPN, not a computer): its flags are not parsed,
	 * by the parser or here */
	static const char text[] =
		"dn: CN=u,DC=corp\n"
		"objectClass: user\n"
		"userAccountControl: 0x200\n"
		"\n";

	(void)state;
	assert_calls(text, sizeof(text) - 1,
		"ask CN=u,DC=corp\n"
		"plain line 1 [0,62) classes 1 mappings 0 spns\n");
}

static void test_skipped_entries(void **state)
{
	/* skipped entries are read to their end; a comment in one is left
	 * to the parser, which goes on from there */
	static const char text[] =
		"dn: DC=web,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=co\n"
		" rp,DC=test\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: BAABAA==\n"
		"\n"
		"dn: DC=ws,DC=corp.test,CN=MicrosoftDNS\n"
		"dnsRecord:: BAABAA==\n"
		"# numEntries: 2\n"
		"dnsRecord:: BAABAA==\n"
		"\n"
		"dn: CN=a,DC=corp\n"
		"servicePrincipalName: h/a\n"
		"\n";

	(void)state;
	assert_calls(text, sizeof(text) - 1,
		"ask DC=web,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		"DC=corp,DC=test\n"
		"ask DC=ws,DC=corp.test,CN=MicrosoftDNS\n"
		"ask CN=a,DC=corp\n"
		"plain line 11 [217,261) classes 0 mappings 0 spns <h/a>\n");
}

static void test_errors_are_the_parsers(void **state)
{
	static const char *const bad[] = {
		/* a second dn in a kept entry and in a skipped one */
		"dn: CN=a\nservicePrincipalName: h/a\ndn: CN=b\n\n",
		"dn: DC=a\nobjectClass: dnsNode\nDN: CN=b\n\n",
		/* no newline at the end, kept and skipped */
		"dn: CN=a\nservicePrincipalName: h/a",
		"dn: DC=a\nobjectClass: dnsNode",
		/* a change record */
		"dn: CN=a\ncontrol: 1.2.3\nservicePrincipalName: h/a\n\n",
		"dn: CN=a\nchangetype: modify\nservicePrincipalName: h/a\n\n",
		/* a dnsRecord that is not base64 */
		"dn: dc=a\nobjectClass: dnsNode\ndnsRecord:: BAABAA=\n\n",
		"dn: dc=a\nobjectClass: dnsNode\ndnsRecord:: BAAB%A==\n\n",
	};
	calls c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(read_part(bad[i], strlen(bad[i]), &c),
				 SPN_E_INPUT);
		assert_null(strstr(c.text, "plain"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_entries_are_taken),
		cmocka_unit_test(test_folds_and_line_ends),
		cmocka_unit_test(test_what_the_parser_reads),
		cmocka_unit_test(test_dns_records_are_taken),
		cmocka_unit_test(test_not_taken_at_all),
		cmocka_unit_test(test_flags_of_other_entries_are_not_read),
		cmocka_unit_test(test_skipped_entries),
		cmocka_unit_test(test_errors_are_the_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
