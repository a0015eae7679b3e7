/* miso_call from the caller's side: outcomes, isolation, robustness. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <pthread.h>
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

/* Fault injection through -Wl,--wrap. */
static int fail_fork, fail_memfd, fail_mmap, fail_malloc;
pid_t __real_fork(void);
pid_t __wrap_fork(void);
int __real_memfd_create(const char *, unsigned);
int __wrap_memfd_create(const char *, unsigned);
void *__real_mmap64(void *, size_t, int, int, int, off_t);
void *__real_malloc(size_t);
void *__wrap_malloc(size_t);

void *
__wrap_malloc(size_t n)
{
	if (fail_malloc) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}
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

static int counter;

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

/* Writes pattern() in chunks of mixed sizes, at unaligned offsets. */
static void
cb_mixed(void *ctx, struct miso_writer *w)
{
	static const size_t sizes[] = { 1000, (9u << 20) + 123, 3,
	    (2u << 20) + 7, 4096, (1u << 20) - 1 };
	size_t off = 0, i, j, n = *(size_t *)ctx;
	unsigned char *buf = malloc((9u << 20) + 123);

	for (i = 0; off < n; i = (i + 1) % 6) {
		size_t k = n - off < sizes[i] ? n - off : sizes[i];

		for (j = 0; j < k; j++)
			buf[j] = pattern(off + j);
		miso_write(w, buf, k);
		off += k;
	}
	free(buf);
}

/*
 * Large writes and small ones interleaved, crossing the writer's mapping
 * windows at offsets that are not page-aligned, into a memfd kept from a
 * larger result: every byte arrives, whether miso allocates the result
 * or the caller gives a buffer.
 */
static void
test_call_mixed_writes_intact(void **state)
{
	struct bulk big = { .len = 40u << 20, .chunk = 1 << 20 };
	size_t n = (30u << 20) + 4321;
	unsigned char *buf = malloc(n);
	struct miso_opts o = { .buf = buf, .buf_size = n };
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_call(cb_bulk, &big, NULL, &r), 0);
	miso_result_free(&r);  /* its memfd is kept, 40 MiB long */
	assert_int_equal(miso_call(cb_mixed, &n, NULL, &r), 0);
	assert_int_equal(r.len, n);
	assert_int_equal(first_wrong(r.data, n), n);
	miso_result_free(&r);
	memset(buf, 0, n);
	assert_int_equal(miso_call(cb_mixed, &n, &o, &r), 0);
	assert_int_equal(r.len, n);
	assert_int_equal(first_wrong(buf, n), n);
	miso_result_free(&r);
	free(buf);
	miso_reap();
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
test_call_fork_failure_is_not_run(void **state)
{
	struct miso_opts o = { .flags = MISO_F_FORK };
	struct miso_result r;
	int fds = count_fds();

	(void)state;
	fail_fork = 1;
	assert_int_equal(miso_call(cb_value, NULL, &o, &r), -EAGAIN);
	fail_fork = 0;
	assert_int_equal(r.error, EAGAIN);
	assert_int_equal(r.pid, 0);
	assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
	assert_int_equal(count_fds(), fds);
	miso_reap();  /* no memfd kept from an earlier large result */
	fds = count_fds();
	fail_memfd = 1;
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), -EMFILE);
	fail_memfd = 0;
	assert_int_equal(count_fds(), fds);
}

/*
 * No process may be created (RLIMIT_NPROC, which root is exempt from: the
 * check runs as nobody in a process of its own), with clone() and with
 * fork(). Exit status: 0 when both calls said -EAGAIN.
 */
static void
test_call_process_limit_is_not_run(void **state)
{
	struct rlimit none = { 0, 0 };
	struct miso_opts o = { .flags = MISO_F_FORK };
	struct miso_result r;
	int st;
	pid_t p;

	(void)state;
	p = fork();
	if (p == 0) {
		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(2);
		setrlimit(RLIMIT_NPROC, &none);
		_exit(miso_call(cb_value, NULL, NULL, &r) == -EAGAIN &&
		    miso_call(cb_value, NULL, &o, &r) == -EAGAIN ? 0 : 1);
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
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

/*
 * The child killed at a random point while it writes an 8 MiB result: the
 * call either completed with every byte right, or reports the SIGKILL and
 * left the caller's buffer exactly as it was.
 */
#define KILL_RESULT (8u << 20)

static void
cb_write_slowly(void *ctx, struct miso_writer *w)
{
	unsigned char chunk[4096];
	pid_t self = getpid();
	size_t off, i;

	write(*(int *)ctx, &self, sizeof self);
	for (off = 0; off < KILL_RESULT; off += sizeof chunk) {
		for (i = 0; i < sizeof chunk; i++)
			chunk[i] = pattern(off + i);
		miso_write(w, chunk, sizeof chunk);
	}
}

/*
 * Kills each child at a random moment after it starts, then says so on
 * the second descriptor: the caller waits for that before its next call,
 * so that every kill is aimed at the child of its own call, however fast
 * the calls go.
 */
static void *
killer(void *arg)
{
	const int *fds = arg;
	int pidfd;
	struct timespec ts = { 0, 0 };
	pid_t pid;
	char ack = 1;

	while (read(fds[0], &pid, sizeof pid) == sizeof pid) {
		/* A pidfd, so that a child already reaped is never mistaken
		 * for a new process with its pid. */
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		ts.tv_nsec = (rand() % 20000) * 1000L;
		nanosleep(&ts, NULL);
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			close(pidfd);
		} else {
			/* No pidfd (valgrind): pids are not reused this soon. */
			kill(pid, SIGKILL);
		}
		if (write(fds[1], &ack, 1) != 1)
			break;
	}
	return NULL;
}

static void
test_call_killed_while_replying(void **state)
{
	unsigned char *buf = malloc(KILL_RESULT);
	struct miso_opts o = { .buf = buf, .buf_size = KILL_RESULT };
	struct miso_result r;
	int p[2], a[2], kfd[2], i, n = slow_tool() ? 5 : 60, done = 0;
	int killed = 0;
	size_t k;
	pthread_t t;
	char ack;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(a), 0);
	kfd[0] = p[0];
	kfd[1] = a[1];
	assert_int_equal(pthread_create(&t, NULL, killer, kfd), 0);
	/* A busy machine may finish every reply before the kill: go on. */
	for (i = 0; i < n || (killed == 0 && i < 20 * n); i++) {
		memset(buf, 0xee, KILL_RESULT);
		if (miso_call(cb_write_slowly, &p[1], &o, &r) == 0) {
			for (k = 0; k < KILL_RESULT; k += 4093)
				assert_int_equal(buf[k], pattern(k));
			done++;
		} else {
			assert_int_equal(r.code, MISO_ESIGNAL);
			assert_int_equal(r.signo, SIGKILL);
			for (k = 0; k < KILL_RESULT; k++)
				if (buf[k] != 0xee)
					break;
			assert_int_equal(k, KILL_RESULT);
			killed++;
		}
		/* This call's kill is over before the next call starts. */
		assert_int_equal(read(a[0], &ack, 1), 1);
	}
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	close(a[0]);
	close(a[1]);
	free(buf);
	/* Both outcomes were seen, or the test proved nothing. */
	assert_true(killed > 0);
	print_message("killed while replying: %d of %d, %d completed\n", killed, i,
	    done);
}

/* The one allocation of a small call: the result miso allocates. */
static void
test_call_malloc_failure_is_system_error(void **state)
{
	struct miso_result r;
	int fds = count_fds();

	(void)state;
	fail_malloc = 1;
	assert_int_equal(miso_call(cb_value, NULL, NULL, &r), MISO_ESYSTEM);
	fail_malloc = 0;
	assert_int_equal(r.error, ENOMEM);
	assert_null(r.data);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), 0);
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
		cmocka_unit_test(test_call_mixed_writes_intact),
		cmocka_unit_test(test_call_empty_result),
		cmocka_unit_test(test_call_crash_reports_signal),
		cmocka_unit_test(test_call_abort_reports_sigabrt),
		cmocka_unit_test(test_call_exit_reports_code),
		cmocka_unit_test(test_call_timeout_kills_and_reaps),
		cmocka_unit_test(test_call_errno_comes_back),
		cmocka_unit_test(test_call_isolates_memory),
		cmocka_unit_test(test_call_leaks_stay_in_child),
		cmocka_unit_test(test_call_large_results_intact),
		cmocka_unit_test(test_call_into_caller_buffer),
		cmocka_unit_test(test_call_too_big_leaves_buffer),
		cmocka_unit_test(test_call_nested),
		cmocka_unit_test(test_call_survives_signal_storm),
		cmocka_unit_test(test_call_fork_failure_is_not_run),
		cmocka_unit_test(test_call_process_limit_is_not_run),
		cmocka_unit_test(test_call_no_descriptors_is_not_run),
		cmocka_unit_test(test_call_map_failure_is_system_error),
		cmocka_unit_test(test_call_malloc_failure_is_system_error),
		cmocka_unit_test(test_call_killed_while_replying),
	};

	return cmocka_run_group_tests_name("call", tests, NULL, NULL);
}
