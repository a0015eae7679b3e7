/*
 * miso's benchmarks. Every figure is a median over several rounds, and
 * the variants of one table alternate inside each round, so that each
 * ratio compares numbers measured side by side on a noisy machine.
 *
 * usage: bench [-gq] [-r ROUNDS] [-s BUILDDIR]
 *   -g  also a result of 1 GiB (minutes on a loaded machine)
 *   -q  quick: fewer rounds and calls (used by 'make test' as a smoke run)
 *   -s  also time libmiso.so, found in BUILDDIR/lib, on BUILDDIR/bench's
 *       shimbench program, with bench/bench.conf
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <miso.h>

#include "bench.h"

extern char **environ;


static const char *build_dir; /* -s */


static void *
huge_alloc(size_t n)
{
	size_t align = 2u << 20;
	void *p;

	n = (n + align - 1) & ~(align - 1);
	if (posix_memalign(&p, align, n) != 0) {
		perror("bench: posix_memalign");
		exit(1);
	}
	madvise(p, n, MADV_HUGEPAGE);
	memset(p, 0x5a, n);
	return p;
}

static double
run_fork_wait(long n)
{
	double t = now_ns();
	long i;
	pid_t p;

	for (i = 0; i < n; i++) {
		if ((p = fork()) == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return (now_ns() - t) / n;
}

static double
run_fork_pipe_wait_gap(long n)
{
	return fork_pipe_calls(n, GAP_SPIN);
}

static double
run_fork_pipe_wait_sleep(long n)
{
	return fork_pipe_calls(n, GAP_SLEEP);
}

static double
run_miso_8_sleep(long n)
{
	return miso_8_calls(n, 0, GAP_SLEEP, 0);
}

static double
run_miso_8_alloc(long n)
{
	return miso_8_calls(n, 0, 0, 1);
}

static double
run_miso_8_fork(long n)
{
	return miso_8_calls(n, MISO_F_FORK, 0, 0);
}

static double
run_miso_8_gap(long n)
{
	return miso_8_calls(n, 0, GAP_SPIN, 0);
}

static double
run_miso_8_gap_fork(long n)
{
	return miso_8_calls(n, MISO_F_FORK, GAP_SPIN, 0);
}

/* Runs PROG MODE N, with or without the shim; returns its figure. */
static double
run_prog(const char *name, const char *mode, long n, int preload)
{
	char prog[512], lib[512], count[32], out[64] = "";
	char *argv[] = { prog, (char *)mode, count, NULL };
	char *envp[] = { lib, "MISO_CONFIG=bench/bench.conf", NULL };
	posix_spawn_file_actions_t fa;
	int p[2], st;
	ssize_t len;
	pid_t pid;

	snprintf(prog, sizeof prog, "%s/bench/%s", build_dir, name);
	snprintf(lib, sizeof lib, "LD_PRELOAD=%s/lib/libmiso.so", build_dir);
	snprintf(count, sizeof count, "%ld", n);
	if (!preload)
		envp[0] = "MISO_DISABLE=1";
	if (pipe(p) == -1)
		exit(1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	if (posix_spawn(&pid, prog, &fa, NULL, argv, envp) != 0) {
		perror(prog);
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	len = read(p[0], out, sizeof out - 1);
	close(p[0]);
	waitpid(pid, &st, 0);
	if (len <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench: %s %s failed\n", name, mode);
		exit(1);
	}
	return strtod(out, NULL);
}

static double
run_shim_call(long n)
{
	return run_prog("shimbench", "calls", n, 1);
}

static double
run_plt_direct(long n)
{
	return run_prog("shimbench", "loop", n, 0);
}

static double
run_shim_bypass(long n)
{
	return run_prog("shimbench", "loop", n, 1);
}

static double
run_dyn_miso(long n)
{
	return run_prog("dynbench", "miso", n, 1);
}

static double
run_dyn_shim(long n)
{
	return run_prog("dynbench", "shim", n, 1);
}

static double
run_dyn_fork(long n)
{
	return run_prog("dynbench", "fork", n, 1);
}

static int
tiny_tables(int rounds)
{
	long n = quick ? 100 : 1000;
	struct row rows[] = {
		{ .name = "direct call", .run = run_direct, .n = n * 1000 },
		{ .name = "fork+_exit+waitpid", .run = run_fork_wait, .n = n },
		{ .name = "fork+pipe+waitpid (8 B)", .run = run_fork_pipe_wait,
		    .n = n },
		{ .name = "miso_call, 8 B into a caller buffer",
		    .run = run_miso_8, .n = n },
		{ .name = "miso_call, 8 B, miso allocates",
		    .run = run_miso_8_alloc, .n = n },
		{ .name = "miso_call, 8 B, MISO_F_FORK", .run = run_miso_8_fork,
		    .n = n },
	};
	int nrows = sizeof rows / sizeof rows[0];

	measure(rows, nrows, rounds);
	print_table("Per call, small parent", rows, nrows, 1);
	printf("\n");
	target("miso_call 8 B / fork+pipe+waitpid",
	    rows[3].median / rows[2].median, 1, 1.03);
	return 0;
}

/*
 * Where the caller does something between calls, a cloned child finishes
 * exiting on its own time, off the caller's path, if it has a CPU to do
 * it on: a caller that computes holds its CPU, and on a busy machine the
 * exiting child then waits for it and finishes in the next call.
 */
static int
gap_tables(int rounds)
{
	long n = quick ? 50 : 300;
	struct row rows[] = {
		{ .name = "fork+pipe+waitpid (8 B), caller computing",
		    .run = run_fork_pipe_wait_gap, .n = n },
		{ .name = "miso_call, 8 B, caller computing",
		    .run = run_miso_8_gap, .n = n },
		{ .name = "miso_call, 8 B, MISO_F_FORK, caller computing",
		    .run = run_miso_8_gap_fork, .n = n },
		{ .name = "fork+pipe+waitpid (8 B), caller waiting",
		    .run = run_fork_pipe_wait_sleep, .n = n },
		{ .name = "miso_call, 8 B, caller waiting",
		    .run = run_miso_8_sleep, .n = n },
	};

	measure(rows, 5, rounds);
	print_table("Latency of a call when the caller computes or waits "
	    "200 us between calls", rows, 5, 0);
	printf("\n");
	target("caller computing: miso_call 8 B / fork+pipe+waitpid (stretch)",
	    rows[1].median / rows[0].median, 1, 0.9);
	target("caller waiting: miso_call 8 B / fork+pipe+waitpid (stretch)",
	    rows[4].median / rows[3].median, 1, 0.9);
	return 0;
}

/*
 * A result of size bytes, against the floor: a bare fork + waitpid, then
 * a memcpy of the bytes into the caller's buffer, whose pages the fork
 * left write-protected, so that every page of the copy takes a fault.
 */
static int
bulk_tables(int rounds, size_t size, const char *label)
{
	char nf[96], nb[64], na[64], nm[64], what[128];
	long n = quick ? 2 : (size > (256u << 20) ? 2 : size > (64u << 20) ?
	    3 : 6);
	struct row rows[] = {
		{ .name = nf, .run = run_fork_memcpy, .n = n },
		{ .name = nb, .run = run_miso_bulk_buf, .n = n },
		{ .name = na, .run = run_miso_bulk, .n = n },
		{ .name = nm, .run = run_memcpy, .n = n },
	};

	snprintf(nf, sizeof nf, "fork+waitpid, then memcpy %s into the "
	    "caller's buffer (floor)", label);
	snprintf(nb, sizeof nb, "miso_call, %s into the caller's buffer",
	    label);
	snprintf(na, sizeof na, "miso_call, %s, miso allocates", label);
	snprintf(nm, sizeof nm, "memcpy, %s, no fork", label);
	bulk = size;
	obuf = touched_buffer(size);
	measure(rows, 4, rounds);
	print_table(label, rows, 4, 0);
	printf("\n");
	snprintf(what, sizeof what, "%s into the caller's buffer / floor",
	    label);
	target(what, rows[1].median / rows[0].median, 1, 1.5);
	snprintf(what, sizeof what, "%s, miso allocates / floor", label);
	target(what, rows[2].median / rows[0].median, 1, 0.5);
	free(obuf);
	return 0;
}

static int
shim_tables(int rounds)
{
	long n = quick ? 100 : 1000;
	struct row rows[] = {
		{ .name = "fork+pipe+waitpid (8 B)", .run = run_fork_pipe_wait,
		    .n = n },
		{ .name = "miso_call, 8 B into a caller buffer",
		    .run = run_miso_8, .n = n },
		{ .name = "libmiso.so, isolated call of a configured function",
		    .run = run_shim_call, .n = n },
		{ .name = "direct call through the PLT", .run = run_plt_direct,
		    .n = 1000000 },
		{ .name = "configured function, unisolated path (in the child)",
		    .run = run_shim_bypass, .n = 1000000 },
		{ .name = "miso_call from a preloaded, dynamic program",
		    .run = run_dyn_miso, .n = n },
		{ .name = "libmiso.so call from that same program",
		    .run = run_dyn_shim, .n = n },
		{ .name = "fork+pipe+waitpid (8 B) from that same program",
		    .run = run_dyn_fork, .n = n },
	};

	measure(rows, 8, rounds);
	print_table("The shim", rows, 8, 1);
	printf("\n");
	target("fork mode through libmiso.so / fork+pipe+waitpid",
	    rows[2].median / rows[0].median, 1, 1.05);
	target("libmiso.so / miso_call, both from one preloaded program",
	    rows[6].median / rows[5].median, 1, 1.05);
	/* The same floor, measured in a process of the shim's shape. */
	target("libmiso.so / fork+pipe+waitpid, both from one preloaded "
	    "program", rows[6].median / rows[7].median, 1, 1.05);
	target("miso_call / fork+pipe+waitpid, both from one preloaded "
	    "program", rows[5].median / rows[7].median, 1, 1.03);
	target("unisolated path: ns added to a direct call",
	    rows[4].median - rows[3].median, 1, 50);
	return 0;
}

static int
big_parent_tables(int rounds)
{
	size_t size = quick ? 32u << 20 : 256u << 20;
	long n = quick ? 3 : 20;
	unsigned char *ballast = malloc(size);
	struct row rows[] = {
		{ .name = "fork+_exit+waitpid", .run = run_fork_wait, .n = n },
		{ .name = "fork+pipe+waitpid (8 B)", .run = run_fork_pipe_wait,
		    .n = n },
		{ .name = "miso_call, 8 B", .run = run_miso_8, .n = n },
	};

	/* 4 KiB pages, touched: the usual shape of a large heap. */
	madvise(ballast, size, MADV_NOHUGEPAGE);
	memset(ballast, 1, size);
	measure(rows, 3, rounds);
	printf("\nparent holding %zu MiB of touched memory:\n", size >> 20);
	print_table("Per call, large parent", rows, 3, 0);
	free(ballast);
	return 0;
}

int
main(int argc, char **argv)
{
	int rounds = 7, c, gib = 0;
	size_t max = 256u << 20;

	while ((c = getopt(argc, argv, "gqr:s:")) != -1) {
		switch (c) {
		case 'g':
			gib = 1;
			break;
		case 'q':
			quick = 1;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 's':
			build_dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench [-gq] [-r rounds] "
			    "[-s builddir]\n");
			return 2;
		}
	}
	if (quick) {
		rounds = 3;
		max = 64u << 20;
	} else if (gib)
		max = 1u << 30;
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 7;
	setvbuf(stdout, NULL, _IOLBF, 0);
	machine();
	printf("rounds: %d (medians of per-round means)\n", rounds);
	tiny_tables(rounds);
	gap_tables(rounds);
	if (build_dir != NULL)
		shim_tables(rounds);
	src = huge_alloc(max);
	dst = huge_alloc(max);
	bulk_tables(rounds, 64u << 20, "64 MiB");
	if (!quick)
		bulk_tables(rounds > 5 ? 5 : rounds, 256u << 20, "256 MiB");
	if (gib)
		bulk_tables(rounds > 3 ? 3 : rounds, 1u << 30, "1 GiB");
	free(dst);
	free(src);
	big_parent_tables(rounds);
	targets_summary();
	return 0;
}
