/*
 * miso_call from a process shaped like a shim user's: dynamically linked,
 * with libmiso.so preloaded and bench_fn configured. Comparing its
 * miso_call with the shim's isolated call of bench_fn, in this same
 * process, shows what the shim itself adds.
 *   dynbench miso N   mean ns per miso_call doing bench_fn's work
 *   dynbench shim N   mean ns per isolated call of bench_fn
 *   dynbench fork N   mean ns per bare fork + 8 bytes over a pipe +
 *                     waitpid doing the same work: the floor, measured
 *                     in a process of the same shape
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <miso.h>

uint64_t bench_fn(uint64_t x);

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* What bench_fn does; calling bench_fn itself here would isolate it
 * again, from inside this child. */
static void
cb(void *ctx, struct miso_writer *w)
{
	uint64_t v = (uint64_t)(uintptr_t)ctx * 2654435761u + 1;

	miso_write(w, &v, sizeof v);
}

static uint64_t
bare_fork(uint64_t x)
{
	uint64_t v = 0;
	int fd[2];
	pid_t p;

	if (pipe2(fd, O_CLOEXEC) == -1)
		exit(1);
	if ((p = fork()) == 0) {
		v = x * 2654435761u + 1;
		write(fd[1], &v, sizeof v);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &v, sizeof v) != sizeof v)
		exit(1);
	close(fd[0]);
	waitpid(p, NULL, 0);
	return v;
}

int
main(int argc, char **argv)
{
	volatile uint64_t sink = 0;
	uint64_t v, i, n;
	struct miso_opts o = { .buf = &v, .buf_size = sizeof v };
	struct miso_result r;
	double t;

	if (argc != 3)
		return 2;
	n = strtoull(argv[2], NULL, 10);
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], "miso") == 0) {
			if (miso_call(cb, (void *)(uintptr_t)i, &o, &r) != 0)
				return 1;
			sink += v;
		} else if (strcmp(argv[1], "fork") == 0) {
			sink += bare_fork(i);
		} else {
			sink += bench_fn(i);
		}
	}
	printf("%.3f\n", (now_ns() - t) / (double)n);
	return 0;
}
