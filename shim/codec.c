/*
 * The codec shared by fork mode and worker mode (shim/codec.h): one
 * answer, for both, to which parameters travel and how they are read.
 */
#include <string.h>

#include "shim.h"

/*
 * Reads n bytes (out may be NULL: skips them). Returns 0, or -1 with the
 * cursor unmoved when fewer are left.
 */
int
miso__take(struct miso__cursor *c, void *out, size_t n)
{
	if (n > c->left)
		return -1;
	if (out != NULL)
		memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

/* Reads n bytes and the padding that rounds them up to a slot. */
int
miso__take_slot(struct miso__cursor *c, void *out, uint64_t n)
{
	if (n > c->left || MISO__SLOT(n) > c->left)
		return -1;
	memcpy(out, c->p, (size_t)n);
	c->p += MISO__SLOT(n);
	c->left -= MISO__SLOT(n);
	return 0;
}

/*
 * Whether the caller gets bytes of parameter p back after the call. An
 * 'opaque' pointer is passed as it is, whatever its direction, and
 * nothing comes back through it.
 */
int
miso__copies_back(const struct miso__conf_param *p)
{
	return !p->opaque && (p->alloc || p->dir == MISO__DIR_OUT ||
	    p->dir == MISO__DIR_INOUT);
}

/*
 * Whether a worker rebuilds parameter p from bytes of the request, rather
 * than take the value passed (a scalar, or an 'opaque' address).
 */
int
miso__rebuilt(const struct miso__conf_param *p)
{
	return miso__real_type(p->type)->kind == MISO__K_POINTER && !p->opaque;
}

/* Whether the function returns a string or buffer the reply carries. */
int
miso__returns_bytes(const struct miso__conf_func *cf)
{
	return cf->ret_how == MISO__RET_CSTR ||
	    cf->ret_how == MISO__RET_ALLOC_CSTR ||
	    cf->ret_how == MISO__RET_BUFFER ||
	    cf->ret_how == MISO__RET_ALLOC_BUFFER;
}

/* Bytes of one element a pointer parameter points to (void: 1). */
size_t
miso__elem_size(const struct miso__conf_type *ptr)
{
	const struct miso__conf_type *p = miso__real_type(ptr)->pointee;

	if (p == NULL)
		return 1;
	p = miso__real_type(p);
	return p->kind == MISO__K_VOID || p->size == 0 ? 1 : p->size;
}
