/*
 * Timing in rounds: every variant of a table runs once per round, in a
 * rotating order, and its figure is the median of its rounds, so ratios
 * compare numbers measured side by side on a noisy machine.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int quick;
volatile uint64_t sink;

double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
measure(struct row *rows, int nrows, int rounds)
{
	double v[MAX_ROUNDS];
	int r, i, k;

	for (i = 0; i < nrows; i++)
		rows[i].run(rows[i].n / 10 + 1);  /* warm up */
	for (r = 0; r < rounds; r++)
		for (k = 0; k < nrows; k++) {
			/* Rotate the order so no variant always goes first. */
			i = (k + r) % nrows;
			rows[i].per[r] = rows[i].run(rows[i].n);
		}
	for (i = 0; i < nrows; i++) {
		memcpy(v, rows[i].per, sizeof(double) * (size_t)rounds);
		qsort(v, (size_t)rounds, sizeof v[0], cmp_double);
		rows[i].median = v[rounds / 2];
		rows[i].min = v[0];
		rows[i].max = v[rounds - 1];
	}
}

static const char *
human(double ns, char *buf, size_t size)
{
	if (ns < 1e3)
		snprintf(buf, size, "%.1f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, size, "%.1f us", ns / 1e3);
	else
		snprintf(buf, size, "%.2f ms", ns / 1e6);
	return buf;
}

void
print_table(const char *title, struct row *rows, int nrows, int base)
{
	char b[32];
	int i;

	printf("\n%s\n\n| variant | median per call | vs %s |\n|---|---:|---:|\n",
	    title, rows[base].name);
	for (i = 0; i < nrows; i++)
		printf("| %s | %s | %.2fx |\n", rows[i].name,
		    human(rows[i].median, b, sizeof b),
		    rows[i].median / rows[base].median);
}

void
machine(void)
{
	char model[256] = "unknown CPU", line[512];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");
	time_t t = time(NULL);

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "model name", 10) == 0) {
			snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	if (f != NULL)
		fclose(f);
	uname(&u);
	printf("machine: %s, %ld CPUs, Linux %s; %s", model,
	    sysconf(_SC_NPROCESSORS_ONLN), u.release, ctime(&t));
}

