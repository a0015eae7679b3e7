/*
 * mode = worker: the function runs in a pre-forked worker of a pool
 * started by the constructor while the program is young. A worker
 * shares none of the caller's memory at the call, so the arguments travel
 * with the request: scalars by value, and for each pointer the bytes it
 * points to (out buffers too: bytes the function leaves alone must come
 * back as they were). The worker calls
 * the real function on copies of them and replies exactly as a forked
 * child does, so the caller's side of the reply is the same.
 *
 * The request, in 8-byte slots:
 *	u32 function index, i32 the caller's errno
 *	per parameter passed as is: its bytes
 *	per parameter copied: u64 the caller's pointer, u64 bytes that follow
 *	(NONE: a NULL pointer), u64 the room the worker gives it, the bytes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miso.h"
#include "shim.h"

#define NONE UINT64_MAX
#define SLOT(n) (((n) + 7) & ~(size_t)7)
/* The largest input miso_pool_call() takes. */
#define MISO__REQUEST_MAX (SIZE_MAX / 2)

static struct miso__fn *all;
static size_t nall;

struct head {
	uint32_t fn;
	int32_t caller_errno;
};

/* A pointer the worker must rebuild, rather than an address passed on. */
static int
copied(const struct miso_conf_param *pp)
{
	return miso__real_type(pp->type)->kind == MISO_K_POINTER &&
	    !pp->opaque;
}

/* How many bytes of parameter i go to the worker, and how much room. */
static int
sizes(const struct miso__fn *f, void **args, const struct miso__plan *plan,
    size_t i, uint64_t *in, uint64_t *room)
{
	const struct miso_conf_param *pp = &f->cf->params[i];
	struct miso_eval_env env = { f->cf, args, NULL, 0 };
	const char *p = *(char **)args[i];
	size_t cap;
	int r;

	if (p == NULL) {
		*in = NONE;
		*room = 0;
		return 0;
	}
	if (pp->alloc) {
		*in = 0;
		*room = sizeof(void *);
		return 0;
	}
	if (miso__copies_back(pp))
		cap = plan->cap[i];
	else if (pp->cstr && pp->cap == NULL)
		cap = strlen(p) + 1;
	else if ((r = miso__param_capacity(f->cf, i, &env, &cap)) < 0)
		return r;
	/*
	 * An out buffer goes too: what the function does not write (padding,
	 * a tail) must come back as the caller had it, as in fork mode.
	 */
	*room = cap;
	*in = cap;
	return 0;
}

static size_t
put(unsigned char *buf, size_t at, const void *p, size_t n)
{
	memcpy(buf + at, p, n);
	memset(buf + at + n, 0, SLOT(n) - n);
	return at + SLOT(n);
}

/*
 * Adds n bytes, rounded up to a slot, to *total. Returns 0, or -1 when
 * the sum passes MISO__REQUEST_MAX (or overflows on the way).
 */
static int
add_slot(size_t *total, uint64_t n)
{
	uint64_t rounded;

	if (__builtin_add_overflow(n, 7, &rounded))
		return -1;
	rounded &= ~(uint64_t)7;
	if (rounded > SIZE_MAX ||
	    __builtin_add_overflow(*total, (size_t)rounded, total))
		return -1;
	return *total > MISO__REQUEST_MAX ? -1 : 0;
}

/*
 * The size of the request, every step checked. Returns 0, or a negative
 * errno with the reason in why: the size of a parameter that cannot be
 * had, or a request larger than a worker can be sent (-EOVERFLOW).
 */
static int
request_size(const struct miso__fn *f, void **args,
    const struct miso__plan *plan, uint64_t *in, uint64_t *room,
    size_t *len, char *why, size_t size)
{
	const struct miso_conf_func *cf = f->cf;
	size_t i, n = sizeof(struct head);
	int r;

	for (i = 0; i < cf->nparams; i++) {
		if (!copied(&cf->params[i])) {
			if (add_slot(&n, f->atypes[i]->size) != 0)
				goto big;
			continue;
		}
		if ((r = sizes(f, args, plan, i, &in[i], &room[i])) < 0) {
			miso__size_why(cf, i, r, why, size);
			return r;
		}
		if (add_slot(&n, 3 * 8) != 0 ||
		    (in[i] != NONE && add_slot(&n, in[i]) != 0))
			goto big;
	}
	*len = n;
	return 0;
big:
	snprintf(why, size, "not run: its arguments are too large to send to "
	    "a worker (more than %zu bytes)", (size_t)MISO__REQUEST_MAX);
	return -EOVERFLOW;
}

/* Builds the request; returns it (malloc'd) or NULL with *err and why. */
static unsigned char *
request(const struct miso__fn *f, void **args, const struct miso__plan *plan,
    size_t *len, int *err, char *why, size_t size)
{
	const struct miso_conf_func *cf = f->cf;
	uint64_t in[64], room[64], hdr[3];
	struct head h = { (uint32_t)(f - all), plan->caller_errno };
	unsigned char *buf;
	size_t i, n, at;

	if ((*err = request_size(f, args, plan, in, room, &n, why, size)) < 0)
		return NULL;
	if ((buf = malloc(n)) == NULL) {
		*err = -ENOMEM;
		snprintf(why, size, "not run: no memory for its request of %zu "
		    "bytes", n);
		return NULL;
	}
	at = put(buf, 0, &h, sizeof h);
	for (i = 0; i < cf->nparams; i++) {
		if (!copied(&cf->params[i])) {
			at = put(buf, at, args[i], f->atypes[i]->size);
			continue;
		}
		hdr[0] = (uintptr_t)*(void **)args[i];
		hdr[1] = in[i];
		hdr[2] = room[i];
		at = put(buf, at, hdr, sizeof hdr);
		if (in[i] != NONE && in[i] != 0)
			at = put(buf, at, *(void **)args[i], in[i]);
	}
	*len = at;
	return buf;
}

/* What a worker rebuilds of one call. */
struct call {
	const struct miso__fn *f;
	void *args[64];
	_Alignas(16) unsigned char value[64][16];
	void *ptr[64];
	struct miso__plan plan;
	struct miso__xlate x;
};

static int
take(const unsigned char *in, size_t len, size_t *at, void *out, uint64_t n)
{
	if (n > len - *at || SLOT(n) > len - *at)
		return -1;
	memcpy(out, in + *at, n);
	*at += SLOT(n);
	return 0;
}

static int
rebuild_ptr(struct call *c, size_t i, const unsigned char *in, size_t len,
    size_t *at)
{
	uint64_t hdr[3];

	if (take(in, len, at, hdr, sizeof hdr) != 0)
		return -1;
	c->args[i] = &c->ptr[i];
	c->plan.cap[i] = (size_t)hdr[2];
	if (hdr[1] == NONE)
		return 0;
	if (hdr[1] > hdr[2] || hdr[2] > SIZE_MAX ||
	    (c->ptr[i] = calloc(1, hdr[2] ? hdr[2] : 1)) == NULL)
		return -1;
	c->x.local[i] = (uintptr_t)c->ptr[i];
	c->x.caller[i] = (uintptr_t)hdr[0];
	c->x.len[i] = (size_t)hdr[2];
	return hdr[1] == 0 ? 0 : take(in, len, at, c->ptr[i], hdr[1]);
}

static int
rebuild(struct call *c, const unsigned char *in, size_t len)
{
	const struct miso_conf_func *cf;
	struct head h;
	size_t i, at = 0;

	if (take(in, len, &at, &h, sizeof h) != 0 || h.fn >= nall)
		return -1;
	c->f = &all[h.fn];
	cf = c->f->cf;
	c->plan.caller_errno = h.caller_errno;
	c->plan.xlate = &c->x;
	for (i = 0; i < cf->nparams; i++) {
		if (copied(&cf->params[i])) {
			if (rebuild_ptr(c, i, in, len, &at) != 0)
				return -1;
			continue;
		}
		if (take(in, len, &at, c->value[i], c->f->atypes[i]->size) != 0)
			return -1;
		c->args[i] = c->value[i];
	}
	return 0;
}

/* In a worker: one call. The copies go when it is done; what the function
 * itself allocated stays, for the worker's recycling to bound. */
static void
serve(const void *in, size_t len, struct miso_writer *w)
{
	struct call *c = calloc(1, sizeof *c);
	void *real;
	size_t i;

	if (c == NULL)
		abort();
	if (rebuild(c, in, len) != 0)
		abort();  /* a request this library did not build */
	real = atomic_load_explicit(&c->f->hook->real, memory_order_acquire);
	if (real == NULL)
		abort();
	miso__child_run(c->f, real, c->args, &c->plan, w);
	for (i = 0; i < c->f->cf->nparams; i++)
		if (c->x.local[i] != 0)
			free(c->ptr[i]);
	free(c);
}

int
miso__worker_call(struct miso__fn *f, void **args,
    const struct miso__plan *plan, const struct miso_opts *o,
    struct miso_result *res, char *why, size_t size)
{
	unsigned char *req;
	size_t len = 0;
	int err = 0, code;

	if ((req = request(f, args, plan, &len, &err, why, size)) == NULL)
		return err;
	code = miso_pool_call(f->pool, serve, req, len, o, res);
	free(req);
	return code;
}

static void
pool_opts(const struct miso_conf_policy *pol, struct miso_pool_opts *po)
{
	memset(po, 0, sizeof *po);
	po->workers = pol->workers;
	po->max_calls = pol->max_calls;
	po->max_rss = pol->max_rss;
	po->max_age_ms = pol->max_age_ms;
	po->jitter = pol->jitter;
	po->mem_limit = pol->mem_limit;
	po->acquire_timeout_ms = pol->queue_timeout_ms;
}

/* An earlier worker-mode function whose workers are set up the same. */
static struct miso_pool *
same_pool(const struct miso__fn *fns, size_t i)
{
	struct miso_pool_opts a, b;
	size_t j;

	pool_opts(&fns[i].cf->pol, &a);
	for (j = 0; j < i; j++) {
		if (fns[j].pool == NULL)
			continue;
		pool_opts(&fns[j].cf->pol, &b);
		if (memcmp(&a, &b, sizeof a) == 0)
			return fns[j].pool;
	}
	return NULL;
}

/*
 * Starts the pools of the worker-mode functions: one per set of worker
 * settings, shared by the functions that have it (a request names its
 * function). Returns 0, or a negative errno with the reason in why and
 * the function's index in *failed.
 */
int
miso__worker_start(struct miso__fn *fns, size_t n, char *why, size_t size,
    size_t *failed)
{
	struct miso_pool_opts po;
	size_t i;
	int r;

	all = fns;
	nall = n;
	for (i = 0; i < n; i++) {
		if (fns[i].cf->pol.mode != MISO_MODE_WORKER)
			continue;
		if ((fns[i].pool = same_pool(fns, i)) != NULL)
			continue;
		pool_opts(&fns[i].cf->pol, &po);
		if ((r = miso_pool_new(&po, &fns[i].pool)) != 0) {
			snprintf(why, size, "cannot start its workers: %s",
			    strerror(-r));
			*failed = i;
			return r;
		}
	}
	return 0;
}
