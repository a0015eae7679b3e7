/* The child's writer, driven directly in this process. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../core/internal.h"

static void
test_writer_small_stays_inline(void **state)
{
	struct miso_writer *w = malloc(sizeof *w);

	(void)state;
	miso__writer_init(w, -1, SIZE_MAX);
	assert_int_equal(miso_write(w, "abc", 3), 0);
	assert_int_equal(miso_write(w, "", 0), 0);
	assert_int_equal(miso_write(w, "def", 3), 0);
	assert_int_equal(w->len, 6);
	assert_int_equal(w->spilled, 0);
	assert_memory_equal(w->inl, "abcdef", 6);
	free(w);
}

static void
test_writer_spills_to_memfd_in_order(void **state)
{
	struct miso_writer *w = malloc(sizeof *w);
	size_t n = 3 * MISO__INLINE_MAX;
	char *a = malloc(n), *b = malloc(2 * n);
	int fd = memfd_create("t", MFD_CLOEXEC);
	struct stat st;
	size_t i;

	(void)state;
	for (i = 0; i < n; i++)
		a[i] = (char)i;
	miso__writer_init(w, fd, SIZE_MAX);
	assert_int_equal(miso_write(w, a, 100), 0);
	assert_int_equal(w->spilled, 0);
	assert_int_equal(miso_write(w, a + 100, n - 100), 0);
	assert_int_equal(w->spilled, 1);
	assert_int_equal(miso_write(w, a, n), 0);
	assert_int_equal(w->len, 2 * n);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 2 * n);
	assert_int_equal(pread(fd, b, 2 * n, 0), 2 * n);
	assert_memory_equal(b, a, n);
	assert_memory_equal(b + n, a, n);
	close(fd);
	free(a);
	free(b);
	free(w);
}

static void
test_writer_limit_is_sticky_and_counts(void **state)
{
	struct miso_writer *w = malloc(sizeof *w);

	(void)state;
	miso__writer_init(w, -1, 10);
	assert_int_equal(miso_write(w, "0123456789", 10), 0);
	assert_int_equal(miso_write(w, "x", 1), MISO_ETOOBIG);
	assert_int_equal(miso_write(w, "yz", 2), MISO_ETOOBIG);
	assert_int_equal(w->len, 13);
	free(w);
}

static void
test_writer_without_memfd_is_too_big(void **state)
{
	struct miso_writer *w = malloc(sizeof *w);
	char *big = calloc(1, MISO__INLINE_MAX + 1);

	(void)state;
	miso__writer_init(w, -1, SIZE_MAX);
	assert_int_equal(miso_write(w, big, MISO__INLINE_MAX + 1),
	    MISO_ETOOBIG);
	free(big);
	free(w);
}

static void
test_writer_memfd_error_is_reported(void **state)
{
	struct miso_writer *w = malloc(sizeof *w);
	char *big = calloc(1, MISO__INLINE_MAX + 1);
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	(void)state;
	/* A read-only descriptor stands for a memfd that cannot grow. */
	assert_true(fd >= 0);
	miso__writer_init(w, fd, SIZE_MAX);
	assert_int_equal(miso_write(w, big, MISO__INLINE_MAX + 1), -EBADF);
	assert_int_equal(miso_write(w, "x", 1), -EBADF);
	close(fd);
	free(big);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_small_stays_inline),
		cmocka_unit_test(test_writer_spills_to_memfd_in_order),
		cmocka_unit_test(test_writer_limit_is_sticky_and_counts),
		cmocka_unit_test(test_writer_without_memfd_is_too_big),
		cmocka_unit_test(test_writer_memfd_error_is_reported),
	};

	return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
