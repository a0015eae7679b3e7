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
 * This file is the caller's side of it: the request, in 8-byte slots
 * (rebuilt by the worker in shim/rebuild.c):
 *	u32 function index, i32 the caller's errno
 *	per parameter passed as is: its bytes
 *	per parameter copied: u64 the caller's pointer, u64 bytes that
 *	follow (MISO__NONE: a NULL pointer), u64 the room the worker gives
 *	it, the bytes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miso.h"
#include "shim.h"

/* How many bytes of parameter i go to the worker, and how much room. */
static int
sizes(const struct miso__fn *f, void **args, const struct miso__plan *plan,
    size_t i, uint64_t *in, uint64_t *room)
{
	const struct miso__conf_param *pp = &f->cf->params[i];
	struct miso_eval_env env = { f->cf, args, NULL, 0 };
	const char *p = *(char **)args[i];
	size_t cap;
	int r;

	if (p == NULL) {
		*in = MISO__NONE;
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
	memset(buf + at + n, 0, MISO__SLOT(n) - n);
	return at + MISO__SLOT(n);
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
	const struct miso__conf_func *cf = f->cf;
	size_t i, n = sizeof(struct miso__request_head);
	int r;

	for (i = 0; i < cf->nparams; i++) {
		if (!miso__rebuilt(&cf->params[i])) {
			if (add_slot(&n, f->atypes[i]->size) != 0)
				goto big;
			continue;
		}
		if ((r = sizes(f, args, plan, i, &in[i], &room[i])) < 0) {
			miso__size_why(cf, i, r, why, size);
			return r;
		}
		if (add_slot(&n, 3 * 8) != 0 ||
		    (in[i] != MISO__NONE && add_slot(&n, in[i]) != 0))
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
	const struct miso__conf_func *cf = f->cf;
	uint64_t in[MISO__MAX_PARAMS], room[MISO__MAX_PARAMS], hdr[3];
	struct miso__request_head h = { (uint32_t)(f - miso__fns),
	    plan->caller_errno };
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
		if (!miso__rebuilt(&cf->params[i])) {
			at = put(buf, at, args[i], f->atypes[i]->size);
			continue;
		}
		hdr[0] = (uintptr_t)*(void **)args[i];
		hdr[1] = in[i];
		hdr[2] = room[i];
		at = put(buf, at, hdr, sizeof hdr);
		if (in[i] != MISO__NONE && in[i] != 0)
			at = put(buf, at, *(void **)args[i], in[i]);
	}
	*len = at;
	return buf;
}

/* Sends the call to a worker of f's pool; the reply is as in fork mode. */
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
	code = miso_pool_call(f->pool, miso__serve, req, len, o, res);
	free(req);
	return code;
}
