/* test_ldif.c - the LDIF reader (entries as its callback sees them) and the
 * LDIF loader (what reaches the index). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <spn/spn.h>
#include "context_impl.h"
#include "index_impl.h"
#include "index_digest.h"
#include "ldif.h"

/* ---- the reader: every entry rendered as text ---------------------------- */

typedef struct seen {
	char text[200000];
	size_t len;
	size_t entries;
	size_t stop_after;   /* fail the callback at this entry (1-based) */
	int no_lines;        /* on_part_entry: leave line numbers out */
	size_t first_line, first_offset;   /* on_part_entry: of entry 1 */
} seen;

static void add_text(seen *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		assert_true(s->len + 5 < sizeof(s->text));
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			s->text[s->len++] = (char)c;
		} else {
			snprintf(s->text + s->len, 5, "\\x%02x", c);
			s->len += 4;
		}
	}
	s->text[s->len] = '\0';
}

/* "dn=<dn>|name;options=value|...\n" for each entry. */
static spn_status on_entry(spn_ctx *ctx, const spn_ldif_entry *e, void *userdata)
{
	seen *s = userdata;
	size_t i;

	s->entries++;
	if (s->stop_after != 0 && s->entries == s->stop_after)
		return spn_error(ctx, SPN_E_INPUT, "stopped by the callback");
	assert_int_equal(strlen(e->dn), e->dn_len);
	add_text(s, "dn=", 3);
	add_text(s, e->dn, e->dn_len);
	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];

		assert_int_equal(strlen(a->name), a->name_len);
		assert_int_equal(strlen(a->options), a->options_len);
		assert_int_equal(a->value[a->value_len], '\0');
		add_text(s, "|", 1);
		add_text(s, a->name, a->name_len);
		if (a->options_len > 0) {
			add_text(s, ";", 1);
			add_text(s, a->options, a->options_len);
		}
		add_text(s, "=", 1);
		add_text(s, a->value, a->value_len);
	}
	assert_true(s->len + 2 < sizeof(s->text));
	s->text[s->len++] = '\n';
	s->text[s->len] = '\0';
	return SPN_OK;
}

typedef struct fixture {
	spn_ctx *ctx;
	seen seen;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(spn_ctx_new(&f->ctx), SPN_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	spn_ctx_unref(f->ctx);
	free(f);
	return 0;
}

/* Parse from an allocation of exactly the text's length (no NUL after it),
 * so that a read past the end is caught. */
static spn_status parse_len(fixture *f, const char *text, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	spn_status st;

	assert_non_null(copy);
	memcpy(copy, text, len);
	f->seen.len = 0;
	f->seen.text[0] = '\0';
	f->seen.entries = 0;
	st = spn_ldif_parse_buffer(f->ctx, "t.ldif", copy, len, NULL, on_entry,
				   &f->seen);
	free(copy);
	return st;
}

static spn_status parse(fixture *f, const char *text)
{
	return parse_len(f, text, strlen(text));
}

static void assert_error(fixture *f, const char *text, const char *message)
{
	assert_int_equal(parse(f, text), SPN_E_INPUT);
	if (strstr(spn_ctx_error(f->ctx), message) == NULL)
		fail_msg("error '%s' does not contain '%s'",
			 spn_ctx_error(f->ctx), message);
}

static void test_plain_entries(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f,
		"dn: CN=svc_web,CN=Users,DC=corp,DC=test\n"
		"objectClass: top\n"
		"objectClass: user\n"
		"sAMAccountName: svc_web\n"
		"servicePrincipalName: http/web01.corp.test\n"
		"servicePrincipalName:   http/web01\n"
		"description:\n"
		"\n"
		"dn: CN=WS01,CN=Computers,DC=corp,DC=test\n"
		"sAMAccountName: WS01$\n"
		"\n"), SPN_OK);
	assert_int_equal(f->seen.entries, 2);
	assert_string_equal(f->seen.text,
		"dn=CN=svc_web,CN=Users,DC=corp,DC=test|objectClass=top"
		"|objectClass=user|sAMAccountName=svc_web"
		"|servicePrincipalName=http/web01.corp.test"
		"|servicePrincipalName=http/web01|description=\n"
		"dn=CN=WS01,CN=Computers,DC=corp,DC=test|sAMAccountName=WS01$\n");
}

static void test_version_comments_and_blank_lines(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f,
		"# a comment\n"
		"version: 1\n"
		"\n\n"
		"# name, Users, corp.test\n"
		"dn: CN=a,DC=corp,DC=test\n"
		"# a comment inside the entry\n"
		"cn: a\n"
		"# a folded comment\n"
		" that goes on\n"
		"\n\n\n"
		"dn: CN=b,DC=corp,DC=test\n"), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=a,DC=corp,DC=test|cn=a\n"
		"dn=CN=b,DC=corp,DC=test\n");
	assert_error(f, "version: 2\ndn: CN=a\n\n", "t.ldif:1: LDIF version '2'");
	/* paged ldapsearch -L repeats it before every page */
	assert_int_equal(parse(f, "version: 1\n\ndn: CN=a\n\nversion: 1\n\n"
				  "dn: CN=b\n"), SPN_OK);
	assert_string_equal(f->seen.text, "dn=CN=a\ndn=CN=b\n");
	assert_error(f, "dn: CN=a\n\nversion: 3\n", "t.ldif:3: LDIF version '3'");
}

static void test_base64(void **state)
{
	fixture *f = *state;

	/* "CN=Jörg,DC=corp" and a binary value with a NUL and a newline */
	assert_int_equal(parse(f,
		"dn:: Q049SsO2cmcsREM9Y29ycA==\n"
		"objectGUID:: AAEKAg==\n"
		"empty::\n"
		"one:: YQ==\n"
		"two:: YWI=\n"
		"three:: YWJj\n"
		"spaces::   YWJj  \n"
		"\n"), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=J\\xc3\\xb6rg,DC=corp|objectGUID=\\x00\\x01\\x0a\\x02"
		"|empty=|one=a|two=ab|three=abc|spaces=abc\n");
}

static void test_bad_base64(void **state)
{
	fixture *f = *state;

	assert_error(f, "dn: CN=a\nx:: YWJ\n\n",
		     "t.ldif:2: the value of attribute 'x' is not valid base64");
	assert_error(f, "dn: CN=a\nx:: YW=j\n\n", "not valid base64");
	assert_error(f, "dn: CN=a\nx:: ====\n\n", "not valid base64");
	assert_error(f, "dn: CN=a\nx:: YW Jj\n\n", "not valid base64");
	assert_error(f, "dn: CN=a\nx:: YW*j\n\n", "not valid base64");
	assert_error(f, "dn:: %%%%\n\n", "t.ldif:1:");
	/* a folded value is unfolded into a buffer that held a longer line:
	 * what follows the value there must not be read as more base64 */
	assert_error(f, "dn: CN=a\n"
		     "longattributename: AAAAAAAAAAAAAAAA\n AAAAAAAAAAAAAAAAAAAA\n"
		     "x:: YWJj\n Y\n\n",
		     "t.ldif:4: the value of attribute 'x' is not valid base64");
}

static void test_folded_lines(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f,
		"dn: CN=svc_bulk,CN=Us\n"
		" ers,DC=corp,DC=test\n"
		"servicePrincipalName: http/bulk0001.co\n"
		" rp.te\n"
		" st\n"
		"description: two  \n"
		"  spaces kept\n"
		"blob:: YW\n"
		" Jj\n"
		"\n"), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=svc_bulk,CN=Users,DC=corp,DC=test"
		"|servicePrincipalName=http/bulk0001.corp.test"
		"|description=two   spaces kept|blob=abc\n");
	assert_error(f, " dn: CN=a\n\n", "t.ldif:1: a continuation line");
	assert_error(f, "dn: CN=a\ncn: a\n\n x\n",
		     "t.ldif:4: a continuation line");
}

static void test_crlf_and_ldifde(void **state)
{
	fixture *f = *state;

	/* ldifde: CRLF, a blank line first, changetype: add, folded at 79 */
	assert_int_equal(parse(f,
		"\r\n"
		"dn: CN=svc_sql,OU=Service Accounts,OU=Tier1,OU=Admin,DC=corp,D"
		"C=test\r\n"
		"changetype: add\r\n"
		"objectClass: user\r\n"
		"servicePrincipalName: MSSQLSvc/sql1.corp.test:1433\r\n"
		"servicePrincipalName: MSSQLSvc/averyveryveryverylongservername"
		"0123456789.corp.\r\n"
		" test:1433\r\n"
		"\r\n"), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=svc_sql,OU=Service Accounts,OU=Tier1,OU=Admin,DC=corp,"
		"DC=test|objectClass=user"
		"|servicePrincipalName=MSSQLSvc/sql1.corp.test:1433"
		"|servicePrincipalName=MSSQLSvc/averyveryveryverylongservername"
		"0123456789.corp.test:1433\n");
	/* only right after the dn is it a changetype */
	assert_int_equal(parse(f, "dn: CN=a\ncn: a\nchangetype: add\n\n"),
			 SPN_OK);
	assert_string_equal(f->seen.text, "dn=CN=a|cn=a|changetype=add\n");
	assert_error(f, "dn: CN=a\nchangetype: modify\nreplace: cn\n\n",
		     "t.ldif:2: 'changetype: modify' is a change record");
	assert_error(f, "dn: CN=a\ncontrol: 1.2.3 true\n\n",
		     "t.ldif:2: 'control:'");
}

static void test_attribute_options(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f,
		"dn: CN=a\n"
		"servicePrincipalName;range=0-*: http/a\n"
		"userCertificate;binary:: YWJj\n"
		"description;lang-en;x: hi\n"
		"\n"), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=a|servicePrincipalName;range=0-*=http/a"
		"|userCertificate;binary=abc|description;lang-en;x=hi\n");
	/* names of one length share a cache slot: each is still checked */
	assert_error(f, "dn: CN=a\nabc: 1\na c: 2\n\n",
		     "t.ldif:3: 'a c' is not a valid attribute name");
	assert_error(f, "dn: CN=a\nbad name: x\n\n",
		     "t.ldif:2: 'bad name' is not a valid attribute name");
	assert_error(f, "dn: CN=a\n: x\n\n",
		     "t.ldif:2: there is no attribute name before the ':'");
	assert_error(f, "dn: CN=a\nx;a b: x\n\n",
		     "t.ldif:2: 'x;a b' has invalid attribute options");
}

static void test_long_value(void **state)
{
	fixture *f = *state;
	size_t n = 100000, i, pos = 0, col;
	char *text = malloc(2 * n);
	char *value = malloc(n + 1);
	seen expect;

	assert_non_null(text);
	assert_non_null(value);
	for (i = 0; i < n; i++)
		value[i] = (char)('a' + i % 26);
	value[n] = '\0';
	pos += (size_t)sprintf(text, "dn: CN=big\ndescription: ");
	col = 13;
	for (i = 0; i < n; i++) {
		if (col == 76) {
			memcpy(text + pos, "\n ", 2);
			pos += 2;
			col = 1;
		}
		text[pos++] = value[i];
		col++;
	}
	memcpy(text + pos, "\n\n", 2);
	pos += 2;
	assert_int_equal(parse_len(f, text, pos), SPN_OK);
	memset(&expect, 0, sizeof(expect));
	add_text(&expect, "dn=CN=big|description=", 22);
	add_text(&expect, value, n);
	expect.text[expect.len++] = '\n';
	expect.text[expect.len] = '\0';
	assert_string_equal(f->seen.text, expect.text);
	free(text);
	free(value);
}

static void test_empty_and_not_ldif(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse_len(f, "", 0), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "t.ldif: no entries"));
	assert_error(f, "\n\n# only comments\n\n", "t.ldif: no entries");
	assert_error(f, "version: 1\n", "t.ldif: no entries");
	assert_error(f, "name,spn\nsvc,http/a\n",
		     "t.ldif:1: 'name,spn' is not 'attribute: value'");
}

static void test_byte_order_marks(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f, "\xef\xbb\xbf" "dn: CN=a\n\n"), SPN_OK);
	assert_string_equal(f->seen.text, "dn=CN=a\n");
	assert_int_equal(parse_len(f, "\xff\xfe" "d\0n\0:\0", 8), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx),
			       "t.ldif: the file is UTF-16 (ldifde -u?)"));
}

static void test_no_trailing_newline(void **state)
{
	fixture *f = *state;

	assert_error(f, "dn: CN=a\ncn: a", "t.ldif:2: the last line has no newline");
	assert_error(f, "dn: CN=a\ncn: a\r", "t.ldif:2: the last line");
	/* ending right after a line is fine, with or without a blank line */
	assert_int_equal(parse(f, "dn: CN=a\ncn: a\n"), SPN_OK);
	assert_string_equal(f->seen.text, "dn=CN=a|cn=a\n");
}

static void test_missing_dn(void **state)
{
	fixture *f = *state;

	assert_error(f, "cn: a\nsn: b\n\n",
		     "t.ldif:1: an entry must start with 'dn:', not 'cn:'");
	assert_error(f, "dn: CN=a\ncn: a\n\ncn: b\n\n",
		     "t.ldif:4: an entry must start with 'dn:'");
	assert_error(f, "dn: CN=a\ncn: a\ndn: CN=b\n\n",
		     "t.ldif:3: a second 'dn:' inside the entry that starts "
		     "at line 1");
	/* an empty dn (the root DSE) is still a dn */
	assert_int_equal(parse(f, "dn:\nnamingContexts: DC=corp\n\n"), SPN_OK);
	assert_string_equal(f->seen.text, "dn=|namingContexts=DC=corp\n");
}

static void test_urls_are_refused(void **state)
{
	fixture *f = *state;

	assert_error(f, "dn: CN=a\njpegPhoto:< file:///etc/shadow\n\n",
		     "t.ldif:2: attribute 'jpegPhoto' takes its value from the "
		     "URL 'file:///etc/shadow'");
	assert_error(f, "dn: CN=a\nx:<http://example/\n\n", "t.ldif:2:");
}

static const char ldapsearch_output[] =
	"# extended LDIF\n"
	"#\n"
	"# LDAPv3\n"
	"# base <DC=corp,DC=test> with scope subtree\n"
	"# filter: (servicePrincipalName=*)\n"
	"# requesting: servicePrincipalName \n"
	"#\n"
	"\n"
	"# svc_web, Users, corp.test\n"
	"dn: CN=svc_web,CN=Users,DC=corp,DC=test\n"
	"servicePrincipalName: http/web01.corp.test\n"
	"servicePrincipalName: http/web01\n"
	"\n"
	"# search reference\n"
	"ref: ldap://corp.test/CN=Configuration,DC=corp,DC=test\n"
	"\n"
	"# FS2, Computers, corp.test\n"
	"dn: CN=FS2,CN=Computers,DC=corp,DC=test\n"
	"servicePrincipalName: cifs/fs2.corp.test\n"
	"\n"
	"# search result\n"
	"search: 2\n"
	"result: 0 Success\n"
	"control: 1.2.840.113556.1.4.319 false MAQCAQAEAA==\n"
	"pagedresults: cookie=\n"
	"\n"
	"# numResponses: 4\n"
	"# numEntries: 2\n"
	"# numReferences: 1\n";

static void test_ldapsearch_output(void **state)
{
	fixture *f = *state;

	assert_int_equal(parse(f, ldapsearch_output), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=svc_web,CN=Users,DC=corp,DC=test"
		"|servicePrincipalName=http/web01.corp.test"
		"|servicePrincipalName=http/web01\n"
		"dn=CN=FS2,CN=Computers,DC=corp,DC=test"
		"|servicePrincipalName=cifs/fs2.corp.test\n");
}

/* Paged ldapsearch (-E pr=N/noprompt) as OpenLDAP 2.5 writes it: every
 * page ends with a result record and repeats the header right after it. */
static const char ldapsearch_paged[] =
	"# extended LDIF\n"
	"#\n"
	"# LDAPv3\n"
	"# base <DC=corp,DC=test> with scope subtree\n"
	"# with pagedResults control: size=1\n"
	"#\n"
	"\n"
	"# svc_web, Users, corp.test\n"
	"dn: CN=svc_web,CN=Users,DC=corp,DC=test\n"
	"servicePrincipalName: http/web01.corp.test\n"
	"\n"
	"# search result\n"
	"search: 2\n"
	"result: 0 Success\n"
	"control: 1.2.840.113556.1.4.319 false MAcCASUEAjEA\n"
	"pagedresults: estimate=2 cookie=MQA=\n"
	"# extended LDIF\n"
	"#\n"
	"# LDAPv3\n"
	"# base <DC=corp,DC=test> with scope subtree\n"
	"# with pagedResults control: size=1\n"
	"#\n"
	"\n"
	"# FS2, Computers, corp.test\n"
	"dn: CN=FS2,CN=Computers,DC=corp,DC=test\n"
	"servicePrincipalName: cifs/fs2.corp.test\n"
	"\n"
	"# search result\n"
	"search: 3\n"
	"result: 0 Success\n"
	"control: 1.2.840.113556.1.4.319 false MAUCAQAEAA==\n"
	"pagedresults: cookie=\n"
	"\n"
	"# numResponses: 4\n"
	"# numEntries: 2\n";

static void test_ldapsearch_paged(void **state)
{
	fixture *f = *state;
	size_t n, full = strlen(ldapsearch_paged);

	assert_int_equal(parse(f, ldapsearch_paged), SPN_OK);
	assert_string_equal(f->seen.text,
		"dn=CN=svc_web,CN=Users,DC=corp,DC=test"
		"|servicePrincipalName=http/web01.corp.test\n"
		"dn=CN=FS2,CN=Computers,DC=corp,DC=test"
		"|servicePrincipalName=cifs/fs2.corp.test\n");
	/* cut before the trailer, at any point, it is refused */
	for (n = 0; n < (size_t)(strstr(ldapsearch_paged, "# numResponses") -
				 ldapsearch_paged); n++)
		assert_int_equal(parse_len(f, ldapsearch_paged, n), SPN_E_INPUT);
	assert_int_equal(parse_len(f, ldapsearch_paged, full), SPN_OK);
}

static void test_ldapsearch_concatenated(void **state)
{
	fixture *f = *state;
	char text[2 * sizeof(ldapsearch_output)];

	/* two exports in one file: each trailer counts its own entries */
	snprintf(text, sizeof(text), "%s%s", ldapsearch_output,
		 ldapsearch_output);
	assert_int_equal(parse(f, text), SPN_OK);
	assert_int_equal(f->seen.entries, 4);
	/* an export without counts (-LLL) before one with them */
	snprintf(text, sizeof(text), "dn: CN=x\n\n%s", ldapsearch_output);
	assert_int_equal(parse(f, text), SPN_OK);
	assert_int_equal(f->seen.entries, 3);
	/* a count right after an entry (no blank line) includes it */
	assert_int_equal(parse(f, "# LDAPv3\ndn: CN=a\ncn: a\n"
				  "# numResponses: 2\n# numEntries: 1\n"), SPN_OK);
}

static void test_ldapsearch_incomplete(void **state)
{
	fixture *f = *state;
	char text[sizeof(ldapsearch_output) + 64];
	char *p;

	/* the server stopped early */
	memcpy(text, ldapsearch_output, sizeof(ldapsearch_output));
	p = strstr(text, "result: 0 Success");
	memcpy(p, "result: 4 SizeLim", 17);
	assert_error(f, text, "t.ldif:23: the search that wrote this file "
			      "ended with 'result: 4 SizeLim'");

	/* an entry hidden in the result record: a blank line is missing */
	memcpy(text, ldapsearch_output, sizeof(ldapsearch_output));
	p = strstr(text, "control: 1.2.840");
	memcpy(p, "dn: CN=hidden,DC", 16);
	assert_error(f, text, "t.ldif:24: 'dn:' inside ldapsearch's result "
			      "record that starts at line 22");
	assert_error(f, "dn: CN=a\n\nref: ldap://x/\ndn: CN=b\n\n",
		     "t.ldif:4: 'dn:' inside ldapsearch's search reference "
		     "record that starts at line 3");

	/* an entry went missing */
	memcpy(text, ldapsearch_output, sizeof(ldapsearch_output));
	p = strstr(text, "numEntries: 2");
	p[12] = '3';
	assert_error(f, text, "ldapsearch counted 3 entries here but the file "
			      "holds 2");
}

/* Cut anywhere, an ldapsearch export either fails or, past its last entry,
 * still delivers every entry: never a part presented as the whole. */
static void test_ldapsearch_truncated_at_every_length(void **state)
{
	fixture *f = *state;
	size_t full = strlen(ldapsearch_output), n;
	char complete[sizeof(f->seen.text)];

	assert_int_equal(parse(f, ldapsearch_output), SPN_OK);
	memcpy(complete, f->seen.text, f->seen.len + 1);
	for (n = 0; n < full; n++) {
		spn_status st = parse_len(f, ldapsearch_output, n);

		if (st == SPN_OK)
			assert_string_equal(f->seen.text, complete);
		else
			assert_int_equal(st, SPN_E_INPUT);
		/* the trailer is the only place where a cut can succeed */
		if (n < (size_t)(strstr(ldapsearch_output, "# numResponses") -
				 ldapsearch_output))
			assert_int_equal(st, SPN_E_INPUT);
	}
}

static void test_malformed_lines(void **state)
{
	fixture *f = *state;

	assert_error(f, "dn: CN=a\nno colon here\n\n",
		     "t.ldif:2: 'no colon here' is not 'attribute: value'");
	assert_error(f, "dn: CN=a\n\x01\x02: x\n\n",
		     "t.ldif:2: '?\?' is not a valid attribute name");
}

static void test_callback_stops(void **state)
{
	fixture *f = *state;

	f->seen.stop_after = 2;
	assert_int_equal(parse(f, "dn: CN=a\n\ndn: CN=b\n\ndn: CN=c\n\n"),
			 SPN_E_INPUT);
	assert_int_equal(f->seen.entries, 2);
	assert_string_equal(spn_ctx_error(f->ctx), "stopped by the callback");
	f->seen.stop_after = 0;
}

static void test_bad_calls(void **state)
{
	fixture *f = *state;

	assert_int_equal(spn_ldif_parse_buffer(f->ctx, "x", NULL, 3, NULL,
					       on_entry, NULL), SPN_E_USAGE);
	assert_int_equal(spn_ldif_parse_buffer(f->ctx, "x", "dn: a\n", 6, NULL,
					       NULL, NULL), SPN_E_USAGE);
	assert_int_equal(spn_ldif_parse_file(f->ctx, NULL, NULL, on_entry, NULL),
			 SPN_E_USAGE);
}

/* Skip the entries whose dn starts with "CN=skip". */
static int skip_marked(const char *dn, size_t dn_len, void *userdata)
{
	(void)userdata;
	assert_int_equal(strlen(dn), dn_len);
	return strncmp(dn, "CN=skip", 7) == 0;
}

static spn_status parse_skipping(fixture *f, const char *text)
{
	f->seen.len = 0;
	f->seen.text[0] = '\0';
	f->seen.entries = 0;
	return spn_ldif_parse_buffer(f->ctx, "t.ldif", text, strlen(text),
				     skip_marked, on_entry, &f->seen);
}

static void test_skipped_entries(void **state)
{
	fixture *f = *state;

	/* unread: folded lines, a comment, values that would not decode */
	assert_int_equal(parse_skipping(f,
		"# LDAPv3\n\n"
		"dn: CN=a\ncn: a\n\n"
		"dn: CN=skip\n 1,DC=x\n# a comment\ndnsRecord:: %%%\n"
		"bad line\n x\nurl:< file:///etc/passwd\n\n"
		"dn:: Q049Yg==\ncn: b\n\n"
		"dn: CN=skip2\n"
		"# numResponses: 5\n# numEntries: 4\n"), SPN_OK);
	assert_int_equal(f->seen.entries, 2);
	assert_string_equal(f->seen.text, "dn=CN=a|cn=a\ndn=CN=b|cn=b\n");
	/* skipped entries still count for ldapsearch's numEntries */
	assert_int_equal(parse_skipping(f,
		"# LDAPv3\ndn: CN=skip\ncn: x\n\n"
		"# numResponses: 2\n# numEntries: 2\n"), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx),
			       "ldapsearch counted 2 entries here but the file "
			       "holds 1"));
	/* a blank line missing after a skipped entry loses no entry */
	assert_int_equal(parse_skipping(f,
		"dn: CN=skip\ncn: x\nDN: CN=c\ncn: c\n\n"), SPN_E_INPUT);
	assert_string_equal(spn_ctx_error(f->ctx),
			    "t.ldif:3: a second 'dn:' inside the entry that "
			    "starts at line 1 (a blank line is missing?)");
	/* nor is a cut file taken for a whole one */
	assert_int_equal(parse_skipping(f, "dn: CN=a\n\ndn: CN=skip\ncn: x"),
			 SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx),
			       "t.ldif:4: the last line has no newline"));
	/* only skipped entries: still entries */
	assert_int_equal(parse_skipping(f, "dn: CN=skip\r\ncn: x\r\n\r\n"),
			 SPN_OK);
	assert_int_equal(f->seen.entries, 0);
}

/* ---- files ----------------------------------------------------------------- */

static char *write_file(const char *text, size_t len)
{
	char *path = strdup("/tmp/spn-test-ldif-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_file_reader(void **state)
{
	fixture *f = *state;
	char *path = write_file(ldapsearch_output, strlen(ldapsearch_output));
	char *empty = write_file("", 0);

	f->seen.len = 0;
	assert_int_equal(spn_ldif_parse_file(f->ctx, path, NULL, on_entry,
					     &f->seen), SPN_OK);
	assert_int_equal(f->seen.entries, 2);
	assert_int_equal(spn_ldif_parse_file(f->ctx, empty, NULL, on_entry,
					     &f->seen), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "the file is empty"));
	assert_int_equal(spn_ldif_parse_file(f->ctx, "/nonexistent/x.ldif",
					     NULL, on_entry, &f->seen), SPN_E_IO);
	assert_non_null(strstr(spn_ctx_error(f->ctx),
			       "/nonexistent/x.ldif: cannot open"));
	assert_int_equal(spn_ldif_parse_file(f->ctx, "/tmp", NULL, on_entry,
					     &f->seen), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), "not a regular file"));
	unlink(path);
	unlink(empty);
	free(path);
	free(empty);
}

/* ---- the loader: LDIF to index ------------------------------------------- */

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = abc[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* dnsRecord values, base64: an A record and a CNAME to fs1.corp.test. */
static void record_a(char *out, unsigned char a, unsigned char b,
		     unsigned char c, unsigned char d)
{
	unsigned char r[28] = { 4, 0, 1, 0, 5, 0xf0, 0, 0, 1, 0, 0, 0,
				0, 0, 0x03, 0x84, 0, 0, 0, 0, 0, 0, 0, 0 };

	r[24] = a;
	r[25] = b;
	r[26] = c;
	r[27] = d;
	base64(r, sizeof(r), out);
}

static void record_cname_fs1(char *out)
{
	unsigned char r[24 + 17] = { 17, 0, 5, 0, 5, 0xf0, 0, 0, 1, 0, 0, 0,
				     0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
				     15, 3, 3, 'f', 's', '1', 4, 'c', 'o', 'r',
				     'p', 4, 't', 'e', 's', 't', 0 };

	base64(r, sizeof(r), out);
}

#define LOAD_ALL (SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS | SPN_LOAD_MAPPINGS)

static spn_status load_parts(fixture *f, spn_index **index_out,
			     const char *text, unsigned int what)
{
	char *path = write_file(text, strlen(text));
	spn_status st;

	assert_int_equal(spn_index_new(index_out), SPN_OK);
	st = spn_index_load_ldif(*index_out, f->ctx, path, what);
	unlink(path);
	free(path);
	return st;
}

static spn_status load_text(fixture *f, spn_index **index_out,
			    const char *text)
{
	return load_parts(f, index_out, text, LOAD_ALL);
}

static const idx_account *account_by_dn(const spn_index *index, const char *dn)
{
	uint32_t i;

	for (i = 0; i < index->n_accounts; i++)
		if (strcmp(idx_s(index, index->accounts[i].dn), dn) == 0)
			return &index->accounts[i];
	return NULL;
}

static const idx_dns_node *node_by_fqdn(const spn_index *index,
					const char *fqdn)
{
	uint32_t i;

	for (i = 0; i < index->n_dns_nodes; i++)
		if (strcmp(idx_s(index, index->dns_nodes[i].fqdn), fqdn) == 0)
			return &index->dns_nodes[i];
	return NULL;
}

static void test_load_accounts(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;
	const idx_account *a;

	assert_int_equal(load_text(f, &index,
		"dn: CN=svc_web,CN=Users,DC=corp,DC=test\n"
		"objectClass: top\n"
		"objectClass: person\n"
		"objectClass: organizationalPerson\n"
		"objectClass: user\n"
		"sAMAccountName: svc_web\n"
		"userAccountControl: 66048\n"
		"servicePrincipalName: http/web01.corp.test\n"
		"servicePrincipalName: http/web01\n"
		"servicePrincipalName: http/2001:db8::15\n"
		"msDS-SupportedEncryptionTypes: 24\n"
		"\n"
		"dn: CN=WS01,CN=Computers,DC=corp,DC=test\n"
		"objectClass: user\n"
		"objectClass: computer\n"
		"sAMAccountName: WS01$\n"
		"userAccountControl: 4096\n"
		"dNSHostName: ws01.corp.test\n"
		"msDS-AdditionalDnsHostName: ws01-alt.corp.test\n"
		"msDS-AdditionalDnsHostName: WS01ALT\n"
		"\n"
		"dn: CN=gmsa1,CN=Managed Service Accounts,DC=corp,DC=test\n"
		"objectClass: computer\n"
		"objectClass: msDS-GroupManagedServiceAccount\n"
		"servicePrincipalName;range=0-*: http/gmsa.corp.test\n"
		"\n"
		"dn: CN=odd,DC=corp,DC=test\n"
		"objectClass: container\n"
		"servicePrincipalName: host/odd\n"
		"userAccountControl: -2147483136\n"
		"\n"
		"dn: CN=plainuser,CN=Users,DC=corp,DC=test\n"
		"objectClass: user\n"
		"sAMAccountName: plainuser\n"
		"\n"), SPN_OK);
	assert_int_equal(spn_index_account_count(index), 4);
	assert_int_equal(spn_index_spn_count(index), 5);

	a = account_by_dn(index, "CN=svc_web,CN=Users,DC=corp,DC=test");
	assert_non_null(a);
	assert_int_equal(a->kind, SPN_ACCOUNT_USER);
	assert_string_equal(idx_s(index, a->sam), "svc_web");
	assert_true(a->has_uac);
	assert_int_equal(a->uac, 66048);
	assert_true(a->has_enc_types);
	assert_int_equal(a->enc_types, 24);
	assert_int_equal(a->n_spns, 3);
	assert_string_equal(idx_s(index, index->spns[a->first_spn + 2].text),
			    "http/2001:db8::15");

	a = account_by_dn(index, "CN=WS01,CN=Computers,DC=corp,DC=test");
	assert_non_null(a);
	assert_int_equal(a->kind, SPN_ACCOUNT_COMPUTER);
	assert_int_equal(a->n_spns, 0);
	assert_string_equal(idx_s(index, a->dns_host), "ws01.corp.test");
	assert_int_equal(a->n_extra, 2);
	assert_string_equal(idx_s(index, index->extra_names[a->first_extra + 1]),
			    "WS01ALT");
	assert_false(a->has_enc_types);

	a = account_by_dn(index,
			  "CN=gmsa1,CN=Managed Service Accounts,DC=corp,DC=test");
	assert_non_null(a);
	assert_int_equal(a->kind, SPN_ACCOUNT_MSA);
	assert_int_equal(a->n_spns, 1);

	a = account_by_dn(index, "CN=odd,DC=corp,DC=test");
	assert_non_null(a);
	assert_int_equal(a->kind, SPN_ACCOUNT_OTHER);
	assert_int_equal(a->uac, 0x80000200u);

	assert_null(account_by_dn(index, "CN=plainuser,CN=Users,DC=corp,DC=test"));
	spn_index_free(index);
}

static void test_load_dns_nodes(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;
	const idx_dns_node *n;
	char text[4096], a1[64], a2[64], cname[80];

	record_a(a1, 127, 0, 0, 61);
	record_a(a2, 127, 0, 0, 1);
	record_cname_fs1(cname);
	snprintf(text, sizeof(text),
		"dn: DC=files,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		"DC=corp,DC=test\n"
		"objectClass: top\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %s\n"
		"dc: files\n"
		"\n"
		"dn: DC=@,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,"
		"DC=test\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %s\n"
		"\n"
		"dn: DC=FS3,DC=Corp.Test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,"
		"DC=test\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %s\n"
		"dnsRecord:: %s\n"
		"\n"
		"dn: DC=old,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,"
		"DC=test\n"
		"objectClass: dnsNode\n"
		"dNSTombstoned: TRUE\n"
		"\n"
		"dn: DC=a\\2Cb,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,"
		"DC=test\n"
		"objectClass: dnsNode\n"
		"dNSTombstoned: FALSE\n"
		"\n"
		"dn: DC=a.root-servers.net,DC=RootDNSServers,CN=MicrosoftDNS,"
		"DC=DomainDnsZones,DC=corp,DC=test\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %s\n"
		"\n"
		"dn: DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,DC=test\n"
		"objectClass: dnsZone\n"
		"\n", cname, a2, a1, a2, a1);
	assert_int_equal(load_text(f, &index, text), SPN_OK);
	assert_int_equal(spn_index_dns_node_count(index), 5);
	assert_int_equal(spn_index_account_count(index), 0);

	n = node_by_fqdn(index, "files.corp.test");
	assert_non_null(n);
	assert_string_equal(idx_s(index, n->zone), "corp.test");
	assert_int_equal(n->n_records, 1);
	assert_int_equal(index->dns_records[n->first_record].type,
			 SPN_DNS_TYPE_CNAME);
	assert_string_equal(idx_s(index, index->dns_records[n->first_record].data),
			    "fs1.corp.test");
	assert_false(n->tombstoned);

	n = node_by_fqdn(index, "corp.test");
	assert_non_null(n);
	assert_string_equal(idx_s(index, index->dns_records[n->first_record].data),
			    "127.0.0.1");

	n = node_by_fqdn(index, "fs3.corp.test");
	assert_non_null(n);
	assert_string_equal(idx_s(index, n->zone), "corp.test");
	assert_int_equal(n->n_records, 2);
	assert_string_equal(idx_s(index, index->dns_records[n->first_record].data),
			    "127.0.0.61");

	n = node_by_fqdn(index, "old.corp.test");
	assert_non_null(n);
	assert_true(n->tombstoned);
	assert_int_equal(n->n_records, 0);

	n = node_by_fqdn(index, "a,b.corp.test");
	assert_non_null(n);
	assert_false(n->tombstoned);
	assert_null(node_by_fqdn(index, "a.root-servers.net.rootdnsservers"));
	spn_index_free(index);
}

/* dnsNode dns as exports write them and as RFC 4514 also allows: the
 * same names either way, and the zone's text kept once for nodes that
 * follow each other in it. */
static void test_load_dns_node_names(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;
	const idx_dns_node *web, *z, *y, *v, *lng, *u;
	char text[4096], name[300];

	memset(name, 'h', 255);   /* the longest RDN value read */
	name[255] = '\0';
	snprintf(text, sizeof(text),
		"dn: DC=Web.,DC=Corp.Test.,CN=MicrosoftDNS,DC=DomainDnsZones,"
		"DC=corp,DC=test\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=z\\2E,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=y,DC=corp.test,CN=MicrosoftDNS\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=x,DC=corp.test,CN=MicrosoftDNSx,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=v,DC=lab.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=%s,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=%sh,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"\n"
		"dn: DC=u, dc=corp.test,cn=microsoftdns\n"
		"objectClass: dnsNode\n"
		"\n", name, name);
	assert_int_equal(load_text(f, &index, text), SPN_OK);
	assert_int_equal(spn_index_dns_node_count(index), 6);
	assert_non_null(web = node_by_fqdn(index, "web.corp.test"));
	assert_non_null(z = node_by_fqdn(index, "z.corp.test"));
	assert_non_null(y = node_by_fqdn(index, "y.corp.test"));
	assert_non_null(v = node_by_fqdn(index, "v.lab.test"));
	snprintf(text, sizeof(text), "%s.corp.test", name);
	assert_non_null(lng = node_by_fqdn(index, text));
	assert_non_null(u = node_by_fqdn(index, "u.corp.test"));
	assert_string_equal(idx_s(index, web->zone), "corp.test");
	assert_string_equal(idx_s(index, v->zone), "lab.test");
	assert_string_equal(idx_s(index, lng->zone), "corp.test");
	assert_string_equal(idx_s(index, u->zone), "corp.test");
	assert_int_equal(z->zone, web->zone);
	assert_int_equal(y->zone, web->zone);
	assert_int_equal(u->zone, lng->zone);
	assert_int_not_equal(lng->zone, web->zone);
	spn_index_free(index);
}

static void test_load_mappings(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;

	assert_int_equal(load_text(f, &index,
		"dn: CN=Directory Service,CN=Windows NT,CN=Services,"
		"CN=Configuration,DC=corp,DC=test\n"
		"objectClass: nTDSService\n"
		"sPNMappings: host=alerter,http, cifs ,,rpc\n"
		"sPNMappings: nonsense\n"
		"\n"), SPN_OK);
	assert_int_equal(index->n_mappings, 4);
	assert_string_equal(idx_s(index, index->mappings[0].alias), "alerter");
	assert_string_equal(idx_s(index, index->mappings[0].target), "host");
	assert_string_equal(idx_s(index, index->mappings[2].alias), "cifs");
	assert_string_equal(idx_s(index, index->mappings[3].alias), "rpc");
	spn_index_free(index);
}

static void assert_load_error(fixture *f, const char *text, const char *message)
{
	spn_index *index = NULL;

	assert_int_equal(load_text(f, &index, text), SPN_E_INPUT);
	if (strstr(spn_ctx_error(f->ctx), message) == NULL)
		fail_msg("error '%s' does not contain '%s'",
			 spn_ctx_error(f->ctx), message);
	spn_index_free(index);
}

static void test_load_refuses_incomplete_ranges(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;

	assert_load_error(f,
		"dn: CN=svc_bulk,DC=corp\n"
		"servicePrincipalName;range=0-1: http/bulk0001\n"
		"servicePrincipalName;range=0-1: http/bulk0002\n"
		"\n",
		":2: 'servicePrincipalName;range=0-1' in 'CN=svc_bulk,DC=corp' "
		"holds only part of the values");
	assert_load_error(f,
		"dn: CN=svc_bulk,DC=corp\n"
		"servicePrincipalName;range=0-1: http/bulk0001\n"
		"servicePrincipalName;range=5-*: http/bulk0006\n"
		"\n",
		":3: 'servicePrincipalName;range=5-*' in 'CN=svc_bulk,DC=corp' "
		"does not continue");
	assert_load_error(f,
		"dn: CN=x,DC=corp\nservicePrincipalName;range=a-*: h/x\n\n",
		"malformed range option");
	/* ranges that follow each other up to '*' are the whole list */
	assert_int_equal(load_text(f, &index,
		"dn: CN=svc_bulk,DC=corp\n"
		"servicePrincipalName;range=0-1: http/bulk0001\n"
		"servicePrincipalName;range=0-1: http/bulk0002\n"
		"servicePrincipalName;range=2-*: http/bulk0003\n"
		"\n"), SPN_OK);
	assert_int_equal(spn_index_spn_count(index), 3);
	spn_index_free(index);
}

static void test_load_refuses_bad_values(void **state)
{
	fixture *f = *state;

	assert_load_error(f,
		"dn: CN=a,DC=corp\nservicePrincipalName: h/a\n"
		"userAccountControl: 12ab\n\n",
		":3: 'userAccountControl' of 'CN=a,DC=corp' is '12ab', not a "
		"32-bit number");
	assert_load_error(f,
		"dn: CN=a,DC=corp\nservicePrincipalName: h/a\n"
		"msDS-SupportedEncryptionTypes: 99999999999\n\n",
		"not a 32-bit number");
	assert_load_error(f,
		"dn: CN=a,DC=corp\nservicePrincipalName:: aC9hAGI=\n\n",
		":2: a value of 'servicePrincipalName' in 'CN=a,DC=corp' "
		"contains a NUL byte");
}

static void on_log(spn_log_level level, const char *message, void *userdata)
{
	char *log = userdata;

	if (level <= SPN_LOG_WARNING && strlen(log) + strlen(message) + 2 < 4096) {
		strcat(log, message);
		strcat(log, "\n");
	}
}

/* Like the live scan: a dnsRecord value that does not decode and a dnsNode
 * outside a zone are skipped with a warning, not fatal. */
static void test_load_skips_what_the_live_scan_skips(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;
	char text[1024], good[64], cut[64], log[4096] = "";
	const idx_dns_node *n;

	record_a(good, 10, 0, 0, 2);
	record_a(cut, 10, 0, 0, 1);
	cut[strlen(cut) - 4] = '\0';   /* one byte short: 27 bytes */
	snprintf(text, sizeof(text),
		 "dn: DC=x,DC=corp.test.,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\ndnsRecord:: %s\n\n"
		 "dn: CN=y,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		 "objectClass: dnsNode\n\n"
		 "dn: DC=z,DC=corp.test,CN=Elsewhere\n"
		 "objectClass: dnsNode\n\n"
		 "dn: DC=a+CN=b,DC=corp.test,CN=MicrosoftDNS\n"
		 "objectClass: dnsNode\n\n", cut, good);
	spn_ctx_set_log(f->ctx, SPN_LOG_DEBUG, on_log, log);
	assert_int_equal(load_text(f, &index, text), SPN_OK);
	spn_ctx_set_log(f->ctx, SPN_LOG_ERROR, NULL, NULL);
	assert_int_equal(spn_index_dns_node_count(index), 1);
	n = node_by_fqdn(index, "x.corp.test");
	assert_non_null(n);
	assert_int_equal(n->n_records, 1);
	assert_string_equal(idx_s(index, index->dns_records[n->first_record].data),
			    "10.0.0.2");
	if (strstr(log, ":3: dnsRecord value 1 of x.corp.test (DC=x,DC=corp.test.,"
			"CN=MicrosoftDNS,DC=DomainDnsZones, 27 bytes) does not "
			"decode") == NULL ||
	    strstr(log, ":6: dnsNode CN=y,CN=MicrosoftDNS,DC=DomainDnsZones is "
			"not DC=<name>,DC=<zone>,CN=MicrosoftDNS,...; skipped") ==
		    NULL ||
	    strstr(log, ":9: dnsNode DC=z,DC=corp.test,CN=Elsewhere is not") ==
		    NULL ||
	    strstr(log, ":12: dnsNode DC=a+CN=b,DC=corp.test,CN=MicrosoftDNS "
			"is not") == NULL)
		fail_msg("unexpected warnings:\n%s", log);
	spn_index_free(index);
}

/* What the parts not asked for cost: DNS entries are skipped unread (a
 * dnsRecord that does not decode goes unnoticed), accounts and
 * sPNMappings are read but not kept. */
static void test_load_only_what_is_asked(void **state)
{
	fixture *f = *state;
	spn_index *index = NULL;
	char text[2048], a1[64];

	record_a(a1, 127, 0, 0, 61);
	snprintf(text, sizeof(text),
		"dn: CN=svc_web,CN=Users,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: http/web01.corp.test\n"
		"\n"
		"dn: DC=fs3,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=c\n"
		" orp,DC=test\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %s\n"
		"\n"
		"dn: dc=a\\,b, dc=corp.test,cn=microsoftdns,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n"
		"dnsRecord:: %%%%%%%%\n"
		"\n"
		"dn: DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,DC=test\n"
		"objectClass: dnsZone\n"
		"\n"
		"dn: CN=svc_odd,CN=MicrosoftDNS,DC=DomainDnsZones,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: http/odd.corp.test\n"
		"\n"
		"dn: CN=Directory Service,CN=Windows NT,CN=Services,"
		"CN=Configuration,DC=corp,DC=test\n"
		"sPNMappings: host=http,cifs\n"
		"\n", a1);
	assert_int_equal(load_parts(f, &index, text, SPN_LOAD_ACCOUNTS), SPN_OK);
	assert_int_equal(spn_index_account_count(index), 2);
	assert_int_equal(spn_index_spn_count(index), 2);
	assert_non_null(account_by_dn(index, "CN=svc_odd,CN=MicrosoftDNS,"
					     "DC=DomainDnsZones,DC=corp,DC=test"));
	assert_int_equal(spn_index_dns_node_count(index), 0);
	assert_int_equal(index->n_mappings, 0);
	spn_index_free(index);

	assert_int_equal(load_parts(f, &index, text,
				    SPN_LOAD_ACCOUNTS | SPN_LOAD_MAPPINGS),
			 SPN_OK);
	assert_int_equal(index->n_mappings, 2);
	assert_int_equal(spn_index_dns_node_count(index), 0);
	spn_index_free(index);

	/* read, the bad dnsRecord fails the load */
	assert_int_equal(load_parts(f, &index, text, SPN_LOAD_DNS), SPN_E_INPUT);
	assert_non_null(strstr(spn_ctx_error(f->ctx), ":12: the value of "
			       "attribute 'dnsRecord' is not valid base64"));
	spn_index_free(index);
	memcpy(strstr(text, "%%%%"), "AAAA", 4);   /* decodes, 3 bytes */
	assert_int_equal(load_parts(f, &index, text, SPN_LOAD_DNS), SPN_OK);
	assert_int_equal(spn_index_account_count(index), 0);
	assert_int_equal(spn_index_dns_node_count(index), 2);
	assert_non_null(node_by_fqdn(index, "fs3.corp.test"));
	spn_index_free(index);

	/* a DNS-only export read for accounts: nothing to report, no error */
	assert_int_equal(load_parts(f, &index,
		"dn: DC=x,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		"objectClass: dnsNode\n\n", SPN_LOAD_ACCOUNTS), SPN_OK);
	assert_int_equal(spn_index_account_count(index), 0);
	spn_index_free(index);

	assert_int_equal(load_parts(f, &index, text, 0), SPN_E_USAGE);
	spn_index_free(index);
	assert_int_equal(load_parts(f, &index, text, SPN_LOAD_DNS | 0x80u),
			 SPN_E_USAGE);
	spn_index_free(index);
}

static void test_load_needs_something(void **state)
{
	fixture *f = *state;

	assert_load_error(f,
		"dn: OU=Staff,DC=corp,DC=test\nobjectClass: organizationalUnit\n\n",
		"1 entries, but no account");
}

static void test_load_parser_errors_fail_the_load(void **state)
{
	fixture *f = *state;

	assert_load_error(f,
		"dn: CN=a,DC=corp\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp\nservicePrincipalName: h/b",
		":5: the last line has no newline");
}

/* ---- the full load in parts on threads against the one-pass load ------- */

/* What a full load gives: status, message, every log line, the index. */
typedef struct full_run {
	spn_status load;
	char error[1024];
	char log[4096];
	char *index;
} full_run;

static void run_full(fixture *f, const char *text, size_t n_parts,
		     full_run *out)
{
	spn_index *index = NULL;
	size_t len = strlen(text);
	char *copy = malloc(len + 1);

	assert_non_null(copy);
	memcpy(copy, text, len + 1);
	free(out->index);
	memset(out, 0, sizeof(*out));
	assert_int_equal(spn_index_new(&index), SPN_OK);
	spn_ctx_clear_error(f->ctx);
	spn_ctx_set_log(f->ctx, SPN_LOG_WARNING, on_log, out->log);
	out->load = spn_index_load_ldif_parts(index, f->ctx, "t.ldif", copy,
					      len, LOAD_ALL, n_parts);
	spn_ctx_set_log(f->ctx, SPN_LOG_ERROR, NULL, NULL);
	snprintf(out->error, sizeof(out->error), "%s", spn_ctx_error(f->ctx));
	out->index = index_digest_text(index);
	assert_non_null(out->index);
	spn_index_free(index);
	free(copy);
}

/* The load in 2 to 8 parts gives what the one-pass load gives: status,
 * message, warnings (with their line numbers) and index. */
static void assert_same_full(fixture *f, const char *text)
{
	static full_run one, parts;
	size_t n;

	run_full(f, text, 1, &one);
	for (n = 2; n <= 8; n++) {
		run_full(f, text, n, &parts);
		assert_int_equal(parts.load, one.load);
		assert_string_equal(parts.error, one.error);
		assert_string_equal(parts.log, one.log);
		assert_string_equal(parts.index, one.index);
	}
	free(one.index);
	free(parts.index);
	one.index = parts.index = NULL;
}

static void test_full_load_in_parts(void **state)
{
	fixture *f = *state;
	char text[8192], a1[64], a2[64], cname[80], bad[64];
	size_t starts[SPN_LDIF_MAX_PARTS + 1];
	const char *accounts =
		"dn: CN=WS01,OU=Computers,DC=corp,DC=test\n"
		"objectClass: computer\n"
		"sAMAccountName: WS01$\n"
		"dNSHostName: ws01.corp.test\n"
		"msDS-AdditionalDnsHostName: alias.corp.test\n"
		"userAccountControl: 4096\n"
		"servicePrincipalName: HOST/ws01.corp.test\n"
		"servicePrincipalName: HOST/WS01\n"
		"\n"
		"dn: CN=svc,CN=Users,DC=corp,DC=test\n"
		"sAMAccountName: svc\n"
		"userAccountControl: 514\n"
		"msDS-SupportedEncryptionTypes: 4\n"
		"servicePrincipalName: http/WS01.corp.test\n"
		"servicePrincipalName:: aHR0cC9hcHAuY29ycC50ZXN0\n"
		"\n";
	const char *mappings =
		"dn: CN=Directory Service,CN=Windows NT,CN=Services,"
		"CN=Configuration,DC=corp,DC=test\n"
		"sPNMappings: host=alerter,http,cifs\n"
		"\n";

	record_a(a1, 127, 0, 0, 61);
	record_a(a2, 127, 0, 0, 1);
	record_cname_fs1(cname);
	snprintf(text, sizeof(text),
		 "%s"
		 "dn: DC=files,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		 "DC=corp,DC=test\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\n\n"
		 "%s"
		 "dn: DC=app,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		 "DC=corp,DC=test\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\ndnsRecord:: %s\n\n"
		 "dn: DC=old,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		 "DC=corp,DC=test\n"
		 "objectClass: dnsNode\ndNSTombstoned: TRUE\n\n"
		 "dn: DC=a.root-servers.net,DC=RootDNSServers,CN=MicrosoftDNS,"
		 "DC=DomainDnsZones,DC=corp,DC=test\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\n\n"
		 "%s"
		 "dn: CN=svc2,CN=Users,DC=corp,DC=test\n"
		 "servicePrincipalName: HTTP/app.corp.test\n"
		 "servicePrincipalName: host/ws01.CORP.test\n\n",
		 accounts, cname, mappings, a1, a2, a1, accounts);
	/* it is cut into parts indeed */
	assert_int_equal(spn_ldif_split(text, strlen(text), 8, starts), 8);
	assert_same_full(f, text);

	/* a warning in a later part: said once, with its line (a record
	 * that does not decode, a node of another shape) */
	record_a(bad, 10, 0, 0, 1);
	bad[strlen(bad) - 4] = '\0';
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
		 "dn: DC=x,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\n\n", bad);
	assert_same_full(f, text);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
		 "dn: DC=y+CN=z,DC=corp.test,CN=MicrosoftDNS\n"
		 "objectClass: dnsNode\ndnsRecord:: %s\n\n", a1);
	assert_same_full(f, text);
	/* an error in a later part: the one-pass load's message */
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
		 "dn: CN=late,DC=corp,DC=test\nservicePrincipalName:: %%%%\n\n");
	assert_same_full(f, text);
}

/* The index spn_index_load_ldif makes of the file at path (holding text,
 * used bytes), after first (when not NULL) was loaded, equals the one the
 * one-pass load makes of the same bytes. */
static void assert_file_load_is_one_pass(fixture *f, const char *path,
					 const char *text, size_t used,
					 const char *first)
{
	spn_index *index = NULL;
	char *digest[2];
	int k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(spn_index_new(&index), SPN_OK);
		if (first != NULL)
			assert_int_equal(spn_index_load_ldif_parts(
				index, f->ctx, "a.ldif", first, strlen(first),
				LOAD_ALL, 1), SPN_OK);
		if (k == 0)
			assert_int_equal(spn_index_load_ldif_parts(
				index, f->ctx, "t.ldif", text, used,
				LOAD_ALL, 1), SPN_OK);
		else
			assert_int_equal(spn_index_load_ldif(index, f->ctx,
							     path, LOAD_ALL),
					 SPN_OK);
		digest[k] = index_digest_text(index);
		spn_index_free(index);
		assert_non_null(digest[k]);
	}
	assert_string_equal(digest[1], digest[0]);
	free(digest[0]);
	free(digest[1]);
}

/* An export of 9 MB read from its file (mapped, in parts by its size)
 * gives the index the one-pass load gives: alone, and after a first load
 * into the same index (appended to what it holds). */
static void test_full_load_big_file(void **state)
{
	fixture *f = *state;
	size_t cap = (size_t)9 << 20, used = 0, i;
	char *text = malloc(cap + 1024), *path, rec[64];
	const char *first = "dn: CN=first,DC=corp,DC=test\n"
			    "servicePrincipalName: http/web7.corp.test\n\n";

	assert_non_null(text);
	for (i = 0; used < cap; i++) {
		record_a(rec, 10, (unsigned char)(i >> 16),
			 (unsigned char)(i >> 8), (unsigned char)i);
		used += (size_t)snprintf(text + used, cap + 1024 - used,
			"dn: CN=WEB%zu,OU=Servers,DC=corp,DC=test\n"
			"objectClass: computer\n"
			"sAMAccountName: WEB%zu$\n"
			"userAccountControl: 4096\n"
			"dNSHostName: web%zu.corp.test\n"
			"servicePrincipalName: HOST/web%zu.corp.test\n"
			"servicePrincipalName: http/WEB%zu.corp.test\n"
			"%s\n"
			"dn: DC=web%zu,DC=corp.test,CN=MicrosoftDNS,"
			"DC=DomainDnsZones,DC=corp,DC=test\n"
			"objectClass: dnsNode\n"
			"dnsRecord:: %s\n\n",
			i, i, i, i, i % 500,
			/* base64 (http/app): the parser reads this entry */
			i % 7 ? "" : "servicePrincipalName:: aHR0cC9hcHA=\n",
			i, rec);
		if (i == 1000)
			used += (size_t)snprintf(text + used, cap + 1024 - used,
				"dn: CN=Directory Service,CN=Windows NT,"
				"CN=Services,CN=Configuration,DC=corp,DC=test\n"
				"sPNMappings: host=alerter,http,cifs\n\n");
	}
	path = write_file(text, used);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		assert_true(spn_ldif_part_count(used) > 1);

	/* the reference: one pass over the same bytes; then the same into an
	 * index that holds something already */
	assert_file_load_is_one_pass(f, path, text, used, NULL);
	assert_file_load_is_one_pass(f, path, text, used, first);
	unlink(path);
	free(path);
	free(text);
}

/* ---- the dup check's load (SPN_LOAD_SHARED_ONLY) against the full load -- */

/* What a load and the dup check over it give, as text. */
typedef struct dup_run {
	spn_status load;
	char error[1024];
	size_t accounts, spns;      /* as spncheck prints them */
	size_t kept;                /* accounts in the index */
	size_t n_findings;
	char findings[20000];
} dup_run;

static void run_dup(fixture *f, const char *text, size_t len,
		    unsigned int what, size_t n_parts, dup_run *out)
{
	spn_index *index = NULL;
	spn_findings *findings = NULL;
	char *copy = malloc(len > 0 ? len : 1);
	size_t i, j, used = 0;

	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(out, 0, sizeof(*out));
	assert_int_equal(spn_index_new(&index), SPN_OK);
	spn_ctx_clear_error(f->ctx);
	out->load = spn_index_load_ldif_parts(index, f->ctx, "t.ldif", copy,
					      len, what, n_parts);
	snprintf(out->error, sizeof(out->error), "%s", spn_ctx_error(f->ctx));
	out->accounts = spn_index_account_count(index);
	out->spns = spn_index_spn_count(index);
	out->kept = index->n_accounts;
	if (out->load == SPN_OK) {
		assert_int_equal(spn_findings_new(&findings), SPN_OK);
		assert_int_equal(spn_check_run(f->ctx, index, "dup", findings),
				 SPN_OK);
		out->n_findings = spn_findings_count(findings);
		for (i = 0; i < spn_findings_count(findings); i++) {
			const spn_finding *x = spn_findings_get(findings, i);

			used += (size_t)snprintf(out->findings + used,
						 sizeof(out->findings) - used,
						 "%s|%s|", x->message,
						 x->fix != NULL ? x->fix : "");
			for (j = 0; j < x->n_accounts; j++)
				used += (size_t)snprintf(
					out->findings + used,
					sizeof(out->findings) - used, "%s;",
					x->accounts[j].dn);
			used += (size_t)snprintf(out->findings + used,
						 sizeof(out->findings) - used,
						 "\n");
			assert_true(used < sizeof(out->findings));
		}
		spn_findings_free(findings);
	}
	spn_index_free(index);
	free(copy);
}

/* The dup check over the two-pass load, its first pass in 1 to 8 parts
 * (0: as chosen by size), gives what it gives over the full load: the same
 * status and message, counts and findings. Returns the full load's run
 * and, in *kept_out, how many accounts the two-pass load kept. */
static dup_run *assert_same_dup(fixture *f, const char *text,
				size_t *kept_out)
{
	static dup_run full, shared;
	static const size_t parts[] = { 0, 1, 2, 3, 4, 5, 7, 8 };
	size_t i, len = strlen(text);

	run_dup(f, text, len, SPN_LOAD_ACCOUNTS, 0, &full);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		run_dup(f, text, len, SPN_LOAD_ACCOUNTS | SPN_LOAD_SHARED_ONLY,
			parts[i], &shared);
		assert_int_equal(shared.load, full.load);
		assert_string_equal(shared.error, full.error);
		assert_int_equal(shared.accounts, full.accounts);
		assert_int_equal(shared.spns, full.spns);
		assert_string_equal(shared.findings, full.findings);
		if (i == 0 && kept_out != NULL)
			*kept_out = shared.kept;
		if (i > 0 && kept_out != NULL)
			assert_int_equal(shared.kept, *kept_out);
	}
	return &full;
}

static void test_shared_only_keeps_the_holders(void **state)
{
	fixture *f = *state;
	size_t kept = 0;
	dup_run *r;

	/* case variants are one key; only their holders are kept */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: http/web.corp.test\n"
		"servicePrincipalName: http/only-a\n"
		"\n"
		"dn: CN=b,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: HTTP/Web.Corp.Test\n"
		"\n"
		"dn: CN=c,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: http/c\n"
		"\n"
		"dn: CN=ws1,DC=corp,DC=test\n"
		"objectClass: computer\n"
		"\n", &kept);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->accounts, 4);
	assert_int_equal(r->spns, 4);
	assert_int_equal(r->n_findings, 1);
	assert_non_null(strstr(r->findings, "different case"));
	assert_int_equal(kept, 2);

	/* no duplicate: nothing kept, everything counted */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName: h/b\n"
		"servicePrincipalName:\n\n", &kept);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->accounts, 2);
	assert_int_equal(r->spns, 2);    /* the empty value is not kept */
	assert_string_equal(r->findings, "");
	assert_int_equal(kept, 0);

	/* one account holding two variants is kept, and is no duplicate */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n"
		"servicePrincipalName: H/A\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName: h/b\n\n",
		&kept);
	assert_string_equal(r->findings, "");
	assert_int_equal(kept, 1);
}

static void test_shared_only_encodings(void **state)
{
	fixture *f = *state;
	size_t kept = 0;
	char text[2048];
	char b64[64];
	dup_run *r;

	/* non-ASCII: spn_key folds Unicode case (U+00C9 and U+00E9) */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\n"
		"servicePrincipalName: http/caf\xc3\xa9.corp.test\n\n"
		"dn: CN=b,DC=corp,DC=test\n"
		"servicePrincipalName: HTTP/CAF\xc3\x89.corp.test\n\n"
		"dn: CN=c,DC=corp,DC=test\n"
		"servicePrincipalName: http/caf\xc3\xa8.corp.test\n\n", &kept);
	assert_int_equal(r->n_findings, 1);
	assert_int_equal(kept, 2);

	/* base64 and a folded line hold the same SPN as a plain line */
	base64((const unsigned char *)"cifs/fs1.corp.test", 18, b64);
	snprintf(text, sizeof(text),
		 "dn: CN=a,DC=corp,DC=test\n"
		 "servicePrincipalName:: %s\n\n"
		 "dn: CN=b,DC=corp,DC=test\n"
		 "servicePrincipalName: cifs/fs1.co\n rp.test\n\n"
		 "dn: CN=c,DC=corp,DC=test\n"
		 "servicePrincipalName: CIFS/fs1.corp.test\n\n"
		 "dn: CN=d,DC=corp,DC=test\n"
		 "servicePrincipalName: cifs/fs2.corp.test\n\n", b64);
	r = assert_same_dup(f, text, &kept);
	assert_int_equal(r->n_findings, 1);
	assert_non_null(strstr(r->findings, "held by 3 accounts"));
	assert_int_equal(kept, 3);

	/* CR LF line ends, a folded dn */
	r = assert_same_dup(f,
		"version: 1\r\n\r\n"
		"dn: CN=a,DC=co\r\n rp,DC=test\r\n"
		"servicePrincipalName: h/x\r\n\r\n"
		"dn: CN=b,DC=corp,DC=test\r\n"
		"servicePrincipalName: h/y\r\n\r\n"
		"dn: CN=c,DC=corp,DC=test\r\n"
		"servicePrincipalName: H/X\r\n\r\n", &kept);
	assert_int_equal(r->n_findings, 1);
	assert_non_null(strstr(r->findings, "CN=a,DC=corp,DC=test;"));
	assert_int_equal(kept, 2);
}

static void test_shared_only_between_dns_entries(void **state)
{
	fixture *f = *state;
	size_t kept = 0;
	dup_run *r;

	/* accounts among the DNS entries that dup skips unread, one with a
	 * DC= dn outside MicrosoftDNS (an account, not skipped) */
	r = assert_same_dup(f,
		"dn: DC=web,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		"DC=corp,DC=test\n"
		"objectClass: dnsNode\n"
		"servicePrincipalName: http/web\n\n"
		"dn: CN=a,DC=corp,DC=test\n"
		"servicePrincipalName: http/web\n\n"
		"dn: DC=ws,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,"
		"DC=corp,DC=test\n"
		"objectClass: dnsNode\n\n"
		"dn: DC=web,DC=corp,DC=test\n"
		"objectClass: user\n"
		"servicePrincipalName: HTTP/WEB\n\n", &kept);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->accounts, 2);
	assert_int_equal(r->n_findings, 1);
	assert_int_equal(kept, 2);
}

static void test_shared_only_plain_and_parsed_entries(void **state)
{
	fixture *f = *state;
	size_t kept = 0;
	dup_run *r;

	/* entries the first pass reads as plain text next to ones it leaves
	 * to the parser (ldif_plain.c): flags with leading zeros, a folded
	 * SPN, a comment, a base64 value not read; skipped DNS entries with a
	 * folded dn and with a comment */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\n"
		"objectClass: computer\n"
		"userAccountControl: 00000004096\n"
		"servicePrincipalName: HOST/a\n\n"
		"dn: DC=a,DC=corp.test,CN=MicrosoftDNS,DC=DomainDnsZones,DC=c\n"
		" orp,DC=test\n"
		"objectClass: dnsNode\n"
		"# a comment\n"
		"dnsRecord:: BAABAA==\n\n"
		"dn: CN=b,DC=corp,DC=test\n"
		"servicePrincipalName: host/\n"
		" A\n"
		"description: x\n\n"
		"dn: CN=c,DC=corp,DC=test\n"
		"# a comment\n"
		"servicePrincipalName: HOST/A\n\n"
		"dn: CN=d,DC=corp,DC=test\n"
		"description:: eAB5\n"
		"servicePrincipalName: host/a\n\n"
		"dn: CN=e,DC=corp,DC=test\n"
		"servicePrincipalName: host/e\n\n", &kept);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->accounts, 5);
	assert_int_equal(r->n_findings, 1);
	assert_non_null(strstr(r->findings, "held by 4 accounts"));
	assert_int_equal(kept, 4);
}

static void test_shared_only_errors_are_the_full_loads(void **state)
{
	fixture *f = *state;
	dup_run *r;

	/* a bad userAccountControl on an account with no duplicate */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nuserAccountControl: 12x\n"
		"servicePrincipalName: h/b\n\n"
		"dn: CN=c,DC=corp,DC=test\nservicePrincipalName: H/A\n\n",
		NULL);
	assert_int_equal(r->load, SPN_E_INPUT);
	assert_non_null(strstr(r->error, "t.ldif:5: 'userAccountControl' of "
				       "'CN=b,DC=corp,DC=test' is '12x'"));
	/* out of range, and an unfinished SPN range, far from the start */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName: h/b\n\n"
		"dn: CN=c,DC=corp,DC=test\n"
		"msDS-SupportedEncryptionTypes: 4294967296\n"
		"servicePrincipalName: h/c\n\n", NULL);
	assert_non_null(strstr(r->error, "t.ldif:8:"));
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName: h/b\n\n"
		"dn: CN=c,DC=corp,DC=test\n"
		"servicePrincipalName;range=0-1: h/c\n\n", NULL);
	assert_non_null(strstr(r->error, "holds only part of the values"));
	/* a NUL in a value, a malformed line, a missing newline */
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName:: aC9iAA==\n\n",
		NULL);
	assert_non_null(strstr(r->error, "contains a NUL byte"));
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nno colon here\n\n", NULL);
	assert_non_null(strstr(r->error, "t.ldif:5:"));
	r = assert_same_dup(f,
		"dn: CN=a,DC=corp,DC=test\nservicePrincipalName: h/a\n\n"
		"dn: CN=b,DC=corp,DC=test\nservicePrincipalName: h/a", NULL);
	assert_non_null(strstr(r->error, "t.ldif:5: the last line"));
	/* nothing to load; no entries */
	r = assert_same_dup(f, "dn: OU=x,DC=corp\nobjectClass: ou\n\n", NULL);
	assert_non_null(strstr(r->error, "1 entries, but no account"));
	r = assert_same_dup(f, "", NULL);
	assert_non_null(strstr(r->error, "no entries"));
	r = assert_same_dup(f, "\xff\xfe" "d\0n\0", NULL);
	assert_non_null(strstr(r->error, "UTF-16"));
}

static void test_shared_only_ldapsearch_in_parts(void **state)
{
	fixture *f = *state;
	char text[4 * sizeof(ldapsearch_paged)];
	dup_run *r;
	char *count;
	size_t n, full = strlen(ldapsearch_paged);

	/* the header, the counts and the trailer land in different parts */
	snprintf(text, sizeof(text), "%s%s", ldapsearch_paged,
		 ldapsearch_paged);
	r = assert_same_dup(f, text, NULL);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->n_findings, 2);
	snprintf(text, sizeof(text), "%s%s", ldapsearch_output,
		 ldapsearch_paged);
	r = assert_same_dup(f, text, NULL);
	assert_int_equal(r->load, SPN_OK);
	/* a count that does not match, in the second export */
	snprintf(text, sizeof(text), "%s%s", ldapsearch_paged,
		 ldapsearch_paged);
	count = strstr(text + full, "# numEntries: 2");
	assert_non_null(count);
	count[14] = '3';
	r = assert_same_dup(f, text, NULL);
	assert_int_equal(r->load, SPN_E_INPUT);
	assert_non_null(strstr(r->error, "ldapsearch counted 3 entries"));
	/* cut anywhere: the same answer as the full load */
	for (n = 0; n <= full; n += 7) {
		memcpy(text, ldapsearch_paged, n);
		text[n] = '\0';
		(void)assert_same_dup(f, text, NULL);
	}
	/* a count right after an entry (no blank line) includes it */
	r = assert_same_dup(f, "# LDAPv3\ndn: CN=a\nservicePrincipalName: h/a\n"
			       "# numResponses: 2\n# numEntries: 1\n", NULL);
	assert_int_equal(r->load, SPN_OK);
}

static void test_shared_only_every_entry_near_a_split(void **state)
{
	fixture *f = *state;
	char text[8192];
	size_t i, used = 0, kept = 0;
	dup_run *r;

	/* 24 accounts, every third SPN shared with the next account: with
	 * 2 to 8 parts, split points fall next to held and shared entries */
	for (i = 0; i < 24; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
			"dn: CN=acct%02zu,DC=corp,DC=test\n"
			"objectClass: user\n"
			"servicePrincipalName: svc/own%02zu\n"
			"servicePrincipalName: SVC/Shared%02zu\n\n",
			i, i, i / 2);
	r = assert_same_dup(f, text, &kept);
	assert_int_equal(r->load, SPN_OK);
	assert_int_equal(r->n_findings, 12);
	assert_int_equal(kept, 24);
	assert_int_equal(r->accounts, 24);
	assert_int_equal(r->spns, 48);
}

/* The reader in parts: split points, and the same entries at the same
 * lines as the one-pass reader. */
static spn_status on_part_entry(spn_ctx *ctx, const spn_ldif_entry *e,
				void *userdata)
{
	seen *s = userdata;
	char where[64];

	if (s->entries == 0) {
		s->first_line = e->line;
		s->first_offset = e->offset;
	}
	if (s->no_lines)
		snprintf(where, sizeof(where), "@%zu-%zu:", e->offset, e->end);
	else
		snprintf(where, sizeof(where), "@%zu-%zu:%zu:%zu:", e->offset,
			 e->end, e->line,
			 e->n_attrs > 0 ? e->attrs[e->n_attrs - 1].line : 0);
	add_text(s, where, strlen(where));
	return on_entry(ctx, e, userdata);
}

/* Where each entry is, for spn_ldif_parse_entries. */
typedef struct range_list {
	spn_ldif_range items[64];
	size_t n;
} range_list;

static spn_status on_range(spn_ctx *ctx, const spn_ldif_entry *e,
			   void *userdata)
{
	range_list *r = userdata;

	(void)ctx;
	assert_true(r->n < 64);
	r->items[r->n].offset = e->offset;
	r->items[r->n].end = e->end;
	r->items[r->n].line = e->line;
	r->n++;
	return SPN_OK;
}

static void test_split_reader(void **state)
{
	fixture *f = *state;
	static seen parts[8];
	void *userdata[8];
	size_t starts[9], base[8], n, i, k;
	static char want[sizeof(((seen *)0)->text)];
	static char want_parts[sizeof(((seen *)0)->text)];
	static range_list ranges;
	char text[2 * sizeof(ldapsearch_paged)];
	char *got = NULL;

	/* split points: a dn: line after a blank line, LF or CR LF */
	n = spn_ldif_split("dn: a\n\ndn: b\n\ndn: c\n", 20, 3, starts);
	assert_int_equal(n, 3);
	assert_int_equal(starts[1], 7);
	assert_int_equal(starts[2], 14);
	assert_int_equal(starts[3], 20);
	n = spn_ldif_split("dn: a\r\n\r\nDN: b\r\n", 16, 2, starts);
	assert_int_equal(n, 2);
	assert_int_equal(starts[1], 9);
	n = spn_ldif_split("dn: a\nx: dn: b\n dn: c\n\nversion: 1\n", 34, 4,
			   starts);
	assert_int_equal(n, 1);
	assert_int_equal(starts[1], 34);
	/* ldapsearch's comment before an entry starts a part too */
	n = spn_ldif_split("dn: a\nx: dn: b\n dn: c\n\n# d\ndn: d\n", 34, 4,
			   starts);
	assert_int_equal(n, 2);
	assert_int_equal(starts[1], 23);

	snprintf(text, sizeof(text), "%s%s", ldapsearch_paged,
		 ldapsearch_paged);
	f->seen.len = 0;
	f->seen.text[0] = '\0';
	assert_int_equal(spn_ldif_parse_buffer(f->ctx, "t.ldif", text,
					       strlen(text), NULL,
					       on_part_entry, &f->seen),
			 SPN_OK);
	snprintf(want, sizeof(want), "%s", f->seen.text);
	f->seen.len = 0;
	f->seen.text[0] = '\0';
	f->seen.no_lines = 1;
	assert_int_equal(spn_ldif_parse_buffer(f->ctx, "t.ldif", text,
					       strlen(text), NULL,
					       on_part_entry, &f->seen),
			 SPN_OK);
	snprintf(want_parts, sizeof(want_parts), "%s", f->seen.text);
	f->seen.no_lines = 0;
	/* the entries read again from their ranges: the same, at the same
	 * lines, the comments between them ignored */
	memset(&ranges, 0, sizeof(ranges));
	assert_int_equal(spn_ldif_parse_buffer(f->ctx, "t.ldif", text,
					       strlen(text), NULL, on_range,
					       &ranges), SPN_OK);
	assert_int_equal(ranges.n, 4);
	f->seen.len = 0;
	f->seen.text[0] = '\0';
	assert_int_equal(spn_ldif_parse_entries(f->ctx, "t.ldif", text, 0,
						ranges.items, ranges.n,
						on_part_entry, NULL,
						&f->seen),
			 SPN_OK);
	assert_string_equal(f->seen.text, want);
	for (k = 2; k <= 8; k++) {
		n = spn_ldif_split(text, strlen(text), k, starts);
		assert_true(n >= 2);
		for (i = 0; i < n; i++) {
			memset(&parts[i], 0, sizeof(parts[i]));
			parts[i].no_lines = 1;
			userdata[i] = &parts[i];
		}
		assert_int_equal(spn_ldif_parse_split("t.ldif", text,
						      strlen(text), 0, starts,
						      n, NULL, on_part_entry,
						      NULL, NULL, NULL,
						      userdata, base),
				 SPN_OK);
		got = calloc(1, sizeof(want));
		assert_non_null(got);
		for (i = 0; i < n; i++)
			strcat(got, parts[i].text);
		assert_string_equal(got, want_parts);
		free(got);
		/* a part counts lines from its start: base[i] lines before */
		assert_int_equal(base[0], 0);
		for (i = 0; i < n; i++) {
			size_t r;

			if (parts[i].entries == 0)
				continue;
			for (r = 0; r < ranges.n &&
			     ranges.items[r].offset != parts[i].first_offset;
			     r++)
				;
			assert_true(r < ranges.n);
			assert_int_equal(parts[i].first_line + base[i],
					 ranges.items[r].line);
		}
	}
	/* a wrong count in the second export: each part parses, the check
	 * after the join fails */
	strstr(text + strlen(ldapsearch_paged), "# numEntries: 2")[14] = '5';
	n = spn_ldif_split(text, strlen(text), 4, starts);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		memset(&parts[i], 0, sizeof(parts[i]));
		userdata[i] = &parts[i];
	}
	assert_int_equal(spn_ldif_parse_split("t.ldif", text, strlen(text), 0,
					      starts, n, NULL, on_part_entry,
					      NULL, NULL, NULL, userdata, base),
			 SPN_E_INPUT);
	assert_int_equal(parts[n - 1].entries, 1);
}

/* What begin and the entry callback saw of one part of a split parse. */
typedef struct begun {
	int n_begun, in_order, fail;
	size_t order;           /* of the parts begun in order: its turn */
	size_t *n_in_order;     /* the parts begun in order so far */
	size_t entries;
	size_t early;           /* entries before begin (or after another) */
} begun;

static spn_status on_begin(void *userdata, int in_order)
{
	begun *b = userdata;
	const struct timespec pause = { 0, 1000000 };

	b->n_begun++;
	b->in_order = in_order;
	if (in_order)
		b->order = (*b->n_in_order)++;   /* one thread: no race */
	/* long enough for every thread to take parts */
	nanosleep(&pause, NULL);
	return b->fail ? SPN_E_INPUT : SPN_OK;
}

static spn_status on_begun_entry(spn_ctx *ctx, const spn_ldif_entry *e,
				 void *userdata)
{
	begun *b = userdata;

	(void)ctx;
	(void)e;
	/* on a worker thread: the test asserts afterwards */
	if (b->n_begun != 1)
		b->early++;
	b->entries++;
	return SPN_OK;
}

/* begin comes first in each part, once; the parts begun in order are the
 * first ones, in their order (the calling thread's: the parts that may go
 * straight into the caller's index); a begin that fails fails the parse. */
static void test_split_begin(void **state)
{
	char text[64 * 40];
	size_t starts[9], base[8], n, i, k, len = 0, n_in_order, entries;
	begun parts[8];
	void *userdata[8];
	int round, fail_at;

	(void)state;
	for (i = 0; i < 64; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"dn: CN=e%02zu,DC=x\nname: e%02zu\n\n",
					i, i);
	for (round = 0; round < 20; round++) {
		n = spn_ldif_split(text, len, 8, starts);
		assert_int_equal(n, 8);
		n_in_order = 0;
		fail_at = round % 10 == 9 ? round % 8 : -1;
		for (i = 0; i < n; i++) {
			memset(&parts[i], 0, sizeof(parts[i]));
			parts[i].n_in_order = &n_in_order;
			parts[i].fail = (int)i == fail_at;
			userdata[i] = &parts[i];
		}
		if (fail_at >= 0) {
			assert_int_not_equal(spn_ldif_parse_split(
				"t.ldif", text, len, 0, starts, n, NULL,
				on_begun_entry, NULL, on_begin, NULL,
				userdata, base), SPN_OK);
			continue;
		}
		assert_int_equal(spn_ldif_parse_split("t.ldif", text, len, 0,
						      starts, n, NULL,
						      on_begun_entry, NULL,
						      on_begin, NULL,
						      userdata, base),
				 SPN_OK);
		for (k = 0; k < n && parts[k].in_order; k++)
			assert_int_equal(parts[k].order, k);
		assert_int_equal(k, n_in_order);
		for (i = 0, entries = 0; i < n; i++) {
			assert_int_equal(parts[i].n_begun, 1);
			assert_int_equal(parts[i].early, 0);
			assert_int_equal(parts[i].in_order, i < k);
			entries += parts[i].entries;
		}
		assert_int_equal(entries, 64);
	}
}

/* A big file (over 8 MB) is read in parts on threads; the answer is the
 * full load's, and the accounts kept hold only their shared SPNs. */
static void test_shared_only_big_file(void **state)
{
	fixture *f = *state;
	size_t cap = (size_t)9 << 20, used = 0, i, j, kept = 0, n_kept;
	char *text = malloc(cap + 512);
	char *path;
	spn_index *index = NULL, *full = NULL;
	spn_findings *a = NULL, *b = NULL;

	assert_non_null(text);
	for (i = 0; used < cap; i++)
		used += (size_t)snprintf(text + used, cap + 512 - used,
			"dn: CN=acct%07zu,OU=Service Accounts,DC=corp,DC=test\n"
			"objectClass: user\n%s"
			"sAMAccountName: acct%zu\n"
			"userAccountControl: %zu\n"
			"dNSHostName: web%zu.corp.test\n"
			"msDS-AdditionalDnsHostName: alias%zu.corp.test\n"
			"servicePrincipalName: http/web%zu.corp.test\n"
			"servicePrincipalName:\n"
			"servicePrincipalName: %s/%s%zu.corp.test\n"
			"msDS-SupportedEncryptionTypes: %zu\n\n",
			i, i % 2 ? "objectClass: computer\n" : "", i,
			512 + i % 4096, i, i,
			i, i % 1000 == 0 ? "HTTP" : "cifs",
			i % 1000 == 0 ? "WEB" : "fs", i % 1000 == 0 ? i + 1 : i,
			i % 32);
	path = write_file(text, used);
	assert_int_equal(spn_index_new(&index), SPN_OK);
	assert_int_equal(spn_index_new(&full), SPN_OK);
	assert_int_equal(spn_index_load_ldif(index, f->ctx, path,
					     SPN_LOAD_ACCOUNTS |
						     SPN_LOAD_SHARED_ONLY),
			 SPN_OK);
	assert_int_equal(spn_index_load_ldif(full, f->ctx, path,
					     SPN_LOAD_ACCOUNTS), SPN_OK);
	assert_int_equal(spn_index_account_count(index),
			 spn_index_account_count(full));
	assert_int_equal(spn_index_spn_count(index), spn_index_spn_count(full));
	assert_int_equal(spn_index_account_count(full), i);
	kept = index->n_accounts;
	assert_true(kept > 0 && kept < i / 100);
	/* each account kept is as the full load has it */
	for (j = 0; j < kept; j++) {
		const idx_account *x = &index->accounts[j];
		const idx_account *y = account_by_dn(full, idx_s(index, x->dn));
		uint32_t k;

		assert_non_null(y);
		assert_string_equal(idx_s(index, x->sam), idx_s(full, y->sam));
		assert_string_equal(idx_s(index, x->dns_host),
				    idx_s(full, y->dns_host));
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->uac, y->uac);
		assert_int_equal(x->has_uac, y->has_uac);
		assert_int_equal(x->enc_types, y->enc_types);
		assert_int_equal(x->has_enc_types, y->has_enc_types);
		assert_int_equal(x->n_extra, y->n_extra);
		/* of its SPNs, those whose key another value also has, in
		 * order: here its one shared SPN */
		n_kept = 0;
		for (k = 0; k < y->n_spns; k++) {
			const char *t = idx_s(full,
					      full->spns[y->first_spn + k].text);
			uint32_t head = idx_find_spn(full, t);

			assert_true(head != IDX_NONE);
			if (full->spns[head].next_same == IDX_NONE)
				continue;
			assert_true(n_kept < x->n_spns);
			assert_string_equal(
				idx_s(index,
				      index->spns[x->first_spn + n_kept].text),
				t);
			n_kept++;
		}
		assert_int_equal(x->n_spns, n_kept);
		assert_int_equal(n_kept, 1);
		for (k = 0; k < x->n_extra; k++)
			assert_string_equal(
				idx_s(index, index->extra_names[x->first_extra + k]),
				idx_s(full, full->extra_names[y->first_extra + k]));
		/* in file order */
		if (j > 0)
			assert_true(strcmp(idx_s(index, x->dn),
					   idx_s(index, x[-1].dn)) > 0);
	}
	assert_int_equal(spn_findings_new(&a), SPN_OK);
	assert_int_equal(spn_findings_new(&b), SPN_OK);
	assert_int_equal(spn_check_run(f->ctx, index, "dup", a), SPN_OK);
	assert_int_equal(spn_check_run(f->ctx, full, "dup", b), SPN_OK);
	assert_int_equal(spn_findings_count(a), spn_findings_count(b));
	assert_true(spn_findings_count(a) > 0);
	for (i = 0; i < spn_findings_count(a); i++)
		assert_string_equal(spn_findings_get(a, i)->message,
				    spn_findings_get(b, i)->message);
	spn_findings_free(a);
	spn_findings_free(b);
	spn_index_free(index);
	spn_index_free(full);
	unlink(path);
	free(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_comments_and_blank_lines,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folded_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_and_ldifde, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attribute_options, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_not_ldif, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_byte_order_marks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_trailing_newline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_dn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urls_are_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ldapsearch_output, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ldapsearch_paged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ldapsearch_concatenated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ldapsearch_incomplete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ldapsearch_truncated_at_every_length,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped_entries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_dns_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_dns_node_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_incomplete_ranges,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_bad_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_skips_what_the_live_scan_skips,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_only_what_is_asked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_needs_something, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_parser_errors_fail_the_load,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_keeps_the_holders,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_encodings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_between_dns_entries,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_plain_and_parsed_entries,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_errors_are_the_full_loads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_ldapsearch_in_parts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_only_every_entry_near_a_split,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_reader, setup, teardown),
		cmocka_unit_test(test_split_begin),
		cmocka_unit_test_setup_teardown(test_shared_only_big_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_load_in_parts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_load_big_file, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
