/* Creating and reaping children: clone or fork, SIGCHLD, threads, cancellation. */
#define _GNU_SOURCE
#include <sys/single_threaded.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
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

static void
test_spawn_cloned_child_is_invisible(void **state)
{
	struct miso_result r;

	(void)state;
	if (!__libc_single_threaded || !clone_works())
		skip();
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), 0);
	miso_result_free(&r);
	/* The child may still be exiting; the program's wait() never sees
	 * it either way, and miso_reap() collects it. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(count_children(), 1);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

static void
test_spawn_sigchld_ignored(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct miso_opts fork_opts = { .flags = MISO_F_FORK | MISO_F_NO_CORE };
	struct miso_result r;
	int i, ok = 0, cloned_crash, forked_crash;

	(void)state;
	sigaction(SIGCHLD, &ign, &old);
	for (i = 0; i < 20; i++) {
		ok += miso_call(cb_value, NULL, NULL, &r) == 0 && r.len == 8;
		miso_result_free(&r);
		ok += miso_call(cb_value, NULL, &fork_opts, &r) == 0 &&
		    r.len == 8;
		miso_result_free(&r);
	}
	cloned_crash = miso_call(cb_segv, NULL, NULL, &r);
	forked_crash = miso_call(cb_segv, NULL, &fork_opts, &r);
	sigaction(SIGCHLD, &old, NULL);
	assert_int_equal(ok, 40);
	/* A child made by clone() without an exit signal is never reaped by
	 * the kernel; a forked one is, and its crash is then only "lost". */
	assert_int_equal(cloned_crash,
	    __libc_single_threaded && clone_works() ?
	    MISO_ESIGNAL : MISO_ELOST);
	assert_int_equal(forked_crash, MISO_ELOST);
}

static volatile sig_atomic_t reaped_by_handler;

static void
reap_all(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		reaped_by_handler++;
	errno = saved;
}

static void
test_spawn_sigchld_handler_reaps(void **state)
{
	struct sigaction sa = { .sa_handler = reap_all }, old;
	struct miso_result r;
	int i, code;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old);
	for (i = 0; i < 200; i++) {
		assert_int_equal(miso_call(cb_value, NULL, NULL, &r), 0);
		assert_int_equal(r.len, 8);
		miso_result_free(&r);
	}
	code = miso_call(cb_exit, NULL, NULL, &r);
	sigaction(SIGCHLD, &old, NULL);
	assert_true(code == MISO_EEXIT || code == MISO_ELOST);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

static void *
thread_calls(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	int i, n = slow_tool() ? 50 : 1000;
	struct miso_result r;
	uint64_t v, got;

	for (i = 0; i < n; i++) {
		v = id << 32 | (uint64_t)i;
		if (miso_call(cb_value, &v, NULL, &r) != 0)
			return (void *)1;
		memcpy(&got, r.data, sizeof got);
		miso_result_free(&r);
		if (got != v)
			return (void *)2;
	}
	return NULL;
}

static void
test_spawn_threads(void **state)
{
	pthread_t t[8];
	void *ret;
	uintptr_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_calls,
		    (void *)i), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

static void
test_spawn_mixed_leave_nothing_behind(void **state)
{
	/* Only the hanging callback may reach its timeout; the others get
	 * plenty, since this machine may be busy. */
	struct miso_opts slow = { .timeout_ms = 30000, .flags = MISO_F_NO_CORE };
	struct miso_opts fast = { .timeout_ms = 2, .flags = MISO_F_NO_CORE };
	struct miso_result r;
	int fds = count_fds(), i, n = slow_tool() ? 200 : 10000;
	static const int want[4] = { 0, MISO_ESIGNAL, MISO_ETIMEOUT,
	    MISO_EEXIT };
	void (*fns[4])(void *, struct miso_writer *) = { cb_value, cb_segv,
	    cb_hang, cb_exit };

	(void)state;
	for (i = 0; i < n; i++) {
		/* Every other round of four with fork() instead of clone(). */
		fast.flags = slow.flags = MISO_F_NO_CORE |
		    ((i / 4) % 2 ? MISO_F_FORK : 0);
		assert_int_equal(miso_call(fns[i % 4], NULL,
		    i % 4 == 2 ? &fast : &slow, &r), want[i % 4]);
		miso_result_free(&r);
	}
	assert_int_equal(count_fds(), fds);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void *
thread_hang(void *arg)
{
	struct miso_result r;

	miso_call(cb_hang, NULL, NULL, &r);
	*(int *)arg = 1;
	return NULL;
}

static void
test_spawn_cancel_kills_child(void **state)
{
	int fds = count_fds(), done = 0;
	pthread_t t;
	struct timespec ts = { 0, 10000000 };
	int i;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	/* ASan's own thread teardown after pthread_cancel's forced unwind
	 * reports a stack-buffer-underflow in sigaltstack now and then
	 * (about one run in twelve): the test runs in the plain, valgrind
	 * and TSan builds instead. */
	skip();
#endif
	miso_reap();
	assert_int_equal(pthread_create(&t, NULL, thread_hang, &done), 0);
	/* The thread may take a while to fork on a loaded machine or under
	 * valgrind: wait for its child, up to 30 s. */
	for (i = 0; i < 3000 && count_children() == 0; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(count_children(), 1);
	pthread_cancel(t);
	pthread_join(t, NULL);
	assert_int_equal(done, 0);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
	assert_int_equal(count_fds(), fds);
}

int
main(void)
{
	/* Single-threaded tests first: the threads test makes every later
	 * call a fork(). */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_cloned_child_is_invisible),
		cmocka_unit_test(test_spawn_sigchld_ignored),
		cmocka_unit_test(test_spawn_sigchld_handler_reaps),
		cmocka_unit_test(test_spawn_mixed_leave_nothing_behind),
		cmocka_unit_test(test_spawn_threads),
		cmocka_unit_test(test_spawn_cancel_kills_child),
	};

	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
