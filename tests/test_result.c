/* Codes, groups, descriptions and the release of results. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../core/internal.h"

static void
test_result_every_code_has_text_and_group(void **state)
{
	static const struct { int code; enum miso_group g; } t[] = {
		{ 0, MISO_COMPLETED },
		{ -EAGAIN, MISO_NOT_RUN }, { -EMFILE, MISO_NOT_RUN },
		{ MISO_EEXIT, MISO_RAN }, { MISO_EMEMORY, MISO_RAN },
		{ MISO_ETOOBIG, MISO_RAN }, { MISO_EBADREPLY, MISO_RAN },
		{ MISO_ESIGNAL, MISO_UNKNOWN }, { MISO_ETIMEOUT, MISO_UNKNOWN },
		{ MISO_ELOST, MISO_UNKNOWN }, { MISO_ESYSTEM, MISO_UNKNOWN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(miso_group(t[i].code), t[i].g);
		assert_non_null(miso_strerror(t[i].code));
		assert_string_not_equal(miso_strerror(t[i].code),
		    "unknown miso code");
	}
	assert_string_equal(miso_strerror(-EAGAIN), strerror(EAGAIN));
	assert_string_equal(miso_strerror(MISO_ETIMEOUT),
	    "the callback ran past its timeout and was killed");
	assert_string_equal(miso_strerror(-5000), "unknown miso code");
	assert_string_equal(miso_strerror(5), "unknown miso code");
}

static void
test_result_describe_gives_details(void **state)
{
	struct miso_result r;
	char buf[128];

	(void)state;
	memset(&r, 0, sizeof r);
	r.code = MISO_ESIGNAL;
	r.signo = SIGBUS;
	r.core_dumped = 1;
	miso_describe(&r, buf, sizeof buf);
	assert_string_equal(buf, "killed by signal 7 (SIGBUS), core dumped");
	r.code = MISO_ETOOBIG;
	r.len = 4097;
	miso_describe(&r, buf, sizeof buf);
	assert_string_equal(buf, "result of 4097 bytes does not fit");
	r.code = MISO_ESYSTEM;
	r.error = EIO;
	miso_describe(&r, buf, sizeof buf);
	assert_string_equal(buf, "a system call failed while the callback "
	    "ran: Input/output error");
	r.code = -ENOENT;
	assert_int_equal(miso_describe(&r, buf, 4), 25);
	assert_string_equal(buf, "No ");
}

static void
test_result_free_only_what_miso_owns(void **state)
{
	struct miso_result r;
	char mine[4];

	(void)state;
	memset(&r, 0, sizeof r);
	r.data = mine;
	miso_result_free(&r);  /* a caller's buffer: left alone */
	assert_null(r.data);
	r.data = malloc(10);
	r.owned_ = MISO__OWN_MALLOC;
	miso_result_free(&r);
	assert_null(r.data);
	miso_result_free(&r);
	miso_result_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_every_code_has_text_and_group),
		cmocka_unit_test(test_result_describe_gives_details),
		cmocka_unit_test(test_result_free_only_what_miso_owns),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
