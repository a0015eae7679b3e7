/* EINTR, short transfers and end of file in the descriptor helpers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../core/internal.h"

/* Each wrapped call takes its next result from a script: -1 means EINTR,
 * a positive value caps the transfer, 0 passes the call through. */
static int script[16], steps, calls;
ssize_t __real_read(int, void *, size_t);
ssize_t __real_write(int, const void *, size_t);
ssize_t __real_pread64(int, void *, size_t, off_t);
ssize_t __wrap_read(int, void *, size_t);
ssize_t __wrap_write(int, const void *, size_t);
ssize_t __wrap_pread64(int, void *, size_t, off_t);

static int
next_step(size_t *len)
{
	int s = calls < steps ? script[calls] : 0;

	calls++;
	if (s == -1) {
		errno = EINTR;
		return -1;
	}
	if (s > 0 && (size_t)s < *len)
		*len = (size_t)s;
	return 0;
}

ssize_t
__wrap_read(int fd, void *buf, size_t len)
{
	if (next_step(&len) == -1)
		return -1;
	return __real_read(fd, buf, len);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	if (next_step(&len) == -1)
		return -1;
	return __real_write(fd, buf, len);
}

ssize_t
__wrap_pread64(int fd, void *buf, size_t len, off_t off)
{
	if (next_step(&len) == -1)
		return -1;
	return __real_pread64(fd, buf, len, off);
}

static void
plan(const int *s, int n)
{
	memcpy(script, s, (size_t)n * sizeof *s);
	steps = n;
	calls = 0;
}

static void
test_io_write_all_retries_eintr_and_short_writes(void **state)
{
	static const int s[] = { -1, 3, -1, 2, 0 };
	char out[16] = { 0 };
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	plan(s, 5);
	assert_int_equal(miso__write_all(p[1], "hello world", 11), 11);
	assert_int_equal(calls, 5);
	steps = 0;
	assert_int_equal(read(p[0], out, sizeof out), 11);
	assert_string_equal(out, "hello world");
	close(p[0]);
	close(p[1]);
}

static void
test_io_write_to_closed_pipe_is_epipe(void **state)
{
	int p[2];

	(void)state;
	steps = 0;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(miso__write_all(p[1], "x", 1), -EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void
test_io_read_retries_eintr_and_sees_eof(void **state)
{
	static const int s[] = { -1, -1, 0 };
	char buf[8];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	steps = 0;
	write(p[1], "ab", 2);
	close(p[1]);
	plan(s, 3);
	assert_int_equal(miso__fd_read(p[0], buf, sizeof buf), 2);
	assert_int_equal(calls, 3);
	assert_int_equal(miso__fd_read(p[0], buf, sizeof buf), 0);
	assert_int_equal(miso__fd_read(-1, buf, sizeof buf), -EBADF);
	close(p[0]);
}

static void
test_io_pread_all_short_file_is_epipe(void **state)
{
	static const int s[] = { 2, -1, 1, 0 };
	char path[] = "/tmp/miso-io-XXXXXX", buf[8];
	int fd = mkstemp(path);

	(void)state;
	steps = 0;
	assert_int_equal(write(fd, "abcdef", 6), 6);
	plan(s, 4);
	assert_int_equal(miso__pread_all(fd, buf, 5, 1), 5);
	assert_memory_equal(buf, "bcdef", 5);
	steps = 0;
	assert_int_equal(miso__pread_all(fd, buf, 8, 0), -EPIPE);
	close(fd);
	unlink(path);
}

static void
test_io_close_keeps_errno(void **state)
{
	(void)state;
	errno = ERANGE;
	miso__close(-1);
	miso__close(12345);
	assert_int_equal(errno, ERANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_write_all_retries_eintr_and_short_writes),
		cmocka_unit_test(test_io_write_to_closed_pipe_is_epipe),
		cmocka_unit_test(test_io_read_retries_eintr_and_sees_eof),
		cmocka_unit_test(test_io_pread_all_short_file_is_epipe),
		cmocka_unit_test(test_io_close_keeps_errno),
	};

	return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
