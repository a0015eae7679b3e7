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
 *
 * Every page the child touches costs it a fault: fork() copies the page
 * tables of the caller's private writable memory only, so each page of
 * code the child runs is looked up again, and each page of data it
 * writes is copied. The child therefore makes its system calls through
 * syscall(3), whose page it is already on when clone() returns to it,
 * rather than through one libc wrapper per call, each on a page of its
 * own; and it writes no engine state it does not have to (the resets
 * below write only what differs).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
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

/* _exit(), through syscall(3) (see above). */
static _Noreturn void
child_exit(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

/* Appends the decimal digits of v to p; async-signal-safe. */
static char *
put_uint(char *p, unsigned long v)
{
	char digits[24];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/*
 * The descriptor to reply on. The callback may have closed the reply
 * descriptor (close_range(3, ~0U), a loop over every descriptor) or put
 * a file of its own in its place (dup2): the reply must then neither be
 * lost nor land in that file. The caller's end of the same pipe is still
 * open in the caller, and /proc/PPID/fd/N opened for writing gives a new
 * write end of it; that fails only if /proc is missing, the caller is not
 * dumpable (and this process not privileged), or the callback left no
 * descriptor to open (RLIMIT_NOFILE). Returns -1 when there is no way
 * back; the caller then learns why from the note (core/note.c).
 */
static int
reply_fd(const struct miso__child *c)
{
	char path[64], *p;
	int fd;

	if (miso__fd_is(c->wfd, &c->wid))
		return c->wfd;
	p = path;
	memcpy(p, "/proc/", 6);
	p = put_uint(p + 6, (unsigned long)c->ppid);
	memcpy(p, "/fd/", 4);
	p = put_uint(p + 4, (unsigned long)c->rfd);
	*p = '\0';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && !miso__fd_is(fd, &c->wid)) {
		miso__close(fd);
		fd = -1;
	}
	return fd;
}

static void
send_reply(const struct miso__child *c, struct miso_writer *w, int err,
    pid_t self)
{
	struct miso__reply r;
	struct iovec iov[2];
	ssize_t n;
	int fd;

	if ((fd = reply_fd(c)) < 0) {
		if (c->note != NULL)
			__atomic_store_n(&c->note->pid, self, __ATOMIC_RELEASE);
		child_exit(MISO__EXIT_NO_CHANNEL);
	}
	/* A spilled result is only good if it went where the caller reads. */
	if (w->spilled && w->error == 0 && !miso__fd_is(c->memfd, &c->mid))
		w->error = -EBADF;
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
		n = syscall(SYS_writev, fd, iov, 2);
	while (n == -1 && errno == EINTR);
}

_Noreturn void
miso__child_main(const struct miso__child *c)
{
	struct miso_writer w;
	pid_t self;
	int err;

	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* The caller may have died before the line above took effect. */
	if ((pid_t)syscall(SYS_getppid) != c->ppid)
		child_exit(127);
	miso__spawn_child_reset();
	miso__spill_child_reset();
	miso__note_child_reset();
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
	w.id = &c->mid;
	miso__stdio_drop_inherited(c->flags);

	errno = 0;
	c->fn(c->ctx, &w);
	err = errno;

	/*
	 * A process the callback forked must not answer in our name: its
	 * parent is this child, not the caller.
	 */
	if ((pid_t)syscall(SYS_getppid) != c->ppid)
		child_exit(0);
	self = (pid_t)syscall(SYS_getpid);
	miso__stdio_flush_own(c->flags);
	send_reply(c, &w, err, self);
	child_exit(0);
}
