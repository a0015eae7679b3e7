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
	double median, min, max;
};

extern int quick;              /* -q: fewer rounds and calls */
extern volatile uint64_t sink; /* keeps results from being optimised out */

double now_ns(void);

/* calls.c: the variants the programs share, each ns per call over n. */
extern unsigned char *src, *dst; /* bulk source and memcpy destination */
extern unsigned char *obuf;      /* the caller's result buffer */
extern size_t bulk;              /* bytes of a bulk result */
uint64_t work(uint64_t x);
double run_direct(long n);
/* fork + 8 bytes over a pipe + waitpid; gap: 200 us of caller work
 * between calls, not timed: GAP_SPIN computing, GAP_SLEEP waiting. */
enum { GAP_NONE, GAP_SPIN, GAP_SLEEP };
double fork_pipe_calls(long n, int gap);
double run_fork_pipe_wait(long n);
/* miso_call with an 8-byte result: flags, gap as above, alloc: miso
 * allocates the result rather than a caller buffer. */
double miso_8_calls(long n, unsigned flags, int gap, int alloc);
double run_miso_8(long n);
double run_miso_bulk(long n);   /* a result of bulk bytes from src */
double run_memcpy(long n);      /* bulk bytes from src to dst */
unsigned char *touched_buffer(size_t n); /* 4 KiB pages, all touched */
double run_fork_memcpy(long n); /* fork+waitpid, then bulk bytes to out */
double run_miso_bulk_buf(long n); /* a result of bulk bytes into out */
/* Runs every row in each round, rotating their order; keeps the median,
 * the least and the greatest of the rounds. */
void measure(struct row *rows, int nrows, int rounds);
/* A markdown table with each median and its ratio to rows[base]. */
void print_table(const char *title, struct row *rows, int nrows, int base);
/* One line on the CPU, the kernel and the date. */
void machine(void);
/*
 * One line: "target: WHAT = VALUE, wanted <= LIMIT (or >=): met" or
 * "not met"; returns whether it was met. targets_summary() then counts
 * them and names those missed.
 */
int target(const char *what, double value, int at_most, double limit);
void targets_summary(void);

#endif
