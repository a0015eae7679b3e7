/*
 * The caller's side, after the call: the reply, written by the callee
 * (shim/run.c), is checked whole before one byte of the caller's memory
 * is written:
 *
 *	return value	f->retsize bytes, as libffi left it
 *	errno		int32
 *	per copied-back parameter, in order: u64 length, then the bytes
 *	for a returned string or buffer: u64 length, then the bytes
 *
 * A length of MISO__NONE stands for a NULL pointer, MISO__OVER for a
 * function that says it filled more than its buffer holds: that call
 * fails, it never overflows anything.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "miso.h"
#include "shim.h"

/* A region of the reply: where it goes and what it holds. */
struct region {
	uint64_t len;
	const unsigned char *src;
	void *fresh;  /* for alloc: the caller's new copy */
};

static int
take_region(struct miso__cursor *c, struct region *r, uint64_t cap)
{
	r->fresh = NULL;
	if (miso__take(c, &r->len, sizeof r->len) != 0)
		return MISO_EBADREPLY;
	if (r->len == MISO__OVER)
		return -EOVERFLOW;
	if (r->len == MISO__NONE)
		return 0;
	if (r->len > cap || r->len > c->left)
		return MISO_EBADREPLY;
	r->src = c->p;
	return miso__take(c, NULL, (size_t)r->len);
}

static void *
dup_region(const struct region *r)
{
	void *p = malloc(r->len != 0 ? (size_t)r->len : 1);

	if (p != NULL)
		memcpy(p, r->src, (size_t)r->len);
	return p;
}

/*
 * Writes bytes in place at an address the function returned, which must
 * be memory the caller had before the call. Equal bytes are left alone
 * (a string in read-only data, or in the environment). Changed bytes are
 * written only into the data of a loaded object (a static buffer): an
 * address on the heap may belong to something else in the caller, such
 * as a block the child allocated that the caller uses for another thing.
 * The kernel checks every address, so a pointer into memory only the
 * child had is an error, not a crash.
 */
static int
write_in_place(void *dst, const struct region *r)
{
	unsigned char buf[4096];
	size_t off, n;
	int rc, checked = 0;

	for (off = 0; off < r->len; off += n) {
		n = r->len - off < sizeof buf ? (size_t)r->len - off :
		    sizeof buf;
		if ((rc = miso__safe_read(buf, (char *)dst + off, n)) != 0)
			return rc;
		if (memcmp(buf, r->src + off, n) == 0)
			continue;
		/* The whole region, once: the answer is the same each time. */
		if (!checked && !miso__rebind_in_object(dst, (size_t)r->len))
			return -EFAULT;
		checked = 1;
		rc = miso__safe_write((char *)dst + off, r->src + off, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
free_fresh(struct region *rg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rg[i].fresh);
}

static int
check_all(const struct miso__fn *f, const struct miso__plan *p,
    struct miso__cursor *c, struct region *rg, struct region *rr)
{
	const struct miso__conf_func *cf = f->cf;
	size_t i;
	int r;

	for (i = 0; i < cf->nparams; i++) {
		rg[i].len = MISO__NONE;
		rg[i].fresh = NULL;
	}
	rr->len = MISO__NONE;
	rr->fresh = NULL;
	for (i = 0; i < cf->nparams; i++) {
		if (!miso__copies_back(&cf->params[i]))
			continue;
		r = take_region(c, &rg[i], cf->params[i].alloc ? UINT64_MAX :
		    p->cap[i]);
		if (r != 0)
			return r;
		if (cf->params[i].alloc && rg[i].len != MISO__NONE &&
		    (rg[i].fresh = dup_region(&rg[i])) == NULL)
			return -ENOMEM;
	}
	if (miso__returns_bytes(cf)) {
		if ((r = take_region(c, rr, UINT64_MAX)) != 0)
			return r;
		if ((cf->ret_how == MISO__RET_ALLOC_CSTR ||
		    cf->ret_how == MISO__RET_ALLOC_BUFFER) &&
		    rr->len != MISO__NONE &&
		    (rr->fresh = dup_region(rr)) == NULL)
			return -ENOMEM;
	}
	return c->left == 0 ? 0 : MISO_EBADREPLY;
}

/*
 * In the caller, after a completed call: checks the whole reply, then
 * writes the return value, the parameters' regions and fresh copies of
 * allocations. Returns 0, or a code with nothing written: MISO_EBADREPLY,
 * -EOVERFLOW (a fill larger than its buffer), -ENOMEM, -EFAULT (a string
 * or buffer returned in place that is not in the caller's memory).
 */
int
miso__commit(const struct miso__fn *f, void **args,
    const struct miso__plan *p, const unsigned char *reply, size_t len,
    void *ret, int *child_errno)
{
	const struct miso__conf_func *cf = f->cf;
	struct miso__cursor c = { reply, len };
	struct region rg[MISO__MAX_PARAMS], rr;
	unsigned char retval[MISO__RET_SIZE];
	int32_t err;
	size_t i;
	int r;

	if (miso__take(&c, retval, f->retsize) != 0 ||
	    miso__take(&c, &err, sizeof err) != 0)
		return MISO_EBADREPLY;
	if ((r = check_all(f, p, &c, rg, &rr)) != 0)
		goto fail;
	if (rr.len != MISO__NONE && rr.fresh == NULL && (r = write_in_place(
	    *(void **)retval, &rr)) != 0)
		goto fail;
	for (i = 0; i < cf->nparams; i++) {
		if (cf->params[i].alloc && miso__arg_ptr(args, i) != NULL)
			*(void **)miso__arg_ptr(args, i) = rg[i].fresh;
		else if (rg[i].len != MISO__NONE)
			memcpy(miso__arg_ptr(args, i), rg[i].src,
			    (size_t)rg[i].len);
	}
	/*
	 * A returned string or buffer is where the reply says: a fresh copy,
	 * the address in place, or NULL; the child's pointer bits alone mean
	 * nothing here.
	 */
	if (miso__returns_bytes(cf) &&
	    (rr.fresh != NULL || rr.len == MISO__NONE))
		memcpy(retval, &rr.fresh, sizeof rr.fresh);
	memcpy(ret, retval, f->retsize);
	*child_errno = err;
	return 0;
fail:
	free_fresh(rg, cf->nparams);
	free(rr.fresh);
	return r;
}
