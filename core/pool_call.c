/*
 * miso_pool_call: hand the input to a worker through its region, ring it,
 * wait for its reply or its death under the deadline, and copy the result
 * out. The codes and struct miso_result mean what they mean for
 * miso_call(); what differs is who reports a death: the worker is the
 * zygote's child, so the zygote writes its status into the region.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pool_internal.h"

/* Spin about as long as a blocking wake-up costs here (35-50 us). */
#define AUTO_SPIN_NS 50000u
/*
 * How often a waiting caller checks that the zygote lives. The zygote
 * reports a worker's death at once; this catches a zygote that died (and
 * took its workers with it) with no one left to report.
 */
#define SLICE_NS 100000000u
/*
 * run(): the worker died (alone, or with its zygote) before it took the
 * request, so fn never ran; the call may go to another worker.
 */
#define UNTAKEN 2

static const struct miso_opts no_opts;

struct pcall {
	struct miso_pool *p;
	struct miso__slot *s;
	const struct miso_opts *o;
	struct miso_result *res;
	size_t limit;
	uint64_t in_len, out_off;
	uint32_t where;    /* of the result */
	uint64_t timeout_ns; /* 0: none */
	uint64_t deadline; /* of the run, from the request; 0: none */
	uint64_t rss;
	int how;           /* MISO__KEEP or MISO__LOST */
	int started;       /* the request was posted: fn may have run */
};

/*
 * Spinning pays only while each side of every call in flight can have a
 * CPU; otherwise the spinner takes the CPU its partner needs. A worker
 * that last ran on the caller's CPU is likely to run there again (the
 * scheduler keeps a waker and its wakee together): spinning then only
 * delays it, measured at 7 us a call here against 3.6 us blocking.
 * The choice covers both sides: the worker spins for the next request
 * as long as the caller said.
 */
static uint32_t
spin_for(const struct pcall *c)
{
	const struct miso_pool *p = c->p;
	unsigned active;
	int cpu;

	if (p->o.spin_ns == MISO_POOL_NO_SPIN)
		return 0;
	if (p->o.spin_ns != 0)
		return p->o.spin_ns;
	active = __atomic_load_n(&p->active, __ATOMIC_RELAXED);
	if (p->ncpu < 2 * active)
		return 0;
	cpu = sched_getcpu();
	if (cpu >= 0 && (uint32_t)cpu ==
	    __atomic_load_n(&c->s->h->worker_cpu, __ATOMIC_RELAXED))
		return 0;
	return AUTO_SPIN_NS;
}

static int
post(struct pcall *c, void (*fn)(const void *, size_t,
    struct miso_writer *), const void *in, uint32_t spin)
{
	struct miso__slot *s = c->s;
	struct miso__request *rq = &s->h->rq;
	int r;

	r = miso__shm_put(s->h, s->memfd, c->p->cfg.shm_size, MISO__SHM_DATA,
	    in, (size_t)c->in_len);
	if (r != 0)
		return r;
	rq->fn = (uint64_t)(uintptr_t)fn;
	rq->in_len = c->in_len;
	rq->out_off = c->out_off;
	rq->limit = c->limit;
	rq->seq = ++s->seq;
	rq->spin_ns = spin;
	rq->flags = c->o->flags & MISO_F_NO_FLUSH;
	rq->want_rss = c->p->o.max_rss != 0;
	miso__bell_ring(&s->h->req);
	return 0;
}

/*
 * Waits for the reply bell. Returns 0 when it rang (a reply, or the
 * zygote's report of a death), MISO_ETIMEOUT or MISO_ELOST. A reply that
 * is there at the deadline still counts: the bell is looked at first.
 */
static int
await(struct pcall *c, uint32_t seen, uint32_t spin)
{
	struct miso__bell *b = &c->s->h->rep;
	uint64_t until;

	for (;;) {
		until = miso__now_ns() + SLICE_NS;
		if (c->deadline != 0 && c->deadline < until)
			until = c->deadline;
		if (miso__bell_wait(b, seen, spin, until) == 0)
			return 0;
		if (c->deadline != 0 && miso__now_ns() >= c->deadline)
			return MISO_ETIMEOUT;
		spin = 0;
		/* Reported before we looked at the bell: it will not move. */
		if (__atomic_load_n(&c->s->h->dead, __ATOMIC_ACQUIRE))
			return 0;
		if (miso__pool_stale(c->p, c->s) ||
		    miso__zygote_gone(&c->p->z))
			return MISO_ELOST;
	}
}

static int
died(struct pcall *c)
{
	struct miso__shm *h = c->s->h;
	struct miso_result *res = c->res;
	int st = h->wstatus;

	c->how = MISO__LOST;
	if (WIFSIGNALED(st)) {
		res->signo = WTERMSIG(st);
		res->core_dumped = WCOREDUMP(st) != 0;
		return __atomic_load_n(&h->oom, __ATOMIC_RELAXED) ?
		    MISO_EMEMORY : MISO_ESIGNAL;
	}
	if (WIFEXITED(st)) {
		res->exit_code = WEXITSTATUS(st);
		return MISO_EEXIT;
	}
	return MISO_ELOST;
}

/* The writer's error as the worker reported it, checked as wire.c does. */
static int
writer_error(struct pcall *c, int32_t werror)
{
	if (werror == 0 || werror == MISO_ETOOBIG)
		return werror;
	/* fn closed or replaced the worker's descriptors (core/worker.c). */
	if (werror == -EBADF)
		c->how = MISO__LOST;
	if (werror > 0 || werror < MISO__ERRNO_MIN) {
		c->how = MISO__LOST;
		return MISO_EBADREPLY;
	}
	return werror;
}

static int
in_region(const struct pcall *c, size_t len)
{
	size_t size = c->p->cfg.shm_size;

	return c->out_off <= size && len <= size - c->out_off;
}

static int
deliver(struct pcall *c)
{
	const struct miso__answer *rp = &c->s->h->rp;
	struct miso_result *res = c->res;
	size_t len = (size_t)rp->len;
	void *dst;
	int r;

	res->len = len;
	res->error = rp->error;
	c->rss = rp->rss;
	if ((r = writer_error(c, rp->werror)) != 0)
		return r;
	if (len > c->limit) {
		c->how = MISO__LOST;
		return MISO_EBADREPLY;
	}
	c->where = rp->where;
	if (c->where == MISO__IN_REGION ? !in_region(c, len) :
	    c->where != MISO__IN_OUTFD) {
		c->how = MISO__LOST;
		return MISO_EBADREPLY;
	}
	dst = c->o->buf;
	if (dst == NULL && (dst = malloc(len != 0 ? len : 1)) == NULL)
		return -ENOMEM;
	if (c->where == MISO__IN_REGION)
		memcpy(dst, (char *)c->s->h + c->out_off, len);
	else
		r = miso__shm_get(c->s->out, c->s->outfd, c->p->cfg.shm_size,
		    0, dst, len);
	if (r != 0) {
		if (dst != c->o->buf)
			free(dst);
		c->how = MISO__LOST;
		return r == -EPIPE ? MISO_EBADREPLY : r;
	}
	if (dst != c->o->buf)
		res->owned_ = MISO__OWN_MALLOC;
	res->data = dst;
	return 0;
}

/* After the bell: the reply if it is complete, else the death report. */
static int
outcome(struct pcall *c)
{
	struct miso__shm *h = c->s->h;

	if (__atomic_load_n(&h->rp.seq, __ATOMIC_ACQUIRE) == c->s->seq)
		return deliver(c);
	if (!__atomic_load_n(&h->dead, __ATOMIC_ACQUIRE))
		return 1;
	/* Killed while idle (by the OOM killer, say): fn never started. */
	if (__atomic_load_n(&h->taken, __ATOMIC_ACQUIRE) != c->s->seq) {
		c->how = MISO__LOST;
		return UNTAKEN;
	}
	return died(c);
}

static int
run(struct pcall *c, void (*fn)(const void *, size_t, struct miso_writer *),
    const void *in)
{
	uint32_t seen, spin = spin_for(c);
	int r;

	c->res->pid = c->s->pid;
	/* As with miso_call(): never from a thread that may not own them. */
	miso__stdio_before_fork(c->o->flags);
	seen = __atomic_load_n(&c->s->h->rep.seq, __ATOMIC_ACQUIRE);
	c->deadline = c->timeout_ns != 0 ? miso__now_ns() + c->timeout_ns : 0;
	if ((r = post(c, fn, in, spin)) != 0)
		return r;
	c->started = 1;
	__atomic_add_fetch(&c->p->st.calls, 1, __ATOMIC_RELAXED);
	for (;;) {
		if ((r = await(c, seen, spin)) != 0)
			break;
		if ((r = outcome(c)) <= 0 || r == UNTAKEN)
			return r;
		/* The bell moved for nothing (fn scribbled): wait on. */
		seen = __atomic_load_n(&c->s->h->rep.seq, __ATOMIC_ACQUIRE);
	}
	/*
	 * The reply may have come between the bell's last look and the
	 * clock's or the zygote's: a reply that arrived is a reply.
	 */
	if (__atomic_load_n(&c->s->h->rp.seq, __ATOMIC_ACQUIRE) == c->s->seq)
		return deliver(c);
	c->how = MISO__LOST;
	/*
	 * The worker notes each request it takes before fn runs. A worker
	 * that never took this one died with the zygote before fn could
	 * start: that is certain, whereas MISO_ELOST would say "unknown".
	 */
	if (r == MISO_ELOST &&
	    __atomic_load_n(&c->s->h->taken, __ATOMIC_ACQUIRE) != c->s->seq)
		return UNTAKEN;
	if (r == MISO_ETIMEOUT)
		c->res->signo = SIGKILL;
	return r;
}

/* Cuts the region's file back if this call made it grow. */
static void
tidy(struct pcall *c)
{
	size_t size = c->p->cfg.shm_size;

	if (c->s->pid == 0)
		return;
	if (MISO__SHM_DATA + c->in_len > size)
		miso__shm_shrink(c->s->memfd, size);
	if (c->res->len > size)
		miso__shm_shrink(c->s->outfd, size);
}

/*
 * One attempt: a worker, the call, and the worker back. Returns the
 * call's code, or UNTAKEN.
 */
static int
attempt(struct pcall *c, const struct miso__waits *wt,
    void (*fn)(const void *, size_t, struct miso_writer *), const void *in)
{
	int code;

	c->how = MISO__KEEP;
	c->started = 0;
	c->rss = 0;
	if ((code = miso__pool_acquire(c->p, wt, &c->s)) != 0)
		return code;
	code = run(c, fn, in);
	tidy(c);
	miso__pool_release(c->p, c->s, c->how, c->rss, c->timeout_ns);
	if (code == UNTAKEN) {
		/* Posted, but never taken: still "not run". */
		c->started = 0;
		c->res->pid = 0;
	}
	return code;
}

int
miso_pool_call(struct miso_pool *pool,
    void (*fn)(const void *in, size_t in_len, struct miso_writer *w),
    const void *in, size_t in_len, const struct miso_opts *opts,
    struct miso_result *res)
{
	struct pcall c = { .p = pool, .res = res, .in_len = in_len };
	uint64_t start = miso__now_ns();
	struct miso__waits wt = { 0, 0 };
	int code, cancel;

	/*
	 * Not a cancellation point: a thread cancelled in the condition
	 * wait, or between posting a request and reading its reply, would
	 * leave the pool lock held or a slot busy forever.
	 */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	memset(res, 0, sizeof *res);
	c.o = opts != NULL ? opts : &no_opts;
	if (pool == NULL || fn == NULL || (in == NULL && in_len != 0) ||
	    c.o->mem_limit != 0 || in_len > SIZE_MAX / 2 ||
	    c.o->timeout_ms > MISO__MAX_WAIT_MS)
		code = -EINVAL;
	else
		code = 0;
	if (code == 0) {
		c.limit = miso__result_limit(c.o);
		c.out_off = MISO__SHM_DATA + (in_len + 63) / 64 * 64;
		c.timeout_ns = c.o->timeout_ms * 1000000u;
		wt.zygote_ns = c.timeout_ns;
		if (pool->o.acquire_timeout_ms != 0)
			wt.queue = start + pool->o.acquire_timeout_ms * 1000000u;
		/* A worker that died before taking the request: once
		 * more, on another worker (of a new zygote if need be). */
		if ((code = attempt(&c, &wt, fn, in)) == UNTAKEN) {
			memset(res, 0, sizeof *res);
			code = attempt(&c, &wt, fn, in);
		}
		if (code == UNTAKEN)
			code = -ECHILD;
	}
	/* An errno after the request was posted no longer means "not run". */
	if (miso__is_errno(code)) {
		res->error = -code;
		if (c.started)
			code = MISO_ESYSTEM;
	}
	res->code = code;
	res->wall_ns = miso__now_ns() - start;
	pthread_setcancelstate(cancel, NULL);
	return code;
}
