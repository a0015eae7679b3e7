/*
 * The codec shared by both modes: what the caller and the callee agree on,
 * whether the callee is a forked child (fork mode) or a pool's worker
 * (mode = worker). The reply's layout is in shim/commit.c, the request's
 * (worker mode only) in shim/request.c; both are read with one cursor.
 */
#ifndef MISO_SHIM_CODEC_H
#define MISO_SHIM_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"

/* A length that stands for a NULL pointer. */
#define MISO__NONE	UINT64_MAX
/* A length that stands for a fill larger than its buffer: the call fails. */
#define MISO__OVER	(UINT64_MAX - 1)
/* The request is in 8-byte slots. */
#define MISO__SLOT(n)	(((n) + 7) & ~(size_t)7)
/* Bytes of libffi's return storage: the largest scalar, rounded up. */
#define MISO__RET_SIZE	64
/* Bytes of a worker's storage for one argument passed by value. */
#define MISO__ARG_SIZE	16
/* The largest request miso_pool_call() takes. */
#define MISO__REQUEST_MAX	(SIZE_MAX / 2)

/* The head of a worker's request: the function, by its index. */
struct miso__request_head {
	uint32_t fn;
	int32_t caller_errno;
};

/* A cursor over a reply or a request; every read is bounds-checked. */
struct miso__cursor {
	const unsigned char *p;
	size_t left;
};

int miso__take(struct miso__cursor *c, void *out, size_t n);
int miso__take_slot(struct miso__cursor *c, void *out, uint64_t n);

int miso__copies_back(const struct miso__conf_param *p);
int miso__rebuilt(const struct miso__conf_param *p);
int miso__returns_bytes(const struct miso__conf_func *cf);
size_t miso__elem_size(const struct miso__conf_type *ptr);

/* The pointer argument i holds. */
static inline void *
miso__arg_ptr(void *const *args, size_t i)
{
	return *(void **)args[i];
}

#endif
