/*
 * The engine's descriptors and a callback that tramples on descriptors
 * (core/highfd.c, the checks in core/child.c and core/worker.c): a
 * function that dup2()s a file over low descriptors, over every
 * descriptor, or closes them all, gets its own outcome or MISO_ESYSTEM
 * with EBADF, never "exited", and miso's reply never lands in its file.
 * In fork mode (clone() and fork() children) and in worker mode.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

#include "callbacks.h"
#include "helpers.h"
#include "miso.h"

#define BIG (100u << 10)   /* past the pipe record: spilled to a memfd */

/* What a trampling callback does, and the file it uses. */
struct trample {
	char path[64]; /* a file of the test's, opened by the callback */
	int upto;      /* dup2 it over 0 .. upto-1; 0: close them all */
	int nofile;    /* then allow no new descriptor */
	size_t len;    /* then write this many bytes of the pattern */
};

static void
trample(const struct trample *t)
{
	struct rlimit none = { 0, 0 };
	int file, fd;

	if (t->upto == 0) {
		close_range(0, ~0U, 0);
	} else {
		file = open(t->path, O_RDWR);
		for (fd = 0; fd < t->upto; fd++)
			if (fd != file)
				dup2(file, fd);
	}
	if (t->nofile)
		setrlimit(RLIMIT_NOFILE, &none);
}

static void
cb_trample(void *ctx, struct miso_writer *w)
{
	const struct trample *t = ctx;

	trample(t);
	write_pattern(w, t->len);
}

static void
pool_trample(const void *in, size_t len, struct miso_writer *w)
{
	const struct trample *t = in;

	(void)len;
	trample(t);
	write_pattern(w, t->len);
}

static void
temp_file(struct trample *t)
{
	int fd;

	strcpy(t->path, "/tmp/miso-highfd-XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
}

/* Nothing of miso's went into the function's file; it is removed. */
static void
assert_file_empty(struct trample *t)
{
	struct stat st;

	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(t->path);
}

static void
assert_pattern(const struct miso_result *r, size_t len)
{
	size_t i;

	assert_int_equal(r->len, len);
	if ((i = first_wrong(r->data, len)) != len)
		fail_msg("byte %zu differs", i);
}

/* One call of cb_trample in each kind of child; the expected outcome. */
static void
call_both_ways(int upto, int nofile, size_t len, int want)
{
	static const unsigned flags[] = { 0, MISO_F_FORK };
	struct trample t = { .upto = upto, .nofile = nofile, .len = len };
	struct miso_result r;
	size_t i;

	temp_file(&t);
	for (i = 0; i < 2; i++) {
		struct miso_opts o = { .flags = flags[i], .timeout_ms = 20000 };

		assert_int_equal(miso_call(cb_trample, &t, &o, &r), want);
		if (want == 0)
			assert_pattern(&r, len);
		else
			assert_int_equal(r.error, EBADF);
		miso_result_free(&r);
	}
	assert_file_empty(&t);
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

static void
test_highfd_dup2_over_low_descriptors(void **state)
{
	(void)state;
	call_both_ways(64, 0, 100, 0);
	call_both_ways(64, 0, BIG, 0);
}

/*
 * Over the engine's own descriptors too: the pipe is found again; a
 * result that needs the memfd, now the function's file, is refused.
 */
static void
test_highfd_dup2_over_every_descriptor(void **state)
{
	(void)state;
	call_both_ways(1024, 0, 100, 0);
	call_both_ways(1024, 0, BIG, MISO_ESYSTEM);
}

static void
test_highfd_close_all_still_replies(void **state)
{
	(void)state;
	call_both_ways(0, 0, 100, 0);
}

/* The result memfd was closed before the result was spilled into it. */
static void
test_highfd_close_all_big_result_is_ebadf(void **state)
{
	(void)state;
	call_both_ways(0, 0, BIG, MISO_ESYSTEM);
}

/*
 * The pipe cannot be reopened either (the callback left the child no
 * descriptor to open it with): the call says that it could not reply.
 */
static void
test_highfd_close_all_no_way_back(void **state)
{
	(void)state;
	if (getenv("MISO_UNDER_VALGRIND") != NULL)
		skip(); /* valgrind keeps descriptors beyond RLIMIT_NOFILE */
	call_both_ways(0, 1, 100, MISO_ESYSTEM);
	call_both_ways(1024, 1, 100, MISO_ESYSTEM);
}

static void
cb_close_all_and_hang(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	close_range(0, ~0U, 0);
	for (;;)
		pause();
}

/*
 * End of file on the reply pipe is not the child's end: one that closed
 * every descriptor and hangs is a timeout, and the caller is not held up.
 */
static void
test_highfd_close_all_then_hang_times_out(void **state)
{
	static const unsigned flags[] = { 0, MISO_F_FORK };
	struct miso_result r;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct miso_opts o = { .flags = flags[i], .timeout_ms = 300 };

		assert_int_equal(miso_call(cb_close_all_and_hang, NULL, &o, &r),
		    MISO_ETIMEOUT);
		assert_int_equal(r.signo, SIGKILL);
	}
	assert_int_equal(miso_reap(), 0);
	assert_int_equal(count_children(), 0);
}

/* A call of pool_trample; its expected outcome. */
static void
pool_one(struct miso_pool *pool, const struct trample *t, int want)
{
	struct miso_opts o = { .timeout_ms = 20000 };
	struct miso_result r;

	assert_int_equal(miso_pool_call(pool, pool_trample, t, sizeof *t, &o,
	    &r), want);
	if (want == 0)
		assert_pattern(&r, t->len);
	else
		assert_int_equal(r.error, EBADF);
	miso_result_free(&r);
}

/*
 * Worker mode, one worker: fn's own result, or EBADF. A worker whose
 * result file fn closed or replaced says so at the first call that needs
 * the file (want_next), and is replaced: the call after is served.
 */
static void
pool_case(struct miso_pool *pool, int upto, size_t len, int want,
    int want_next)
{
	struct trample t = { .upto = upto, .len = len };
	struct trample next = { .upto = 3, .len = BIG };

	temp_file(&t);
	memcpy(next.path, t.path, sizeof t.path);
	pool_one(pool, &t, want);
	/* dup2 over 0, 1 and 2 only, and a result that needs the file. */
	pool_one(pool, &next, want_next);
	pool_one(pool, &next, 0);
	assert_file_empty(&t);
}

static void
test_highfd_worker_mode(void **state)
{
	struct miso_pool_opts po = { .workers = 1 };
	struct miso_pool *pool;
	int kids = count_children();

	(void)state;
	assert_int_equal(miso_pool_new(&po, &pool), 0);
	pool_case(pool, 64, 100, 0, 0);
	pool_case(pool, 64, BIG, 0, 0);
	pool_case(pool, 1024, 100, 0, MISO_ESYSTEM);
	pool_case(pool, 1024, BIG, MISO_ESYSTEM, 0);
	pool_case(pool, 0, 100, 0, MISO_ESYSTEM);
	pool_case(pool, 0, BIG, MISO_ESYSTEM, 0);
	miso_pool_free(pool);
	assert_int_equal(count_children(), kids);
}

/* Where the engine's descriptors are while a call runs. */
static void
cb_lowest_free(void *ctx, struct miso_writer *w)
{
	int fd = dup(0), high = 0, i;

	(void)ctx;
	for (i = 3; i < 512; i++)
		if (i != fd && fcntl(i, F_GETFD) != -1)
			high = i;
	miso_write(w, &high, sizeof high);
}

static void
test_highfd_nothing_of_ours_below_512(void **state)
{
	struct miso_opts o = { .max_result = BIG };
	struct miso_result r;
	int before = 0, i;

	(void)state;
	for (i = 3; i < 512; i++)
		if (fcntl(i, F_GETFD) != -1)
			before = i;
	assert_int_equal(miso_call(cb_lowest_free, NULL, &o, &r), 0);
	/* The child sees below 512 only what the test itself holds. */
	assert_int_equal(*(int *)r.data, before);
	miso_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_highfd_dup2_over_low_descriptors),
		cmocka_unit_test(test_highfd_dup2_over_every_descriptor),
		cmocka_unit_test(test_highfd_close_all_still_replies),
		cmocka_unit_test(test_highfd_close_all_big_result_is_ebadf),
		cmocka_unit_test(test_highfd_close_all_no_way_back),
		cmocka_unit_test(test_highfd_close_all_then_hang_times_out),
		cmocka_unit_test(test_highfd_worker_mode),
		cmocka_unit_test(test_highfd_nothing_of_ours_below_512),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
