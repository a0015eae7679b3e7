/* What the child does: stdio, memory cap, grandchildren, death with the caller. */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
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

extern char **environ;

static void
test_child_memory_cap_reported(void **state)
{
	struct miso_opts o = { .mem_limit = 64 << 20, .flags = MISO_F_NO_CORE };
	struct miso_result r;
	char line[128];

	(void)state;
	if (slow_tool())
		skip(); /* sanitizers reserve terabytes of address space */
	if (!as_limit_works())
		skip(); /* an emulator that ignores RLIMIT_AS */
	assert_int_equal(miso_call(cb_eat_memory, NULL, &o, &r), MISO_EMEMORY);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(miso_group(r.code), MISO_RAN);
	miso_describe(&r, line, sizeof line);
	assert_non_null(strstr(line, "memory cap"));
	/* The same crash without a cap is a plain signal. */
	assert_int_equal(miso_call(cb_segv, NULL, &o, &r), MISO_ESIGNAL);
}

/*
 * In a process of its own whose stdout is a fully buffered file, prints
 * "parent|" without flushing, calls fn isolated, prints "|end", and
 * returns what reached the file.
 */
static void
stdout_around_call(void (*fn)(void *, struct miso_writer *), char *out,
    size_t size)
{
	char path[] = "/tmp/miso-stdio-XXXXXX";
	int fd = mkstemp(path), st;
	ssize_t n;
	pid_t p;

	assert_true(fd >= 0);
	p = fork();
	if (p == 0) {
		struct miso_result r;

		dup2(fd, 1);
		setvbuf(stdout, NULL, _IOFBF, 4096);
		printf("parent|");
		miso_call(fn, NULL, NULL, &r);
		printf("|end");
		exit(0);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	n = pread(fd, out, size - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void
test_child_stdio_appears_once(void **state)
{
	char out[64];

	(void)state;
	stdout_around_call(cb_nothing, out, sizeof out);
	assert_string_equal(out, "parent||end");
}

static void
test_child_child_output_not_lost(void **state)
{
	char out[64];

	(void)state;
	stdout_around_call(cb_print, out, sizeof out);
	assert_string_equal(out, "parent|child|end");
}

static void
cb_spawn_sleeper(void *ctx, struct miso_writer *w)
{
	char *argv[] = { "sleep", "2", NULL };
	pid_t pid;

	(void)ctx;
	posix_spawnp(&pid, "sleep", NULL, NULL, argv, environ);
	miso_write(w, &pid, sizeof pid);
}

static void
cb_fork_and_die(void *ctx, struct miso_writer *w)
{
	pid_t pid = fork();

	(void)ctx;
	if (pid == 0) {
		/* A copy that outlives the child and returns from here. */
		sleep(2);
		miso_write(w, "grandchild", 10);
		return;
	}
	miso_write(w, &pid, sizeof pid);
	if (*(int *)ctx)
		raise(SIGKILL);
}

static void
test_child_grandchildren_cannot_hold_caller(void **state)
{
	struct miso_result r;
	int die = 0;
	pid_t g;

	(void)state;
	/* An exec'd grandchild: the reply pipe is close-on-exec. */
	assert_int_equal(miso_call(cb_spawn_sleeper, NULL, NULL, &r), 0);
	assert_true(r.wall_ns < 1000000000u);
	memcpy(&g, r.data, sizeof g);
	miso_result_free(&r);
	kill(g, SIGKILL);
	/* A forked grandchild holds the pipe, yet the reply is complete. */
	assert_int_equal(miso_call(cb_fork_and_die, &die, NULL, &r), 0);
	assert_true(r.wall_ns < 1000000000u);
	assert_int_equal(r.len, sizeof g);
	memcpy(&g, r.data, sizeof g);
	miso_result_free(&r);
	kill(g, SIGKILL);
	/* The child dies while a grandchild still holds the pipe. */
	die = 1;
	assert_int_equal(miso_call(cb_fork_and_die, &die, NULL, &r),
	    MISO_ESIGNAL);
	assert_true(r.wall_ns < 1000000000u);
}

static void
cb_report_pid_and_hang(void *ctx, struct miso_writer *w)
{
	pid_t self = getpid();

	(void)w;
	write(*(int *)ctx, &self, sizeof self);
	for (;;)
		pause();
}

static void
test_child_child_dies_with_caller(void **state)
{
	int p[2], st;
	pid_t caller, child;

	(void)state;
	assert_int_equal(pipe(p), 0);
	caller = fork();
	if (caller == 0) {
		struct miso_result r;

		miso_call(cb_report_pid_and_hang, &p[1], NULL, &r);
		_exit(1);
	}
	assert_int_equal(read(p[0], &child, sizeof child), sizeof child);
	assert_int_equal(kill(child, 0), 0);
	kill(caller, SIGKILL);
	assert_int_equal(waitpid(caller, &st, 0), caller);
	assert_int_equal(wait_gone(child, 3000), 0);
	close(p[0]);
	close(p[1]);
}

/*
 * A program that closed its standard descriptors: the engine's pipe and
 * memfd take the lowest numbers, 0 and 1, and everything still works.
 */
static void
test_child_low_descriptors_closed(void **state)
{
	struct bulk b = { .len = 100000, .chunk = 1000 };
	int st;
	pid_t p;

	(void)state;
	p = fork();
	if (p == 0) {
		struct miso_result r;
		uint64_t v = 7;
		int ok;

		close(0);
		close(1);
		close(2);
		ok = miso_call(cb_value, &v, NULL, &r) == 0 &&
		    *(uint64_t *)r.data == 7;
		miso_result_free(&r);
		ok = ok && miso_call(cb_bulk, &b, NULL, &r) == 0 &&
		    r.len == b.len && ((unsigned char *)r.data)[99999] ==
		    pattern(99999);
		miso_result_free(&r);
		ok = ok && miso_call(cb_segv, NULL, NULL, &r) == MISO_ESIGNAL;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
exit_42(int sig)
{
	(void)sig;
	_exit(42);
}

/* A crash without an invalid access, which memcheck would count too. */
static void
cb_raise_segv(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	raise(SIGSEGV);
}

static void
test_child_crash_handlers_reset(void **state)
{
	struct sigaction sa = { .sa_handler = exit_42 }, old;
	struct miso_opts keep = { .flags = MISO_F_KEEP_HANDLERS };
	struct miso_result r;
	int reset, kept;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	reset = miso_call(cb_raise_segv, NULL, NULL, &r);
	kept = miso_call(cb_raise_segv, NULL, &keep, &r);
	sigaction(SIGSEGV, &old, NULL);
	/* The caller's handler would have run the caller's code in the
	 * child; by default the crash is a crash. */
	assert_int_equal(reset, MISO_ESIGNAL);
	assert_int_equal(kept, MISO_EEXIT);
	assert_int_equal(r.exit_code, 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_memory_cap_reported),
		cmocka_unit_test(test_child_crash_handlers_reset),
		cmocka_unit_test(test_child_low_descriptors_closed),
		cmocka_unit_test(test_child_stdio_appears_once),
		cmocka_unit_test(test_child_child_output_not_lost),
		cmocka_unit_test(test_child_grandchildren_cannot_hold_caller),
		cmocka_unit_test(test_child_child_dies_with_caller),
	};

	return cmocka_run_group_tests_name("child", tests, NULL, NULL);
}
