/*
 * Calls that complete slowly, many times: each callback spins for a
 * while (10 ms by default, give or take half a millisecond) on the wall
 * clock, then writes a result that
 * depends on the call's number. Every call must return 0 with exactly
 * that result; anything else is counted, described and fails the run.
 * Meant to run with the caller pinned to one CPU and every CPU busy
 * (tests/load.sh), where the reply, the child's exit and the end of a
 * poll slice come in every order.
 *
 * Usage: load_spin [-n calls] [-s spin_us] [-t timeout_ms]
 * Calls alternate between the default child (clone() in this
 * single-threaded program, watched without a pidfd) and MISO_F_FORK
 * (watched through a pidfd), unless -c or -f picks one.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "miso.h"

#define RESULT_LEN 200

struct job {
	unsigned n;
	unsigned spin_us;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
fill(unsigned n, unsigned char *p)
{
	size_t i;

	for (i = 0; i < RESULT_LEN; i++)
		p[i] = (unsigned char)(n * 31u + i);
}

static void
spin_then_answer(void *ctx, struct miso_writer *w)
{
	const struct job *j = ctx;
	unsigned char out[RESULT_LEN];
	/* Spread the ends over a millisecond around the poll slice. */
	uint64_t end = now_us() + j->spin_us - 500u + (j->n * 37u) % 1000u;

	while (now_us() < end)
		;
	fill(j->n, out);
	miso_write(w, out, sizeof out);
}

int
main(int argc, char **argv)
{
	struct miso_opts o = { 0 };
	struct miso_result r;
	struct job j = { 0, 10000 };
	unsigned char want[RESULT_LEN];
	unsigned calls = 2000, wrong = 0, forks = 2;
	char line[160];
	int opt;

	while ((opt = getopt(argc, argv, "cfn:s:t:")) != -1) {
		switch (opt) {
		case 'c': forks = 0; break;
		case 'f': forks = 1; break;
		case 'n': calls = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': j.spin_us = (unsigned)strtoul(optarg, NULL, 10);
			if (j.spin_us < 500)
				j.spin_us = 500;
			break;
		case 't': o.timeout_ms = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: load_spin [-cf] [-n calls] "
			    "[-s spin_us] [-t timeout_ms]\n");
			return 2;
		}
	}
	for (j.n = 0; j.n < calls; j.n++) {
		o.flags = forks == 1 || (forks == 2 && j.n % 2 == 1) ?
		    MISO_F_FORK : 0;
		fill(j.n, want);
		if (miso_call(spin_then_answer, &j, &o, &r) != 0 ||
		    r.len != RESULT_LEN || memcmp(r.data, want, r.len) != 0) {
			miso_describe(&r, line, sizeof line);
			fprintf(stderr, "call %u%s: %s (len %zu)\n", j.n,
			    o.flags ? " (fork)" : "", r.code != 0 ? line :
			    "wrong bytes", r.len);
			wrong++;
		}
		miso_result_free(&r);
	}
	printf("load_spin: %u calls of %u us, %u wrong\n", calls, j.spin_us,
	    wrong);
	return wrong == 0 ? 0 : 1;
}
