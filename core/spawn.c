/*
 * Creating the child and reaping it.
 *
 * In a single-threaded program the child is made with the raw clone system
 * call and no exit signal, instead of glibc's fork():
 * - the program cannot observe it: no SIGCHLD, invisible to wait() and
 *   waitpid(-1) (only __WCLONE finds it), and not reaped by the kernel
 *   when SIGCHLD is ignored, so its status is never lost;
 * - once a complete reply has arrived, the caller need not wait for the
 *   child to tear down its address space: the child is reaped by the next
 *   call, before it forks, or by miso_reap(). (Waiting there rather than
 *   polling with WNOHANG is deliberate: a fork that overlaps the previous
 *   child's teardown contends with it for the same pages and measured
 *   1.7 times slower in a tight loop.)
 * What glibc's fork() would have done besides is moot without other
 * threads (no lock can be held by another thread), with two exceptions,
 * documented: pthread_atfork() handlers do not run in the child, and
 * glibc's cached thread id in the child is the caller's (glibc's own
 * raise(), abort() and pthread_kill() on oneself ask the kernel instead).
 * MISO_F_FORK, or a second thread, selects plain fork(); so does a
 * system that refuses a clone without SIGCHLD as its exit signal (EINVAL:
 * qemu-user does, as it cannot emulate other exit signals).
 */
#define _GNU_SOURCE
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "internal.h"

#define MAX_PENDING 64

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Per thread, so that our child's reset of it writes the thread's own
 * block, which it writes anyway, not the page of the locks below.
 */
static __thread pid_t cached_pid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static pid_t pending[MAX_PENDING];
static int npending;
static int clone_refused;

static void
forget_pid(void)
{
	cached_pid = 0;
}

static void
watch_forks(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

/*
 * getpid() without the system call, once per thread: the value is
 * forgotten in every child, ours (miso__spawn_child_reset) and the
 * program's (an atfork handler, which runs in the child's only thread).
 */
pid_t
miso__getpid(void)
{
	if (cached_pid == 0) {
		pthread_once(&atfork_once, watch_forks);
		cached_pid = getpid();
	}
	return cached_pid;
}

pid_t
miso__spawn(unsigned flags, int *cloned)
{
	pid_t pid;

	*cloned = !(flags & MISO_F_FORK) && __libc_single_threaded &&
	    !__atomic_load_n(&clone_refused, __ATOMIC_RELAXED);
	if (!*cloned)
		return fork();
	pid = (pid_t)syscall(SYS_clone, 0, NULL, NULL, NULL, 0);
	if (pid == -1 && errno == EINVAL) {
		__atomic_store_n(&clone_refused, 1, __ATOMIC_RELAXED);
		*cloned = 0;
		return fork();
	}
	return pid;
}

/* Waits for pid; returns its status, or -1 with errno (ECHILD). */
int
miso__reap(pid_t pid, int cloned, int *wstatus)
{
	int options = cloned ? __WCLONE : 0;
	pid_t r;

	do
		r = waitpid(pid, wstatus, options);
	while (r == -1 && errno == EINTR);
	return r == pid ? 0 : -1;
}

/*
 * Reaps the deferred children. They have all replied and are exiting, so
 * a blocking wait is short; SIGKILL first, so that one stopped by someone
 * cannot hold the caller up. Their pids cannot have been reused: they are
 * unreaped children of this process.
 */
static void
reap_pending_locked(void)
{
	pid_t r;

	while (npending > 0) {
		pid_t pid = pending[--npending];

		kill(pid, SIGKILL);
		do
			r = waitpid(pid, NULL, __WCLONE);
		while (r == -1 && errno == EINTR);
	}
}

/* Leaves a cloned child that has replied to be reaped later. */
void
miso__defer_reap(pid_t pid)
{
	pthread_mutex_lock(&pending_lock);
	if (npending == MAX_PENDING)
		reap_pending_locked();
	pending[npending++] = pid;
	pthread_mutex_unlock(&pending_lock);
}

/* Reaps the deferred children; every call starts with this. */
void
miso__reap_finished(void)
{
	if (npending == 0)
		return;
	pthread_mutex_lock(&pending_lock);
	reap_pending_locked();
	pthread_mutex_unlock(&pending_lock);
}

/*
 * In the child: the pending children are the caller's, not ours, and the
 * lock may have been held by another of the caller's threads at the fork.
 * Usually neither is so (every call reaps first, under the lock), and
 * the page is left unwritten (core/child.c).
 */
void
miso__spawn_child_reset(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	miso__reset_bytes(&pending_lock, &fresh, sizeof fresh);
	if (npending != 0)
		npending = 0;
	cached_pid = 0;
}

int
miso_reap(void)
{
	int left;

	pthread_mutex_lock(&pending_lock);
	reap_pending_locked();
	left = npending;
	pthread_mutex_unlock(&pending_lock);
	miso__spill_drop();
	return left;
}

/* Children still exiting when the program ends are waited for. */
__attribute__((destructor)) static void
reap_at_exit(void)
{
	miso_reap();
}
