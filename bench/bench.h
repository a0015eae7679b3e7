/* What the benchmark programs share: rows of variants, timed in rounds. */
#ifndef MISO_BENCH_H
#define MISO_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define MAX_ROUNDS 15

struct row {
	const char *name;
	double (*run)(long n); /* ns per call over n calls */
	long n;
	double per[MAX_ROUNDS];
	double median;
};

extern int quick;              /* -q: fewer rounds and calls */
extern volatile uint64_t sink; /* keeps results from being optimised out */

double now_ns(void);
/* Runs every row in each round, rotating their order; keeps medians. */
void measure(struct row *rows, int nrows, int rounds);
/* A markdown table with each median and its ratio to rows[base]. */
void print_table(const char *title, struct row *rows, int nrows, int base);
/* One line on the CPU, the kernel and the date. */
void machine(void);

#endif
