/*
 * A pool's life and its slots: creation, handing a worker to each caller,
 * taking it back, and replacing workers that died, timed out or reached a
 * recycling limit. The call itself is in pool_call.c.
 *
 * A slot is owned by one caller between acquire and release; only its
 * owner touches its worker, so the pool lock covers nothing but the busy
 * flags. Replacements are forked by the zygote at the owner's request,
 * outside the pool lock.
 *
 * A zygote that is gone (killed, or taken down by a callback that killed
 * its parent) is reaped and replaced by the first caller that needs a
 * worker from it: the new zygote is a fresh fork of the caller as it is
 * at that moment, from that caller's thread. Its generation number marks
 * the slots whose workers died with the old one.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool_internal.h"

#define MAX_WORKERS 1024

/*
 * Every live pool. A new zygote closes the other pools' descriptors: a
 * copy of another pool's socket or regions would keep them alive, and
 * would give a buggy callback a way into another pool's traffic.
 */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct miso_pool *registry;

static void
count(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/* splitmix64: good enough to spread restarts, and lock-free. */
static uint64_t
random64(struct miso_pool *p)
{
	uint64_t z = __atomic_add_fetch(&p->rng, 0x9e3779b97f4a7c15u,
	    __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Returns limit lowered by a random part of up to jitter percent, >= 1. */
static uint64_t
jittered(struct miso_pool *p, uint64_t limit)
{
	uint64_t span;

	if (limit == 0 || p->o.jitter == 0)
		return limit;
	span = limit / 100 * p->o.jitter + limit % 100 * p->o.jitter / 100;
	limit -= random64(p) % (span + 1);
	return limit != 0 ? limit : 1;
}

/* 1 when the slot's worker died with an earlier zygote. */
int
miso__pool_stale(struct miso_pool *p, const struct miso__slot *s)
{
	return s->gen != __atomic_load_n(&p->z.gen, __ATOMIC_ACQUIRE);
}

static void retire(struct miso_pool *p, struct miso__slot *s);
static void give_back(struct miso_pool *p, struct miso__slot *s);

/*
 * Lets go of the idle slots whose workers died with an earlier zygote,
 * so that their regions are not held until each slot's next call.
 */
static void
sweep(struct miso_pool *p)
{
	struct miso__slot *s;
	unsigned i;
	int mine;

	for (i = 0; i < p->nslots; i++) {
		s = &p->slots[i];
		pthread_mutex_lock(&p->lock);
		mine = !s->busy && s->pid != 0 && miso__pool_stale(p, s);
		if (mine) {
			s->busy = 1;
			__atomic_add_fetch(&p->active, 1, __ATOMIC_RELAXED);
		}
		pthread_mutex_unlock(&p->lock);
		if (mine) {
			retire(p, s);
			give_back(p, s);
		}
	}
}

/*
 * Replaces the zygote of generation gen, which closed its socket; does
 * nothing when another caller replaced it first. Returns 0 or -errno.
 */
static int
revive(struct miso_pool *p, uint32_t gen)
{
	int r = 0;

	pthread_mutex_lock(&p->z.lock);
	if (p->z.gen == gen) {
		pthread_mutex_lock(&registry_lock);
		r = miso__zygote_restart(&p->z, &p->cfg);
		pthread_mutex_unlock(&registry_lock);
		if (r == 0) {
			count(&p->st.restarts);
			__atomic_store_n(&p->st.zygote, p->z.pid,
			    __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&p->z.lock);
	if (r == 0)
		sweep(p);
	return r;
}

/* A deadline timeout_ns from now; 0 for none. */
static uint64_t
from_now(uint64_t timeout_ns)
{
	return timeout_ns != 0 ? miso__now_ns() + timeout_ns : 0;
}

/*
 * Starts a worker in an empty slot, replacing a dead zygote first if
 * need be; waits for the zygote until the deadline (0: none). Returns 0
 * or -errno (-ETIMEDOUT: the zygote did not answer in time).
 */
static int
fill(struct miso_pool *p, struct miso__slot *s, uint64_t deadline)
{
	struct miso__spawned w;
	int r;

	r = miso__zygote_spawn(&p->z, &w, deadline);
	if (r == -ECHILD && (r = revive(p, w.gen)) == 0)
		r = miso__zygote_spawn(&p->z, &w, deadline);
	if (r != 0)
		return r;
	s->h = miso__shm_map(w.memfd, p->cfg.shm_size);
	s->out = miso__shm_map(w.outfd, p->cfg.shm_size);
	if (s->h == NULL || s->out == NULL) {
		r = -errno;
		if (s->h != NULL)
			munmap(s->h, p->cfg.shm_size);
		if (s->out != NULL)
			munmap(s->out, p->cfg.shm_size);
		s->h = s->out = NULL;
		miso__zygote_kill(&p->z, w.pid, w.gen);
		miso__close(w.memfd);
		miso__close(w.outfd);
		return r;
	}
	__atomic_store_n(&s->pid, w.pid, __ATOMIC_RELAXED);
	s->gen = w.gen;
	s->memfd = w.memfd;
	s->outfd = w.outfd;
	s->seq = 0;
	s->calls = 0;
	s->max_calls = jittered(p, p->o.max_calls);
	s->max_age_ns = jittered(p, p->o.max_age_ms) * 1000000u;
	s->born_ns = miso__now_ns();
	count(&p->st.spawned);
	return 0;
}

/*
 * Has the zygote kill the slot's worker, and lets go of it; the zygote
 * reaps it. Killing it here with kill(2) could hit another process: the
 * zygote may have reaped the worker and its pid been reused. A worker of
 * an earlier zygote died with it; the order is then ignored.
 */
static void
retire(struct miso_pool *p, struct miso__slot *s)
{
	if (s->pid == 0)
		return;
	miso__zygote_kill(&p->z, s->pid, s->gen);
	munmap(s->h, p->cfg.shm_size);
	munmap(s->out, p->cfg.shm_size);
	miso__close(s->memfd);
	miso__close(s->outfd);
	s->h = s->out = NULL;
	s->memfd = s->outfd = -1;
	__atomic_store_n(&s->pid, 0, __ATOMIC_RELAXED);
}

static int
too_old(const struct miso__slot *s)
{
	return s->max_age_ns != 0 &&
	    miso__now_ns() - s->born_ns >= s->max_age_ns;
}

static int
worn_out(const struct miso_pool *p, const struct miso__slot *s, uint64_t rss)
{
	return (s->max_calls != 0 && s->calls >= s->max_calls) ||
	    (p->o.max_rss != 0 && rss > p->o.max_rss) || too_old(s);
}

/* A free slot, one with a live worker first; NULL if all are busy. */
static struct miso__slot *
pick(struct miso_pool *p)
{
	struct miso__slot *empty = NULL, *s;
	unsigned i;

	for (i = 0; i < p->nslots; i++) {
		s = &p->slots[i];
		if (s->busy)
			continue;
		if (s->pid != 0)
			return s;
		if (empty == NULL)
			empty = s;
	}
	return empty;
}

static void
give_back(struct miso_pool *p, struct miso__slot *s)
{
	pthread_mutex_lock(&p->lock);
	s->busy = 0;
	__atomic_sub_fetch(&p->active, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Waits for a free slot until the deadline (0: none); the pool lock is
 * held. Returns it, or NULL when the deadline passed.
 */
static struct miso__slot *
wait_free(struct miso_pool *p, uint64_t deadline)
{
	struct miso__slot *s;
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline / 1000000000u);
	ts.tv_nsec = (long)(deadline % 1000000000u);
	while ((s = pick(p)) == NULL) {
		if (deadline == 0)
			pthread_cond_wait(&p->freed, &p->lock);
		else if (pthread_cond_timedwait(&p->freed, &p->lock, &ts) ==
		    ETIMEDOUT)
			return pick(p);
	}
	return s;
}

/*
 * Gives the caller a slot with a live worker, waiting while all are
 * busy, until wt->queue. A worker that died while idle, died with an
 * earlier zygote, or is past its age, is replaced first, waiting for the
 * zygote until wt->queue or wt->zygote_ns from now, whichever comes
 * first. Returns 0, -EBUSY when no slot was free in time, -ETIMEDOUT
 * when the zygote did not start a worker in time, or the -errno of a
 * worker that could not be started. Nothing is killed on the way.
 */
int
miso__pool_acquire(struct miso_pool *p, const struct miso__waits *wt,
    struct miso__slot **out)
{
	struct miso__slot *s;
	uint64_t until;
	int r;

	pthread_mutex_lock(&p->lock);
	s = wait_free(p, wt->queue);
	if (s == NULL) {
		pthread_mutex_unlock(&p->lock);
		return -EBUSY;
	}
	s->busy = 1;
	__atomic_add_fetch(&p->active, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->lock);
	if (s->pid != 0 && miso__pool_stale(p, s)) {
		retire(p, s);
	} else if (s->pid != 0 &&
	    __atomic_load_n(&s->h->dead, __ATOMIC_ACQUIRE)) {
		retire(p, s);
		count(&p->st.lost);
	} else if (s->pid != 0 && too_old(s)) {
		retire(p, s);
		count(&p->st.recycled);
	}
	until = from_now(wt->zygote_ns);
	if (wt->queue != 0 && (until == 0 || wt->queue < until))
		until = wt->queue;
	if (s->pid == 0 && (r = fill(p, s, until)) != 0) {
		give_back(p, s);
		return r;
	}
	*out = s;
	return 0;
}

/*
 * Takes a slot back after a call. A lost worker, or one that reached a
 * limit, is replaced now, so that the next caller finds a live one,
 * waiting for the zygote at most zygote_ns (0: as long as it takes); if
 * that fails the slot stays empty and the next acquire tries again.
 */
void
miso__pool_release(struct miso_pool *p, struct miso__slot *s, int how,
    uint64_t rss, uint64_t zygote_ns)
{
	s->calls++;
	if (how == MISO__LOST) {
		retire(p, s);
		count(&p->st.lost);
	} else if (worn_out(p, s, rss)) {
		retire(p, s);
		count(&p->st.recycled);
	}
	if (s->pid == 0)
		(void)fill(p, s, from_now(zygote_ns));
	give_back(p, s);
}

/*
 * In a new zygote, forked with registry_lock held by the forking thread:
 * the list is as it was at the fork and nothing else runs. The slots'
 * descriptors may be changing in other threads of the caller at the fork
 * (pool creation is documented as single-threaded); a descriptor closed
 * there but not yet marked -1 may name something else here: such a
 * caller gets a zygote with one file of its own closed.
 */
void
miso__pool_forget_others(void)
{
	struct miso_pool *p;
	unsigned i;

	for (p = registry; p != NULL; p = p->next) {
		miso__close(p->z.ctl);
		for (i = 0; i < p->nslots; i++) {
			miso__close(p->slots[i].memfd);
			miso__close(p->slots[i].outfd);
		}
	}
	registry = NULL;
}

static void
unregister(struct miso_pool *p)
{
	struct miso_pool **pp;

	pthread_mutex_lock(&registry_lock);
	for (pp = &registry; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}

static int
start_zygote(struct miso_pool *p)
{
	int r;

	pthread_mutex_lock(&registry_lock);
	if ((r = miso__zygote_start(&p->z, &p->cfg)) == 0) {
		p->next = registry;
		registry = p;
	}
	pthread_mutex_unlock(&registry_lock);
	return r;
}

static int
configure(struct miso_pool_opts *o, struct miso__worker_cfg *cfg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (o->workers == 0)
		o->workers = 1;
	if (o->workers > MAX_WORKERS || o->jitter > 100 ||
	    o->acquire_timeout_ms > MISO__MAX_WAIT_MS)
		return -EINVAL;
	if (o->shm_size == 0)
		o->shm_size = MISO__SHM_DEFAULT;
	if (o->shm_size > SIZE_MAX / 2)
		return -EINVAL;
	/* The header page, and at least a page of data. */
	o->shm_size = (o->shm_size + page - 1) / page * page;
	if (o->shm_size < MISO__SHM_DATA + page)
		o->shm_size = MISO__SHM_DATA + page;
	cfg->shm_size = o->shm_size;
	cfg->mem_limit = o->mem_limit;
	cfg->flags = o->flags;
	return 0;
}

int
miso_pool_new(const struct miso_pool_opts *opts, struct miso_pool **out)
{
	pthread_condattr_t ca;
	struct miso_pool_opts o;
	struct miso_pool *p;
	unsigned i;
	long ncpu;
	int r;

	*out = NULL;
	memset(&o, 0, sizeof o);
	if (opts != NULL)
		o = *opts;
	if ((r = configure(&o, &(struct miso__worker_cfg){ 0 })) != 0)
		return r;
	p = calloc(1, sizeof *p + o.workers * sizeof p->slots[0]);
	if (p == NULL)
		return -ENOMEM;
	p->o = o;
	configure(&p->o, &p->cfg);
	p->nslots = o.workers;
	p->st.workers = o.workers;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	p->ncpu = ncpu > 0 ? (unsigned)ncpu : 1;
	p->rng = miso__now_ns() ^ ((uint64_t)getpid() << 32);
	for (i = 0; i < p->nslots; i++)
		p->slots[i].memfd = p->slots[i].outfd = -1;
	p->z.ctl = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->z.lock, NULL);
	/* Queue deadlines are on the monotonic clock, as every other. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &ca);
	pthread_condattr_destroy(&ca);
	/* The zygote copies the pool as it is now: cfg is already set. */
	if ((r = start_zygote(p)) != 0) {
		p->z.pid = 0;
		miso_pool_free(p);
		return r;
	}
	p->st.zygote = p->z.pid;
	for (i = 0; i < p->nslots; i++)
		if ((r = fill(p, &p->slots[i], 0)) != 0) {
			miso_pool_free(p);
			return r;
		}
	*out = p;
	return 0;
}

int
miso_pool_stats(struct miso_pool *p, struct miso_pool_stats *st,
    pid_t *pids, size_t n)
{
	unsigned i;

	pthread_mutex_lock(&p->lock);
	if (st != NULL) {
		st->zygote = __atomic_load_n(&p->st.zygote, __ATOMIC_RELAXED);
		st->workers = p->st.workers;
		st->calls = __atomic_load_n(&p->st.calls, __ATOMIC_RELAXED);
		st->spawned = __atomic_load_n(&p->st.spawned, __ATOMIC_RELAXED);
		st->recycled = __atomic_load_n(&p->st.recycled,
		    __ATOMIC_RELAXED);
		st->lost = __atomic_load_n(&p->st.lost, __ATOMIC_RELAXED);
		st->restarts = __atomic_load_n(&p->st.restarts,
		    __ATOMIC_RELAXED);
	}
	/*
	 * A busy slot's pid may be changing under its owner: read it once.
	 * A worker that died with an earlier zygote is as good as replaced.
	 */
	for (i = 0; i < p->nslots && i < n; i++) {
		pids[i] = __atomic_load_n(&p->slots[i].pid, __ATOMIC_RELAXED);
		if (!p->slots[i].busy && miso__pool_stale(p, &p->slots[i]))
			pids[i] = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return (int)p->nslots;
}

void
miso_pool_free(struct miso_pool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	unregister(p);
	for (i = 0; i < p->nslots; i++)
		retire(p, &p->slots[i]);
	if (p->z.ctl >= 0)
		miso__zygote_stop(&p->z);
	pthread_mutex_destroy(&p->z.lock);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
