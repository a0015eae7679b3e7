/*
 * leak: a function that leaks 1 MiB on every call. Called directly, the
 * caller's resident size climbs; called through miso, it stays flat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <miso.h>

static size_t
rss_kib(void)
{
	unsigned long size, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (size_t)sysconf(_SC_PAGESIZE) / 1024;
}

static long
leaky(void)
{
	char *p = malloc(1 << 20);

	memset(p, 'x', 1 << 20);
	return (long)(p[100] + p[200]);
}

static void
leaky_isolated(void *ctx, struct miso_writer *w)
{
	long v = leaky();

	miso_write(w, &v, sizeof v);
}

int
main(void)
{
	size_t start = rss_kib(), direct, isolated;
	struct miso_result r;
	int i;

	for (i = 0; i < 200; i++)
		leaky();
	direct = rss_kib();
	for (i = 0; i < 200; i++) {
		if (miso_call(leaky_isolated, NULL, NULL, &r) != 0)
			return 1;
		miso_result_free(&r);
	}
	isolated = rss_kib();
	printf("RSS at start: %zu KiB\n", start);
	printf("after 200 direct calls:   %zu KiB (+%zu)\n", direct,
	    direct - start);
	printf("after 200 isolated calls: %zu KiB (+%zu)\n", isolated,
	    isolated - direct);
	return isolated - direct < 1024 && direct - start > 100 * 1024 ? 0 : 1;
}
