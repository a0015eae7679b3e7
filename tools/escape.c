/*
 * Strings read from files, made safe to print: a DT_NEEDED name or a
 * version in a hostile object may hold escape sequences for the terminal
 * or newlines that would forge lines of the report. As ls -b and readelf
 * do, the text report shows such bytes as C escapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

/*
 * The length of the UTF-8 sequence at p if it is valid and prints (not a
 * C1 control, U+0080 to U+009F), else 0.
 */
size_t
miso__utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned long c;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	c = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff) || c < 0xa0)
		return 0;
	return n;
}

/* Writes n bytes at w + at unless w is NULL (measuring); returns n. */
static size_t
put(char *w, size_t at, const void *p, size_t n)
{
	if (w != NULL)
		memcpy(w + at, p, n);
	return n;
}

static size_t
escape_into(char *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, u;
	char e[5];

	for (; *p != '\0'; p += u) {
		u = 1;
		if (*p == '\\' || *p == '\n' || *p == '\t' || *p == '\r') {
			e[0] = '\\';
			e[1] = *p == '\\' ? '\\' : *p == '\n' ? 'n' :
			    *p == '\t' ? 't' : 'r';
			n += put(w, n, e, 2);
		} else if (*p >= 0x20 && *p < 0x7f)
			n += put(w, n, p, 1);
		else if ((u = miso__utf8_len(p)) != 0)
			n += put(w, n, p, u);
		else {
			u = 1;
			snprintf(e, sizeof e, "\\%03o", *p);
			n += put(w, n, e, 4);
		}
	}
	return n;
}

/*
 * s escaped (NULL stays NULL). The result lives in one of eight buffers
 * used in turn, enough for the arguments of one printf.
 */
const char *
miso__esc(const char *s)
{
	static char *ring[8];
	static unsigned next;
	char **slot;
	size_t n;

	if (s == NULL)
		return NULL;
	slot = &ring[next++ % 8];
	n = escape_into(NULL, s);
	free(*slot);
	*slot = miso__xcalloc(n + 1, 1);
	escape_into(*slot, s);
	return *slot;
}
