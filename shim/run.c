/*
 * The callee's side, in a forked child or a pool's worker: runs the real
 * function through libffi and writes the reply (its layout is in
 * shim/commit.c). In a worker the arguments were rebuilt from the request
 * first (shim/rebuild.c).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <string.h>

#include "miso.h"
#include "shim.h"

static void
put_bytes(struct miso_writer *w, const void *p, uint64_t len)
{
	miso_write(w, &len, sizeof len);
	if (len != MISO__NONE && len != MISO__OVER)
		miso_write(w, p, (size_t)len);
}

/*
 * Before the call, in the child: the value of each fill expression that
 * reads only what exists yet ('*len' but not 'retval'), so that a fill
 * left as it was can be told from one the function wrote.
 */
struct prefill {
	int64_t n[MISO__MAX_PARAMS];
	unsigned char known[MISO__MAX_PARAMS];
};

static void
take_prefill(const struct miso__fn *f, void **args, struct prefill *pf)
{
	const struct miso__conf_func *cf = f->cf;
	struct miso_eval_env env = { cf, args, NULL, 0 };
	size_t i;

	for (i = 0; i < cf->nparams; i++) {
		const struct miso_expr *e = cf->params[i].fill;

		pf->known[i] = e != NULL && e->op != MISO__E_CSTR &&
		    miso__expr_eval(e, &env, &pf->n[i]) == 0;
	}
}

/*
 * The filled part of parameter i, in the child, after the call. A count
 * past the capacity is refused (MISO__OVER), unless it is the value the count
 * already had before the call: then the function filled nothing (it
 * failed and left '*len' alone, say), and nothing comes back.
 */
static uint64_t
filled(const struct miso__fn *f, size_t i, const struct miso_eval_env *env,
    size_t cap, const struct prefill *pf)
{
	const struct miso__conf_param *pp = &f->cf->params[i];
	const char *s = miso__arg_ptr(env->args, i);
	int64_t n;
	int r;

	if (pp->fill == NULL)
		return cap;
	if (pp->fill->op == MISO__E_CSTR) {
		const char *nul = memchr(s, '\0', cap);

		/* No terminator: what is there is whatever the function left. */
		return nul != NULL ? (uint64_t)(nul - s) + 1 : cap;
	}
	r = miso__expr_eval(pp->fill, env, &n);
	if (r == -ERANGE)
		return 0;  /* a negative count, such as -1 for an error */
	if (r < 0)
		return MISO__OVER;
	if ((uint64_t)n > cap / miso__elem_size(pp->type))
		return pf->known[i] && pf->n[i] == n ? 0 : MISO__OVER;
	return (uint64_t)n * miso__elem_size(pp->type);
}

static void
put_alloc(const struct miso__fn *f, size_t i, const struct miso_eval_env *env,
    struct miso_writer *w)
{
	const struct miso__conf_param *pp = &f->cf->params[i];
	void **pp_out = miso__arg_ptr(env->args, i);
	size_t bytes;

	if (pp_out == NULL || *pp_out == NULL) {
		put_bytes(w, NULL, MISO__NONE);
		return;
	}
	if (pp->cstr) {
		put_bytes(w, *pp_out, strlen(*pp_out) + 1);
		return;
	}
	if (miso__param_capacity(f->cf, i, env, &bytes) < 0) {
		put_bytes(w, NULL, MISO__OVER);
		return;
	}
	put_bytes(w, *pp_out, bytes);
}

static void
put_return(const struct miso__fn *f, const void *ret,
    const struct miso_eval_env *env, struct miso_writer *w)
{
	const struct miso__conf_func *cf = f->cf;
	const char *p = *(char *const *)ret;
	int64_t n;

	if (p == NULL) {
		put_bytes(w, NULL, MISO__NONE);
		return;
	}
	if (cf->ret_how == MISO__RET_CSTR || cf->ret_how == MISO__RET_ALLOC_CSTR) {
		put_bytes(w, p, strlen(p) + 1);
		return;
	}
	if (miso__expr_eval(cf->ret_size, env, &n) < 0 ||
	    (uint64_t)n > SIZE_MAX / miso__elem_size(cf->ret)) {
		put_bytes(w, NULL, MISO__OVER);
		return;
	}
	put_bytes(w, p, (uint64_t)n * miso__elem_size(cf->ret));
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
	unsigned char wire[MISO__RET_SIZE];
	uintptr_t v;
	size_t i;

	memcpy(wire, ret, f->retsize);
	if (x != NULL && miso__real_type(f->cf->ret)->kind == MISO__K_POINTER) {
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
	const struct miso__conf_func *cf = f->cf;
	_Alignas(16) unsigned char ret[MISO__RET_SIZE];
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
		else if (miso__arg_ptr(args, i) == NULL)
			put_bytes(w, NULL, MISO__NONE);
		else
			put_bytes(w, miso__arg_ptr(args, i),
			    filled(f, i, &env, p->cap[i], &pf));
	}
	if (miso__returns_bytes(cf))
		put_return(f, ret, &env, w);
}
