/* libtg (tg.h): the implementation, built with -g. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

struct tg_ctx {
	int	n;
};

int
tg_sum(const int *v, size_t n)
{
	int s = 0;

	while (n-- > 0)
		s += *v++;
	return s;
}

double
tg_norm(const struct tg_point *p)
{
	return (p->x * p->x + p->y * p->y) * p->w;
}

void
tg_move(struct tg_point *p, int dx, int dy)
{
	p->x += dx;
	p->y += dy;
}

int
tg_fill(char *buf, size_t len, int id)
{
	return snprintf(buf, len, "item-%d", id);
}

/* Run-length: pairs of (count, byte). */
int
tg_pack(tg_byte *out, size_t *out_len, const tg_byte *in, size_t in_len)
{
	size_t i = 0, o = 0, j;

	while (i < in_len) {
		for (j = i; j < in_len && in[j] == in[i] && j - i < 255; j++)
			;
		if (o + 2 > *out_len)
			return -1;
		out[o++] = (tg_byte)(j - i);
		out[o++] = in[i];
		i = j;
	}
	*out_len = o;
	return 0;
}

const char *
tg_name(int code)
{
	static const char *const names[] = { "zero", "one", "two" };

	return code >= 0 && code < 3 ? names[code] : "many";
}

char *
tg_dup(const char *s)
{
	return strdup(s);
}

uint32_t
tg_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int
tg_divmod(int a, int b, int *quot, int *rem)
{
	if (b == 0)
		return -1;
	*quot = a / b;
	*rem = a % b;
	return 0;
}

void
tg_sort(int *v, size_t count, int (*cmp)(const void *, const void *))
{
	qsort(v, count, sizeof(*v), cmp);
}

int
tg_crash(int how)
{
	if (how == 1)
		abort();
	return how * 2;
}

int
tg_cmp(const tg_byte *a, const tg_byte *b, size_t n)
{
	return memcmp(a, b, n);
}

char *
tg_find(const char *s, int c)
{
	return strchr(s, c);
}

tg_ctx *
tg_open(const char *name)
{
	tg_ctx *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->n = (int)strlen(name);
	return c;
}

int
tg_count(tg_ctx *c)
{
	return ++c->n;
}

int
tg_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

char *
tg_word(char *s)
{
	return strchr(s, ' ');
}
