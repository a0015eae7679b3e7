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

/* Three significant digits or so, as README.md gives its figures. */
static const char *
human(double ns, char *buf, size_t size)
{
	const char *unit[] = { "ns", "µs", "ms", "s" };
	int u = 0;

	while (ns >= 1e3 && u < 3) {
		ns /= 1e3;
		u++;
	}
	if (u >= 2)
		snprintf(buf, size, ns < 10 ? "%.2f %s" : ns < 100 ?
		    "%.1f %s" : "%.0f %s", ns, unit[u]);
	else
		snprintf(buf, size, ns < 10 ? "%.1f %s" : "%.0f %s", ns,
		    unit[u]);
	return buf;
}

void
print_table(const char *title, struct row *rows, int nrows, int base)
{
	char b[32];
	int i;

	printf("\n%s (ratio: to %s)\n\n| variant | median per call | ratio |\n"
	    "|---|---:|---:|\n", title, rows[base].name);
	for (i = 0; i < nrows; i++) {
		printf("| %s | %s | ", rows[i].name,
		    human(rows[i].median, b, sizeof b));
		/* Nanoseconds against microseconds say nothing. */
		if (i >= base && rows[i].median / rows[base].median >= 0.01)
			printf("%.2f", rows[i].median / rows[base].median);
		printf(" |\n");
	}
}

static int nmet, nmissed;
static char missed[1024];

int
target(const char *what, double value, int at_most, double limit)
{
	int met = at_most ? value <= limit : value >= limit;
	size_t n = strlen(missed);

	printf("target: %s = %.3g, wanted %s %g: %s\n", what, value,
	    at_most ? "<=" : ">=", limit, met ? "met" : "not met");
	if (met)
		nmet++;
	else {
		nmissed++;
		snprintf(missed + n, sizeof missed - n, "%s%s",
		    n > 0 ? "; " : "", what);
	}
	return met;
}

void
targets_summary(void)
{
	printf("\ntargets: %d met, %d not met%s%s\n", nmet, nmissed,
	    nmissed > 0 ? ": " : "", missed);
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

