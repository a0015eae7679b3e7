/* miso_call from the caller's side: outcomes, isolation, robustness. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/single_threaded.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#include "helpers.h"
#include "miso.h"

extern char **environ;

/* Fault injection through -Wl,--wrap. */
static int fail_fork, fail_memfd, fail_mmap;
pid_t __real_fork(void);
pid_t __wrap_fork(void);
int __real_memfd_create(const char *, unsigned);
int __wrap_memfd_create(const char *, unsigned);
void *__real_mmap64(void *, size_t, int, int, int, off_t);
void *__wrap_mmap64(void *, size_t, int, int, int, off_t);

pid_t
__wrap_fork(void)
{
	if (fail_fork) {
		errno = EAGAIN;
		return -1;
	}
	return __real_fork();
}

int
__wrap_memfd_create(const char *name, unsigned flags)
{
	if (fail_memfd) {
		errno = EMFILE;
		return -1;
	}
	return __real_memfd_create(name, flags);
}

void *
__wrap_mmap64(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
	if (fail_mmap && fd >= 0) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap64(a, n, prot, flags, fd, off);
}

/* Callbacks. */
static int counter;

static void
cb_value(void *ctx, struct miso_writer *w)
{
	uint64_t v = ctx != NULL ? *(uint64_t *)ctx : 0x1122334455667788u;

	miso_write(w, &v, sizeof v);
}

static void
cb_nothing(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
}

/* A real fault, not a sanitizer's report of one. */
__attribute__((no_sanitize("undefined"))) static void
cb_segv(void *ctx, struct miso_writer *w)
{
	volatile int *p = NULL;

	(void)ctx;
	miso_write(w, "partial", 7);
	*p = 1;
}

static void
cb_abort(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	abort();
}

static void
cb_exit(void *ctx, struct miso_writer *w)
{
	(void)w;
	exit(ctx != NULL ? *(int *)ctx : 3);
}

static void
cb_hang(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	for (;;)
		pause();
}

static void
cb_errno(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	errno = EDOM;
}

static void
mutate(char *heap)
{
	counter += 100;
	memset(heap, 'Z', 16);
}

static void
cb_mutate(void *ctx, struct miso_writer *w)
{
	mutate(ctx);
	miso_write(w, &counter, sizeof counter);
}

static void
cb_leak(void *ctx, struct miso_writer *w)
{
	char *p = malloc(64 * 1024);

	(void)ctx;
	memset(p, 1, 64 * 1024);
	miso_write(w, &p, sizeof p);
}

struct bulk {
	size_t len;
	size_t chunk;
};

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

static void
cb_bulk(void *ctx, struct miso_writer *w)
{
	const struct bulk *b = ctx;
	unsigned char *buf = malloc(b->chunk);
	size_t off, i, n;

	for (off = 0; off < b->len; off += n) {
		n = b->len - off < b->chunk ? b->len - off : b->chunk;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		miso_write(w, buf, n); /* errors are sticky; keep counting */
	}
	free(buf);
}

static void
cb_eat_memory(void *ctx, struct miso_writer *w)
{
	char *p;

	(void)ctx;
	(void)w;
	for (;;) {
		p = malloc(1 << 20);
		memset(p, 1, 1 << 20); /* NULL once the cap is reached */
	}
}

static void
test_call_returns_bytes(void **state)
{
	struct miso_result r;
	uint64_t v = 0xdeadbeefcafef00du;

	(void)state;
	assert_int_equal(miso_call(cb_value, &v, NULL, &r), 0);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.len, 8);
	assert_memory_equal(r.data, &v, 8);
	assert_true(r.pid > 0);
	assert_true(r.wall_ns > 0);
	assert_int_equal(miso_group(r.code), MISO_COMPLETED);
	miso_result_free(&r);
	assert_null(r.data);
}

static void
test_call_empty_result(void **state)
{
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_call(cb_nothing, NULL, NULL, &r), 0);
	assert_int_equal(r.len, 0);
	miso_result_free(&r);
}

static void
test_call_crash_reports_signal(void **state)
{
	struct miso_opts o = { .flags = MISO_F_NO_CORE };
	struct miso_result r;
	char line[128];

	(void)state;
	assert_int_equal(miso_call(cb_segv, NULL, &o, &r), MISO_ESIGNAL);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(r.core_dumped, 0);
	assert_null(r.data);
	assert_int_equal(miso_group(r.code), MISO_UNKNOWN);
	miso_describe(&r, line, sizeof line);
	assert_string_equal(line, "killed by signal 11 (SIGSEGV)");
}

static void
test_call_abort_reports_sigabrt(void **state)
{
	struct miso_opts o = { .flags = MISO_F_NO_CORE };
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_call(cb_abort, NULL, &o, &r), MISO_ESIGNAL);
	assert_int_equal(r.signo, SIGABRT);
}

static void
test_call_exit_reports_code(void **state)
{
	struct miso_result r;
	int code = 0;
	char line[128];

	(void)state;
	assert_int_equal(miso_call(cb_exit, NULL, NULL, &r), MISO_EEXIT);
	assert_int_equal(r.exit_code, 3);
	assert_int_equal(miso_group(r.code), MISO_RAN);
	miso_describe(&r, line, sizeof line);
	assert_string_equal(line, "the callback called exit(3)");
	/* exit(0) is not a success: the callback never returned. */
	assert_int_equal(miso_call(cb_exit, &code, NULL, &r), MISO_EEXIT);
	assert_int_equal(r.exit_code, 0);
}

static void
test_call_timeout_kills_and_reaps(void **state)
{
	struct miso_opts o = { .timeout_ms = 50 };
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_call(cb_hang, NULL, &o, &r), MISO_ETIMEOUT);
	assert_int_equal(r.signo, SIGKILL);
	assert_true(r.wall_ns >= 50000000u);
	/* Reaped: the pid no longer exists, not even as a zombie. */
	assert_int_equal(kill(r.pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

static void
test_call_errno_comes_back(void **state)
{
	struct miso_result r;

	(void)state;
	errno = ERANGE;
	assert_int_equal(miso_call(cb_errno, NULL, NULL, &r), 0);
	assert_int_equal(r.error, EDOM);
	miso_result_free(&r);
}

static void
test_call_memory_cap_reported(void **state)
{
	struct miso_opts o = { .mem_limit = 64 << 20, .flags = MISO_F_NO_CORE };
	struct miso_result r;
	char line[128];

	(void)state;
	if (slow_tool())
		skip(); /* sanitizers reserve terabytes of address space */
	assert_int_equal(miso_call(cb_eat_memory, NULL, &o, &r), MISO_EMEMORY);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(miso_group(r.code), MISO_RAN);
	miso_describe(&r, line, sizeof line);
	assert_non_null(strstr(line, "memory cap"));
	/* The same crash without a cap is a plain signal. */
	assert_int_equal(miso_call(cb_segv, NULL, &o, &r), MISO_ESIGNAL);
}

static void
test_call_isolates_memory(void **state)
{
	char *heap = malloc(16);
	struct miso_result r;
	int seen;

	(void)state;
	memset(heap, 'a', 16);
	counter = 7;
	assert_int_equal(miso_call(cb_mutate, heap, NULL, &r), 0);
	memcpy(&seen, r.data, sizeof seen);
	assert_int_equal(seen, 107);  /* the child saw the snapshot */
	assert_int_equal(counter, 7); /* and the caller kept its own */
	assert_int_equal(heap[0], 'a');
	assert_int_equal(heap[15], 'a');
	miso_result_free(&r);
	/* Without isolation the same code does change the caller. */
	mutate(heap);
	assert_int_equal(counter, 107);
	assert_int_equal(heap[0], 'Z');
	free(heap);
}

static void
test_call_leaks_stay_in_child(void **state)
{
	struct miso_result r;
	size_t before, after;
	int i, n = slow_tool() ? 300 : 10000;

	(void)state;
	for (i = 0; i < 50; i++) {
		assert_int_equal(miso_call(cb_leak, NULL, NULL, &r), 0);
		miso_result_free(&r);
	}
	before = rss_bytes();
	for (i = 0; i < n; i++) {
		assert_int_equal(miso_call(cb_leak, NULL, NULL, &r), 0);
		miso_result_free(&r);
	}
	after = rss_bytes();
	/* 10,000 leaks of 64 KiB would be 640 MiB; allow 1 MiB of noise. */
	assert_true(after < before + (1 << 20));
}

static void
cb_print(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	printf("child");  /* no newline, never flushed by the callback */
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
test_call_stdio_appears_once(void **state)
{
	char out[64];

	(void)state;
	stdout_around_call(cb_nothing, out, sizeof out);
	assert_string_equal(out, "parent||end");
}

static void
test_call_child_output_not_lost(void **state)
{
	char out[64];

	(void)state;
	stdout_around_call(cb_print, out, sizeof out);
	assert_string_equal(out, "parent|child|end");
}

static void
test_call_sigchld_ignored(void **state)
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
	assert_int_equal(cloned_crash, __libc_single_threaded ?
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
test_call_sigchld_handler_reaps(void **state)
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
test_call_grandchildren_cannot_hold_caller(void **state)
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
test_call_child_dies_with_caller(void **state)
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

static void
test_call_large_results_intact(void **state)
{
	struct bulk b = { .len = (size_t)1 << 30, .chunk = 1 << 20 };
	struct miso_result r;
	const unsigned char *d;
	size_t i;

	(void)state;
	if (slow_tool())
		b.len = 8 << 20;
	assert_int_equal(miso_call(cb_bulk, &b, NULL, &r), 0);
	assert_int_equal(r.len, b.len);
	d = r.data;
	for (i = 0; i < b.len; i += 4093)
		if (d[i] != pattern(i))
			break;
	assert_int_equal(i >= b.len, 1);
	assert_int_equal(d[b.len - 1], pattern(b.len - 1));
	miso_result_free(&r);
}

static void
test_call_into_caller_buffer(void **state)
{
	struct bulk b = { .len = 3 << 20, .chunk = 1000 };
	unsigned char *buf = malloc(b.len);
	struct miso_opts o = { .buf = buf, .buf_size = b.len };
	struct miso_result r;
	size_t i;

	(void)state;
	assert_int_equal(miso_call(cb_bulk, &b, &o, &r), 0);
	assert_ptr_equal(r.data, buf);
	for (i = 0; i < b.len; i++)
		if (buf[i] != pattern(i))
			break;
	assert_int_equal(i, b.len);
	miso_result_free(&r);  /* the caller's buffer is not freed */
	free(buf);
}

static void
test_call_too_big_leaves_buffer(void **state)
{
	struct bulk b = { .len = 100, .chunk = 30 };
	unsigned char buf[64];
	struct miso_opts o = { .buf = buf, .buf_size = sizeof buf };
	struct miso_result r;
	unsigned char want[64];

	(void)state;
	memset(buf, 0xee, sizeof buf);
	memcpy(want, buf, sizeof want);
	assert_int_equal(miso_call(cb_bulk, &b, &o, &r), MISO_ETOOBIG);
	assert_int_equal(r.len, 100);  /* what it would have needed */
	assert_memory_equal(buf, want, sizeof buf);
	assert_null(r.data);
	/* max_result applies to miso's own buffers too. */
	b.len = 10000;
	o = (struct miso_opts){ .max_result = 9999 };
	assert_int_equal(miso_call(cb_bulk, &b, &o, &r), MISO_ETOOBIG);
	assert_int_equal(r.len, 10000);
}

static void
cb_nested(void *ctx, struct miso_writer *w)
{
	struct miso_result r;
	uint64_t v = 41;

	(void)ctx;
	if (miso_call(cb_value, &v, NULL, &r) == 0) {
		memcpy(&v, r.data, sizeof v);
		v++;
		miso_result_free(&r);
	}
	miso_write(w, &v, sizeof v);
}

static void
test_call_nested(void **state)
{
	struct miso_result r;
	uint64_t v;

	(void)state;
	assert_int_equal(miso_call(cb_nested, NULL, NULL, &r), 0);
	memcpy(&v, r.data, sizeof v);
	assert_int_equal(v, 42);
	miso_result_free(&r);
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
test_call_threads(void **state)
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
on_alarm(int sig)
{
	(void)sig;
}

static void
test_call_survives_signal_storm(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	struct miso_opts o = { .timeout_ms = 20000 };
	struct bulk b = { .len = 1 << 20, .chunk = 4096 };
	struct miso_result r;
	int i;

	(void)state;
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: every call sees EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < 100; i++) {
		assert_int_equal(miso_call(cb_value, NULL, &o, &r), 0);
		assert_int_equal(r.len, 8);
		miso_result_free(&r);
		assert_int_equal(miso_call(cb_bulk, &b, &o, &r), 0);
		assert_int_equal(r.len, b.len);
		miso_result_free(&r);
	}
	/* The handler stays: a last SIGALRM may still be on its way. */
	setitimer(ITIMER_REAL, &off, NULL);
}

static void
test_call_mixed_leave_nothing_behind(void **state)
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
test_call_cancel_kills_child(void **state)
{
	int fds = count_fds(), done = 0;
	pthread_t t;
	struct timespec ts = { 0, 100000000 };

	(void)state;
	miso_reap();
	assert_int_equal(pthread_create(&t, NULL, thread_hang, &done), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(count_children(), 1);
	pthread_cancel(t);
	pthread_join(t, NULL);
	assert_int_equal(done, 0);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
	assert_int_equal(count_fds(), fds);
}

static void
test_call_fork_failure_is_not_run(void **state)
{
	struct miso_result r;
	int fds = count_fds();

	(void)state;
	fail_fork = 1;
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), -EAGAIN);
	fail_fork = 0;
	assert_int_equal(r.error, EAGAIN);
	assert_int_equal(r.pid, 0);
	assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
	assert_int_equal(count_fds(), fds);
	fail_memfd = 1;
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), -EMFILE);
	fail_memfd = 0;
	assert_int_equal(count_fds(), fds);
}

static void
test_call_no_descriptors_is_not_run(void **state)
{
	struct rlimit old, low;
	struct miso_result r;

	(void)state;
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	/* Descriptors go lowest first: with the limit at the lowest free
	 * one, no new descriptor can be had. */
	low.rlim_cur = (rlim_t)dup(0);
	close((int)low.rlim_cur);
	setrlimit(RLIMIT_NOFILE, &low);
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), -EMFILE);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
}

static void
test_call_map_failure_is_system_error(void **state)
{
	struct bulk b = { .len = 1 << 20, .chunk = 1 << 16 };
	struct miso_result r;
	char line[128];

	(void)state;
	fail_mmap = 1;
	assert_int_equal(miso_call(cb_bulk, &b, NULL, &r), MISO_ESYSTEM);
	fail_mmap = 0;
	assert_int_equal(r.error, ENOMEM);
	assert_null(r.data);
	miso_describe(&r, line, sizeof line);
	assert_non_null(strstr(line, "Cannot allocate memory"));
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_returns_bytes),
		cmocka_unit_test(test_call_empty_result),
		cmocka_unit_test(test_call_crash_reports_signal),
		cmocka_unit_test(test_call_abort_reports_sigabrt),
		cmocka_unit_test(test_call_exit_reports_code),
		cmocka_unit_test(test_call_timeout_kills_and_reaps),
		cmocka_unit_test(test_call_errno_comes_back),
		cmocka_unit_test(test_call_memory_cap_reported),
		cmocka_unit_test(test_call_isolates_memory),
		cmocka_unit_test(test_call_leaks_stay_in_child),
		cmocka_unit_test(test_call_stdio_appears_once),
		cmocka_unit_test(test_call_child_output_not_lost),
		cmocka_unit_test(test_call_sigchld_ignored),
		cmocka_unit_test(test_call_sigchld_handler_reaps),
		cmocka_unit_test(test_call_grandchildren_cannot_hold_caller),
		cmocka_unit_test(test_call_child_dies_with_caller),
		cmocka_unit_test(test_call_large_results_intact),
		cmocka_unit_test(test_call_into_caller_buffer),
		cmocka_unit_test(test_call_too_big_leaves_buffer),
		cmocka_unit_test(test_call_nested),
		cmocka_unit_test(test_call_threads),
		cmocka_unit_test(test_call_survives_signal_storm),
		cmocka_unit_test(test_call_mixed_leave_nothing_behind),
		cmocka_unit_test(test_call_cancel_kills_child),
		cmocka_unit_test(test_call_fork_failure_is_not_run),
		cmocka_unit_test(test_call_no_descriptors_is_not_run),
		cmocka_unit_test(test_call_map_failure_is_system_error),
	};

	return cmocka_run_group_tests_name("call", tests, NULL, NULL);
}
