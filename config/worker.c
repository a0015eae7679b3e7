/*
 * Worker mode's one extra rule: a worker does not share the caller's
 * memory, so every pointer a worker-mode function is given must have a
 * size the shim can copy to it, or be passed as it is ('opaque').
 */
#include <stddef.h>

#include "internal.h"

/* Whether the shim knows how many bytes parameter pp points to. */
static int
sized(const struct miso__conf_param *pp)
{
	const struct miso__conf_type *t = miso__real_type(pp->type), *to;

	if (t->kind != MISO__K_POINTER || pp->opaque || pp->alloc ||
	    pp->cap != NULL || pp->cstr)
		return 1;
	to = miso__real_type(t->pointee);
	return to != NULL && to->kind != MISO__K_VOID && to->size > 0 &&
	    !to->incomplete;
}

void
miso__check_workers(struct miso__parser *p, const struct miso_conf *conf)
{
	const struct miso__conf_func *fn;
	size_t i, j;

	for (i = 0; i < conf->nfuncs; i++) {
		fn = &conf->funcs[i];
		if (fn->pol.mode != MISO__MODE_WORKER)
			continue;
		for (j = 0; j < fn->nparams; j++)
			if (!sized(&fn->params[j]))
				miso__error(p, fn->line, fn->col, "'%s' runs "
				    "in a worker, which does not share the "
				    "caller's memory: give '%s' a size "
				    "('[EXPR]' or 'cstr') or pass it as it "
				    "is with 'opaque'", fn->name,
				    fn->params[j].name != NULL ?
				    fn->params[j].name : "a parameter");
	}
}
