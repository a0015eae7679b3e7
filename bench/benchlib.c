/*
 * A library that knows nothing of miso, for the shim's benchmark: a
 * trivial function, and a loop that calls it through its own PLT and
 * times itself.
 */
#include <stdint.h>
#include <time.h>

uint64_t bench_fn(uint64_t x);
uint64_t bench_loop(uint64_t n);

uint64_t
bench_fn(uint64_t x)
{
	return x * 2654435761u + 1;
}

/* Returns the mean nanoseconds per call of bench_fn, times 1000. */
uint64_t
bench_loop(uint64_t n)
{
	struct timespec a, b;
	volatile uint64_t sink = 0;
	uint64_t i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		sink += bench_fn(i);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((uint64_t)(b.tv_sec - a.tv_sec) * 1000000000u +
	    (uint64_t)(b.tv_nsec - a.tv_nsec)) * 1000u / (n ? n : 1);
}
