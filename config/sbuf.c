/*
 * A growing string for diagnostics and formatted text.  A failed
 * allocation is remembered rather than returned at every call, so that
 * callers check once, at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
grow(struct miso__sbuf *b, size_t more)
{
	size_t cap;
	char *s;

	if (b->nomem)
		return -1;
	if (b->cap - b->len > more)
		return 0;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap - b->len <= more) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((s = realloc(b->s, cap)) == NULL)
		goto fail;
	b->s = s;
	b->cap = cap;
	return 0;
fail:
	b->nomem = 1;
	return -1;
}

void
miso__sbuf_add(struct miso__sbuf *b, const char *s, size_t n)
{
	if (grow(b, n) == -1)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
miso__sbuf_puts(struct miso__sbuf *b, const char *s)
{
	miso__sbuf_add(b, s, strlen(s));
}

void
miso__sbuf_printf(struct miso__sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		miso__sbuf_add(b, small, (size_t)n);
		return;
	}
	if (grow(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Hands over the string (never NULL unless out of memory). */
char *
miso__sbuf_finish(struct miso__sbuf *b)
{
	char *s;

	if (!b->nomem && b->s == NULL)
		miso__sbuf_add(b, "", 0);
	if (b->nomem) {
		free(b->s);
		s = NULL;
	} else
		s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}
