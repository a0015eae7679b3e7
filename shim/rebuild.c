/*
 * The callee's side of worker mode: a worker rebuilds the call from the
 * request (its layout is in shim/request.c) and runs it as a forked child
 * does (shim/run.c), on copies of the caller's buffers.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "miso.h"
#include "shim.h"

/* The configured functions, which a request names by index. */
struct miso__fn *miso__fns;
size_t miso__nfns;

/* What a worker rebuilds of one call. */
struct call {
	const struct miso__fn *f;
	void *args[MISO__MAX_PARAMS];
	_Alignas(16) unsigned char value[MISO__MAX_PARAMS][MISO__ARG_SIZE];
	void *ptr[MISO__MAX_PARAMS];
	struct miso__plan plan;
	struct miso__xlate x;
};

static int
rebuild_ptr(struct call *c, size_t i, struct miso__cursor *in)
{
	uint64_t hdr[3];

	if (miso__take_slot(in, hdr, sizeof hdr) != 0)
		return -1;
	c->args[i] = &c->ptr[i];
	c->plan.cap[i] = (size_t)hdr[2];
	if (hdr[1] == MISO__NONE)
		return 0;
	if (hdr[1] > hdr[2] || hdr[2] > SIZE_MAX ||
	    (c->ptr[i] = calloc(1, hdr[2] ? hdr[2] : 1)) == NULL)
		return -1;
	c->x.local[i] = (uintptr_t)c->ptr[i];
	c->x.caller[i] = (uintptr_t)hdr[0];
	c->x.len[i] = (size_t)hdr[2];
	return hdr[1] == 0 ? 0 : miso__take_slot(in, c->ptr[i], hdr[1]);
}

static int
rebuild(struct call *c, const void *req, size_t len)
{
	const struct miso__conf_func *cf;
	struct miso__request_head h;
	struct miso__cursor in = { req, len };
	size_t i;

	if (miso__take_slot(&in, &h, sizeof h) != 0 || h.fn >= miso__nfns)
		return -1;
	c->f = &miso__fns[h.fn];
	cf = c->f->cf;
	c->plan.caller_errno = h.caller_errno;
	c->plan.xlate = &c->x;
	for (i = 0; i < cf->nparams; i++) {
		if (miso__rebuilt(&cf->params[i])) {
			if (rebuild_ptr(c, i, &in) != 0)
				return -1;
			continue;
		}
		if (miso__take_slot(&in, c->value[i],
		    c->f->atypes[i]->size) != 0)
			return -1;
		c->args[i] = c->value[i];
	}
	return 0;
}

/* In a worker: one call. The copies go when it is done; what the function
 * itself allocated stays, for the worker's recycling to bound. */
void
miso__serve(const void *in, size_t len, struct miso_writer *w)
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
