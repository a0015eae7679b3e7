/*
 * Evaluating size expressions.  This runs in the forked child, between
 * fork() and the user's function, so it is async-signal-safe: it reads
 * memory and does arithmetic, and nothing else.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* Reads the integer of type t at v with its real width and signedness. */
int
miso__read_int(const void *v, const struct miso__conf_type *t, int64_t *out)
{
	uint64_t u;

	switch (t->size) {
	case 1: {
		uint8_t x;

		memcpy(&x, v, 1);
		*out = t->kind == MISO__K_SINT ? (int8_t)x : x;
		return 0;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, v, 2);
		*out = t->kind == MISO__K_SINT ? (int16_t)x : x;
		return 0;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, v, 4);
		*out = t->kind == MISO__K_SINT ? (int32_t)x : (int64_t)x;
		return 0;
	}
	case 8:
		memcpy(&u, v, 8);
		if (t->kind == MISO__K_UINT && u > INT64_MAX)
			return -EOVERFLOW;
		*out = (int64_t)u;
		return 0;
	default:
		return -EINVAL;
	}
}

static int
param_value(const struct miso_expr *e, const struct miso_eval_env *env,
    int64_t *out)
{
	const struct miso__conf_param *q;
	const void *ptr;

	if (env->args == NULL || e->param < 0 ||
	    (size_t)e->param >= env->fn->nparams)
		return -EINVAL;
	q = &env->fn->params[e->param];
	if (e->op == MISO__E_PARAM)
		return miso__read_int(env->args[e->param], q->type, out);
	if (q->type->pointee == NULL)
		return -EINVAL;
	memcpy(&ptr, env->args[e->param], sizeof(ptr));
	if (ptr == NULL)
		return -EFAULT;
	return miso__read_int(ptr, q->type->pointee, out);
}

/* Like miso__expr_eval(), but a negative result is a result. */
static int
eval(const struct miso_expr *e, const struct miso_eval_env *env,
    int64_t *out)
{
	int64_t l, r;
	int rc;

	switch (e->op) {
	case MISO__E_INT:
	case MISO__E_SIZEOF:
		*out = e->value;
		return 0;
	case MISO__E_PARAM:
	case MISO__E_DEREF:
		return param_value(e, env, out);
	case MISO__E_RETVAL:
		if (!env->after || env->retval == NULL)
			return -EINVAL;
		return miso__read_int(env->retval, env->fn->ret, out);
	case MISO__E_CSTR:
		return -EINVAL;
	default:
		break;
	}
	if ((rc = eval(e->l, env, &l)) != 0 || (rc = eval(e->r, env, &r)) != 0)
		return rc;
	if (e->op == MISO__E_ADD ? __builtin_add_overflow(l, r, out) :
	    e->op == MISO__E_SUB ? __builtin_sub_overflow(l, r, out) :
	    __builtin_mul_overflow(l, r, out))
		return -EOVERFLOW;
	return 0;
}

int
miso__expr_eval(const struct miso_expr *e, const struct miso_eval_env *env,
    int64_t *out)
{
	int rc;

	if ((rc = eval(e, env, out)) != 0)
		return rc;
	return *out < 0 ? -ERANGE : 0;
}

/* The size of one element of what parameter q's memory holds. */
static size_t
element(const struct miso__conf_param *q)
{
	const struct miso__conf_type *t = q->type->pointee;

	if (q->alloc)
		t = t->pointee;
	return t->kind == MISO__K_VOID ? 1 : t->size;
}

/* No object is larger than PTRDIFF_MAX bytes; a size past it is a bug. */
static int
times(int64_t n, size_t size, size_t *bytes)
{
	uint64_t b;

	if (__builtin_mul_overflow((uint64_t)n, (uint64_t)size, &b) ||
	    b > PTRDIFF_MAX)
		return -EOVERFLOW;
	*bytes = (size_t)b;
	return 0;
}

int
miso__param_capacity(const struct miso__conf_func *fn, size_t i,
    const struct miso_eval_env *env, size_t *bytes)
{
	const struct miso__conf_param *q;
	int64_t n = 1;
	int rc;

	if (i >= fn->nparams)
		return -EINVAL;
	q = &fn->params[i];
	if (q->type->kind != MISO__K_POINTER || q->type->pointee == NULL ||
	    (q->alloc && q->cstr))
		return -EINVAL;
	if (q->cap != NULL && (rc = miso__expr_eval(q->cap, env, &n)) != 0)
		return rc;
	return times(n, element(q), bytes);
}

int
miso__param_filled(const struct miso__conf_func *fn, size_t i,
    const struct miso_eval_env *env, size_t capacity, size_t *bytes)
{
	const struct miso__conf_param *q;
	const char *s;
	int64_t n;
	int rc;

	if (i >= fn->nparams)
		return -EINVAL;
	q = &fn->params[i];
	*bytes = capacity;
	if (q->fill == NULL)
		return 0;
	if (q->fill->op == MISO__E_CSTR) {
		memcpy(&s, env->args[i], sizeof(s));
		if (s == NULL)
			return -EFAULT;
		for (n = 0; (size_t)n < capacity; n++)
			if (s[n] == '\0') {
				*bytes = (size_t)n + 1;
				break;
			}
		return 0;
	}
	if ((rc = eval(q->fill, env, &n)) != 0)
		return rc;
	if (n < 0)
		n = 0;
	if ((rc = times(n, element(q), bytes)) != 0 || *bytes > capacity)
		*bytes = capacity;
	return 0;
}
