/* Callbacks shared by the engine's tests: each one ends in its own way. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callbacks.h"

void
cb_value(void *ctx, struct miso_writer *w)
{
	uint64_t v = ctx != NULL ? *(uint64_t *)ctx : 0x1122334455667788u;

	miso_write(w, &v, sizeof v);
}

void
cb_nothing(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
}

void
cb_print(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	printf("child");
}

/* A real fault, not a sanitizer's report of one. */
__attribute__((no_sanitize("undefined"))) void
cb_segv(void *ctx, struct miso_writer *w)
{
	volatile int *p = NULL;

	(void)ctx;
	miso_write(w, "partial", 7);
	*p = 1;
}

void
cb_abort(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	abort();
}

void
cb_exit(void *ctx, struct miso_writer *w)
{
	(void)w;
	exit(ctx != NULL ? *(int *)ctx : 3);
}

void
cb_hang(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	for (;;)
		pause();
}

void
cb_errno(void *ctx, struct miso_writer *w)
{
	(void)ctx;
	(void)w;
	errno = EDOM;
}


unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

void
write_pattern(struct miso_writer *w, size_t len)
{
	unsigned char buf[4096];
	size_t off, i, n;

	for (off = 0; off < len; off += n) {
		n = len - off < sizeof buf ? len - off : sizeof buf;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		miso_write(w, buf, n);
	}
}

size_t
first_wrong(const void *d, size_t n)
{
	const unsigned char *p = d;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(i))
			break;
	return i;
}

void
cb_bulk(void *ctx, struct miso_writer *w)
{
	const struct bulk *b = ctx;
	unsigned char *buf = malloc(b->chunk);
	size_t off, i, n;

	for (off = 0; off < b->len; off += n) {
		n = b->len - off < b->chunk ? b->len - off : b->chunk;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		miso_write(w, buf, n); /* errors are sticky; keep counting */
	}
	free(buf);
}

void
cb_eat_memory(void *ctx, struct miso_writer *w)
{
	char *p;

	(void)ctx;
	(void)w;
	for (;;) {
		p = malloc(1 << 20);
		memset(p, 1, 1 << 20); /* NULL once the cap is reached */
	}
}
