/*
 * Allocation for the command: running out of memory ends it with a
 * message and status 2 (an error, never the "warnings" status), so that
 * callers need no error path for it.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

void *
miso__xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		err(MISO__EXIT_ERROR, NULL);
	return p;
}

void *
miso__xrealloc(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		errx(MISO__EXIT_ERROR, "out of memory");
	if ((p = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		err(MISO__EXIT_ERROR, NULL);
	return p;
}

char *
miso__xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		err(MISO__EXIT_ERROR, NULL);
	return p;
}

char *
miso__xvasprintf(const char *fmt, va_list ap)
{
	va_list again;
	char *p;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0)
		err(MISO__EXIT_ERROR, NULL);
	p = miso__xcalloc((size_t)n + 1, 1);
	vsnprintf(p, (size_t)n + 1, fmt, again);
	va_end(again);
	return p;
}

char *
miso__xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = miso__xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
