/*
 * The caller's side, before the call: how many bytes each parameter may
 * bring back, known before the callee runs, so that a reply can be
 * checked whole against it (shim/commit.c).
 */
#include <errno.h>
#include <stdio.h>

#include "shim.h"

/*
 * Why the size of parameter i could not be had before the call (r is
 * what miso__param_capacity() or the plan returned), for the log.
 */
void
miso__size_why(const struct miso__conf_func *cf, size_t i, int r, char *buf,
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

/*
 * Before the call, in the caller: how many bytes each parameter may bring
 * back, and so the largest reply. Returns 0 or a negative errno (a size
 * that cannot be evaluated: the call is not made).
 */
int
miso__plan_call(const struct miso__fn *f, void **args, struct miso__plan *p)
{
	const struct miso__conf_func *cf = f->cf;
	struct miso_eval_env env = { cf, args, NULL, 0 };
	size_t i, total = f->retsize + 4;
	int r, unbounded = miso__returns_bytes(cf);

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
		if (miso__arg_ptr(args, i) == NULL)
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
	if (miso__returns_bytes(cf))
		total += 8;
	p->max_reply = unbounded ? SIZE_MAX : total;
	return 0;
}
