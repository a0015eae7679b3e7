/*
 * The child's side of a call. Everything here runs between fork() and
 * _exit() and uses only async-signal-safe functions: in a multithreaded
 * parent, locks held by other threads stay locked in the child forever.
 * The one deliberate exception is the flush, after the callback, of the
 * stdio streams the callback wrote to, so that its output is not lost
 * (core/stdio.c; MISO_F_NO_FLUSH skips it).
 *
 * What the engine changes in the child, and why:
 * - PR_SET_PDEATHSIG(SIGKILL): the child must not outlive the caller.
 * - The handlers of SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGSYS
 *   go back to SIG_DFL (unless
 *   MISO_F_KEEP_HANDLERS): a caller's handler that longjmps would carry
 *   the child out of the callback and into the caller's code.
 * - RLIMIT_AS, when a memory cap is asked for; then fatal-signal handlers
 *   for SIGSEGV, SIGBUS and SIGABRT that were at their default, which
 *   report "errno was ENOMEM" and let the signal kill the child as before.
 * - RLIMIT_CORE 0 with MISO_F_NO_CORE.
 * - What the caller had pending in its stdio buffers is dropped from the
 *   child's copies (core/stdio.c), unless MISO_F_NO_FLUSH.
 * - errno is 0 when the callback starts.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Only the child writes these, after the fork. */
static int oom_fd = -1;
static pid_t oom_pid;

/* Tells the caller, from a fatal signal's handler, that errno was ENOMEM. */
static void
note_oom(void)
{
	struct miso__reply r;

	memset(&r, 0, sizeof r);
	r.magic = MISO__MAGIC;
	r.kind = MISO__REC_OOM;
	r.pid = (uint64_t)oom_pid;
	miso__write_all(oom_fd, &r, sizeof r);
}

static void
send_reply(const struct miso__child *c, struct miso_writer *w, int err,
    pid_t self)
{
	struct miso__reply r;
	struct iovec iov[2];
	ssize_t n;

	memset(&r, 0, sizeof r);
	r.magic = MISO__MAGIC;
	r.kind = MISO__REC_DONE;
	r.where = w->spilled ? MISO__IN_MEMFD : MISO__IN_PIPE;
	r.error = err;
	r.werror = w->error;
	r.len = w->len;
	r.pid = (uint64_t)self;
	iov[0].iov_base = &r;
	iov[0].iov_len = sizeof r;
	iov[1].iov_base = w->inl;
	iov[1].iov_len = w->error == 0 && !w->spilled ? w->len : 0;
	/*
	 * At most PIPE_BUF bytes into an empty pipe: one atomic write. No
	 * SIGPIPE can come of it: the caller closes its end only after it
	 * has killed or reaped this process, and if the caller dies, so
	 * does this process (PR_SET_PDEATHSIG).
	 */
	do
		n = writev(c->wfd, iov, 2);
	while (n == -1 && errno == EINTR);
}

_Noreturn void
miso__child_main(const struct miso__child *c)
{
	struct miso_writer w;
	pid_t self;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The caller may have died before the line above took effect. */
	if (getppid() != c->ppid)
		_exit(127);
	miso__spawn_child_reset();
	miso__spill_child_reset();
	if (!(c->flags & MISO_F_KEEP_HANDLERS))
		miso__reset_crash_handlers();
	if (c->mem_limit != 0) {
		oom_fd = c->wfd;
		oom_pid = getpid();
		miso__watch_memory(note_oom);
		miso__lower_limit(RLIMIT_AS, c->mem_limit);
	}
	if (c->flags & MISO_F_NO_CORE)
		miso__lower_limit(RLIMIT_CORE, 0);
	miso__writer_init(&w, c->memfd, c->limit);
	miso__stdio_drop_inherited(c->flags);

	errno = 0;
	c->fn(c->ctx, &w);
	err = errno;

	/*
	 * A process the callback forked must not answer in our name: its
	 * parent is this child, not the caller.
	 */
	if (getppid() != c->ppid)
		_exit(0);
	self = getpid();
	miso__stdio_flush_own(c->flags);
	send_reply(c, &w, err, self);
	_exit(0);
}
