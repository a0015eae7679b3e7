/*
 * libvendor: a "legacy" library with the bugs miso is for.  It knows
 * nothing of miso and is built as any shared library is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor.h"

#define WORK_SIZE	(1 << 20)

/*
 * The bug: the work buffer is never freed.  It is filled with a non-zero
 * byte so that every page of it is really resident.
 */
unsigned long
vendor_checksum(const char *data, size_t len)
{
	unsigned char *work = malloc(WORK_SIZE);
	unsigned long sum = 5381;
	size_t i;

	if (work == NULL)
		return 0;
	memset(work, 0x5a, WORK_SIZE);
	for (i = 0; i < len; i++)
		work[i % WORK_SIZE] ^= (unsigned char)data[i];
	for (i = 0; i < WORK_SIZE; i += 4096)
		sum = sum * 33 + work[i];
	for (i = 0; i < len; i++)
		sum = sum * 33 + (unsigned char)data[i];
	return sum & 0xffffffffUL;
}

/* Where the key table should have been set up; the bug is that it never is. */
static const long *volatile key_table;

long
vendor_parse(const char *rec)
{
	const char *eq = strchr(rec, '=');
	char *end;
	long v;

	if (eq == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (eq == rec)
		return key_table[(unsigned char)rec[1]];/* the bug: an empty key */
	v = strtol(eq + 1, &end, 10);
	if (end == eq + 1 || *end != '\0') {
		errno = EINVAL;
		return -1;
	}
	return v;
}

int
vendor_stats(const char *s, struct vstats *st)
{
	int inword = 0, nchars = 0;

	memset(st, 0, sizeof *st);
	for (; *s != '\0'; s++) {
		st->bytes++;
		if (*s == '\n')
			st->lines++;
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			inword = 0;
			continue;
		}
		nchars++;
		if (!inword)
			st->words++;
		inword = 1;
	}
	st->mean_word = st->words > 0 ? (double)nchars / st->words : 0.0;
	return 0;
}

int
vendor_format(const struct vstats *st, char *buf, size_t cap, size_t *len)
{
	char tmp[128];
	int n;

	n = snprintf(tmp, sizeof tmp, "%d lines, %d words, %ld bytes, %.2f",
	    st->lines, st->words, st->bytes, st->mean_word);
	if (n < 0 || (size_t)n > cap) {
		*len = 0;
		return -1;
	}
	memcpy(buf, tmp, (size_t)n);
	*len = (size_t)n;
	return 0;
}
