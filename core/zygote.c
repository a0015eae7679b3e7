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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool_internal.h"

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
	struct miso__zy_answer a = { error, pid, seq };
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
	struct miso__zy_order o;
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
		if (o.op == MISO__ZY_SPAWN)
			spawn(z, o.seq);
		else if (o.op == MISO__ZY_KILL && o.gen == z->gen)
			kill_worker(z, o.pid);
		else if (o.op == MISO__ZY_QUIT)
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

