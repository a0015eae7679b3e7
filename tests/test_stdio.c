/*
 * The program's stdio around a call (core/stdio.c): another thread that
 * writes stdout while calls run loses nothing and gets nothing twice, in
 * fork and in worker mode; what a multithreaded program had buffered is
 * printed once, and what the function printed is not lost.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "callbacks.h"
#include "helpers.h"
#include "miso.h"

#define LINE_LEN 8  /* "%07u\n" */

struct race {
	struct miso_pool *pool;  /* NULL: miso_call */
	unsigned lines;
	int done;                /* atomic: the writer finished */
};

static void
cb_ok(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	miso_write(w, "ok", 2);
}

static void
pool_ok(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	miso_write(w, "ok", 2);
}

/* Writes stdout the way GNU coreutils do: unlocked, one line at a time. */
static void *
writer(void *arg)
{
	struct race *rc = arg;
	char line[16];
	unsigned i;

	for (i = 0; i < rc->lines; i++) {
		snprintf(line, sizeof line, "%07u\n", i);
		fwrite_unlocked(line, 1, LINE_LEN, stdout);
	}
	__atomic_store_n(&rc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Calls until the writer is done; exits 0 when every call succeeded. */
_Noreturn static void
caller(struct race *rc)
{
	struct miso_result r;
	unsigned calls = 0, bad = 0;
	pthread_t t;

	if (pthread_create(&t, NULL, writer, rc) != 0)
		_exit(2);
	while (!__atomic_load_n(&rc->done, __ATOMIC_ACQUIRE) || calls < 3) {
		if (rc->pool != NULL)
			miso_pool_call(rc->pool, pool_ok, NULL, 0, NULL, &r);
		else
			miso_call(cb_ok, NULL, NULL, &r);
		bad += r.code != 0 || r.len != 2;
		miso_result_free(&r);
		calls++;
	}
	pthread_join(t, NULL);
	if (rc->pool != NULL)
		miso_pool_free(rc->pool);
	fflush(stdout);
	_exit(bad != 0 ? 3 : 0);
}

/* Returns how many lines of the file are not what the writer wrote. */
static unsigned
wrong_lines(int fd, unsigned lines)
{
	char want[16];
	size_t size = (size_t)lines * LINE_LEN;
	unsigned i, wrong = 0;
	off_t end = lseek(fd, 0, SEEK_END);
	char *p;

	if (end != (off_t)size) {
		print_message("%jd bytes, %zu expected\n", (intmax_t)end, size);
		return lines;
	}
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	for (i = 0; i < lines; i++) {
		snprintf(want, sizeof want, "%07u\n", i);
		wrong += memcmp(p + (size_t)i * LINE_LEN, want, LINE_LEN) != 0;
	}
	munmap(p, size);
	return wrong;
}

/*
 * In a process of its own whose stdout is a file: one thread writes
 * lines with fwrite_unlocked while the main thread makes isolated calls.
 * The file must hold exactly the writer's lines.
 */
static void
race_once(int workers)
{
	char path[] = "/tmp/miso-race-XXXXXX";
	struct race rc = { .lines = slow_tool() ? 100000 : 2000000 };
	int fd = mkstemp(path), st;
	pid_t p;

	assert_true(fd >= 0);
	unlink(path);
	p = fork();
	assert_int_not_equal(p, -1);
	if (p == 0) {
		dup2(fd, 1);
		setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
		if (workers && miso_pool_new(&(struct miso_pool_opts){
		    .workers = 1 }, &rc.pool) != 0)
			_exit(4);
		caller(&rc);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_int_equal(st, 0);
	assert_int_equal(wrong_lines(fd, rc.lines), 0);
	close(fd);
}

static void
test_stdio_race_fork_mode_intact(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		race_once(0);
}

static void
test_stdio_race_worker_mode_intact(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		race_once(1);
}

static void
pool_print(const void *in, size_t len, struct miso_writer *w)
{
	(void)w;
	fwrite(in, 1, len, stdout);
}

static void *
idle(void *arg)
{
	int *fd = arg;
	char c;

	return read(*fd, &c, 1) == 1 ? NULL : arg;
}

/*
 * A program with a second thread: its stdout is not flushed by the call,
 * so what it had buffered comes out once, when it flushes, after what
 * the function printed; nothing is lost or doubled, in either mode.
 */
static void
test_stdio_threaded_printed_once(void **state)
{
	char path[] = "/tmp/miso-stdio-XXXXXX", out[64];
	int fd = mkstemp(path), st, p[2];
	ssize_t n;
	pid_t prog;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	prog = fork();
	if (prog == 0) {
		struct miso_result r;
		struct miso_pool *pool;
		pthread_t t;

		dup2(fd, 1);
		setvbuf(stdout, NULL, _IOFBF, 4096);
		if (pipe(p) != 0 || miso_pool_new(&(struct miso_pool_opts){
		    .workers = 1 }, &pool) != 0)
			_exit(1);
		pthread_create(&t, NULL, idle, &p[0]);
		printf("parent|");
		miso_call(cb_print, NULL, NULL, &r);
		miso_result_free(&r);
		printf("|");
		miso_pool_call(pool, pool_print, "worker", 6, NULL, &r);
		miso_result_free(&r);
		printf("|end");
		write(p[1], "x", 1);
		pthread_join(t, NULL);
		miso_pool_free(pool);
		exit(0);
	}
	assert_int_equal(waitpid(prog, &st, 0), prog);
	assert_int_equal(st, 0);
	n = pread(fd, out, sizeof out - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	assert_string_equal(out, "childworkerparent|||end");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdio_race_fork_mode_intact),
		cmocka_unit_test(test_stdio_race_worker_mode_intact),
		cmocka_unit_test(test_stdio_threaded_printed_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
