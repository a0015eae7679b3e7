/*
 * The program's stdio streams around a call.
 *
 * A child (or a worker) starts with a copy of every FILE, buffers
 * included: bytes the program had written but not yet flushed are
 * pending in both processes. If the child flushed them, they would be
 * printed twice; if the caller flushed them before the fork, it would
 * touch streams that another of its threads may be writing at that
 * moment, without their lock (fwrite_unlocked, as GNU coreutils does),
 * and lose or garble that thread's output. So:
 * - The caller flushes stdout and stderr before the fork only when the
 *   program has a single thread: the calling thread is then the only one
 *   that can own them, and the program's own output comes out before the
 *   function's, in order. With more threads the caller's streams are not
 *   touched at all.
 * - The child, before the callback, drops what it inherited pending: in
 *   every byte-oriented FILE on glibc's list of open streams whose put
 *   area looks sane, the write pointer goes back to the start of the put
 *   area. Those bytes stay pending in the caller, which prints them when
 *   it flushes, once. (The FILE layout used here, _IO_write_base,
 *   _IO_write_ptr, _IO_buf_base, _IO_buf_end, _chain and _mode, is the
 *   public struct _IO_FILE of <bits/types/struct_FILE.h>, part of glibc's
 *   ABI; __fpending reads the same fields.)
 * - After the callback, the child flushes every stream that has
 *   something pending, which can only be what the function wrote.
 * Wide-oriented streams (fwide > 0) keep their bytes in a private buffer
 * whose layout glibc does not publish: they are neither dropped nor
 * flushed. MISO_F_NO_FLUSH turns all of this off.
 *
 * The child walks the list without its lock: glibc's fork() holds the
 * lock across the fork and resets it (and every FILE's lock) in the
 * child, and a child made with clone() comes from a single-threaded
 * program; a worker is a single-threaded copy.
 */
#define _GNU_SOURCE
#include <sys/single_threaded.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdio_ext.h>

#include "internal.h"

/* glibc's list of open streams, chained through _chain; GLIBC_2.2.5. */
extern FILE *_IO_list_all;

/*
 * A byte-oriented stream whose pending bytes lie inside its buffer. A
 * stream that another thread of the caller was changing at the fork may
 * be caught half-way: it is left alone rather than guessed at.
 */
static int
sane(const FILE *f)
{
	return f->_mode <= 0 && f->_IO_buf_base != NULL &&
	    f->_IO_buf_base <= f->_IO_write_base &&
	    f->_IO_write_base <= f->_IO_write_ptr &&
	    f->_IO_write_ptr <= f->_IO_buf_end;
}

/*
 * 1 when the calling thread is the program's only one. glibc's flag is
 * cleared for good by the first pthread_create, and stays cleared in a
 * child forked later; the kernel knows better: /proc/self/task has two
 * links plus one per thread. With one thread, no other can appear while
 * this one is busy here.
 */
static int
alone(void)
{
	struct stat st;

	if (__libc_single_threaded)
		return 1;
	return stat("/proc/self/task", &st) == 0 && st.st_nlink == 3;
}

void
miso__stdio_before_fork(unsigned flags)
{
	/*
	 * Streams with nothing pending cost no lock, and, the common case,
	 * no look at /proc.
	 */
	if ((flags & MISO_F_NO_FLUSH) ||
	    (__fpending(stdout) == 0 && __fpending(stderr) == 0) || !alone())
		return;
	if (__fpending(stdout) != 0)
		fflush(stdout);
	if (__fpending(stderr) != 0)
		fflush(stderr);
}

/*
 * In the child, before the callback. Async-signal-safe: no calls. Only
 * a stream with bytes pending is written: writing the others would cost
 * the child a copy of their pages for nothing.
 */
void
miso__stdio_drop_inherited(unsigned flags)
{
	FILE *f;

	if (flags & MISO_F_NO_FLUSH)
		return;
	for (f = _IO_list_all; f != NULL; f = f->_chain)
		if (sane(f) && f->_IO_write_ptr != f->_IO_write_base)
			f->_IO_write_ptr = f->_IO_write_base;
}

/*
 * In the child, after the callback: what is pending now, the function
 * wrote. Streams with nothing pending are not touched: their pages are
 * still shared with the caller, and each page written costs a copy.
 */
void
miso__stdio_flush_own(unsigned flags)
{
	FILE *f;

	if (flags & MISO_F_NO_FLUSH)
		return;
	for (f = _IO_list_all; f != NULL; f = f->_chain)
		if (sane(f) && f->_IO_write_ptr != f->_IO_write_base)
			fflush(f);
}
