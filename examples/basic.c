/*
 * basic: run a function in a forked snapshot and get its result back.
 * The function changes a global; the caller's copy stays as it was.
 */
#include <stdio.h>
#include <string.h>

#include <miso.h>

static int calls;

static void
sum_squares(void *ctx, struct miso_writer *w)
{
	long n = *(long *)ctx, sum = 0, i;

	calls++;  /* changes the child's copy only */
	for (i = 1; i <= n; i++)
		sum += i * i;
	miso_write(w, &sum, sizeof sum);
}

int
main(void)
{
	struct miso_result r;
	long n = 1000, sum;

	if (miso_call(sum_squares, &n, NULL, &r) != 0) {
		fprintf(stderr, "basic: %s\n", miso_strerror(r.code));
		return 1;
	}
	memcpy(&sum, r.data, sizeof sum);
	miso_result_free(&r);
	printf("sum of squares 1..%ld = %ld (calls seen by the caller: %d)\n",
	    n, sum, calls);
	return sum == 333833500 && calls == 0 ? 0 : 1;
}
