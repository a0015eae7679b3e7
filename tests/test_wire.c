/* The parent's check of the reply header: nothing the child sends is
 * trusted before it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../core/internal.h"

static struct miso__reply
good(void)
{
	struct miso__reply r;

	memset(&r, 0, sizeof r);
	r.magic = MISO__MAGIC;
	r.kind = MISO__REC_DONE;
	r.where = MISO__IN_PIPE;
	r.len = 8;
	r.pid = 1234;
	return r;
}

static void
test_wire_accepts_well_formed(void **state)
{
	struct miso__reply r = good();

	(void)state;
	assert_int_equal(miso__reply_check(&r, 1234, 100), 0);
	r.where = MISO__IN_MEMFD;
	r.len = 1u << 30;
	assert_int_equal(miso__reply_check(&r, 1234, SIZE_MAX), 0);
	r = good();
	r.werror = MISO_ETOOBIG;
	r.len = 1000;  /* the size needed, larger than the limit */
	assert_int_equal(miso__reply_check(&r, 1234, 100), 0);
	r.werror = -EIO;
	assert_int_equal(miso__reply_check(&r, 1234, 100), 0);
	r = good();
	r.kind = MISO__REC_OOM;
	r.len = 0;
	assert_int_equal(miso__reply_check(&r, 1234, 100), 0);
}

static void
test_wire_rejects_each_bad_field(void **state)
{
	struct miso__reply r;

	(void)state;
	r = good(); r.magic ^= 1;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good();
	assert_int_equal(miso__reply_check(&r, 1235, 100), MISO_EBADREPLY);
	r = good(); r.kind = 7;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good(); r.where = 2;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good(); r.len = 101;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good(); r.len = MISO__INLINE_MAX + 1;
	assert_int_equal(miso__reply_check(&r, 1234, SIZE_MAX), MISO_EBADREPLY);
	r = good(); r.werror = 5;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good(); r.werror = MISO_ELOST;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
	r = good(); r.kind = MISO__REC_OOM; r.len = 1;
	assert_int_equal(miso__reply_check(&r, 1234, 100), MISO_EBADREPLY);
}

static void
test_wire_header_and_inline_fit_pipe_buf(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct miso__reply), 32);
	assert_int_equal(sizeof(struct miso__reply) + MISO__INLINE_MAX,
	    PIPE_BUF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_accepts_well_formed),
		cmocka_unit_test(test_wire_rejects_each_bad_field),
		cmocka_unit_test(test_wire_header_and_inline_fit_pipe_buf),
	};

	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
