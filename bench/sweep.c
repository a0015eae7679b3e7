/*
 * The data behind docs/benchmarks.md (make bench-report): the cost of a
 * call against the caller's resident size, and of a result against its
 * size. Prints two tab-separated tables; scripts/bench-report plots them.
 *
 * usage: sweep [-q]
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <miso.h>

#include "bench.h"

static struct miso_pool *spin_pool, *block_pool;

static void
pool_value(const void *in, size_t len, struct miso_writer *w)
{
	uint64_t v;

	memcpy(&v, in, sizeof v);
	v = work(v);
	miso_write(w, &v, sizeof v);
}

static double
pool_calls(struct miso_pool *pool, long n)
{
	uint64_t v, out;
	struct miso_opts o = { .buf = &out, .buf_size = sizeof out };
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		v = (uint64_t)i;
		if (miso_pool_call(pool, pool_value, &v, sizeof v, &o, &r) != 0)
			exit(1);
	}
	return (now_ns() - t) / n;
}

static double
run_pool_spin(long n)
{
	return pool_calls(spin_pool, n);
}

static double
run_pool_block(long n)
{
	return pool_calls(block_pool, n);
}

static void
by_size(int rounds)
{
	static const size_t mib[] = { 0, 64, 256, 1024 };
	size_t i, have = 0, want;
	unsigned char *ballast = NULL;

	printf("# rss_mib\tdirect_ns\tfork_pipe_ns\tmiso_ns\tpool_spin_ns"
	    "\tpool_block_ns\n");
	for (i = 0; i < sizeof mib / sizeof mib[0]; i++) {
		long n = quick ? 3 : mib[i] >= 256 ? 10 : 100;
		struct row rows[] = {
			{ .name = "direct", .run = run_direct, .n = 1000000 },
			{ .name = "fork+pipe", .run = run_fork_pipe_wait,
			    .n = n },
			{ .name = "miso_call", .run = run_miso_8, .n = n },
			{ .name = "pool, spin", .run = run_pool_spin, .n = 2000 },
			{ .name = "pool, block", .run = run_pool_block,
			    .n = 500 },
		};

		want = (quick ? mib[i] / 16 : mib[i]) << 20;
		if (want > have) {
			ballast = realloc(ballast, want);
			madvise(ballast, want, MADV_NOHUGEPAGE);
			memset(ballast, 1, want);
			have = want;
		}
		measure(rows, 5, rounds);
		printf("%zu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", want >> 20,
		    rows[0].median, rows[1].median, rows[2].median,
		    rows[3].median, rows[4].median);
	}
	free(ballast);
}

static void
by_result(int rounds)
{
	static const size_t kib[] = { 64, 1024, 16384, 65536, 262144 };
	size_t i, max = (quick ? 16384 : 262144) * 1024u;

	src = aligned_alloc(2u << 20, max);
	madvise(src, max, MADV_HUGEPAGE);
	memset(src, 0x5a, max);
	dst = malloc(max);
	memset(dst, 1, max);
	printf("\n# result_kib\tmiso_ns\tmemcpy_ns\n");
	for (i = 0; i < sizeof kib / sizeof kib[0]; i++) {
		struct row rows[] = {
			{ .name = "miso_call", .run = run_miso_bulk, .n = 5 },
			{ .name = "memcpy", .run = run_memcpy, .n = 5 },
		};

		bulk = kib[i] * 1024;
		if (bulk > max)
			break;
		measure(rows, 2, rounds);
		printf("%zu\t%.1f\t%.1f\n", kib[i], rows[0].median,
		    rows[1].median);
	}
	free(dst);
	free(src);
}

int
main(int argc, char **argv)
{
	struct miso_pool_opts spin = { .workers = 1 };
	struct miso_pool_opts block = { .workers = 1,
	    .spin_ns = MISO_POOL_NO_SPIN };
	int rounds;

	quick = argc > 1 && strcmp(argv[1], "-q") == 0;
	rounds = quick ? 3 : 5;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Pools first, while the program is small. */
	if (miso_pool_new(&spin, &spin_pool) != 0 ||
	    miso_pool_new(&block, &block_pool) != 0)
		return 1;
	by_size(rounds);
	miso_pool_free(spin_pool);
	miso_pool_free(block_pool);
	by_result(rounds);
	return 0;
}
