/*
 * Stress: 8 threads x 10,000 calls each, mixing results, crashes, exits
 * and timeouts, with fork() children and with a pool of workers; the
 * process's descriptors, children and resident size are the same after
 * as before, and every call's outcome is the one expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "callbacks.h"
#include "helpers.h"
#include "miso.h"

#define THREADS 8

struct run {
	struct miso_pool *pool;  /* NULL: miso_call */
	int id, n, wrong;
};

/* Call i of a thread: mostly results, every 10th a crash, every 25th an
 * exit, every 50th a hang past its timeout. */
static int
kind(int i)
{
	return i % 50 == 49 ? 3 : i % 25 == 24 ? 2 : i % 10 == 9 ? 1 : 0;
}

static void
pool_value(const void *in, size_t len, struct miso_writer *w)
{
	miso_write(w, in, len);
}

static void
pool_segv(const void *in, size_t len, struct miso_writer *w)
{
	cb_segv(NULL, w);
}

static void
pool_exit(const void *in, size_t len, struct miso_writer *w)
{
	cb_exit(NULL, w);
}

static void
pool_hang(const void *in, size_t len, struct miso_writer *w)
{
	cb_hang(NULL, w);
}

static void *
hammer(void *arg)
{
	static void (*const fns[4])(void *, struct miso_writer *) = {
	    cb_value, cb_segv, cb_exit, cb_hang };
	static void (*const pfns[4])(const void *, size_t,
	    struct miso_writer *) = { pool_value, pool_segv, pool_exit,
	    pool_hang };
	static const int want[4] = { 0, MISO_ESIGNAL, MISO_EEXIT,
	    MISO_ETIMEOUT };
	struct run *r = arg;
	struct miso_result res;
	struct miso_opts o;
	uint64_t v, got;
	int i, k, code;

	for (i = 0; i < r->n; i++) {
		k = kind(i);
		memset(&o, 0, sizeof o);
		o.timeout_ms = k == 3 ? 5 : 30000;
		o.flags = MISO_F_NO_CORE;
		v = (uint64_t)r->id << 32 | (uint64_t)i;
		code = r->pool != NULL ?
		    miso_pool_call(r->pool, pfns[k], &v, sizeof v, &o, &res) :
		    miso_call(fns[k], &v, &o, &res);
		if (code != want[k]) {
			r->wrong++;
		} else if (k == 0) {
			memcpy(&got, res.data, sizeof got);
			r->wrong += res.len != sizeof got || got != v;
		}
		miso_result_free(&res);
	}
	return NULL;
}

static void
stress(struct miso_pool *pool, int n)
{
	struct run runs[THREADS];
	pthread_t t[THREADS];
	int i, wrong = 0;

	for (i = 0; i < THREADS; i++) {
		runs[i] = (struct run){ pool, i, n, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &runs[i]),
		    0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		wrong += runs[i].wrong;
	}
	assert_int_equal(wrong, 0);
}

static int
calls_per_thread(void)
{
	return slow_tool() ? 200 : 10000;
}

static void
test_stress_fork_mode(void **state)
{
	int fds, children;
	size_t rss;

	(void)state;
	stress(NULL, 50);  /* warm up: threads, caches, the kept memfd */
	miso_reap();
	fds = count_fds();
	children = count_children();
	rss = rss_bytes();
	stress(NULL, calls_per_thread());
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), children);
	/* Under an emulator the resident size is the emulator's. */
	assert_true(emulated() || rss_bytes() < rss + (4u << 20));
}

static void
test_stress_worker_mode(void **state)
{
	struct miso_pool_opts po = { .workers = 4, .flags = MISO_F_NO_CORE };
	struct miso_pool *pool;
	int fds, children;
	size_t rss;

	(void)state;
	miso_reap();
	fds = count_fds();
	children = count_children();
	rss = rss_bytes();
	assert_int_equal(miso_pool_new(&po, &pool), 0);
	stress(pool, calls_per_thread());
	miso_pool_free(pool);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_children(), children);
	/* Under an emulator the resident size is the emulator's. */
	assert_true(emulated() || rss_bytes() < rss + (4u << 20));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_fork_mode),
		cmocka_unit_test(test_stress_worker_mode),
	};

	return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}
