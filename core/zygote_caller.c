/*
 * The caller's end of the zygote's socket (the zygote itself is in
 * core/zygote.c): orders and their answers, restarts, and the stop.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool_internal.h"

/* 1: pid has exited (not yet reaped); 0: it runs; -1: waitid failed. */
static int
exited(pid_t pid)
{
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return -1;
	return si.si_pid == pid;
}

/*
 * Reaps a zygote that is gone, or that closed its socket and is on its
 * way out. It is our child and not yet reaped, so its pid is still its
 * own: SIGKILL cannot hit another process. One the program reaped
 * itself (wait(-1), SIGCHLD ignored) is left alone.
 */
static void
bury_zygote(pid_t pid)
{
	int e;

	if (pid <= 0 || (e = exited(pid)) < 0)
		return;
	if (e == 0)
		kill(pid, SIGKILL);
	(void)miso__reap(pid, 0, NULL);
}

/*
 * Replaces a zygote whose socket reached end of file: reaps it, and
 * forks a new one, of the next generation, from the caller as it is now.
 * The new socket takes the old one's descriptor number. The caller holds
 * z->lock and the pool registry's lock. Returns 0 or -errno; on failure
 * z->pid is 0 and the next SPAWN fails with -ECHILD again.
 */
int
miso__zygote_restart(struct miso__zygote *z,
    const struct miso__worker_cfg *cfg)
{
	struct miso__zygote nz;
	int r;

	bury_zygote(__atomic_load_n(&z->pid, __ATOMIC_ACQUIRE));
	__atomic_store_n(&z->pid, 0, __ATOMIC_RELEASE);
	/* The old workers died with the old zygote: their slots are stale. */
	__atomic_store_n(&z->gen, z->gen + 1, __ATOMIC_RELEASE);
	memset(&nz, 0, sizeof nz);
	nz.gen = z->gen;
	if ((r = miso__zygote_start(&nz, cfg)) != 0)
		return r;
	if (dup3(nz.ctl, z->ctl, O_CLOEXEC) == -1) {
		r = -errno;
		miso__zygote_stop(&nz);
		return r;
	}
	miso__close(nz.ctl);
	__atomic_store_n(&z->pid, nz.pid, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Waits until fd is ready for events, or until the deadline (0: none).
 * Returns 0 (ready, or hung up: the next read or write says which),
 * -ETIMEDOUT or -errno.
 */
static int
ready(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now, ms;
	int n;

	for (;;) {
		ms = UINT64_MAX;
		if (deadline != 0) {
			if ((now = miso__now_ns()) >= deadline)
				return -ETIMEDOUT;
			ms = (deadline - now + 999999) / 1000000;
		}
		n = poll(&p, 1, ms > INT_MAX ? -1 : (int)ms);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -errno;
	}
}

/*
 * Sends an order. With wait set it waits for room in the socket until
 * the deadline; otherwise a full socket (a stopped zygote with hundreds
 * of orders pending) drops the order. Returns 0, -ECHILD when the zygote
 * is gone, -ETIMEDOUT, or -errno.
 */
static int
order(struct miso__zygote *z, const struct miso__zy_order *o, int wait,
    uint64_t deadline)
{
	ssize_t n;
	int r;

	for (;;) {
		n = send(z->ctl, o, sizeof *o, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == sizeof *o)
			return 0;
		if (n != -1)
			return -EPROTO;
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return -ECHILD;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || !wait)
			return -errno;
		if ((r = ready(z->ctl, POLLOUT, deadline)) != 0)
			return r;
	}
}

static int
take_fds(struct msghdr *m, struct miso__spawned *w)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(m);
	int fds[2];

	if (c == NULL || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof fds))
		return -EPROTO;
	memcpy(fds, CMSG_DATA(c), sizeof fds);
	w->memfd = miso__fd_high(fds[0]);
	w->outfd = miso__fd_high(fds[1]);
	return 0;
}

/* An answer no one waits for any more: its worker goes. */
static void
discard(struct miso__zygote *z, const struct miso__zy_answer *a, struct msghdr *m)
{
	struct miso__zy_order o = { MISO__ZY_KILL, a->pid, 0, z->gen };
	struct miso__spawned w;

	if (take_fds(m, &w) == 0) {
		miso__close(w.memfd);
		miso__close(w.outfd);
	}
	if (a->error == 0 && a->pid > 0)
		(void)order(z, &o, 0, 0);
}

/* Reads the answer to order seq, skipping stale ones. 0 or -errno. */
static int
receive(struct miso__zygote *z, uint32_t seq, struct miso__zy_answer *a,
    struct miso__spawned *w, uint64_t deadline)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { a, sizeof *a };
	struct msghdr m;
	ssize_t n;
	int r;

	for (;;) {
		m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf, .msg_controllen = sizeof cbuf };
		n = recvmsg(z->ctl, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return -ECHILD;
		if (n == -1 && errno == EAGAIN) {
			if ((r = ready(z->ctl, POLLIN, deadline)) != 0)
				return r;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -errno;
		if (n != sizeof *a || a->error > 0)
			return -EPROTO;
		if (a->seq == seq)
			return a->error != 0 ? a->error : take_fds(&m, w);
		discard(z, a, &m);
	}
}

/*
 * Locks, waiting until the monotonic deadline at most (0: none).
 * pthread_mutex_timedlock() wants CLOCK_REALTIME: the deadline is
 * carried over at the call, which a clock step shifts by as much
 * (pthread_mutex_clocklock() would not, but sanitizers do not know it).
 */
static int
lock_until(pthread_mutex_t *lock, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now, left, at;

	if (deadline == 0)
		return -pthread_mutex_lock(lock);
	now = miso__now_ns();
	left = deadline > now ? deadline - now : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + left;
	ts.tv_sec = (time_t)(at / 1000000000u);
	ts.tv_nsec = (long)(at % 1000000000u);
	return -pthread_mutex_timedlock(lock, &ts);
}

/*
 * Asks for a worker, waiting for the answer until the deadline (0:
 * none). Returns 0 and *w, or -errno: -ECHILD when the zygote is gone,
 * -ETIMEDOUT when it did not answer in time (the answer, if it comes,
 * is discarded by a later exchange).
 */
int
miso__zygote_spawn(struct miso__zygote *z, struct miso__spawned *w,
    uint64_t deadline)
{
	struct miso__zy_order o = { MISO__ZY_SPAWN, 0, 0, 0 };
	struct miso__zy_answer a;
	int r;

	w->gen = __atomic_load_n(&z->gen, __ATOMIC_RELAXED);
	if ((r = lock_until(&z->lock, deadline)) != 0)
		return r;
	o.seq = ++z->seq;
	o.gen = w->gen = z->gen;
	r = order(z, &o, 1, deadline);
	if (r == 0 && (r = receive(z, o.seq, &a, w, deadline)) == 0)
		w->pid = a.pid;
	pthread_mutex_unlock(&z->lock);
	return r;
}

/*
 * Has the zygote of generation gen kill a worker; does not wait, and
 * takes no lock: a SEQPACKET order is sent whole or not at all. A worker
 * of an older zygote died with it: the order is then ignored.
 */
void
miso__zygote_kill(struct miso__zygote *z, pid_t pid, uint32_t gen)
{
	struct miso__zy_order o = { MISO__ZY_KILL, pid, 0, gen };

	(void)order(z, &o, 0, 0);
}

/* 1 when the zygote has exited (or was reaped by someone else). */
int
miso__zygote_gone(const struct miso__zygote *z)
{
	pid_t pid = __atomic_load_n(&z->pid, __ATOMIC_ACQUIRE);
	int e;

	if (pid <= 0)
		return 1;
	if ((e = exited(pid)) < 0)
		return errno == ECHILD;
	return e;
}

/*
 * Ends the zygote, which kills and reaps its workers first, and reaps it.
 * QUIT rather than end of file alone: a process forked meanwhile may
 * hold a copy of our end of the socket. A zygote that does not end
 * within STOP_GRACE_MS (it is stopped, say) is killed: its workers die
 * with it.
 */
#define STOP_GRACE_MS 2000

void
miso__zygote_stop(struct miso__zygote *z)
{
	struct miso__zy_order o = { MISO__ZY_QUIT, 0, 0, z->gen };
	struct timespec ms = { 0, 1000000 };
	pid_t pid = z->pid, r;
	int i;

	(void)order(z, &o, 0, 0);
	miso__close(z->ctl);
	z->ctl = -1;
	if (pid <= 0)
		return;
	for (i = 0; i < STOP_GRACE_MS; i++) {
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r == -1 && errno != EINTR))
			return;
		nanosleep(&ms, NULL);
	}
	kill(pid, SIGKILL);
	(void)miso__reap(pid, 0, NULL);
}
