/*
 * Worker mode against fork mode. Every figure is a median over several
 * rounds; the rows of one table alternate inside each round, so that each
 * ratio compares numbers measured side by side on a noisy machine.
 *
 * usage: pool_bench [-q] [-r ROUNDS] [-m MIB]
 *   -q  quick: fewer rounds and calls, a 64 MiB caller (a smoke run)
 *   -m  the big caller's size in MiB (default 1024), in 4 KiB pages
 *
 * The pools are created first, while the program is small: that is how
 * worker mode is meant to be used, and what makes a worker's cost
 * independent of the caller's size.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <miso.h>

#include "bench.h"

#define MAX_ROWS 8
#define BLOB (64 * 1024)

#define ROW(title, fn, calls) { .name = (title), .run = (fn), .n = (calls) }

static int rounds = 7;
static size_t big_mib = 1024;
static struct miso_pool *spin_pool, *block_pool, *fresh_pool;
static unsigned char blob_in[BLOB];
static int to_helper = -1, from_helper = -1;
static pid_t helper;

/* Callbacks: the same work in both modes. */
__attribute__((noinline)) static void
pool_small(const void *in, size_t len, struct miso_writer *w)
{
	(void)len;
	miso_write(w, in, 8);
}

static void
fork_small(void *ctx, struct miso_writer *w)
{
	miso_write(w, ctx, 8);
}

static void
pool_blob(const void *in, size_t len, struct miso_writer *w)
{
	miso_write(w, in, len);
}

static void
fork_blob(void *ctx, struct miso_writer *w)
{
	miso_write(w, ctx, BLOB);
}

static void
check(int code, struct miso_result *r, size_t len)
{
	if (code != 0 || r->len != len) {
		fprintf(stderr, "pool_bench: call failed: %s\n",
		    miso_strerror(code));
		exit(1);
	}
	miso_result_free(r);
}

/* Rows. */
static void
start_helper(void)
{
	int a[2], b[2];
	uint64_t v;

	if (pipe(a) == -1 || pipe(b) == -1)
		exit(1);
	helper = fork();
	if (helper == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &v, 8) == 8 && write(b[1], &v, 8) == 8)
			;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	to_helper = a[1];
	from_helper = b[0];
}

static void
stop_helper(void)
{
	close(to_helper);
	close(from_helper);
	waitpid(helper, NULL, 0);
}

static double
run_pipe(long n)
{
	uint64_t v = 42;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		if (write(to_helper, &v, 8) != 8 ||
		    read(from_helper, &v, 8) != 8)
			exit(1);
	return (now_ns() - t) / n;
}

static double
run_fork_8(long n)
{
	uint64_t v = 42;
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		check(miso_call(fork_small, &v, NULL, &r), &r, 8);
	t = now_ns() - t;
	miso_reap();
	return t / n;
}

static double
pool_8(struct miso_pool *p, long n)
{
	uint64_t v = 42;
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		check(miso_pool_call(p, pool_small, &v, 8, NULL, &r), &r, 8);
	return (now_ns() - t) / n;
}

static double
run_spin_8(long n)
{
	return pool_8(spin_pool, n);
}

static double
run_block_8(long n)
{
	return pool_8(block_pool, n);
}

/* Every call gets a new worker: the cost of recycling, paid per call. */
static double
run_fresh_8(long n)
{
	return pool_8(fresh_pool, n);
}

static double
run_fork_blob(long n)
{
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		check(miso_call(fork_blob, blob_in, NULL, &r), &r, BLOB);
	t = now_ns() - t;
	miso_reap();
	return t / n;
}

static double
pool_blob_n(struct miso_pool *p, long n)
{
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		check(miso_pool_call(p, pool_blob, blob_in, BLOB, NULL, &r), &r,
		    BLOB);
	return (now_ns() - t) / n;
}

static double
run_spin_blob(long n)
{
	return pool_blob_n(spin_pool, n);
}

static double
run_block_blob(long n)
{
	return pool_blob_n(block_pool, n);
}

/* One table: the rows alternate in each round. */
static void
table(const char *title, struct row *rows, int nrows)
{
	int i;

	measure(rows, nrows, rounds);
	printf("\n%s (medians of %d rounds)\n", title, rounds);
	printf("  %-28s %12s %12s %12s %8s\n", "", "median", "min", "max",
	    "calls");
	for (i = 0; i < nrows; i++)
		printf("  %-28s %9.2f us %9.2f us %9.2f us %8ld\n",
		    rows[i].name, rows[i].median / 1e3, rows[i].min / 1e3,
		    rows[i].max / 1e3, rows[i].n);
}

static pid_t
worker_of(struct miso_pool *p)
{
	pid_t pid = 0;

	miso_pool_stats(p, NULL, &pid, 1);
	return pid;
}

/* cpu < 0: every CPU. */
static void
pin(pid_t pid, int cpu)
{
	cpu_set_t s;
	int i;

	CPU_ZERO(&s);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (cpu < 0 ? i < sysconf(_SC_NPROCESSORS_ONLN) : i == cpu)
			CPU_SET(i, &s);
	sched_setaffinity(pid, sizeof s, &s);
}

/* The caller on CPU 0, its partners on partner_cpu (-1: unpinned). */
static void
place(int caller_cpu, int partner_cpu)
{
	pin(0, caller_cpu);
	pin(helper, partner_cpu);
	pin(worker_of(spin_pool), partner_cpu);
	pin(worker_of(block_pool), partner_cpu);
}

/*
 * The round trip's cost depends on where the scheduler puts the two
 * processes (reference/limits.md): on one CPU a wake-up is a context
 * switch; on two, waking an idle vCPU costs 20-25 us. These tables show
 * each placement on its own, so that pool and pipe are compared in the
 * same one.
 */
static void
placements(struct row *same, struct row *split)
{
	place(0, 0);
	table("Pinned: caller and partner on CPU 0, 8 B", same, 3);
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		place(0, 1);
		table("Pinned: caller on CPU 0, partner on CPU 1, 8 B", split,
		    3);
	}
	place(-1, -1);
}

/* A ratio with a target ("<= 1.5", ">= 5") is one of the targets. */
static void
ratio(const char *what, double a, double b, const char *want)
{
	if (strncmp(want, "target <= ", 10) == 0)
		target(what, a / b, 1, strtod(want + 10, NULL));
	else if (strncmp(want, "target >= ", 10) == 0)
		target(what, a / b, 0, strtod(want + 10, NULL));
	else
		printf("  %-44s %8.2f   %s\n", what, a / b, want);
}

static void *
touch_big(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	/* 4 KiB pages: the case where fork costs most. */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (i = 0; i < bytes; i += 4096)
		p[i] = 1;
	return p;
}

static void
make_pools(void)
{
	struct miso_pool_opts spin = { 0 };
	struct miso_pool_opts block = { .spin_ns = MISO_POOL_NO_SPIN };
	struct miso_pool_opts fresh = { .max_calls = 1 };
	int r;

	if ((r = miso_pool_new(&spin, &spin_pool)) != 0 ||
	    (r = miso_pool_new(&block, &block_pool)) != 0 ||
	    (r = miso_pool_new(&fresh, &fresh_pool)) != 0) {
		fprintf(stderr, "pool_bench: miso_pool_new: %s\n",
		    miso_strerror(r));
		exit(1);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: pool_bench [-q] [-r rounds] [-m MiB]\n");
	exit(1);
}

/* Reads the options; returns the factor that divides the counts. */
static long
options(int argc, char **argv)
{
	long f = 1;
	int c;

	while ((c = getopt(argc, argv, "m:qr:")) != -1)
		switch (c) {
		case 'm':
			big_mib = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			quick = 1;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			usage();
		}
	if (quick) {
		rounds = 3;
		big_mib = 64;
		f = 10;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || big_mib == 0)
		usage();
	return f;
}

/* The ratios of the medians the tables measured. */
static void
ratios(const struct row *tiny, const struct row *blob,
    const struct row *same, const struct row *split, const struct row *big)
{
	printf("\nRatios (medians)\n");
	/* Unpinned, each side lands where the scheduler puts it. */
	ratio("unpinned: pool spin / pipe", tiny[3].median, tiny[1].median,
	    "target <= 1.5");
	ratio("unpinned: pool blocking / pipe", tiny[4].median,
	    tiny[1].median, "(placement decides; see pinned)");
	ratio("same CPU: pool spin / pipe", same[1].median, same[0].median,
	    "target <= 1.5");
	ratio("same CPU: pool blocking / pipe", same[2].median,
	    same[0].median, "target <= 1.5");
	if (split[0].median > 0) {
		ratio("two CPUs: pool spin / pipe", split[1].median,
		    split[0].median, "target <= 1.5");
		ratio("two CPUs: pool blocking / pipe", split[2].median,
		    split[0].median, "target <= 1.5");
	}
	ratio("fork / pool spin, tiny caller", tiny[2].median, tiny[3].median,
	    "target >= 5");
	ratio("fork / pool blocking, tiny caller", tiny[2].median,
	    tiny[4].median, "target >= 5");
	ratio("fork / pool spin, 64 KiB", blob[0].median, blob[1].median, "");
	ratio("fork / pool spin, big caller", big[0].median, big[1].median,
	    "target >= 100");
	ratio("fork / pool blocking, big caller", big[0].median,
	    big[2].median, "target >= 100");
	ratio("fork / pool max_calls 1, big caller", big[0].median,
	    big[3].median, "(a new worker per call)");
	ratio("pool spin: big caller / tiny caller", big[1].median,
	    tiny[3].median, "target ~ 1");
	ratio("pool blocking: big caller / tiny caller", big[2].median,
	    tiny[4].median, "target ~ 1");
	printf("  %-44s %8.2f   %s\n", "pool spin, us per call",
	    tiny[3].median / 1e3, "stretch <= 2");
}

int
main(int argc, char **argv)
{
	long f;

	f = options(argc, argv);
	make_pools();
	start_helper();
	memset(blob_in, 0x5a, sizeof blob_in);

	struct row tiny[] = {
		ROW("direct call", run_direct, 1000000 / f),
		ROW("bare pipe round trip (8 B)", run_pipe, 4000 / f),
		ROW("miso_call (fork), 8 B", run_fork_8, 200 / f),
		ROW("pool call, spin, 8 B", run_spin_8, 20000 / f),
		ROW("pool call, blocking, 8 B", run_block_8, 4000 / f),
		ROW("pool, max_calls 1, 8 B", run_fresh_8, 200 / f),
	};
	table("Tiny caller, 8-byte input and result", tiny, 6);

	struct row blob[] = {
		ROW("miso_call (fork), 64 KiB", run_fork_blob, 100 / f),
		ROW("pool call, spin, 64 KiB", run_spin_blob, 4000 / f),
		ROW("pool call, blocking, 64 KiB", run_block_blob, 2000 / f),
	};
	table("Tiny caller, 64 KiB in and out", blob, 3);

	struct row same[] = {
		ROW("bare pipe round trip (8 B)", run_pipe, 4000 / f),
		ROW("pool call, spin, 8 B", run_spin_8, 4000 / f),
		ROW("pool call, blocking, 8 B", run_block_8, 4000 / f),
	};
	struct row split[] = {
		ROW("bare pipe round trip (8 B)", run_pipe, 4000 / f),
		ROW("pool call, spin, 8 B", run_spin_8, 20000 / f),
		ROW("pool call, blocking, 8 B", run_block_8, 4000 / f),
	};
	placements(same, split);

	if (touch_big(big_mib << 20) == NULL) {
		perror("pool_bench: mmap");
		return 1;
	}
	struct row big[] = {
		ROW("miso_call (fork), 8 B", run_fork_8, quick ? 3 : 5),
		ROW("pool call, spin, 8 B", run_spin_8, 20000 / f),
		ROW("pool call, blocking, 8 B", run_block_8, 4000 / f),
		ROW("pool, max_calls 1, 8 B", run_fresh_8, 200 / f),
	};
	char title[80];
	snprintf(title, sizeof title, "Caller holding %zu MiB (4 KiB pages)",
	    big_mib);
	table(title, big, 4);

	ratios(tiny, blob, same, split, big);
	targets_summary();
	stop_helper();
	miso_pool_free(spin_pool);
	miso_pool_free(block_pool);
	miso_pool_free(fresh_pool);
	if (fclose(stdout))
		return 1;
	return 0;
}
