/*
 * A small JSON writer for 'miso check --json': values are written as they
 * come, with the commas and the escaping (RFC 8259) taken care of.
 */
#include <stdio.h>

#include "tools.h"

/*
 * Control characters, quotes and backslashes escaped; UTF-8 passes, and
 * a byte that is not part of valid UTF-8 (a file's string may hold any)
 * becomes U+FFFD, so that the document stays valid JSON.
 */
void
miso__json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

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
			else if (*p < 0x80)
				putc(*p, fp);
			else if ((n = miso__utf8_len(p)) != 0) {
				fwrite(p, 1, n, fp);
				p += n - 1;
			} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
				fprintf(fp, "\\u%04x", *++p);	/* C1 */
			else
				/* Not UTF-8: the replacement character. */
				fputs("\\ufffd", fp);
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
