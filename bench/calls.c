/*
 * The variants the benchmark programs share: a direct call, fork with an
 * 8-byte result over a pipe, miso_call with an 8-byte result, and a bulk
 * result against memcpy.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <miso.h>

#include "bench.h"

unsigned char *src;
unsigned char *dst;
unsigned char *obuf;
size_t bulk;

__attribute__((noinline)) uint64_t
work(uint64_t x)
{
	return x * 2654435761u + 1;
}

double
run_direct(long n)
{
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		sink = work((uint64_t)i);
	return (now_ns() - t) / n;
}

/*
 * The caller's work between calls, 200 us: GAP_SPIN computes (it holds
 * its CPU), GAP_SLEEP waits (for I/O, say; its CPU is free meanwhile).
 */
#define GAP_NS 200000.0

static void
caller_work(int gap)
{
	struct timespec ts = { 0, (long)GAP_NS };
	double t = now_ns();

	if (gap == GAP_SLEEP) {
		nanosleep(&ts, NULL);
		return;
	}
	while (now_ns() - t < GAP_NS)
		sink++;
}

/* fork + 8-byte pipe result + waitpid, n times; only the calls are timed. */
double
fork_pipe_calls(long n, int gap)
{
	double t, total = 0;
	uint64_t v;
	long i;
	int fd[2];
	pid_t p;

	for (i = 0; i < n; i++) {
		if (gap != 0)
			caller_work(gap);
		t = now_ns();
		if (pipe2(fd, O_CLOEXEC) == -1)
			exit(1);
		if ((p = fork()) == 0) {
			v = work((uint64_t)i);
			write(fd[1], &v, sizeof v);
			_exit(0);
		}
		close(fd[1]);
		if (read(fd[0], &v, sizeof v) != sizeof v)
			exit(1);
		sink = v;
		close(fd[0]);
		waitpid(p, NULL, 0);
		total += now_ns() - t;
	}
	return total / n;
}

double
run_fork_pipe_wait(long n)
{
	return fork_pipe_calls(n, 0);
}

static void
cb_value(void *ctx, struct miso_writer *w)
{
	uint64_t v = work((uint64_t)(uintptr_t)ctx);

	miso_write(w, &v, sizeof v);
}

/* miso_call with an 8-byte result, n times; only the calls are timed. */
double
miso_8_calls(long n, unsigned flags, int gap, int alloc)
{
	uint64_t v;
	struct miso_opts o = { .buf = &v, .buf_size = sizeof v,
	    .flags = flags };
	struct miso_result r;
	double t, total = 0;
	long i;

	for (i = 0; i < n; i++) {
		if (gap != 0)
			caller_work(gap);
		t = now_ns();
		if (miso_call(cb_value, (void *)(uintptr_t)i,
		    alloc ? NULL : &o, &r) != 0)
			exit(1);
		sink = *(uint64_t *)r.data;
		miso_result_free(&r);
		total += now_ns() - t;
	}
	return total / n;
}

double
run_miso_8(long n)
{
	return miso_8_calls(n, 0, 0, 0);
}

/*
 * Reads a byte of every page of a bulk result, as a caller using it
 * would: a result that is mapped rather than copied is paid for here.
 */
static uint64_t
touch(const unsigned char *p)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < bulk; i += 4096)
		s += p[i];
	return s + p[bulk - 1];
}

static void
cb_bulk(void *ctx, struct miso_writer *w)
{
	miso_write(w, src, bulk);
}

double
run_miso_bulk(long n)
{
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		if (miso_call(cb_bulk, NULL, NULL, &r) != 0 || r.len != bulk) {
			fprintf(stderr, "bench: bulk call: %s\n",
			    miso_strerror(r.code));
			exit(1);
		}
		sink = touch(r.data);
		miso_result_free(&r);
	}
	return (now_ns() - t) / n;
}

double
run_memcpy(long n)
{
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		memcpy(dst, src, bulk);
		sink = touch(dst);
	}
	return (now_ns() - t) / n;
}

/* The caller's result buffer: 4 KiB pages, every one touched before. */
unsigned char *
touched_buffer(size_t n)
{
	unsigned char *p;

	if (posix_memalign((void **)&p, 4096, n) != 0) {
		perror("bench: posix_memalign");
		exit(1);
	}
	madvise(p, n, MADV_NOHUGEPAGE);
	memset(p, 1, n);
	return p;
}

/*
 * The floor of any fork-based design that hands a result to the caller's
 * buffer: fork + _exit + waitpid, then a memcpy of bulk bytes into obuf,
 * every page of which the fork left write-protected.
 */
double
run_fork_memcpy(long n)
{
	double t = now_ns();
	long i;
	pid_t p;

	for (i = 0; i < n; i++) {
		if ((p = fork()) == 0)
			_exit(0);
		waitpid(p, NULL, 0);
		memcpy(obuf, src, bulk);
		sink = touch(obuf);
	}
	return (now_ns() - t) / n;
}

/* miso_call with a result of bulk bytes into obuf. */
double
run_miso_bulk_buf(long n)
{
	struct miso_opts o = { .buf = obuf, .buf_size = bulk };
	struct miso_result r;
	double t = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		if (miso_call(cb_bulk, NULL, &o, &r) != 0 || r.len != bulk) {
			fprintf(stderr, "bench: bulk call: %s\n",
			    miso_strerror(r.code));
			exit(1);
		}
		sink = touch(obuf);
		miso_result_free(&r);
	}
	return (now_ns() - t) / n;
}
