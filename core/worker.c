/*
 * A worker's life: set up once, then serve requests from its region until
 * it is killed. It is a child of the zygote and a copy of the program as
 * it was at miso_pool_new().
 *
 * What the engine changes in a worker, and why (as in core/child.c):
 * - PR_SET_PDEATHSIG(SIGKILL): it must not outlive the zygote, which must
 *   not outlive the caller.
 * - The crash handlers go back to SIG_DFL unless MISO_F_KEEP_HANDLERS: a
 *   caller's handler that longjmps would carry the worker out of the
 *   callback into a copy of the caller's code.
 * - RLIMIT_AS with a memory cap, and then handlers for SIGSEGV, SIGBUS
 *   and SIGABRT that note "errno was ENOMEM" in the region; RLIMIT_CORE 0
 *   with MISO_F_NO_CORE.
 * - errno is 0 when the callback starts.
 * Between calls a worker runs only this file's code, which keeps to
 * async-signal-safe functions, apart from the stdio flush after the
 * callback (as in core/child.c). Before each callback, whatever is pending
 * in the worker's stdio buffers (the program's, copied at
 * miso_pool_new()) is dropped, so that only what fn wrote is flushed.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "pool_internal.h"

struct worker {
	struct miso__shm *h;
	int memfd;
	int outfd;     /* the result file, where the writer spills */
	int statm;     /* /proc/self/statm, opened once */
	struct miso__fdid mid, oid; /* what memfd and outfd must still be */
	size_t size;   /* of the region */
	uint32_t seen; /* the req bell's last value */
	uint32_t spin_ns;
};

typedef void (*pool_fn)(const void *, size_t, struct miso_writer *);

/* Only this worker writes it, once, before any callback runs. */
static struct miso__shm *oom_region;

/* Tells the caller, from a fatal signal's handler, that errno was ENOMEM. */
static void
note_oom(void)
{
	__atomic_store_n(&oom_region->oom, 1, __ATOMIC_RELEASE);
}

/* The resident set in bytes, from the second field of statm; 0 if unknown. */
static uint64_t
rss(const struct worker *wk)
{
	char buf[128], *p;
	uint64_t pages = 0;
	ssize_t n;

	n = pread(wk->statm, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; *p != ' ' && *p != '\0'; p++)
		;
	for (p++; *p >= '0' && *p <= '9'; p++)
		pages = pages * 10 + (uint64_t)(*p - '0');
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * The input: in place when it fits the mapping; otherwise the caller
 * wrote it to the file and it is mapped for this call only (*big).
 */
static const void *
input(struct worker *wk, uint64_t len, void **big)
{
	void *p;

	*big = NULL;
	if (len <= wk->size - MISO__SHM_DATA)
		return (char *)wk->h + MISO__SHM_DATA;
	/* An earlier fn may have closed or replaced it (see run()). */
	if (!miso__fd_is(wk->memfd, &wk->mid)) {
		errno = EBADF;
		return NULL;
	}
	p = mmap(NULL, MISO__SHM_DATA + len, PROT_READ, MAP_SHARED, wk->memfd,
	    0);
	if (p == MAP_FAILED)
		return NULL;
	*big = p;
	return (char *)p + MISO__SHM_DATA;
}

/*
 * A result that never spilled is still in the writer's buffer: into the
 * region if it fits there, else to the result file like a spilled one.
 */
static uint32_t
place(struct worker *wk, const struct miso__request *rq, struct miso_writer *w)
{
	ssize_t n;

	/*
	 * fn may have closed the result file, or put a file of its own in
	 * its place: a result there went astray, or would. The call then
	 * fails with EBADF, which also retires the worker. Checked only when
	 * the file is used, so that small calls cost no system call.
	 */
	if (w->error == 0 && w->spilled && !miso__fd_is(wk->outfd, &wk->oid))
		w->error = -EBADF;
	if (w->error != 0 || w->spilled)
		return MISO__IN_OUTFD;
	if (rq->out_off <= wk->size && w->len <= wk->size - rq->out_off) {
		memcpy((char *)wk->h + rq->out_off, w->inl, w->len);
		return MISO__IN_REGION;
	}
	if (!miso__fd_is(wk->outfd, &wk->oid)) {
		w->error = -EBADF;
		return MISO__IN_OUTFD;
	}
	n = miso__pwrite_all(wk->outfd, w->inl, w->len, 0);
	if (n < 0)
		w->error = (int)n;
	return MISO__IN_OUTFD;
}

/* Runs fn; returns errno as fn left it. */
static int
run(struct worker *wk, const struct miso__request *rq, struct miso_writer *w,
    uint32_t *where)
{
	const void *in;
	void *big;
	int err;

	*where = MISO__IN_OUTFD;
	in = input(wk, rq->in_len, &big);
	if (in == NULL) {
		w->error = errno == EBADF ? -EBADF : -ENOMEM;
		return -w->error;
	}
	miso__writer_init(w, wk->outfd, (size_t)rq->limit);
	w->id = &wk->oid;
	__atomic_store_n(&wk->h->oom, 0, __ATOMIC_RELAXED);
	miso__stdio_drop_inherited(rq->flags);
	errno = 0;
	((pool_fn)(uintptr_t)rq->fn)(in, (size_t)rq->in_len, w);
	err = errno;
	miso__stdio_flush_own(rq->flags);
	*where = place(wk, rq, w);
	if (big != NULL)
		munmap(big, MISO__SHM_DATA + rq->in_len);
	return err;
}

static void
serve(struct worker *wk)
{
	struct miso__shm *h = wk->h;
	struct miso__request rq;
	struct miso_writer w;
	uint32_t where;
	int err;

	/* A copy: fn may scribble on the region. */
	memcpy(&rq, &h->rq, sizeof rq);
	/* Before fn: a caller that finds the zygote gone knows fn ran. */
	__atomic_store_n(&h->taken, rq.seq, __ATOMIC_RELEASE);
	__atomic_store_n(&h->worker_cpu, (uint32_t)sched_getcpu(),
	    __ATOMIC_RELAXED);
	wk->spin_ns = rq.spin_ns;
	err = run(wk, &rq, &w, &where);
	h->rp.len = w.len;
	h->rp.where = where;
	h->rp.error = err;
	h->rp.werror = w.error;
	h->rp.rss = rq.want_rss ? rss(wk) : 0;
	__atomic_store_n(&h->rp.seq, rq.seq, __ATOMIC_RELEASE);
	miso__bell_ring(&h->rep);
}

_Noreturn void
miso__worker_main(int memfd, int outfd, const struct miso__worker_cfg *cfg,
    const sigset_t *mask, pid_t zygote)
{
	struct worker wk = { .memfd = memfd, .outfd = outfd,
	    .size = cfg->shm_size };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != zygote)
		_exit(127);
	if ((wk.h = miso__shm_map(memfd, cfg->shm_size)) == NULL)
		_exit(126);
	wk.statm = miso__fd_high(open("/proc/self/statm", O_RDONLY | O_CLOEXEC));
	if (miso__fd_id(memfd, &wk.mid) != 0 || miso__fd_id(outfd, &wk.oid) != 0)
		_exit(126);
	if (!(cfg->flags & MISO_F_KEEP_HANDLERS))
		miso__reset_crash_handlers();
	if (cfg->mem_limit != 0) {
		oom_region = wk.h;
		miso__watch_memory(note_oom);
		miso__lower_limit(RLIMIT_AS, cfg->mem_limit);
	}
	if (cfg->flags & MISO_F_NO_CORE)
		miso__lower_limit(RLIMIT_CORE, 0);
	sigprocmask(SIG_SETMASK, mask, NULL);
	wk.seen = __atomic_load_n(&wk.h->req.seq, __ATOMIC_ACQUIRE);
	/* A request may already be waiting: the caller does not wait for us. */
	if (wk.seen != 0)
		serve(&wk);
	for (;;) {
		miso__bell_wait(&wk.h->req, wk.seen, wk.spin_ns, 0);
		wk.seen = __atomic_load_n(&wk.h->req.seq, __ATOMIC_ACQUIRE);
		serve(&wk);
	}
}
