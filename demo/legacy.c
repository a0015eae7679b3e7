/*
 * legacy: a program that uses libvendor, unaware of miso.  It processes
 * RECORDS records, four library calls each, and every STEP records prints
 * its resident size (from /proc/self/statm) and what the calls returned:
 *
 *	record   50: rss    1234 KiB: sum 1a2b3c4d, parse 100, stats "..."
 *
 * Record BAD has an empty key, which crashes vendor_parse().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vendor.h"

#define RECORDS	600
#define STEP	50
#define BAD	500

static unsigned long
rss_kib(void)
{
	unsigned long size, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
}

/* A few lines of text that depend on i. */
static void
make_text(int i, char *buf, size_t size)
{
	snprintf(buf, size, "record %d of the ledger\nbalance %d\n%s\n", i,
	    i * 7 % 1000, i % 3 == 0 ? "audited by the night shift" : "open");
}

int
main(void)
{
	char text[256], rec[32], out[64];
	unsigned long sum, total = 0;
	struct vstats st;
	size_t len;
	long v;
	int i, errors = 0;

	/* Line-buffered, so that a crash loses nothing already printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("record %4d: rss %7lu KiB: start\n", 0, rss_kib());
	for (i = 1; i <= RECORDS; i++) {
		make_text(i, text, sizeof text);
		if (i == BAD)
			snprintf(rec, sizeof rec, "=%d", i);
		else
			snprintf(rec, sizeof rec, "id=%d", i);
		sum = vendor_checksum(text, strlen(text));
		total ^= sum;
		errno = 0;
		v = vendor_parse(rec);
		if (v == -1) {
			printf("record %4d: rss %7lu KiB: parse \"%s\" failed: "
			    "%s\n", i, rss_kib(), rec, strerror(errno));
			errors++;
		}
		vendor_stats(text, &st);
		memset(out, '.', sizeof out);
		if (vendor_format(&st, out, sizeof out - 1, &len) == -1)
			len = 0;
		out[len] = '\0';
		if (i % STEP == 0)
			printf("record %4d: rss %7lu KiB: sum %08lx, parse %ld, "
			    "stats \"%s\"\n", i, rss_kib(), sum, v, out);
	}
	printf("record %4d: rss %7lu KiB: done, %d parse errors, "
	    "checksums xor %08lx\n", RECORDS, rss_kib(), errors, total);
	return 0;
}
