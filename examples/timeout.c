/*
 * timeout: a function that never returns for some inputs. The caller is
 * the watchdog: past the timeout the child is killed and reaped.
 */
#include <stdio.h>
#include <string.h>

#include <miso.h>

static void
collatz_steps(void *ctx, struct miso_writer *w)
{
	long n = *(long *)ctx, steps = 0;

	/* Wrong for n <= 0: loops forever. */
	while (n != 1) {
		n = n % 2 ? 3 * n + 1 : n / 2;
		steps++;
	}
	miso_write(w, &steps, sizeof steps);
}

int
main(void)
{
	static const long inputs[] = { 27, 0, 97 };
	struct miso_opts o = { .timeout_ms = 250 };
	struct miso_result r;
	long steps;
	int i, timeouts = 0;

	for (i = 0; i < 3; i++) {
		if (miso_call(collatz_steps, (void *)&inputs[i], &o, &r) == 0) {
			memcpy(&steps, r.data, sizeof steps);
			printf("%3ld: %ld steps\n", inputs[i], steps);
		} else {
			printf("%3ld: %s after %.0f ms\n", inputs[i],
			    miso_strerror(r.code), r.wall_ns / 1e6);
			timeouts += r.code == MISO_ETIMEOUT;
		}
		miso_result_free(&r);
	}
	return timeouts == 1 ? 0 : 1;
}
