/*
 * libvendor: the interface of a third-party library the demo program uses.
 * Its source is here only so that the demo can build it; the program, the
 * library and this header know nothing of miso.
 */
#ifndef VENDOR_H
#define VENDOR_H

#include <stddef.h>

struct vstats {
	int	lines;
	int	words;
	long	bytes;
	double	mean_word;	/* mean word length */
};

/* A checksum of len bytes of data.  Leaks its 1 MiB work buffer. */
unsigned long	vendor_checksum(const char *data, size_t len);

/*
 * Parses "key=number" and returns the number, or -1 with errno EINVAL.
 * Crashes (SIGSEGV) on a record whose key is empty.
 */
long		vendor_parse(const char *rec);

/* Counts lines and words of s into *st.  Returns 0. */
int		vendor_stats(const char *s, struct vstats *st);

/*
 * Formats *st into buf, at most cap bytes (no NUL), and stores the length
 * written in *len.  Returns 0, or -1 if it did not fit.
 */
int		vendor_format(const struct vstats *st, char *buf, size_t cap,
		    size_t *len);

#endif
