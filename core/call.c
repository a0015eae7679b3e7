/*
 * The caller's side of miso_call: prepare the channel, fork, collect the
 * reply under the deadline, reap the child (or leave a cloned child that
 * has replied to finish exiting), and only then hand the result over. A
 * large result is copied into the caller's buffer after the child is
 * gone, so that the copy never lands in pages still shared copy-on-write
 * with it; a small one costs at most a page or two.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* How the wait for the reply ended. */
enum recv_end {
	RECV_DONE,    /* a complete, valid reply */
	RECV_GONE,    /* end of file, or the child died without replying */
	RECV_TIMEOUT,
	RECV_BAD,     /* a malformed reply */
	RECV_ERROR    /* poll or read failed; errno in c->error */
};

struct call {
	const struct miso_opts *o;
	struct miso_result *res;
	int rfd, wfd, memfd, pidfd;
	struct miso__fdid wid, mid; /* the pipe's and the memfd's files */
	struct miso__note *note;
	pid_t pid;
	size_t limit;
	uint64_t deadline;  /* CLOCK_MONOTONIC ns; 0: none */
	int oom;            /* the child reported ENOMEM at a fatal signal */
	int error;
	int wstatus;
	int reaped;         /* 1: wstatus is valid; -1: someone else reaped */
	int cloned;         /* made by clone() without an exit signal */
	int eof;            /* the pipe was at end of file once */
	size_t got;         /* bytes of hdr received */
	struct miso__reply hdr;
};

static const struct miso_opts no_opts;

static int
prepare(struct call *c)
{
	int p[2], r;

	/*
	 * Non-blocking: the child sends its whole record in one write, so a
	 * read that would block means a short record, never "wait more".
	 */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -errno;
	/* Out of the callback's way (core/highfd.c). */
	c->rfd = miso__fd_high(p[0]);
	c->wfd = miso__fd_high(p[1]);
	if ((r = miso__fd_id(c->wfd, &c->wid)) != 0)
		return r;
	/* Only a result that can outgrow the pipe record needs a memfd. */
	if (c->limit > MISO__INLINE_MAX &&
	    (c->memfd = miso__spill_take(&c->mid)) < 0)
		return c->memfd;
	return 0;
}

static void
release(struct call *c)
{
	miso__close(c->rfd);
	miso__close(c->wfd);
	miso__spill_give(c->memfd);
	miso__close(c->pidfd);
	c->rfd = c->wfd = c->memfd = c->pidfd = -1;
}

/*
 * Sends SIGKILL. A forked child that a SIGCHLD handler may have reaped is
 * signalled through its pidfd, never by a pid that may have been reused;
 * a cloned child can only be reaped by us, so its pid is safe.
 */
static void
kill_child(struct call *c)
{
	if (c->reaped != 0)
		return;
	if (c->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
	else
		kill(c->pid, SIGKILL);
}

static void
reap(struct call *c)
{
	if (c->reaped != 0)
		return;
	/* ECHILD: a SIGCHLD handler or SIG_IGN collected it first. */
	c->reaped = miso__reap(c->pid, c->cloned, &c->wstatus) == 0 ? 1 : -1;
}

/* pthread_cancel while waiting: the child must not outlive the call. */
static void
abandon(void *arg)
{
	struct call *c = arg;

	kill_child(c);
	reap(c);
	release(c);
}

/*
 * Without a pidfd, the child's death shows as end of file on the pipe, or,
 * if a grandchild holds the pipe open, through waitid(WNOWAIT), which
 * leaves it to be reaped as usual, polled every POLL_SLICE_NS. A cloned
 * child needs no pidfd (it is only there to kill a forked child without
 * racing a SIGCHLD handler that might reap it and free its pid), and so
 * saves two system calls, until the pipe reaches end of file while the
 * child may live on (receive()); before Linux 5.3, or under tools that do
 * not know pidfd_open, a forked child goes without one too.
 */
#define POLL_SLICE_NS 10000000u
/*
 * After end of file on the pipe, only the child's death is waited for. A
 * child that dies closes its pipe a moment before it can be seen dead,
 * so without a pidfd its death is looked for more often.
 */
#define EOF_SLICE_NS 200000u

static int
child_exited(struct call *c)
{
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT |
	    (c->cloned ? __WCLONE : 0)) == -1)
		return errno == ECHILD;
	return si.si_pid == c->pid;
}

/* The ppoll timeout: what is left of the deadline, cut to a slice. */
static struct timespec *
poll_timeout(const struct call *c, struct timespec *ts, int *expired)
{
	uint64_t left = UINT64_MAX, now, slice;

	*expired = 0;
	if (c->deadline != 0) {
		now = miso__now_ns();
		if (now >= c->deadline) {
			*expired = 1;
			return NULL;
		}
		left = c->deadline - now;
	}
	slice = c->eof ? EOF_SLICE_NS : POLL_SLICE_NS;
	if (c->pidfd < 0 && left > slice)
		left = slice;
	if (left == UINT64_MAX)
		return NULL;
	ts->tv_sec = (time_t)(left / 1000000000u);
	ts->tv_nsec = (long)(left % 1000000000u);
	return ts;
}

/*
 * Waits until the pipe is readable, the child is gone, or the deadline
 * passed. Returns WAIT_READABLE, WAIT_GONE, WAIT_TIMEOUT or -errno. Any
 * of these only says where to look next: receive() reads the pipe after
 * each of them, and only an empty pipe turns "gone" or "timeout" into the
 * call's outcome.
 */
enum { WAIT_TIMEOUT, WAIT_READABLE, WAIT_GONE };

static int
wait_ready(struct call *c)
{
	/* A pipe at end of file would wake ppoll at once: leave it out. */
	struct pollfd pfd[2] = {
		{ .fd = c->eof ? -1 : c->rfd, .events = POLLIN },
		{ .fd = c->pidfd, .events = POLLIN },
	};
	struct timespec ts, *tp;
	int n, expired;

	for (;;) {
		tp = poll_timeout(c, &ts, &expired);
		if (expired)
			return WAIT_TIMEOUT;
		n = ppoll(pfd, c->pidfd >= 0 ? 2 : 1, tp, NULL);
		if (n > 0)
			break;
		if (n == -1 && errno != EINTR)
			return -errno;
		if (n == 0 && c->pidfd < 0 && child_exited(c))
			return WAIT_GONE;
	}
	return pfd[0].revents != 0 ? WAIT_READABLE : WAIT_GONE;
}

/*
 * Takes a complete header. Returns 1 when the wait is over (a reply, or
 * garbage), 0 when more is to come (the child's note that it is dying of
 * ENOMEM is followed by nothing but its death).
 */
static int
take_header(struct call *c, enum recv_end *end)
{
	c->got = 0;
	if (miso__reply_check(&c->hdr, c->pid, c->limit) != 0) {
		*end = RECV_BAD;
		return 1;
	}
	if (c->hdr.kind == MISO__REC_OOM) {
		c->oom = 1;
		return 0;
	}
	*end = RECV_DONE;
	return 1;
}

/*
 * Waits for the reply header. An inline payload stays in the pipe until
 * the child is reaped: then it is read straight to where it belongs, and
 * nothing is written into memory still shared with a live child.
 *
 * Why no order of events gives a wrong outcome. The child writes its
 * whole record (header and inline payload, at most PIPE_BUF bytes) with
 * one write before it exits, so once anyone can see that the child is
 * dead (the pidfd, waitid, end of file), its record, if it sent one, is
 * already in the pipe in full. The pipe is non-blocking. Hence:
 * - Every wake-up, whatever its cause, is followed by a read of the pipe,
 *   and a record found there is taken, even when the wake-up said "gone"
 *   or "timeout": ppoll looks at the pipe before the pidfd, and waitid
 *   runs after ppoll's slice expired, so a child may reply and exit
 *   between the two looks; the read after them sees the reply.
 * - "Gone" becomes the outcome only when that read finds the pipe empty
 *   (EAGAIN) or at end of file: as the child died before the read, it
 *   never wrote a reply. A partial header at that point is garbage, never
 *   "more to come".
 * - At the deadline the same read runs once more before the child is
 *   killed: a reply that arrived in time but was not yet read is a reply,
 *   and the call succeeds. A reply that arrives after that read is too
 *   late: the child is killed and the call is a timeout.
 * - End of file is not the end: the callback may have closed its reply
 *   descriptor (close_range(), a loop closing every descriptor) while the
 *   child lives on, and the child then reopens the pipe to reply
 *   (core/child.c). So end of file only stops the watch on the pipe; the
 *   child's death (a pidfd, opened now if there was none, or waitid) is
 *   waited for under the deadline, and the pipe is read once more after
 *   it. A child that closed its pipe and hangs is thus a timeout, not a
 *   caller blocked in waitpid.
 * - A wake-up with nothing to read (a readable pipe whose bytes another
 *   reader took, a signal) just waits again.
 */
static enum recv_end
receive(struct call *c)
{
	enum recv_end end;
	ssize_t n;
	int r;

	for (;;) {
		r = wait_ready(c);
		if (r < 0) {
			c->error = -r;
			return RECV_ERROR;
		}
		n = miso__fd_read(c->rfd, (char *)&c->hdr + c->got,
		    sizeof c->hdr - c->got);
		if (n > 0) {
			c->got += (size_t)n;
			if (c->got == sizeof c->hdr && take_header(c, &end))
				return end;
			continue;
		}
		if (n < 0 && n != -EAGAIN) {
			c->error = (int)-n;
			return RECV_ERROR;
		}
		if (r == WAIT_TIMEOUT)
			return RECV_TIMEOUT;
		if (r == WAIT_GONE)
			return c->got == 0 ? RECV_GONE : RECV_BAD;
		if (n == 0 && !c->eof) {
			c->eof = 1;
			if (c->pidfd < 0)
				c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
		}
	}
}

static int
map_result(struct call *c, size_t len)
{
	void *p;

	/*
	 * A private mapping: a later fork must copy-on-write it like any
	 * other memory, never share it with the child.
	 */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * Not populated: a read fault maps the pages around it too (fault-
	 * around, 16 pages), and reading all of 64 MiB that way took 8.7 ms
	 * against 12.7 ms populated first; a caller that reads part of the
	 * result pays for that part only.
	 */
	c->res->data = p;
	c->res->owned_ = MISO__OWN_MMAP;
	/* The result keeps the memfd, to give it back when it is freed. */
	c->res->fd_ = c->memfd;
	c->memfd = -1;
	return 0;
}

/*
 * Makes the caller's buffer writable again in one system call. The fork
 * left every page of it write-protected, and a copy into it would take
 * one fault per page, a processor exception each; populating the range
 * first resolves them all in one pass. On this machine 64 MiB arrive in
 * 0.59 of the time of a plain copy after the fork (0.40 for a memcpy,
 * against 0.38 for the same memcpy with no fork before it). Before Linux
 * 5.14 the advice fails and the copy takes its faults as before.
 */
static void
make_writable(void *buf, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)buf & ~(page - 1);
	uintptr_t b = ((uintptr_t)buf + len + page - 1) & ~(page - 1);

	madvise((void *)a, b - a, MADV_POPULATE_WRITE);
}

static int
deliver_memfd(struct call *c, size_t len)
{
	struct stat st;
	ssize_t n;

	if (fstat(c->memfd, &st) == -1)
		return -errno;
	/* A kept memfd may be longer than this result. */
	if ((uint64_t)st.st_size < len)
		return MISO_EBADREPLY;
	if (len == 0 || c->o->buf == NULL)
		return len == 0 ? 0 : map_result(c, len);
	make_writable(c->o->buf, len);
	n = miso__pread_all(c->memfd, c->o->buf, len, 0);
	if (n < 0)
		return n == -EPIPE ? MISO_EBADREPLY : (int)n;
	c->res->data = c->o->buf;
	return 0;
}

/* Reads an inline payload, which came in the same write as its header. */
static int
read_inline(struct call *c, void *dst, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = miso__fd_read(c->rfd, (char *)dst + done, len - done);
		if (n == 0 || n == -EAGAIN)
			return MISO_EBADREPLY;
		if (n < 0)
			return (int)n;
		done += (size_t)n;
	}
	return 0;
}

static int
deliver(struct call *c)
{
	size_t len = (size_t)c->hdr.len;
	void *dst;
	int r;

	c->res->len = len;
	if (c->hdr.werror != 0)
		return c->hdr.werror;
	if (c->hdr.where == MISO__IN_MEMFD)
		return deliver_memfd(c, len);
	dst = c->o->buf;
	if (dst == NULL && (dst = malloc(len != 0 ? len : 1)) == NULL)
		return -ENOMEM;
	if ((r = read_inline(c, dst, len)) != 0) {
		if (dst != c->o->buf)
			free(dst);
		return r;
	}
	if (dst != c->o->buf)
		c->res->owned_ = MISO__OWN_MALLOC;
	c->res->data = dst;
	return 0;
}

/* The code for a child that ended without a complete reply. */
static int
no_reply(struct call *c, enum recv_end end)
{
	struct miso_result *res = c->res;

	if (end == RECV_TIMEOUT) {
		res->signo = SIGKILL;
		return MISO_ETIMEOUT;
	}
	if (end == RECV_ERROR) {
		res->error = c->error;
		return MISO_ESYSTEM;
	}
	if (c->reaped < 0)
		return MISO_ELOST;
	if (end == RECV_GONE && c->note != NULL && __atomic_load_n(
	    &c->note->pid, __ATOMIC_ACQUIRE) == (int32_t)c->pid) {
		/* The callback took the reply's way out (core/note.c). */
		res->error = EBADF;
		return MISO_ESYSTEM;
	}
	if (WIFSIGNALED(c->wstatus)) {
		res->signo = WTERMSIG(c->wstatus);
		res->core_dumped = WCOREDUMP(c->wstatus) != 0;
		return c->oom ? MISO_EMEMORY : MISO_ESIGNAL;
	}
	if (end == RECV_BAD)
		return MISO_EBADREPLY;
	res->exit_code = WEXITSTATUS(c->wstatus);
	return MISO_EEXIT;
}

/*
 * A cloned child that has replied may finish exiting on its own time,
 * unless its result is still to be copied into the caller's buffer:
 * that copy must not land in pages the child still shares.
 */
static int
may_defer(const struct call *c)
{
	return c->cloned &&
	    !(c->hdr.where == MISO__IN_MEMFD && c->o->buf != NULL);
}

static int
finish(struct call *c, enum recv_end end)
{
	int code;

	if (end != RECV_DONE && end != RECV_GONE)
		kill_child(c);
	if (end != RECV_DONE || !may_defer(c))
		reap(c);
	if (end != RECV_DONE)
		return no_reply(c, end);
	c->res->error = c->hdr.error;
	code = deliver(c);
	if (c->reaped == 0) {
		miso__defer_reap(c->pid);
		c->reaped = 1;
	}
	if (miso__is_errno(code)) {
		c->res->error = -code;
		code = MISO_ESYSTEM;
	}
	return code;
}

static int
run(struct call *c, void (*fn)(void *, struct miso_writer *), void *ctx)
{
	struct miso__child child = {
		.fn = fn, .ctx = ctx, .memfd = -1, .limit = c->limit,
		.mem_limit = c->o->mem_limit, .flags = c->o->flags,
	};
	enum recv_end end;
	int code, r;

	if ((r = prepare(c)) != 0)
		return r;
	child.wfd = c->wfd;
	child.rfd = c->rfd;
	child.wid = c->wid;
	child.memfd = c->memfd;
	child.mid = c->mid;
	child.note = c->note = miso__note_get();
	child.ppid = miso__getpid();
	miso__stdio_before_fork(c->o->flags);
	if ((c->pid = miso__spawn(c->o->flags, &c->cloned)) == -1)
		return -errno;
	if (c->pid == 0)
		miso__child_main(&child);
	c->res->pid = c->pid;
	/*
	 * Before the first cancellation point (close() is one): a thread
	 * cancelled from here on must not leave its child behind.
	 */
	pthread_cleanup_push(abandon, c);
	miso__close(c->wfd);
	c->wfd = -1;
	if (!c->cloned)
		c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	end = receive(c);
	code = finish(c, end);
	pthread_cleanup_pop(0);
	return code;
}

int
miso_call(void (*fn)(void *, struct miso_writer *), void *ctx,
    const struct miso_opts *opts, struct miso_result *res)
{
	struct call *c, local;
	uint64_t start = miso__now_ns();

	c = &local;
	miso__reap_finished();
	memset(res, 0, sizeof *res);
	res->fd_ = -1;
	c->o = opts != NULL ? opts : &no_opts;
	c->res = res;
	c->rfd = c->wfd = c->memfd = c->pidfd = -1;
	c->wid = c->mid = (struct miso__fdid){ 0, 0 };
	c->note = NULL;
	c->pid = 0;
	c->limit = miso__result_limit(c->o);
	c->deadline = c->o->timeout_ms != 0 ?
	    start + c->o->timeout_ms * 1000000u : 0;
	c->oom = c->error = c->wstatus = c->reaped = c->cloned = c->eof = 0;
	c->got = 0;
	res->code = run(c, fn, ctx);
	release(c);
	if (miso__is_errno(res->code))
		res->error = -res->code;
	res->wall_ns = miso__now_ns() - start;
	return res->code;
}
