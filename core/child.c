/*
 * The child's side of a call. Everything here runs between fork() and
 * _exit() and uses only async-signal-safe functions: in a multithreaded
 * parent, locks held by other threads stay locked in the child forever.
 * The one deliberate exception is the flush of stdout and stderr after
 * the callback, so that its output is not lost (MISO_F_NO_FLUSH skips it).
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
 * - errno is 0 when the callback starts.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define ALTSTACK_SIZE (64 * 1024)

/* Only the child writes these, after the fork. */
static int oom_fd = -1;
static pid_t oom_pid;

static void
on_fatal(int sig, siginfo_t *si, void *uc)
{
	struct miso__reply r;
	struct sigaction dfl;

	(void)uc;
	if (errno == ENOMEM) {
		memset(&r, 0, sizeof r);
		r.magic = MISO__MAGIC;
		r.kind = MISO__REC_OOM;
		r.pid = (uint64_t)oom_pid;
		miso__write_all(oom_fd, &r, sizeof r);
	}
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	/*
	 * A fault returns to the faulting instruction and is raised again,
	 * now with the default action. A signal that was sent (kill, raise,
	 * abort) would not come back by itself: send it again; it is blocked
	 * until this handler returns.
	 */
	if (si->si_code <= 0)
		raise(sig);
}

static void
watch_memory(int wfd, pid_t self)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT };
	struct sigaction sa, old;
	stack_t ss;
	size_t i;

	ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED)
		return;
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) == -1)
		return;
	oom_fd = wfd;
	oom_pid = self;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

static void
reset_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
	    SIGSYS };
	struct sigaction dfl;
	size_t i;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &dfl, NULL);
}

static void
set_limit(int resource, uint64_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == -1)
		return;
	/* Never raise a limit the caller already had. */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < value)
		return;
	rl.rlim_cur = value;
	setrlimit(resource, &rl);
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

/*
 * Flushes what the callback left in a stdio buffer. Streams with nothing
 * pending are not touched: their locks live in pages still shared with
 * the caller, and each page written costs a copy.
 */
static void
flush_stdio(void)
{
	if (__fpending(stdout) != 0)
		fflush(stdout);
	if (__fpending(stderr) != 0)
		fflush(stderr);
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
		reset_crash_handlers();
	if (c->mem_limit != 0) {
		watch_memory(c->wfd, getpid());
		set_limit(RLIMIT_AS, c->mem_limit);
	}
	if (c->flags & MISO_F_NO_CORE)
		set_limit(RLIMIT_CORE, 0);
	miso__writer_init(&w, c->memfd, c->limit);

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
	if (!(c->flags & MISO_F_NO_FLUSH))
		flush_stdio();
	send_reply(c, &w, err, self);
	_exit(0);
}
