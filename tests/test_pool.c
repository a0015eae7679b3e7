/* Worker mode: results, failures, recycling, threads, and clean-up. */
#define _GNU_SOURCE
#include <sys/stat.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "miso.h"

#define NTHREADS 8

static int snapshot = 1;

/* Callbacks. */
static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

/* Echoes the input with every byte complemented. */
static void
cb_invert(const void *in, size_t len, struct miso_writer *w)
{
	const unsigned char *p = in;
	unsigned char buf[4096];
	size_t off, i, n;

	for (off = 0; off < len; off += n) {
		n = len - off < sizeof buf ? len - off : sizeof buf;
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)~p[off + i];
		miso_write(w, buf, n);
	}
}

static void
cb_pid(const void *in, size_t len, struct miso_writer *w)
{
	pid_t pid = getpid();

	(void)in;
	(void)len;
	miso_write(w, &pid, sizeof pid);
}

static void
cb_print(const void *in, size_t len, struct miso_writer *w)
{
	(void)w;
	printf("%.*s", (int)len, (const char *)in);
}

static void
cb_snapshot(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	miso_write(w, &snapshot, sizeof snapshot);
}

/* A real fault, not a sanitizer's report of one. */
__attribute__((no_sanitize("undefined"))) static void
cb_segv(const void *in, size_t len, struct miso_writer *w)
{
	volatile int *p = NULL;

	(void)in;
	(void)len;
	miso_write(w, "partial", 7);
	*p = 1;
}

static void
cb_exit(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	(void)w;
	_exit(7);
}

static void
cb_hang(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	(void)w;
	for (;;)
		pause();
}

static void
cb_errno(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	(void)w;
	errno = EDOM;
}

static void *volatile leaked;

static void
cb_eat_memory(const void *in, size_t len, struct miso_writer *w)
{
	char *p;

	(void)in;
	(void)len;
	(void)w;
	/* Through a volatile pointer, so that no compiler drops the
	 * allocation as unused. */
	for (;;) {
		p = malloc(1 << 20);
		memset(p, 1, 1 << 20); /* NULL once the cap is reached */
		leaked = p;
	}
}

/* Leaks *in bytes, touched, and reports the worker's resident set. */

static void
cb_leak(const void *in, size_t len, struct miso_writer *w)
{
	size_t n, rss;
	char *p;

	(void)len;
	memcpy(&n, in, sizeof n);
	p = malloc(n + 1);
	memset(p, 1, n + 1);
	leaked = p; /* escapes: the compiler may not drop the leak */
	rss = rss_bytes();
	miso_write(w, &rss, sizeof rss);
}

/* Helpers. */
static struct miso_pool *
new_pool(const struct miso_pool_opts *o)
{
	struct miso_pool *p;

	assert_int_equal(miso_pool_new(o, &p), 0);
	assert_non_null(p);
	return p;
}

static pid_t
call_pid(struct miso_pool *p)
{
	struct miso_result r;
	pid_t pid;

	assert_int_equal(miso_pool_call(p, cb_pid, NULL, 0, NULL, &r), 0);
	assert_int_equal(r.len, sizeof pid);
	memcpy(&pid, r.data, sizeof pid);
	assert_int_equal(pid, r.pid);
	miso_result_free(&r);
	return pid;
}

static pid_t
first_worker(struct miso_pool *p)
{
	pid_t pid = 0;

	assert_int_equal(miso_pool_stats(p, NULL, &pid, 1) >= 1, 1);
	return pid;
}

static void
check_invert(struct miso_pool *p, size_t len)
{
	unsigned char *in = calloc(1, len + 1);
	const unsigned char *d;
	struct miso_result r;
	size_t i;

	for (i = 0; i < len; i++)
		in[i] = pattern(i);
	assert_int_equal(miso_pool_call(p, cb_invert, in, len, NULL, &r), 0);
	assert_int_equal(r.len, len);
	d = r.data;
	for (i = 0; i < len; i++)
		if (d[i] != (unsigned char)~in[i])
			break;
	assert_int_equal(i, len);
	miso_result_free(&r);
	free(in);
}

/* Tests. */
static void
test_pool_results_byte_exact(void **state)
{
	static const size_t sizes[] = { 0, 1, 8, 4000, 4096, 65536,
	    (1u << 20) - 8192, 3u << 20, 8, 65536 };
	struct miso_pool *p = new_pool(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		check_invert(p, sizes[i]);
	miso_pool_free(p);
}

static void
test_pool_small_region_still_works(void **state)
{
	struct miso_pool_opts o = { .shm_size = 4096 };
	struct miso_pool *p = new_pool(&o);

	(void)state;
	check_invert(p, 8);
	check_invert(p, 10000);
	check_invert(p, 300000);
	check_invert(p, 8);
	miso_pool_free(p);
}

static void
test_pool_into_caller_buffer(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	unsigned char in[100], buf[100];
	struct miso_opts o = { .buf = buf, .buf_size = sizeof buf };
	struct miso_result r;

	(void)state;
	memset(in, 0x0f, sizeof in);
	assert_int_equal(miso_pool_call(p, cb_invert, in, 100, &o, &r), 0);
	assert_ptr_equal(r.data, buf);
	assert_int_equal(buf[99], 0xf0);
	miso_result_free(&r);
	assert_int_equal(miso_pool_call(p, cb_invert, in, 50, &o, &r), 0);
	assert_int_equal(r.len, 50);
	miso_pool_free(p);
}

static void
test_pool_large_into_caller_buffer(void **state)
{
	size_t len = 3u << 20, i;
	unsigned char *in = malloc(len), *buf = malloc(len + 1);
	struct miso_opts o = { .buf = buf, .buf_size = len };
	struct miso_pool *p = new_pool(NULL);
	struct miso_result r;

	(void)state;
	for (i = 0; i < len; i++)
		in[i] = pattern(i);
	buf[len] = 0x77;
	assert_int_equal(miso_pool_call(p, cb_invert, in, len, &o, &r), 0);
	assert_ptr_equal(r.data, buf);
	for (i = 0; i < len && buf[i] == (unsigned char)~in[i]; i++)
		;
	assert_int_equal(i, len);
	/* One byte short: nothing written past the buffer, the size told. */
	o.buf_size = len - 1;
	assert_int_equal(miso_pool_call(p, cb_invert, in, len, &o, &r),
	    MISO_ETOOBIG);
	assert_int_equal(r.len, len);
	assert_int_equal(buf[len], 0x77);
	check_invert(p, 8);
	miso_pool_free(p);
	free(in);
	free(buf);
}

static void
test_pool_too_big_reports_size(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_opts o = { .max_result = 1000 };
	static unsigned char in[70000];
	struct miso_result r;
	pid_t pid = first_worker(p);

	(void)state;
	assert_int_equal(miso_pool_call(p, cb_invert, in, sizeof in, &o, &r),
	    MISO_ETOOBIG);
	assert_int_equal(r.len, sizeof in);
	assert_null(r.data);
	assert_int_equal(miso_group(r.code), MISO_RAN);
	/* Not a reason to lose the worker. */
	assert_int_equal(first_worker(p), pid);
	check_invert(p, 8);
	miso_pool_free(p);
}

static void
test_pool_crash_replaces_worker(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_pool_stats st;
	struct miso_result r;
	pid_t old = call_pid(p);

	(void)state;
	assert_int_equal(miso_pool_call(p, cb_segv, NULL, 0, NULL, &r),
	    MISO_ESIGNAL);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(r.pid, old);
	assert_null(r.data);
	assert_int_equal(wait_gone(old, 3000), 0);
	assert_int_not_equal(call_pid(p), old);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.spawned, 2);
	miso_pool_free(p);
}

static void
test_pool_exit_reports_code(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_result r;
	pid_t old = call_pid(p);

	(void)state;
	assert_int_equal(miso_pool_call(p, cb_exit, NULL, 0, NULL, &r),
	    MISO_EEXIT);
	assert_int_equal(r.exit_code, 7);
	assert_int_not_equal(call_pid(p), old);
	miso_pool_free(p);
}

static void
test_pool_timeout_kills_and_replaces(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_opts o = { .timeout_ms = 100 };
	struct miso_result r;
	pid_t old = call_pid(p);

	(void)state;
	assert_int_equal(miso_pool_call(p, cb_hang, NULL, 0, &o, &r),
	    MISO_ETIMEOUT);
	assert_int_equal(r.signo, SIGKILL);
	assert_int_equal(r.wall_ns >= 100000000u, 1);
	assert_int_equal(r.wall_ns < 2000000000u, 1);
	assert_int_equal(miso_group(r.code), MISO_UNKNOWN);
	assert_int_equal(wait_gone(old, 3000), 0);
	assert_int_not_equal(call_pid(p), old);
	miso_pool_free(p);
}

static void
test_pool_errno_comes_back(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_pool_call(p, cb_errno, NULL, 0, NULL, &r), 0);
	assert_int_equal(r.error, EDOM);
	miso_result_free(&r);
	miso_pool_free(p);
}

static void
test_pool_memory_cap_reported(void **state)
{
	struct miso_pool_opts po = { .mem_limit = 64 << 20,
	    .flags = MISO_F_NO_CORE };
	struct miso_pool *p;
	struct miso_result r;

	(void)state;
	if (slow_tool())
		skip(); /* sanitizers reserve terabytes of address space */
	if (!as_limit_works())
		skip(); /* an emulator that ignores RLIMIT_AS */
	p = new_pool(&po);
	assert_int_equal(miso_pool_call(p, cb_eat_memory, NULL, 0, NULL, &r),
	    MISO_EMEMORY);
	assert_int_equal(r.signo, SIGSEGV);
	/* The replacement has the cap too, and a plain crash is a signal. */
	assert_int_equal(miso_pool_call(p, cb_segv, NULL, 0, NULL, &r),
	    MISO_ESIGNAL);
	check_invert(p, 8);
	miso_pool_free(p);
}

static void
test_pool_sees_creation_snapshot(void **state)
{
	struct miso_pool *p;
	struct miso_result r;
	int seen;

	(void)state;
	snapshot = 1;
	p = new_pool(NULL);
	snapshot = 2;
	assert_int_equal(miso_pool_call(p, cb_snapshot, NULL, 0, NULL, &r), 0);
	memcpy(&seen, r.data, sizeof seen);
	assert_int_equal(seen, 1);
	miso_result_free(&r);
	miso_pool_free(p);
}

static void
test_pool_bad_arguments_not_run(void **state)
{
	struct miso_pool_opts bad = { .jitter = 101 };
	struct miso_opts cap = { .mem_limit = 1 << 20 };
	struct miso_pool *p;
	struct miso_result r;

	(void)state;
	assert_int_equal(miso_pool_new(&bad, &p), -EINVAL);
	assert_null(p);
	p = new_pool(NULL);
	assert_int_equal(miso_pool_call(p, NULL, NULL, 0, NULL, &r), -EINVAL);
	assert_int_equal(miso_pool_call(p, cb_pid, NULL, 1, NULL, &r), -EINVAL);
	assert_int_equal(miso_pool_call(p, cb_pid, NULL, 0, &cap, &r), -EINVAL);
	assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
	miso_pool_free(p);
	miso_pool_free(NULL);
}

static void
test_pool_idle_worker_killed_is_replaced(void **state)
{
	struct miso_pool *p = new_pool(NULL);
	struct timespec ts = { 0, 20000000 };
	pid_t old = call_pid(p);

	(void)state;
	kill(old, SIGKILL);
	assert_int_equal(wait_gone(old, 3000), 0);
	nanosleep(&ts, NULL);
	assert_int_not_equal(call_pid(p), old);
	miso_pool_free(p);
}

static void
test_pool_max_calls_recycles(void **state)
{
	struct miso_pool_opts o = { .max_calls = 5 };
	struct miso_pool *p = new_pool(&o);
	struct miso_pool_stats st;
	pid_t pid[20];
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		pid[i] = call_pid(p);
	for (i = 1; i < 20; i++)
		assert_int_equal(pid[i] == pid[i - 1], i % 5 != 0);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.recycled, 4);
	assert_int_equal(st.spawned, 5);
	assert_int_equal(st.calls, 20);
	miso_pool_free(p);
}

static void
test_pool_jitter_spreads_recycling(void **state)
{
	struct miso_pool_opts o = { .max_calls = 20, .jitter = 50 };
	struct miso_pool *p = new_pool(&o);
	int i, run = 0, runs = 0, lo = 1000, hi = 0;
	pid_t last = 0, pid;

	(void)state;
	for (i = 0; i < 400; i++) {
		pid = call_pid(p);
		if (pid != last && last != 0) {
			lo = run < lo ? run : lo;
			hi = run > hi ? run : hi;
			runs++;
			run = 0;
		}
		last = pid;
		run++;
	}
	/* Each worker served between 10 and 20 calls, not all the same. */
	assert_int_equal(runs >= 20, 1);
	assert_int_equal(lo >= 10 && hi <= 20, 1);
	assert_int_equal(lo < hi, 1);
	miso_pool_free(p);
}

static void
test_pool_max_age_recycles(void **state)
{
	/* Under valgrind a worker takes long to start: give it more time. */
	struct miso_pool_opts o = { .max_age_ms = slow_tool() ? 1500 : 150 };
	struct miso_pool *p = new_pool(&o);
	struct timespec ts = { slow_tool() ? 2 : 0, 200000000 };
	pid_t a, b;

	(void)state;
	a = call_pid(p);
	assert_int_equal(call_pid(p), a);
	nanosleep(&ts, NULL);
	b = call_pid(p);
	assert_int_not_equal(b, a);
	assert_int_equal(wait_gone(a, 3000), 0);
	assert_int_equal(call_pid(p), b);
	miso_pool_free(p);
}

/* A fresh worker's resident set (large under valgrind). */
static size_t
fresh_rss(void)
{
	struct miso_pool *p = new_pool(NULL);
	struct miso_result r;
	size_t rss, none = 0;

	assert_int_equal(miso_pool_call(p, cb_leak, &none, sizeof none, NULL,
	    &r), 0);
	memcpy(&rss, r.data, sizeof rss);
	miso_result_free(&r);
	miso_pool_free(p);
	return rss;
}

static void
test_pool_max_rss_recycles_caller_flat(void **state)
{
	struct miso_pool_opts o = { .max_rss = fresh_rss() + (16u << 20),
	    .workers = 2 };
	struct miso_pool *p = new_pool(&o);
	struct miso_pool_stats st;
	struct miso_result r;
	size_t before, rss, peak = 0, mib = 1 << 20;
	int i, n = slow_tool() ? 50 : 100;

	(void)state;
#ifdef __SANITIZE_THREAD__
	/* Its shadow memory grows with every call, in caller and worker. */
	miso_pool_free(p);
	skip();
#endif
	check_invert(p, 8);
	before = rss_bytes();
	for (i = 0; i < n; i++) {
		assert_int_equal(miso_pool_call(p, cb_leak, &mib, sizeof mib,
		    NULL, &r), 0);
		memcpy(&rss, r.data, sizeof rss);
		miso_result_free(&r);
		peak = rss > peak ? rss : peak;
	}
	/* Measured before the limit is checked: one call's leak over. */
	assert_int_equal(peak <= o.max_rss + (2u << 20), 1);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.recycled >= 2, 1);
	/* The caller did not grow with the workers' leaks. */
	assert_int_equal(rss_bytes() < before + (2u << 20), 1);
	miso_pool_free(p);
}

struct job {
	struct miso_pool *p;
	int id, n, bad;
};

static void *
hammer(void *arg)
{
	struct job *j = arg;
	unsigned char in[64], want;
	struct miso_result r;
	int i;
	size_t k;

	for (i = 0; i < j->n; i++) {
		for (k = 0; k < sizeof in; k++)
			in[k] = (unsigned char)(j->id * 31 + i + k);
		if (miso_pool_call(j->p, cb_invert, in, sizeof in, NULL, &r)) {
			j->bad++;
			continue;
		}
		for (k = 0; k < sizeof in; k++) {
			want = (unsigned char)~in[k];
			if (((unsigned char *)r.data)[k] != want)
				break;
		}
		j->bad += r.len != sizeof in || k != sizeof in;
		miso_result_free(&r);
	}
	return NULL;
}

static void
test_pool_threads_get_own_workers(void **state)
{
	struct miso_pool_opts o = { .workers = 4, .max_calls = 50 };
	struct miso_pool *p = new_pool(&o);
	struct job jobs[NTHREADS];
	pthread_t t[NTHREADS];
	struct miso_pool_stats st;
	int i, n = slow_tool() ? 50 : 500;

	(void)state;
	for (i = 0; i < NTHREADS; i++) {
		jobs[i] = (struct job){ p, i, n, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &jobs[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.calls, (uint64_t)NTHREADS * n);
	assert_int_equal(st.lost, 0);
	miso_pool_free(p);
}

static void
test_pool_free_leaves_nothing(void **state)
{
	struct miso_pool_opts o = { .workers = 3 };
	struct miso_pool_stats st;
	struct miso_opts t = { .timeout_ms = 50 };
	struct miso_result r;
	struct miso_pool *p;
	int fds = count_fds(), kids = count_children(), i;
	pid_t pids[3];

	(void)state;
	p = new_pool(&o);
	for (i = 0; i < 10; i++)
		check_invert(p, 100000);
	miso_pool_call(p, cb_segv, NULL, 0, NULL, &r);
	miso_pool_call(p, cb_hang, NULL, 0, &t, &r);
	assert_int_equal(miso_pool_stats(p, &st, pids, 3), 3);
	miso_pool_free(p);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), kids);
	assert_int_equal(wait_gone(st.zygote, 3000), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(wait_gone(pids[i], 3000), 0);
}

static void *
kill_later(void *arg)
{
	struct timespec ts = { 0, 50000000 };

	nanosleep(&ts, NULL);
	kill(*(pid_t *)arg, SIGKILL);
	return NULL;
}

/* Children of process pid (its threads' lists), zombies included. */
static int
children_of(pid_t pid)
{
	char path[64];
	FILE *f;
	long v;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid,
	    (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fscanf(f, "%ld", &v) == 1)
		n++;
	fclose(f);
	return n;
}

/* Waits up to ms for pid to have n children; 0 when it has. */
static int
wait_children(pid_t pid, int n, int ms)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < ms; i++) {
		if (children_of(pid) == n)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static long
parent_of(pid_t pid)
{
	char path[64];
	FILE *f;
	long ppid = 0;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%*d (%*[^)]) %*c %ld", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

/*
 * What a pool must look like after a fault: the old zygote reaped (not
 * even a zombie), one zygote of ours whose children are exactly the
 * workers the stats list (slots whose worker died with the old zygote
 * show 0 until their next call), no descriptor more than expected, and
 * calls served by a worker of the zygote the stats name.
 */
static void
check_recovered(struct miso_pool *p, pid_t old_zygote, int fds, int kids,
    uint64_t restarts)
{
	struct miso_pool_stats st;
	pid_t pid, pids[8];
	int i, n, live = 0;

	pid = call_pid(p);
	n = miso_pool_stats(p, &st, pids, 8);
	assert_int_equal(n <= 8, 1);
	for (i = 0; i < n; i++)
		if (pids[i] != 0) {
			assert_int_equal(parent_of(pids[i]), st.zygote);
			live++;
		}
	assert_int_equal(st.restarts, restarts);
	if (old_zygote != 0) {
		assert_int_not_equal(st.zygote, old_zygote);
		assert_int_equal(wait_gone(old_zygote, 3000), 0);
	}
	assert_int_not_equal(pid, 0);
	assert_int_equal(wait_children(st.zygote, live, 3000), 0);
	assert_int_equal(count_children(), kids);
	assert_int_equal(count_fds(), fds + 1 + 2 * live);
}

/*
 * A zygote killed during a call: the call is reported lost (fn ran, how
 * far is unknown), the dead zygote is reaped and replaced by the next
 * call, which is served, and the restart is counted.
 */
static void
test_pool_zygote_killed_in_call_is_replaced(void **state)
{
	struct miso_pool_opts po = { .workers = 2 };
	struct miso_opts o = { .timeout_ms = 5000 };
	struct miso_pool_stats st;
	struct miso_result r;
	struct miso_pool *p;
	pthread_t t;
	int fds = count_fds(), kids = count_children();

	(void)state;
	p = new_pool(&po);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.restarts, 0);
	pthread_create(&t, NULL, kill_later, &st.zygote);
	assert_int_equal(miso_pool_call(p, cb_hang, NULL, 0, &o, &r),
	    MISO_ELOST);
	assert_int_equal(miso_group(r.code), MISO_UNKNOWN);
	assert_int_equal(r.wall_ns < 3000000000u, 1);
	pthread_join(t, NULL);
	check_recovered(p, st.zygote, fds, kids + 1, 1);
	check_invert(p, 100000);
	miso_pool_free(p);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), kids);
}

/*
 * A zygote killed while its workers are idle: no call is lost, since
 * none reached a worker that could have run it: the next calls, on
 * every slot, are served by workers of a new zygote.
 */
static void
test_pool_zygote_killed_idle_is_replaced(void **state)
{
	struct miso_pool_opts po = { .workers = 3 };
	struct miso_pool_stats st;
	struct miso_pool *p;
	int fds = count_fds(), kids = count_children(), i;

	(void)state;
	p = new_pool(&po);
	miso_pool_stats(p, &st, NULL, 0);
	kill(st.zygote, SIGKILL);
	assert_int_equal(wait_children(st.zygote, 0, 3000), 0);
	for (i = 0; i < 6; i++)
		check_invert(p, 1000);
	check_recovered(p, st.zygote, fds, kids + 1, 1);
	miso_pool_free(p);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), kids);
}

static void
cb_kill_parent(const void *in, size_t len, struct miso_writer *w)
{
	(void)in;
	(void)len;
	miso_write(w, "x", 1);
	kill(getppid(), SIGKILL);
	for (;;)
		pause();
}

/* A callback that kills its worker's parent: lost, then served again. */
static void
test_pool_callback_kills_zygote(void **state)
{
	struct miso_pool_opts po = { .workers = 1 };
	struct miso_opts o = { .timeout_ms = 5000 };
	struct miso_pool_stats st;
	struct miso_result r;
	struct miso_pool *p;
	int fds = count_fds(), kids = count_children(), i;

	(void)state;
	p = new_pool(&po);
	for (i = 1; i <= 2; i++) {
		miso_pool_stats(p, &st, NULL, 0);
		assert_int_equal(miso_pool_call(p, cb_kill_parent, NULL, 0, &o,
		    &r), MISO_ELOST);
		assert_null(r.data);
		check_recovered(p, st.zygote, fds, kids + 1, (uint64_t)i);
	}
	miso_pool_free(p);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), kids);
}

/*
 * A stopped zygote cannot start workers: a call waits for it no longer
 * than its timeout, and one that needs a new worker fails "not run"
 * with -ETIMEDOUT. Once the zygote goes on, the workers it started for
 * no one are killed and the pool serves calls again.
 */
static void
test_pool_stopped_zygote_bounded(void **state)
{
	struct miso_pool_opts po = { .workers = 1, .max_calls = 1 };
	struct miso_opts o = { .timeout_ms = 500 };
	struct miso_pool_stats st;
	struct miso_result r;
	struct miso_pool *p;
	int fds = count_fds(), kids = count_children(), i;

	(void)state;
	p = new_pool(&po);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(kill(st.zygote, SIGSTOP), 0);
	/* Served; its replacement cannot be started. */
	assert_int_equal(miso_pool_call(p, cb_pid, NULL, 0, &o, &r), 0);
	miso_result_free(&r);
	assert_int_equal(r.wall_ns < 3000000000u, 1);
	for (i = 0; i < 2; i++) {
		assert_int_equal(miso_pool_call(p, cb_pid, NULL, 0, &o, &r),
		    -ETIMEDOUT);
		assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
		assert_int_equal(r.pid, 0);
		assert_int_equal(r.wall_ns < 3000000000u, 1);
	}
	assert_int_equal(kill(st.zygote, SIGCONT), 0);
	check_recovered(p, 0, fds, kids + 1, 0);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.lost, 0);
	miso_pool_free(p);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), kids);
}

static void
cb_nap(const void *in, size_t len, struct miso_writer *w)
{
	struct timespec ts;
	pid_t pid = getpid();
	unsigned ms;

	(void)len;
	memcpy(&ms, in, sizeof ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	miso_write(w, &pid, sizeof pid);
}

struct napper {
	struct miso_pool *p;
	unsigned ms;
	uint64_t timeout_ms;
	int code;
	pid_t pid;
};

static void *
nap_call(void *arg)
{
	struct napper *n = arg;
	struct miso_opts o = { .timeout_ms = n->timeout_ms };
	struct miso_result r;

	n->code = miso_pool_call(n->p, cb_nap, &n->ms, sizeof n->ms, &o, &r);
	if (n->code == 0)
		memcpy(&n->pid, r.data, sizeof n->pid);
	miso_result_free(&r);
	return NULL;
}

/*
 * One worker, six callers of a 600 ms function with a 2.5 s timeout: the
 * last waits 3 s for the worker, which is not run time. Every call
 * completes, on the same worker, which no timeout killed.
 */
static void
test_pool_queue_wait_is_not_run_time(void **state)
{
	struct miso_pool_opts po = { .workers = 1 };
	struct miso_pool *p = new_pool(&po);
	struct miso_pool_stats st;
	struct napper n[6];
	pthread_t t[6];
	pid_t worker = first_worker(p);
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		n[i] = (struct napper){ p, 600, 2500, 1, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, nap_call, &n[i]),
		    0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(n[i].code, 0);
		assert_int_equal(n[i].pid, worker);
	}
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.calls, 6);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.spawned, 1);
	miso_pool_free(p);
}

/*
 * acquire_timeout_ms bounds the wait for a free worker: the caller gets
 * -EBUSY, "not run", and the busy worker is left alone to finish.
 */
static void
test_pool_acquire_timeout_not_run(void **state)
{
	struct miso_pool_opts po = { .workers = 1,
	    .acquire_timeout_ms = 300 };
	struct miso_pool *p = new_pool(&po);
	struct napper busy = { p, 3000, 0, 1, 0 };
	struct miso_pool_stats st;
	struct timespec ts = { 0, 10000000 };
	struct miso_result r;
	pid_t worker = first_worker(p);
	pthread_t t;
	unsigned ms = 0;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, nap_call, &busy), 0);
	do {
		nanosleep(&ts, NULL);
		miso_pool_stats(p, &st, NULL, 0);
	} while (st.calls == 0);
	assert_int_equal(miso_pool_call(p, cb_nap, &ms, sizeof ms, NULL, &r),
	    -EBUSY);
	assert_int_equal(miso_group(r.code), MISO_NOT_RUN);
	assert_int_equal(r.pid, 0);
	assert_int_equal(r.wall_ns >= 300000000u, 1);
	assert_int_equal(r.wall_ns < 2500000000u, 1);
	pthread_join(t, NULL);
	assert_int_equal(busy.code, 0);
	assert_int_equal(busy.pid, worker);
	/* Free again: served at once, by the same worker. */
	assert_int_equal(call_pid(p), worker);
	miso_pool_stats(p, &st, NULL, 0);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.calls, 2);
	miso_pool_free(p);
}

/*
 * Output buffered before the pool exists, or before a call, is printed
 * once, not once more by every worker, and in order when the program has
 * one thread; a worker's own output is not lost. (Under ThreadSanitizer,
 * whose runtime has a thread of its own, the program's output is left
 * buffered and comes out at exit, after the worker's.)
 */
static void
test_pool_stdio_appears_once(void **state)
{
	char path[] = "/tmp/miso-pool-stdio-XXXXXX", out[64];
	int fd = mkstemp(path), st;
	ssize_t n;
	pid_t prog;

	(void)state;
	assert_true(fd >= 0);
	prog = fork();
	if (prog == 0) {
		struct miso_result r;
		struct miso_pool *p;
		struct stat tasks;

		dup2(fd, 1);
		setvbuf(stdout, NULL, _IOFBF, 4096);
		printf("parent|");
		if (miso_pool_new(&(struct miso_pool_opts){ .workers = 2 },
		    &p) != 0)
			_exit(1);
		printf("before|");
		miso_pool_call(p, cb_print, "worker", 6, NULL, &r);
		miso_result_free(&r);
		miso_pool_call(p, cb_print, "", 0, NULL, &r);
		miso_result_free(&r);
		printf("|end");
		miso_pool_free(p);
		exit(stat("/proc/self/task", &tasks) == 0 &&
		    tasks.st_nlink == 3 ? 0 : 10);
	}
	assert_int_equal(waitpid(prog, &st, 0), prog);
	assert_true(WIFEXITED(st));
	n = pread(fd, out, sizeof out - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	if (WEXITSTATUS(st) == 10)
		assert_string_equal(out, "workerparent|before||end");
	else
		assert_int_equal(WEXITSTATUS(st), 0);
	if (WEXITSTATUS(st) == 0)
		assert_string_equal(out, "parent|before|worker|end");
}

/* The kernel must not reap the workers before the zygote reads them. */
static void
test_pool_sigchld_ignored(void **state)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct miso_pool *p;
	struct miso_result r;

	(void)state;
	sigaction(SIGCHLD, &ign, &old);
	p = new_pool(NULL);
	assert_int_equal(miso_pool_call(p, cb_segv, NULL, 0, NULL, &r),
	    MISO_ESIGNAL);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(miso_pool_call(p, cb_exit, NULL, 0, NULL, &r),
	    MISO_EEXIT);
	check_invert(p, 8);
	miso_pool_free(p);
	sigaction(SIGCHLD, &old, NULL);
}

/* A second zygote must not keep the first pool's socket open. */
static void
test_pool_two_pools_free_in_any_order(void **state)
{
	struct miso_pool *a = new_pool(NULL), *b = new_pool(NULL);
	struct miso_pool *c;
	int fds;

	(void)state;
	check_invert(a, 100000);
	check_invert(b, 100000);
	miso_pool_free(a);
	check_invert(b, 8);
	c = new_pool(NULL);
	fds = count_fds();
	check_invert(c, 8);
	miso_pool_free(b);
	check_invert(c, 100000);
	assert_int_equal(count_fds() < fds, 1);
	miso_pool_free(c);
}

/* In a process of its own: make a pool, report its pids, wait to die. */
_Noreturn static void
doomed_program(int wfd)
{
	struct miso_pool_opts o = { .workers = 2 };
	struct miso_pool_stats st;
	struct miso_result r;
	struct miso_pool *p;
	pid_t pids[3];
	int i;

	if (miso_pool_new(&o, &p) != 0)
		_exit(1);
	for (i = 0; i < 10; i++)
		if (miso_pool_call(p, cb_pid, NULL, 0, NULL, &r) != 0)
			_exit(1);
	miso_pool_stats(p, &st, pids + 1, 2);
	pids[0] = st.zygote;
	if (write(wfd, pids, sizeof pids) != sizeof pids)
		_exit(1);
	for (;;)
		pause();
}

static void
test_pool_nothing_outlives_killed_program(void **state)
{
	pid_t prog, pids[3];
	int p[2], st, i;

	(void)state;
	assert_int_equal(pipe(p), 0);
	prog = fork();
	assert_int_not_equal(prog, -1);
	if (prog == 0)
		doomed_program(p[1]);
	assert_int_equal(read(p[0], pids, sizeof pids), sizeof pids);
	for (i = 0; i < 3; i++) {
		assert_int_not_equal(pids[i], 0);
		assert_int_equal(kill(pids[i], 0), 0);
	}
	kill(prog, SIGKILL);
	assert_int_equal(waitpid(prog, &st, 0), prog);
	for (i = 0; i < 3; i++)
		assert_int_equal(wait_gone(pids[i], 3000), 0);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_results_byte_exact),
		cmocka_unit_test(test_pool_small_region_still_works),
		cmocka_unit_test(test_pool_into_caller_buffer),
		cmocka_unit_test(test_pool_large_into_caller_buffer),
		cmocka_unit_test(test_pool_too_big_reports_size),
		cmocka_unit_test(test_pool_crash_replaces_worker),
		cmocka_unit_test(test_pool_exit_reports_code),
		cmocka_unit_test(test_pool_timeout_kills_and_replaces),
		cmocka_unit_test(test_pool_errno_comes_back),
		cmocka_unit_test(test_pool_memory_cap_reported),
		cmocka_unit_test(test_pool_sees_creation_snapshot),
		cmocka_unit_test(test_pool_bad_arguments_not_run),
		cmocka_unit_test(test_pool_idle_worker_killed_is_replaced),
		cmocka_unit_test(test_pool_max_calls_recycles),
		cmocka_unit_test(test_pool_jitter_spreads_recycling),
		cmocka_unit_test(test_pool_max_age_recycles),
		cmocka_unit_test(test_pool_max_rss_recycles_caller_flat),
		cmocka_unit_test(test_pool_threads_get_own_workers),
		cmocka_unit_test(test_pool_free_leaves_nothing),
		cmocka_unit_test(test_pool_two_pools_free_in_any_order),
		cmocka_unit_test(test_pool_zygote_killed_in_call_is_replaced),
		cmocka_unit_test(test_pool_zygote_killed_idle_is_replaced),
		cmocka_unit_test(test_pool_callback_kills_zygote),
		cmocka_unit_test(test_pool_stopped_zygote_bounded),
		cmocka_unit_test(test_pool_queue_wait_is_not_run_time),
		cmocka_unit_test(test_pool_acquire_timeout_not_run),
		cmocka_unit_test(test_pool_stdio_appears_once),
		cmocka_unit_test(test_pool_sigchld_ignored),
		cmocka_unit_test(test_pool_nothing_outlives_killed_program),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
