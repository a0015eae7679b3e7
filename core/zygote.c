/*
 * The fork server. miso_pool_new() forks it from the caller while the
 * caller is still small and single-threaded; it then forks every worker,
 * so that a worker never inherits what the caller became later (its
 * size, its threads, their locks).
 *
 * It talks to the caller over a SOCK_SEQPACKET socket. SPAWN: the zygote
 * forks a worker and answers with its pid, its region's memfd and its
 * result file's (SCM_RIGHTS). KILL: it sends SIGKILL to one of its
 * workers; being their parent, it is the one process that can do so
 * without racing the reuse of a reaped worker's pid (and it needs no
 * pidfd, which old kernels and valgrind lack). QUIT, or end of file: it
 * kills and reaps its workers and exits.
 *
 * Every answer echoes its order's sequence number, and every order
 * carries the generation of the zygote it is meant for. A caller that
 * stopped waiting for an answer (its deadline passed: the zygote was
 * stopped or slow) leaves that answer in the socket; whoever reads it
 * next sees it is not theirs, closes its descriptors and has its worker
 * killed. A KILL order for a worker of a dead zygote, reaching the one
 * that replaced it, is ignored: that pid may belong to a new worker.
 *
 * It reaps its workers (signalfd for SIGCHLD) and reports each death in
 * the worker's region: the status, a dead flag, and a ring of the reply
 * bell, which wakes a caller waiting on that worker. The death of the
 * caller kills it (PR_SET_PDEATHSIG), and its own death kills its
 * workers (theirs).
 *
 * What the zygote changes in itself: it blocks every signal (SIGCHLD is
 * read through a signalfd; a terminal's SIGINT is for the program, which
 * decides, and kills the zygote by dying) and puts SIGCHLD back to
 * SIG_DFL, so that a caller's SIG_IGN does not make the kernel reap the
 * workers before their status is read. Workers get the caller's mask and
 * SIGCHLD disposition back.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool_internal.h"

enum {
	OP_SPAWN = 1,
	OP_KILL = 2,
	OP_QUIT = 3
};

struct order {
	uint32_t op;
	int32_t pid;  /* OP_KILL */
	uint32_t seq; /* OP_SPAWN: echoed by the answer */
	uint32_t gen; /* the zygote the order is meant for */
};

struct answer {
	int32_t error; /* 0 or -errno */
	int32_t pid;
	uint32_t seq;
};

/* A worker as the zygote knows it. */
struct child {
	pid_t pid;
	int memfd, outfd;
	struct miso__shm *h; /* the header page only */
};

/* The zygote's state; it lives only in the zygote. */
struct zygote {
	const struct miso__worker_cfg *cfg;
	int ctl, sfd;
	pid_t self;
	uint32_t gen;
	sigset_t mask;          /* the caller's, for the workers */
	struct sigaction chld;  /* the caller's SIGCHLD, for the workers */
	struct child *kids;
	size_t nkids, cap;
};

/* In the new worker: drop what belongs to the zygote, then serve. */
_Noreturn static void
become_worker(struct zygote *z, int memfd, int outfd)
{
	size_t i;

	miso__close(z->ctl);
	miso__close(z->sfd);
	for (i = 0; i < z->nkids; i++) {
		miso__close(z->kids[i].memfd);
		miso__close(z->kids[i].outfd);
	}
	sigaction(SIGCHLD, &z->chld, NULL);
	miso__worker_main(memfd, outfd, z->cfg, &z->mask, z->self);
}

static int
track(struct zygote *z, pid_t pid, int memfd, int outfd,
    struct miso__shm *h)
{
	struct child *k;

	if (z->nkids == z->cap) {
		k = realloc(z->kids, (z->cap * 2 + 8) * sizeof *k);
		if (k == NULL)
			return -ENOMEM;
		z->kids = k;
		z->cap = z->cap * 2 + 8;
	}
	z->kids[z->nkids++] = (struct child){ pid, memfd, outfd, h };
	return 0;
}

static void
answer(struct zygote *z, uint32_t seq, int error, pid_t pid, int memfd,
    int outfd)
{
	struct answer a = { error, pid, seq };
	struct iovec iov = { &a, sizeof a };
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int fds[2] = { memfd, outfd };

	if (error == 0) {
		memset(cbuf, 0, sizeof cbuf);
		m.msg_control = cbuf;
		m.msg_controllen = sizeof cbuf;
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof fds);
		memcpy(CMSG_DATA(c), fds, sizeof fds);
	}
	while (sendmsg(z->ctl, &m, MSG_NOSIGNAL) == -1 && errno == EINTR)
		;
}

/* Forks one worker. */
static void
spawn(struct zygote *z, uint32_t seq)
{
	struct miso__shm *h;
	int memfd, outfd, err;
	pid_t pid;

	if ((memfd = miso__shm_create(z->cfg->shm_size)) < 0) {
		answer(z, seq, memfd, 0, -1, -1);
		return;
	}
	if ((outfd = miso__shm_create(z->cfg->shm_size)) < 0) {
		err = outfd;
		goto fail;
	}
	if ((h = miso__shm_map(memfd, MISO__SHM_DATA)) == NULL) {
		err = -errno;
		goto fail;
	}
	if ((pid = fork()) == -1) {
		err = -errno;
		munmap(h, MISO__SHM_DATA);
		goto fail;
	}
	if (pid == 0)
		become_worker(z, memfd, outfd);
	if ((err = track(z, pid, memfd, outfd, h)) != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		munmap(h, MISO__SHM_DATA);
		goto fail;
	}
	answer(z, seq, 0, pid, memfd, outfd);
	return;
fail:
	miso__close(memfd);
	miso__close(outfd);
	answer(z, seq, err, 0, -1, -1);
}

/* Only a worker not yet reaped: its pid cannot belong to anyone else. */
static void
kill_worker(struct zygote *z, pid_t pid)
{
	size_t i;

	for (i = 0; i < z->nkids; i++)
		if (z->kids[i].pid == pid)
			kill(pid, SIGKILL);
}

/* Tells whoever waits on the worker that it is gone, and how. */
static void
bury(struct zygote *z, pid_t pid, int status)
{
	struct child *k;
	size_t i;

	for (i = 0; i < z->nkids && z->kids[i].pid != pid; i++)
		;
	if (i == z->nkids)
		return;
	k = &z->kids[i];
	k->h->wstatus = status;
	__atomic_store_n(&k->h->dead, 1, __ATOMIC_RELEASE);
	miso__bell_ring(&k->h->rep);
	munmap(k->h, MISO__SHM_DATA);
	miso__close(k->memfd);
	miso__close(k->outfd);
	z->kids[i] = z->kids[--z->nkids];
}

static void
reap(struct zygote *z, int options)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(z->sfd, &si, sizeof si) > 0)
		;
	while ((pid = waitpid(-1, &status, options)) > 0 ||
	    (pid == -1 && errno == EINTR))
		if (pid > 0)
			bury(z, pid, status);
}

_Noreturn static void
quit(struct zygote *z)
{
	size_t i;

	for (i = 0; i < z->nkids; i++)
		kill(z->kids[i].pid, SIGKILL);
	reap(z, 0);
	_exit(0);
}

_Noreturn static void
serve(struct zygote *z)
{
	struct pollfd p[2] = {
		{ .fd = z->ctl, .events = POLLIN },
		{ .fd = z->sfd, .events = POLLIN },
	};
	struct order o;
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) == -1)
			continue;
		if (p[1].revents != 0)
			reap(z, WNOHANG);
		if (p[0].revents == 0)
			continue;
		n = recv(z->ctl, &o, sizeof o, 0);
		if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
			quit(z);
		if (n != sizeof o)
			continue;
		if (o.op == OP_SPAWN)
			spawn(z, o.seq);
		else if (o.op == OP_KILL && o.gen == z->gen)
			kill_worker(z, o.pid);
		else if (o.op == OP_QUIT)
			quit(z);
	}
}

_Noreturn static void
zygote_main(int ctl, const struct miso__worker_cfg *cfg, pid_t caller,
    uint32_t gen)
{
	struct sigaction dfl;
	struct zygote z;
	sigset_t all, chld;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The caller may have died before the line above took effect. */
	if (getppid() != caller)
		_exit(127);
	miso__spawn_child_reset();
	miso__pool_forget_others();
	/*
	 * What the program had pending in stdio is not the zygote's to print
	 * (some runtimes, ThreadSanitizer's, flush stdout in _exit), nor its
	 * workers' (core/stdio.c).
	 */
	miso__stdio_drop_inherited(0);
	memset(&z, 0, sizeof z);
	z.cfg = cfg;
	z.ctl = ctl;
	z.self = getpid();
	z.gen = gen;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &z.mask);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, &z.chld);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	z.sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (z.sfd == -1)
		_exit(126);
	serve(&z);
}

/*
 * Forks a zygote of generation z->gen. Returns 0 or -errno. Not
 * thread-safe against fork() elsewhere.
 */
int
miso__zygote_start(struct miso__zygote *z,
    const struct miso__worker_cfg *cfg)
{
	pid_t caller = getpid(), pid;
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	/* Workers drop what they inherit pending; this keeps the order. */
	miso__stdio_before_fork(0);
	pid = fork();
	if (pid == -1) {
		err = errno;
		miso__close(sv[0]);
		miso__close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		miso__close(sv[0]);
		zygote_main(sv[1], cfg, caller, z->gen);
	}
	miso__close(sv[1]);
	__atomic_store_n(&z->pid, pid, __ATOMIC_RELEASE);
	z->ctl = miso__fd_high(sv[0]);
	return 0;
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
	siginfo_t si;
	pid_t r;

	if (pid <= 0)
		return;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return;
	if (si.si_pid != pid)
		kill(pid, SIGKILL);
	do
		r = waitpid(pid, NULL, 0);
	while (r == -1 && errno == EINTR);
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
order(struct miso__zygote *z, const struct order *o, int wait,
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
discard(struct miso__zygote *z, const struct answer *a, struct msghdr *m)
{
	struct order o = { OP_KILL, a->pid, 0, z->gen };
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
receive(struct miso__zygote *z, uint32_t seq, struct answer *a,
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
	struct order o = { OP_SPAWN, 0, 0, 0 };
	struct answer a;
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
	struct order o = { OP_KILL, pid, 0, gen };

	(void)order(z, &o, 0, 0);
}

/* 1 when the zygote has exited (or was reaped by someone else). */
int
miso__zygote_gone(const struct miso__zygote *z)
{
	pid_t pid = __atomic_load_n(&z->pid, __ATOMIC_ACQUIRE);
	siginfo_t si;

	if (pid <= 0)
		return 1;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == ECHILD;
	return si.si_pid == pid;
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
	struct order o = { OP_QUIT, 0, 0, z->gen };
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
	do
		r = waitpid(pid, NULL, 0);
	while (r == -1 && errno == EINTR);
}
