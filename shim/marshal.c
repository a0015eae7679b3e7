/*
 * The reply of an isolated call, written by the child and checked whole
 * by the caller before one byte of the caller's memory is written:
 *
 *	return value	f->retsize bytes, as libffi left it
 *	errno		int32
 *	per copied-back parameter, in order: u64 length, then the bytes
 *	for a returned string or buffer: u64 length, then the bytes
 *
 * A length of NONE stands for a NULL pointer, OVER for a function that
 * says it filled more than its buffer holds: that call fails, it never
 * overflows anything.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "miso.h"
#include "shim.h"

#define NONE UINT64_MAX
#define OVER (UINT64_MAX - 1)

/* Bytes of one element a pointer parameter points to (void: 1). */
static size_t
elem_size(const struct miso_conf_type *ptr)
{
	const struct miso_conf_type *p = miso__real_type(ptr)->pointee;

	if (p == NULL)
		return 1;
	p = miso__real_type(p);
	return p->kind == MISO_K_VOID || p->size == 0 ? 1 : p->size;
}

/*
 * Whether the caller gets bytes of parameter p back after the call. Both
 * codecs (this one and worker mode's request) ask this: an 'opaque'
 * pointer is passed as it is, whatever its direction, and nothing comes
 * back through it.
 */
int
miso__copies_back(const struct miso_conf_param *p)
{
	return !p->opaque && (p->alloc || p->dir == MISO_DIR_OUT ||
	    p->dir == MISO_DIR_INOUT);
}

/*
 * Why the size of parameter i could not be had before the call (r is
 * what miso__param_capacity() or the plan returned), for the log.
 */
void
miso__size_why(const struct miso_conf_func *cf, size_t i, int r, char *buf,
    size_t size)
{
	const char *name = i < cf->nparams && cf->params[i].name != NULL ?
	    cf->params[i].name : "?";

	snprintf(buf, size, "not run: the size of '%s' %s", name,
	    r == -EOVERFLOW ? "is too large to copy" :
	    r == -ERANGE ? "is negative" :
	    r == -EFAULT ? "is read through a NULL pointer" :
	    "cannot be computed");
}

static int
returns_bytes(const struct miso_conf_func *cf)
{
	return cf->ret_how == MISO_RET_CSTR ||
	    cf->ret_how == MISO_RET_ALLOC_CSTR ||
	    cf->ret_how == MISO_RET_BUFFER ||
	    cf->ret_how == MISO_RET_ALLOC_BUFFER;
}

static void *
arg_ptr(void *const *args, size_t i)
{
	return *(void **)args[i];
}

/*
 * Before the call, in the caller: how many bytes each parameter may bring
 * back, and so the largest reply. Returns 0 or a negative errno (a size
 * that cannot be evaluated: the call is not made).
 */
int
miso__plan_call(const struct miso__fn *f, void **args, struct miso__plan *p)
{
	const struct miso_conf_func *cf = f->cf;
	struct miso_eval_env env = { cf, args, NULL, 0 };
	size_t i, total = f->retsize + 4;
	int r, unbounded = returns_bytes(cf);

	p->caller_errno = errno;
	p->xlate = NULL;
	p->bad = -1;
	for (i = 0; i < cf->nparams; i++) {
		p->cap[i] = 0;
		if (!miso__copies_back(&cf->params[i]))
			continue;
		total += 8;
		if (cf->params[i].alloc) {
			unbounded = 1;
			continue;
		}
		if (arg_ptr(args, i) == NULL)
			continue;
		r = miso__param_capacity(cf, i, &env, &p->cap[i]);
		if (r == 0 && p->cap[i] > SIZE_MAX / 2 - total)
			r = -EOVERFLOW;
		if (r < 0) {
			p->bad = (int)i;
			return r;
		}
		total += p->cap[i];
	}
	p->max_reply = unbounded ? SIZE_MAX : total + (returns_bytes(cf) ? 8 : 0);
	return 0;
}

static void
put_bytes(struct miso_writer *w, const void *p, uint64_t len)
{
	miso_write(w, &len, sizeof len);
	if (len != NONE && len != OVER)
		miso_write(w, p, (size_t)len);
}

/*
 * Before the call, in the child: the value of each fill expression that
 * reads only what exists yet ('*len' but not 'retval'), so that a fill
 * left as it was can be told from one the function wrote.
 */
struct prefill {
	int64_t n[64];
	unsigned char known[64];
};

static void
take_prefill(const struct miso__fn *f, void **args, struct prefill *pf)
{
	const struct miso_conf_func *cf = f->cf;
	struct miso_eval_env env = { cf, args, NULL, 0 };
	size_t i;

	for (i = 0; i < cf->nparams; i++) {
		const struct miso_expr *e = cf->params[i].fill;

		pf->known[i] = e != NULL && e->op != MISO_E_CSTR &&
		    miso__expr_eval(e, &env, &pf->n[i]) == 0;
	}
}

/*
 * The filled part of parameter i, in the child, after the call. A count
 * past the capacity is refused (OVER), unless it is the value the count
 * already had before the call: then the function filled nothing (it
 * failed and left '*len' alone, say), and nothing comes back.
 */
static uint64_t
filled(const struct miso__fn *f, size_t i, const struct miso_eval_env *env,
    size_t cap, const struct prefill *pf)
{
	const struct miso_conf_param *pp = &f->cf->params[i];
	const char *s = arg_ptr(env->args, i);
	int64_t n;
	int r;

	if (pp->fill == NULL)
		return cap;
	if (pp->fill->op == MISO_E_CSTR) {
		const char *nul = memchr(s, '\0', cap);

		/* No terminator: what is there is whatever the function left. */
		return nul != NULL ? (uint64_t)(nul - s) + 1 : cap;
	}
	r = miso__expr_eval(pp->fill, env, &n);
	if (r == -ERANGE)
		return 0;  /* a negative count, such as -1 for an error */
	if (r < 0)
		return OVER;
	if ((uint64_t)n > cap / elem_size(pp->type))
		return pf->known[i] && pf->n[i] == n ? 0 : OVER;
	return (uint64_t)n * elem_size(pp->type);
}

static void
put_alloc(const struct miso__fn *f, size_t i, const struct miso_eval_env *env,
    struct miso_writer *w)
{
	const struct miso_conf_param *pp = &f->cf->params[i];
	void **pp_out = arg_ptr(env->args, i);
	size_t bytes;

	if (pp_out == NULL || *pp_out == NULL) {
		put_bytes(w, NULL, NONE);
		return;
	}
	if (pp->cstr) {
		put_bytes(w, *pp_out, strlen(*pp_out) + 1);
		return;
	}
	if (miso__param_capacity(f->cf, i, env, &bytes) < 0) {
		put_bytes(w, NULL, OVER);
		return;
	}
	put_bytes(w, *pp_out, bytes);
}

static void
put_return(const struct miso__fn *f, const void *ret,
    const struct miso_eval_env *env, struct miso_writer *w)
{
	const struct miso_conf_func *cf = f->cf;
	const char *p = *(char *const *)ret;
	int64_t n;

	if (p == NULL) {
		put_bytes(w, NULL, NONE);
		return;
	}
	if (cf->ret_how == MISO_RET_CSTR || cf->ret_how == MISO_RET_ALLOC_CSTR) {
		put_bytes(w, p, strlen(p) + 1);
		return;
	}
	if (miso__expr_eval(cf->ret_size, env, &n) < 0 ||
	    (uint64_t)n > SIZE_MAX / elem_size(cf->ret)) {
		put_bytes(w, NULL, OVER);
		return;
	}
	put_bytes(w, p, (uint64_t)n * elem_size(cf->ret));
}

/*
 * The return value as the caller must see it. In a worker, a pointer into
 * the copy of an argument becomes the same place in the caller's buffer
 * (getcwd returns buf, strchr a place in s).
 */
static void
put_value(const struct miso__fn *f, const unsigned char *ret,
    const struct miso__xlate *x, struct miso_writer *w)
{
	unsigned char wire[64];
	uintptr_t v;
	size_t i;

	memcpy(wire, ret, f->retsize);
	if (x != NULL && miso__real_type(f->cf->ret)->kind == MISO_K_POINTER) {
		memcpy(&v, ret, sizeof v);
		for (i = 0; i < f->cf->nparams; i++)
			if (x->local[i] != 0 && v >= x->local[i] &&
			    v - x->local[i] <= x->len[i]) {
				v = x->caller[i] + (v - x->local[i]);
				memcpy(wire, &v, sizeof v);
				break;
			}
	}
	miso_write(w, wire, f->retsize);
}

/*
 * In the child: calls the real function with the caller's arguments
 * (their addresses are valid here: the child is a copy) and writes the
 * reply. Nested calls to configured functions go straight to their reals.
 */
void
miso__child_run(const struct miso__fn *f, void *real, void **args,
    const struct miso__plan *p, struct miso_writer *w)
{
	const struct miso_conf_func *cf = f->cf;
	_Alignas(16) unsigned char ret[64];
	struct miso_eval_env env = { cf, args, ret, 1 };
	struct prefill pf;
	int32_t err;
	size_t i;

	miso__bypass = 1;
	memset(ret, 0, sizeof ret);
	take_prefill(f, args, &pf);
	/* The engine starts the child with errno 0; the function may rely
	 * on finding the caller's. */
	errno = p->caller_errno;
	ffi_call((ffi_cif *)&f->cif, FFI_FN(real), ret, args);
	err = errno;
	put_value(f, ret, p->xlate, w);
	miso_write(w, &err, sizeof err);
	for (i = 0; i < cf->nparams; i++) {
		if (!miso__copies_back(&cf->params[i]))
			continue;
		if (cf->params[i].alloc)
			put_alloc(f, i, &env, w);
		else if (arg_ptr(args, i) == NULL)
			put_bytes(w, NULL, NONE);
		else
			put_bytes(w, arg_ptr(args, i),
			    filled(f, i, &env, p->cap[i], &pf));
	}
	if (returns_bytes(cf))
		put_return(f, ret, &env, w);
}

/* A cursor over the reply; every read is bounds-checked. */
struct cursor {
	const unsigned char *p;
	size_t left;
};

static int
take(struct cursor *c, void *out, size_t n)
{
	if (n > c->left)
		return -1;
	if (out != NULL)
		memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

/* A region of the reply: where it goes and what it holds. */
struct region {
	uint64_t len;
	const unsigned char *src;
	void *fresh;  /* for alloc: the caller's new copy */
};

static int
take_region(struct cursor *c, struct region *r, uint64_t cap)
{
	r->fresh = NULL;
	if (take(c, &r->len, sizeof r->len) != 0)
		return MISO_EBADREPLY;
	if (r->len == OVER)
		return -EOVERFLOW;
	if (r->len == NONE)
		return 0;
	if (r->len > cap || r->len > c->left)
		return MISO_EBADREPLY;
	r->src = c->p;
	return take(c, NULL, (size_t)r->len);
}

static void *
dup_region(const struct region *r)
{
	void *p = malloc(r->len != 0 ? (size_t)r->len : 1);

	if (p != NULL)
		memcpy(p, r->src, (size_t)r->len);
	return p;
}

struct span {
	uintptr_t lo, hi;
	int inside;
};

static int
span_in_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct span *s = arg;
	uintptr_t lo, hi;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_LOAD)
			continue;
		lo = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
		hi = lo + info->dlpi_phdr[i].p_memsz;
		if (s->lo >= lo && s->hi <= hi)
			return s->inside = 1;
	}
	return 0;
}

/* Whether [p, p + len) lies in the data of a loaded object. */
static int
in_loaded_object(const void *p, size_t len)
{
	struct span s = { (uintptr_t)p, (uintptr_t)p + len, 0 };

	dl_iterate_phdr(span_in_object, &s);
	return s.inside;
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
	int rc;

	for (off = 0; off < r->len; off += n) {
		n = r->len - off < sizeof buf ? (size_t)r->len - off :
		    sizeof buf;
		if ((rc = miso__safe_read(buf, (char *)dst + off, n)) != 0)
			return rc;
		if (memcmp(buf, r->src + off, n) == 0)
			continue;
		if (!in_loaded_object(dst, (size_t)r->len))
			return -EFAULT;
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
    struct cursor *c, struct region *rg, struct region *rr)
{
	const struct miso_conf_func *cf = f->cf;
	size_t i;
	int r;

	for (i = 0; i < cf->nparams; i++) {
		rg[i].len = NONE;
		rg[i].fresh = NULL;
	}
	rr->len = NONE;
	rr->fresh = NULL;
	for (i = 0; i < cf->nparams; i++) {
		if (!miso__copies_back(&cf->params[i]))
			continue;
		r = take_region(c, &rg[i], cf->params[i].alloc ? UINT64_MAX :
		    p->cap[i]);
		if (r != 0)
			return r;
		if (cf->params[i].alloc && rg[i].len != NONE &&
		    (rg[i].fresh = dup_region(&rg[i])) == NULL)
			return -ENOMEM;
	}
	if (returns_bytes(cf)) {
		if ((r = take_region(c, rr, UINT64_MAX)) != 0)
			return r;
		if ((cf->ret_how == MISO_RET_ALLOC_CSTR ||
		    cf->ret_how == MISO_RET_ALLOC_BUFFER) && rr->len != NONE &&
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
	const struct miso_conf_func *cf = f->cf;
	struct cursor c = { reply, len };
	struct region rg[64], rr;
	unsigned char retval[64];
	int32_t err;
	size_t i;
	int r;

	if (take(&c, retval, f->retsize) != 0 || take(&c, &err, 4) != 0)
		return MISO_EBADREPLY;
	if ((r = check_all(f, p, &c, rg, &rr)) != 0)
		goto fail;
	if (rr.len != NONE && rr.fresh == NULL && (r = write_in_place(
	    *(void **)retval, &rr)) != 0)
		goto fail;
	for (i = 0; i < cf->nparams; i++) {
		if (cf->params[i].alloc && arg_ptr(args, i) != NULL)
			*(void **)arg_ptr(args, i) = rg[i].fresh;
		else if (rg[i].len != NONE)
			memcpy(arg_ptr(args, i), rg[i].src, (size_t)rg[i].len);
	}
	/*
	 * A returned string or buffer is where the reply says: a fresh copy,
	 * the address in place, or NULL; the child's pointer bits alone mean
	 * nothing here.
	 */
	if (returns_bytes(cf) && (rr.fresh != NULL || rr.len == NONE))
		memcpy(retval, &rr.fresh, sizeof rr.fresh);
	memcpy(ret, retval, f->retsize);
	*child_errno = err;
	return 0;
fail:
	free_fresh(rg, cf->nparams);
	free(rr.fresh);
	return r;
}
