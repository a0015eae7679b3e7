/*
 * The program that uses libfoo: parses 1000 records, one of them given on
 * the command line as record 500, and says how its resident size grew.
 */
#include <stdio.h>
#include <string.h>

#include "foo.h"

static long
rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			sscanf(line + 6, "%ld", &kib);
	if (f != NULL)
		fclose(f);
	return kib;
}

int
main(int argc, char **argv)
{
	struct foo_item item;
	char rec[32];
	long sum = 0, before = rss_kib();
	int i, failed = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(rec, sizeof rec, "k%d=%d", i, i);
		if (i == 500 && argc > 1)
			snprintf(rec, sizeof rec, "%s", argv[1]);
		if (foo_parse(rec, &item) == 0)
			sum += item.value;
		else
			failed++;
	}
	printf("1000 records: sum %ld, %d failed; RSS grew %ld MiB\n", sum,
	    failed, (rss_kib() - before) / 1024);
	return 0;
}
