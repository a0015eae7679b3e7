/*
 * What a call that fails under the 'fail' policy returns: the configured
 * value, or the built-in one for the return type. The shim stores it in
 * the caller's return value and 'miso explain' prints it, both from here,
 * so that the two cannot disagree.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "internal.h"

/* n as an integer of size bytes holds it: zero-extended to 64 bits. */
static uint64_t
narrow(uint64_t n, size_t size)
{
	return size >= 8 ? n : n & ((UINT64_C(1) << (size * 8)) - 1);
}

void
miso__conf_fail_value(const struct miso__conf_func *fn,
    struct miso__conf_failval *v)
{
	const struct miso__conf_type *t = miso__real_type(fn->ret);
	const struct miso__conf_policy *pol = &fn->pol;

	v->kind = t->kind;
	v->size = t->size;
	v->set = pol->has_fail;
	v->d = pol->has_fail ? pol->fail_float : NAN;
	v->sval = 0;
	v->bits = 0;
	switch (t->kind) {
	case MISO__K_SINT:
		v->sval = pol->has_fail ? pol->fail_int : -1;
		v->bits = narrow((uint64_t)v->sval, t->size);
		break;
	case MISO__K_UINT:
	case MISO__K_POINTER:
	case MISO__K_FUNCPTR:
		v->bits = pol->has_fail ? narrow((uint64_t)pol->fail_int,
		    t->size) : 0;
		break;
	case MISO__K_FLOAT:
		if (t->size == 4)
			v->d = (float)v->d;
		break;
	default:
		v->set = 0;
		break;
	}
}

int
miso__conf_fail_format(const struct miso__conf_failval *v, char *buf,
    size_t size)
{
	switch (v->kind) {
	case MISO__K_SINT:
		return snprintf(buf, size, "%" PRId64, v->sval);
	case MISO__K_UINT:
		return snprintf(buf, size, "%" PRIu64, v->bits);
	case MISO__K_FLOAT:
		return isnan(v->d) ? snprintf(buf, size, "NaN") :
		    snprintf(buf, size, "%.17g", v->d);
	case MISO__K_POINTER:
	case MISO__K_FUNCPTR:
		return v->bits == 0 ? snprintf(buf, size, "NULL") :
		    snprintf(buf, size, "(void *)%#" PRIx64, v->bits);
	default:
		return snprintf(buf, size, "%s", "");
	}
}
