/* check_fixture.h - what every check's unit test starts from: a context,
 * an empty index and an empty findings list, made before each test and freed
 * after it (cmocka setup/teardown). Include after <cmocka.h>. */
#ifndef SPN_TEST_CHECK_FIXTURE_H
#define SPN_TEST_CHECK_FIXTURE_H

#include <stdlib.h>
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

#endif
