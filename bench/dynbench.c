/*
 * miso_call from a process shaped like a shim user's: dynamically linked,
 * with libmiso.so preloaded and bench_fn configured. Comparing its
 * miso_call with the shim's isolated call of bench_fn, in this same
 * process, shows what the shim itself adds.
 *   dynbench miso N   mean ns per miso_call doing bench_fn's work
 *   dynbench shim N   mean ns per isolated call of bench_fn
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		} else {
			sink += bench_fn(i);
		}
	}
	printf("%.3f\n", (now_ns() - t) / (double)n);
	return 0;
}
