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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool_internal.h"

enum {
	OP_SPAWN = 1,
	OP_KILL = 2,
	OP_QUIT = 3
};

struct order {
	uint32_t op;
	int32_t pid; /* OP_KILL */
};

struct answer {
	int32_t error; /* 0 or -errno */
	int32_t pid;
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
answer(struct zygote *z, int error, pid_t pid, int memfd, int outfd)
{
	struct answer a = { error, pid };
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
spawn(struct zygote *z)
{
	struct miso__shm *h;
	int memfd, outfd, err;
	pid_t pid;

	if ((memfd = miso__shm_create(z->cfg->shm_size)) < 0) {
		answer(z, memfd, 0, -1, -1);
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
	answer(z, 0, pid, memfd, outfd);
	return;
fail:
	miso__close(memfd);
	miso__close(outfd);
	answer(z, err, 0, -1, -1);
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
			spawn(z);
		else if (o.op == OP_KILL)
			kill_worker(z, o.pid);
		else if (o.op == OP_QUIT)
			quit(z);
	}
}

_Noreturn static void
zygote_main(int ctl, const struct miso__worker_cfg *cfg, pid_t caller)
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

/* Returns 0 or -errno. Not thread-safe against fork() elsewhere. */
int
miso__zygote_start(struct miso__zygote *z,
    const struct miso__worker_cfg *cfg)
{
	pid_t caller = getpid();
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	/* Workers drop what they inherit pending; this keeps the order. */
	miso__stdio_before_fork(0);
	z->pid = fork();
	if (z->pid == -1) {
		err = errno;
		miso__close(sv[0]);
		miso__close(sv[1]);
		return -err;
	}
	if (z->pid == 0) {
		miso__close(sv[0]);
		zygote_main(sv[1], cfg, caller);
	}
	miso__close(sv[1]);
	z->ctl = miso__fd_high(sv[0]);
	pthread_mutex_init(&z->lock, NULL);
	return 0;
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

static ssize_t
order(struct miso__zygote *z, uint32_t op, pid_t pid)
{
	struct order o = { op, pid };
	ssize_t n;

	do
		n = send(z->ctl, &o, sizeof o, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == sizeof o ? 0 : n == -1 ? -errno : -EPROTO;
}

/* Asks for a worker. Returns 0 and *w, or -errno (-ECHILD: no zygote). */
int
miso__zygote_spawn(struct miso__zygote *z, struct miso__spawned *w)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct answer a;
	struct iovec iov = { &a, sizeof a };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	ssize_t n;
	int r;

	pthread_mutex_lock(&z->lock);
	r = (int)order(z, OP_SPAWN, 0);
	if (r == 0) {
		do
			n = recvmsg(z->ctl, &m, MSG_CMSG_CLOEXEC);
		while (n == -1 && errno == EINTR);
		r = n == -1 ? -errno : n == 0 ? -EPIPE : 0;
	}
	pthread_mutex_unlock(&z->lock);
	/* End of file, or a closed socket: the zygote is gone. */
	if (r == -EPIPE || r == -ECONNRESET)
		return -ECHILD;
	if (r != 0)
		return r;
	if (n != sizeof a || a.error > 0)
		return -EPROTO;
	if (a.error != 0)
		return a.error;
	w->pid = a.pid;
	return take_fds(&m, w);
}

/* Has the zygote kill a worker; does not wait. Returns 0 or -errno. */
int
miso__zygote_kill(struct miso__zygote *z, pid_t pid)
{
	ssize_t r;

	pthread_mutex_lock(&z->lock);
	r = order(z, OP_KILL, pid);
	pthread_mutex_unlock(&z->lock);
	return (int)r;
}

/* 1 when the zygote has exited (or was reaped by someone else). */
int
miso__zygote_gone(const struct miso__zygote *z)
{
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(P_PID, (id_t)z->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == ECHILD;
	return si.si_pid == z->pid;
}

/*
 * Ends the zygote, which kills and reaps its workers first, and reaps it.
 * QUIT rather than end of file alone: a process forked meanwhile may
 * hold a copy of our end of the socket.
 */
void
miso__zygote_stop(struct miso__zygote *z)
{
	pid_t r;

	pthread_mutex_lock(&z->lock);
	order(z, OP_QUIT, 0);
	pthread_mutex_unlock(&z->lock);
	miso__close(z->ctl);
	z->ctl = -1;
	do
		r = waitpid(z->pid, NULL, 0);
	while (r == -1 && errno == EINTR);
	pthread_mutex_destroy(&z->lock);
}
