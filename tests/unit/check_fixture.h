/* check_fixture.h - what every check's unit test starts from: a context,
 * an empty index and an empty findings list, made before each test and freed
 * after it (cmocka setup/teardown). Include after <cmocka.h>. */
#ifndef SPN_TEST_CHECK_FIXTURE_H
#define SPN_TEST_CHECK_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <spn/spn.h>

struct fixture {
	spn_ctx *ctx;
	spn_index *index;
	spn_findings *findings;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(spn_ctx_new(&f->ctx), SPN_OK);
	assert_int_equal(spn_index_new(&f->index), SPN_OK);
	assert_int_equal(spn_findings_new(&f->findings), SPN_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	spn_findings_free(f->findings);
	spn_index_free(f->index);
	spn_ctx_unref(f->ctx);
	free(f);
	return 0;
}

/* Run the check named check: it must succeed with expect findings. The
 * first of them, or NULL. */
static inline const spn_finding *fixture_run(struct fixture *f,
					     const char *check, size_t expect)
{
	assert_int_equal(spn_check_run(f->ctx, f->index, check, f->findings),
			 SPN_OK);
	assert_int_equal(spn_findings_count(f->findings), expect);
	return expect ? spn_findings_get(f->findings, 0) : NULL;
}

/* Add an account with userAccountControl and msDS-SupportedEncryptionTypes
 * (uac < 0, enc < 0: the attribute is absent). */
static inline void add_with_flags(struct fixture *f, spn_account_kind kind,
				  const char *dn, const char *sam, long uac,
				  long enc, const char *const *spns, size_t n)
{
	spn_account a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.dn = dn;
	a.sam = sam;
	a.has_uac = uac >= 0;
	a.uac = uac >= 0 ? (unsigned int)uac : 0;
	a.has_enc_types = enc >= 0;
	a.enc_types = enc >= 0 ? (unsigned int)enc : 0;
	a.spns = spns;
	a.n_spns = n;
	assert_int_equal(spn_index_add_account(f->index, &a), SPN_OK);
}

#endif
