/*
 * A small JSON writer for 'miso check --json': values are written as they
 * come, with the commas and the escaping (RFC 8259) taken care of.
 */
#include <stdio.h>

#include "tools.h"

/* Control characters, quotes and backslashes escaped; UTF-8 passes. */
void
miso__json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', fp);
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"':	fputs("\\\"", fp); break;
		case '\\':	fputs("\\\\", fp); break;
		case '\n':	fputs("\\n", fp); break;
		case '\t':	fputs("\\t", fp); break;
		case '\r':	fputs("\\r", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				putc(*p, fp);
		}
	}
	putc('"', fp);
}

static void
sep(struct miso__json *j, const char *key)
{
	if (j->depth > 0 && !j->first[j->depth])
		putc(',', j->fp);
	if (j->depth > 0) {
		j->first[j->depth] = 0;
		fprintf(j->fp, "\n%*s", 2 * j->depth, "");
	}
	if (key != NULL) {
		miso__json_string(j->fp, key);
		fputs(": ", j->fp);
	}
}

void
miso__json_begin(struct miso__json *j, FILE *fp)
{
	j->fp = fp;
	j->depth = 0;
}

static void
open_(struct miso__json *j, const char *key, int c)
{
	sep(j, key);
	putc(c, j->fp);
	if (j->depth + 1 < (int)(sizeof j->first / sizeof j->first[0]))
		j->depth++;
	j->first[j->depth] = 1;
}

void
miso__json_obj(struct miso__json *j, const char *key)
{
	open_(j, key, '{');
}

void
miso__json_arr(struct miso__json *j, const char *key)
{
	open_(j, key, '[');
}

void
miso__json_end(struct miso__json *j, int close)
{
	int empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		fprintf(j->fp, "\n%*s", 2 * j->depth, "");
	putc(close, j->fp);
	if (j->depth == 0)
		putc('\n', j->fp);
}

void
miso__json_str(struct miso__json *j, const char *key, const char *s)
{
	sep(j, key);
	if (s == NULL)
		fputs("null", j->fp);
	else
		miso__json_string(j->fp, s);
}

void
miso__json_int(struct miso__json *j, const char *key, long long v)
{
	sep(j, key);
	fprintf(j->fp, "%lld", v);
}

void
miso__json_bool(struct miso__json *j, const char *key, int v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->fp);
}
