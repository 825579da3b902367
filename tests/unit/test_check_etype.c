/* test_check_etype.c - the etype check over synthetic accounts. */
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

static const spn_finding *run(struct fixture *f, size_t expect)
{
	return fixture_run(f, "etype", expect);
}

static void test_rc4_only(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/rc4app.corp.test" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_rc4,DC=corp", "svc_rc4",
		       512, 4, s, 1);
	x = run(f, 1);
	assert_string_equal(x->check, "etype");
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_string_equal(x->spn, "http/rc4app.corp.test");
	assert_string_equal(x->host, "rc4app.corp.test");
	assert_int_equal(x->n_accounts, 1);
	assert_string_equal(x->accounts[0].sam, "svc_rc4");
	assert_non_null(strstr(x->message, "svc_rc4 allows only RC4 "));
	assert_non_null(strstr(x->message, "0x4"));
	assert_non_null(strstr(x->message, "KDC_ERR_ETYPE_NOSUPP"));
	assert_non_null(strstr(x->message, "KB5073381"));
	assert_non_null(strstr(x->fix, "dn: CN=svc_rc4,DC=corp\nchangetype: modify\n"
			       "replace: msDS-SupportedEncryptionTypes\n"
			       "msDS-SupportedEncryptionTypes: 24\n-\n"));
	assert_non_null(strstr(x->fix, "# PowerShell: Set-ADAccount -Identity "
			       "\"svc_rc4\" -KerberosEncryptionType AES128,AES256\n"));
	assert_non_null(strstr(x->fix, "reset the account's password"));
	assert_null(strstr(x->fix, "userAccountControl"));
}

static void test_des_only_and_rc4_with_des(void **state)
{
	struct fixture *f = *state;
	const char *d[] = { "http/desapp.corp.test" };
	const char *r[] = { "http/olddes.corp.test" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_des", "svc_des", 512, 3, d,
		       1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_old", "svc_old", 512, 7, r,
		       1);
	run(f, 2);
	/* sorted by host: desapp < olddes */
	x = spn_findings_get(f->findings, 0);
	assert_string_equal(x->accounts[0].sam, "svc_des");
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_non_null(strstr(x->message, "allows only DES"));
	assert_non_null(strstr(x->message, "0x3"));
	x = spn_findings_get(f->findings, 1);
	assert_string_equal(x->accounts[0].sam, "svc_old");
	assert_non_null(strstr(x->message, "allows only RC4 and DES"));
}

static void test_aes_accounts_are_healthy(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/aesapp.corp.test" };
	const char *b[] = { "http/mixed.corp.test" };
	const char *c[] = { "http/aes128.corp.test" };
	const char *d[] = { "HOST/dc1.corp.test", "ldap/dc1.corp.test" };

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_aes", "svc_aes", 512, 24, a,
		       1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_mixed", "svc_mixed", 512,
		       0x1C, b, 1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_128", "svc_128", 512, 0x8,
		       c, 1);
	add_with_flags(f, SPN_ACCOUNT_COMPUTER, "CN=DC1", "DC1$", 532480,
		       0x1C | 0x80000,
	    d, 2);
	run(f, 0);
}

static void test_use_des_key_only(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/legacy.corp.test" };
	const spn_finding *x;

	/* even with AES allowed, the flag is reported */
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_legacy,DC=corp",
		       "svc_legacy",
	    512 | 0x200000, 24, s, 1);
	x = run(f, 1);
	assert_int_equal(x->severity, SPN_SEVERITY_ERROR);
	assert_non_null(strstr(x->message, "Use only Kerberos DES"));
	assert_null(strstr(x->message, "no AES bit either"));
	assert_non_null(strstr(x->fix, "replace: userAccountControl\n"
			       "userAccountControl: 512\n-\n"));
	assert_non_null(strstr(x->fix, "Set-ADAccountControl -Identity "
			       "\"svc_legacy\" -UseDESKeyOnly $false\n"));
	assert_non_null(strstr(x->fix, "msDS-SupportedEncryptionTypes: 24\n"));
}

static void test_use_des_key_only_and_rc4(void **state)
{
	struct fixture *f = *state;
	const char *s[] = { "http/legacy.corp.test" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_legacy", "svc_legacy",
	    0x200000 | 512, 4, s, 1);
	x = run(f, 1);
	assert_non_null(strstr(x->message, "Use only Kerberos DES"));
	assert_non_null(strstr(x->message, "(0x4) has no AES bit either"));
}

static void test_unset_is_info(void **state)
{
	struct fixture *f = *state;
	const char *u[] = { "http/unsetapp.corp.test" };
	const char *c[] = { "HOST/nas1", "HOST/nas1.corp.test", "cifs/nas1",
			    "cifs/nas1.corp.test", "nfs/nas1.corp.test" };
	const char *z[] = { "http/zero.corp.test" };
	const spn_finding *x;

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_unset,DC=corp", "svc_unset",
		       512, -1,
	    u, 1);
	add_with_flags(f, SPN_ACCOUNT_COMPUTER, "CN=NAS1,DC=corp", "NAS1$",
		       4096, -1, c, 5);
	/* only the AES256-SK bit: names no encryption type */
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=svc_zero,DC=corp", "svc_zero",
		       512, 0x20,
	    z, 1);
	run(f, 3);
	x = spn_findings_get(f->findings, 0);
	assert_string_equal(x->host, "nas1");
	assert_int_equal(x->severity, SPN_SEVERITY_INFO);
	assert_non_null(strstr(x->message, "NAS1$ has no msDS-SupportedEncryptionTypes"));
	assert_non_null(strstr(x->message, "HOST/nas1, HOST/nas1.corp.test, "
			       "cifs/nas1 and 2 more"));
	assert_non_null(strstr(x->message, "computer account"));
	/* a computer's sAMAccountName has a '$': PowerShell gets the DN */
	assert_non_null(strstr(x->fix, "-Identity \"CN=NAS1,DC=corp\""));
	x = spn_findings_get(f->findings, 1);
	assert_string_equal(x->accounts[0].sam, "svc_unset");
	assert_non_null(strstr(x->message, "DefaultDomainSupportedEncTypes"));
	assert_non_null(strstr(x->message, "April 2026"));
	assert_null(strstr(x->message, "computer account"));
	assert_non_null(strstr(x->fix, "Review: make AES explicit"));
	x = spn_findings_get(f->findings, 2);
	assert_string_equal(x->accounts[0].sam, "svc_zero");
	assert_non_null(strstr(x->message, "0x20, naming no encryption type"));
}

static void test_errors_sort_before_info(void **state)
{
	struct fixture *f = *state;
	const char *a[] = { "http/a.corp.test" };
	const char *z[] = { "http/z.corp.test" };

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=a", "a", 512, -1, a, 1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=z", "z", 512, 4, z, 1);
	run(f, 2);
	assert_int_equal(spn_findings_get(f->findings, 0)->severity,
			 SPN_SEVERITY_ERROR);
	assert_int_equal(spn_findings_get(f->findings, 1)->severity,
			 SPN_SEVERITY_INFO);
}

static void test_no_spn_and_krbtgt_are_skipped(void **state)
{
	struct fixture *f = *state;
	const char *k[] = { "kadmin/changepw" };

	add_with_flags(f, SPN_ACCOUNT_USER, "CN=user", "user", 512, 4, NULL, 0);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=krbtgt", "krbtgt", 514, -1, k,
		       1);
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=krbtgt_1234", "krbtgt_1234",
		       514, -1, k, 1);
	run(f, 0);
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "not an spn\n", "http/\xff\xfe" };
	const char *big_spns[1];
	const spn_finding *x;
	char *big;

	/* a DN and sAMAccountName that cannot go on a command line */
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=evil\n\"x\",DC=corp", "ev\"il$",
		       512, 4,
	    bad, 2);
	big = malloc(100001);
	assert_non_null(big);
	memcpy(big, "http/", 5);
	memset(big + 5, 'a', 100000 - 5);
	big[100000] = '\0';
	big_spns[0] = big;
	add_with_flags(f, SPN_ACCOUNT_USER, "CN=big", NULL, -1, 3, big_spns, 1);
	run(f, 2);
	/* sorted by SPN (neither has a valid host): the big one first */
	x = spn_findings_get(f->findings, 0);
	assert_null(x->accounts[0].sam);
	assert_null(x->host);
	assert_non_null(strstr(x->message, "CN=big allows only DES"));
	assert_int_equal(strlen(x->spn), 100000);
	x = spn_findings_get(f->findings, 1);
	assert_string_equal(x->spn, "not an spn\n");
	assert_null(x->host);
	assert_null(strstr(x->fix, "PowerShell"));
	assert_non_null(strstr(x->fix, "dn:: "));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rc4_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_des_only_and_rc4_with_des, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aes_accounts_are_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_des_key_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_des_key_only_and_rc4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_is_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_sort_before_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_spn_and_krbtgt_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
