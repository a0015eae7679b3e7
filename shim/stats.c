/*
 * Per-symbol counts and latencies, written to MISO_STATS ("%p" in it
 * becomes the pid) when the program exits normally. Latencies go into a histogram with eight buckets per
 * power of two of microseconds, so a percentile is exact to about 9 %.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "miso.h"
#include "shim.h"

static struct miso__fn *all;
static size_t nall;
static pid_t owner;

static size_t
bucket(uint64_t ns)
{
	double us = (double)ns / 1000.0;
	long b;

	if (us < 1.0)
		return 0;
	b = lround(log2(us) * 8.0);
	return b >= MISO__HIST_BUCKETS ? MISO__HIST_BUCKETS - 1 : (size_t)b;
}

static double
bucket_us(size_t b)
{
	return exp2((double)b / 8.0);
}

static void
add(uint64_t *p)
{
	__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
}

void
miso__stats_record(struct miso__fn *f, int code, const struct miso_result *res)
{
	struct miso__stats *s = &f->st;

	if (all == NULL)
		return;
	add(&s->calls);
	if (code == 0)
		add(&s->completed);
	else if (code == MISO_ETIMEOUT)
		add(&s->timedout);
	else if (code == MISO_ESIGNAL || code == MISO_EMEMORY ||
	    code == MISO_EEXIT) {
		add(&s->crashed);
		if (res->signo > 0 && res->signo < 65)
			add(&s->signals[res->signo]);
	} else
		add(&s->failed);
	add(&s->hist[bucket(res->wall_ns)]);
}

static double
percentile(const struct miso__stats *s, double q)
{
	uint64_t n = 0, want;
	size_t b;

	for (b = 0; b < MISO__HIST_BUCKETS; b++)
		n += s->hist[b];
	if (n == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)n);
	if (want == 0)
		want = 1;
	for (b = 0, n = 0; b < MISO__HIST_BUCKETS; b++)
		if ((n += s->hist[b]) >= want)
			break;
	return bucket_us(b);
}

static void
write_signals(FILE *out, const struct miso__stats *s)
{
	const char *sep = "";
	int sig;

	for (sig = 1; sig < 65; sig++) {
		if (s->signals[sig] == 0)
			continue;
		fprintf(out, "%sSIG%s:%llu", sep, sigabbrev_np(sig) != NULL ?
		    sigabbrev_np(sig) : "?", (unsigned long long)s->signals[sig]);
		sep = ",";
	}
	if (*sep == '\0')
		fputc('-', out);
}

/*
 * mode = worker: how many times the zygote of the function's pool (which
 * functions with the same worker settings share) was found dead and
 * replaced; '-' in fork mode.
 */
static void
write_restarts(FILE *out, const struct miso__fn *f)
{
	struct miso_pool_stats st;

	if (f->pool == NULL) {
		fputs("- ", out);
		return;
	}
	miso_pool_stats(f->pool, &st, NULL, 0);
	fprintf(out, "%llu ", (unsigned long long)st.restarts);
}

static void
write_stats(void)
{
	const char *env = secure_getenv("MISO_STATS");
	char path[4096];
	FILE *out;
	size_t i;
	int fd;

	/* Children of the program inherit the variable, not the duty. */
	if (env == NULL || *env == '\0' || all == NULL || getpid() != owner)
		return;
	miso__expand_pid(env, path, sizeof path);
	/* A FIFO without a reader must not hang the program at its exit. */
	fd = miso__open_file(path, O_WRONLY | O_CREAT | O_TRUNC,
	    MISO__OPEN_STREAM);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		miso__log(MISO__LOG_ERROR, "MISO_STATS=%s: %s", path,
		    fd < 0 ? miso__file_strerror(fd) : strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(out, "# symbol calls completed crashed timedout failed p50_us "
	    "p99_us restarts signals\n");
	for (i = 0; i < nall; i++) {
		const struct miso__stats *s = &all[i].st;

		fprintf(out, "%s %llu %llu %llu %llu %llu %.0f %.0f ",
		    all[i].cf->name, (unsigned long long)s->calls,
		    (unsigned long long)s->completed,
		    (unsigned long long)s->crashed,
		    (unsigned long long)s->timedout,
		    (unsigned long long)s->failed, percentile(s, 0.50),
		    percentile(s, 0.99));
		write_restarts(out, &all[i]);
		write_signals(out, s);
		fputc('\n', out);
	}
	if (fclose(out) != 0)
		miso__log(MISO__LOG_ERROR, "MISO_STATS=%s: %m", path);
}

void
miso__stats_init(struct miso__fn *fns, size_t n)
{
	const char *env = secure_getenv("MISO_STATS");

	/* Without MISO_STATS, no call counts anything. */
	if (env == NULL || *env == '\0')
		return;
	all = fns;
	nall = n;
	owner = getpid();
	atexit(write_stats);
}
