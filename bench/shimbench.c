/*
 * A program that knows nothing of miso, timed with and without libmiso.so.
 *   shimbench calls N   mean ns per call of bench_fn over N calls
 *   shimbench loop N    what bench_loop(N) measures (calls made inside the
 *                       library, through its PLT)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bench_fn(uint64_t x);
uint64_t bench_loop(uint64_t n);

int
main(int argc, char **argv)
{
	struct timespec a, b;
	volatile uint64_t sink = 0;
	uint64_t i, n;

	if (argc != 3)
		return 2;
	n = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "loop") == 0) {
		printf("%.3f\n", bench_loop(n) / 1000.0);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		sink += bench_fn(i);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
	    (b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}
