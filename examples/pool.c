/*
 * pool: worker mode from C. A function that leaks on every call runs in
 * a pool of two workers recycled past 32 MiB: the caller stays small, the
 * workers' leaks are bounded, and a call costs microseconds, not a fork.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <miso.h>

static void
leaky_upper(const void *in, size_t len, struct miso_writer *w)
{
	char *p = malloc(len + 64 * 1024);  /* never freed */
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ((const char *)in)[i] & ~0x20;
	memset(p + len, 1, 64 * 1024);
	miso_write(w, p, len);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	struct miso_pool_opts po = { .workers = 2, .max_rss = 32 << 20 };
	struct miso_pool_stats st;
	struct miso_pool *pool;
	struct miso_result r;
	char out[16];
	struct miso_opts o = { .buf = out, .buf_size = sizeof out };
	double t;
	int i, rc, n = 5000;

	if ((rc = miso_pool_new(&po, &pool)) != 0) {
		fprintf(stderr, "pool: %s\n", miso_strerror(rc));
		return 1;
	}
	t = now();
	for (i = 0; i < n; i++)
		if ((rc = miso_pool_call(pool, leaky_upper, "worker", 6, &o,
		    &r)) != 0 || memcmp(out, "WORKER", 6) != 0) {
			fprintf(stderr, "pool: call %d: %s\n", i,
			    miso_strerror(rc));
			return 1;
		}
	t = (now() - t) / n;
	miso_pool_stats(pool, &st, NULL, 0);
	printf("%d calls, %.1f us each; %llu workers started, %llu "
	    "recycled past max_rss\n", n, t * 1e6,
	    (unsigned long long)st.spawned, (unsigned long long)st.recycled);
	miso_pool_free(pool);
	/* 5,000 leaks of 64 KiB are 320 MiB: recycling must have happened. */
	return st.recycled > 0 ? 0 : 1;
}
