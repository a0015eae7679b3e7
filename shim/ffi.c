/*
 * libffi descriptions of configured prototypes, made once at start-up:
 * libffi may keep closures in a heap shared across fork(), so none is
 * ever made or freed in a child.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

static ffi_type *
int_type(size_t size, int sign)
{
	switch (size) {
	case 1: return sign ? &ffi_type_sint8 : &ffi_type_uint8;
	case 2: return sign ? &ffi_type_sint16 : &ffi_type_uint16;
	case 4: return sign ? &ffi_type_sint32 : &ffi_type_uint32;
	case 8: return sign ? &ffi_type_sint64 : &ffi_type_uint64;
	}
	return NULL;
}

static ffi_type *to_ffi(const struct miso__conf_type *t, char *why,
    size_t size);

/* A struct passed by value: its fields, arrays spelled out element by
 * element, as the ABI classifies them. */
static ffi_type *
struct_type(const struct miso__conf_type *t, char *why, size_t size)
{
	ffi_type *st, **el;
	size_t i, j, n = 0, k = 0;

	if (t->opaque_layout || t->incomplete || t->nfields == 0) {
		snprintf(why, size, "%s is passed by value, but its fields "
		    "are not known; declare it", t->name);
		return NULL;
	}
	for (i = 0; i < t->nfields; i++)
		n += t->fields[i].count;
	st = calloc(1, sizeof *st);
	el = calloc(n + 1, sizeof *el);
	if (st == NULL || el == NULL)
		goto fail;
	for (i = 0; i < t->nfields; i++) {
		ffi_type *f = to_ffi(t->fields[i].type, why, size);

		if (f == NULL)
			goto fail;
		for (j = 0; j < t->fields[i].count; j++)
			el[k++] = f;
	}
	st->type = FFI_TYPE_STRUCT;
	st->elements = el;
	return st;
fail:
	free(st);
	free(el);
	if (*why == '\0')
		snprintf(why, size, "out of memory");
	return NULL;
}

static ffi_type *
to_ffi(const struct miso__conf_type *t, char *why, size_t size)
{
	ffi_type *f = NULL;

	t = miso__real_type(t);
	switch (t->kind) {
	case MISO__K_VOID:
		return &ffi_type_void;
	case MISO__K_SINT:
	case MISO__K_UINT:
		f = int_type(t->size, t->kind == MISO__K_SINT);
		break;
	case MISO__K_FLOAT:
		f = t->size == 4 ? &ffi_type_float :
		    t->size == 8 ? &ffi_type_double : NULL;
		break;
	case MISO__K_POINTER:
	case MISO__K_FUNCPTR:
		return &ffi_type_pointer;
	case MISO__K_STRUCT:
		return struct_type(t, why, size);
	}
	if (f == NULL)
		snprintf(why, size, "%s: no libffi type of %zu bytes", t->name,
		    t->size);
	return f;
}

/*
 * Builds f's call interface. Returns 0, or -1 with the reason in why.
 * Integral returns narrower than a register come back widened to an
 * ffi_arg: the return storage is never smaller than one.
 */
int
miso__ffi_prepare(struct miso__fn *f, char *why, size_t size)
{
	const struct miso__conf_func *cf = f->cf;
	ffi_type *rtype;
	size_t i;

	*why = '\0';
	if (cf->nparams > MISO__MAX_PARAMS) {
		snprintf(why, size, "more than %d parameters",
		    MISO__MAX_PARAMS);
		return -1;
	}
	f->atypes = calloc(cf->nparams + 1, sizeof *f->atypes);
	if (f->atypes == NULL) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	for (i = 0; i < cf->nparams; i++)
		if ((f->atypes[i] = to_ffi(cf->params[i].type, why, size)) ==
		    NULL)
			return -1;
	if ((rtype = to_ffi(cf->ret, why, size)) == NULL)
		return -1;
	if (ffi_prep_cif(&f->cif, FFI_DEFAULT_ABI, (unsigned)cf->nparams,
	    rtype, f->atypes) != FFI_OK) {
		snprintf(why, size, "libffi cannot describe this prototype");
		return -1;
	}
	f->retsize = rtype->size > sizeof(ffi_arg) ? rtype->size :
	    sizeof(ffi_arg);
	if (f->retsize > MISO__RET_SIZE) {
		snprintf(why, size, "its return type is larger than %d bytes",
		    MISO__RET_SIZE);
		return -1;
	}
	return 0;
}
