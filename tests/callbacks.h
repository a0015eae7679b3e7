/* Callbacks shared by the engine's tests. */
#ifndef MISO_TESTS_CALLBACKS_H
#define MISO_TESTS_CALLBACKS_H

#include <stddef.h>

#include "miso.h"

/* Writes *(uint64_t *)ctx, or 0x1122334455667788 without a context. */
void cb_value(void *ctx, struct miso_writer *w);
void cb_nothing(void *ctx, struct miso_writer *w);
/* printf("child"): no newline, never flushed by the callback. */
void cb_print(void *ctx, struct miso_writer *w);
/* Writes 7 bytes, then dereferences NULL. */
void cb_segv(void *ctx, struct miso_writer *w);
void cb_abort(void *ctx, struct miso_writer *w);
/* exit(*(int *)ctx), or exit(3) without a context. */
void cb_exit(void *ctx, struct miso_writer *w);
void cb_hang(void *ctx, struct miso_writer *w);
/* Returns with errno EDOM. */
void cb_errno(void *ctx, struct miso_writer *w);
/* Allocates a megabyte at a time until it crashes. */
void cb_eat_memory(void *ctx, struct miso_writer *w);

/* cb_bulk writes len bytes of pattern(), chunk bytes at a time. */
struct bulk {
	size_t len;
	size_t chunk;
};
unsigned char pattern(size_t i);
/* Writes len bytes of pattern() from a stack buffer (no allocation). */
void write_pattern(struct miso_writer *w, size_t len);
/* The index of the first byte of d that is not pattern(), or n. */
size_t first_wrong(const void *d, size_t n);
void cb_bulk(void *ctx, struct miso_writer *w);

#endif
