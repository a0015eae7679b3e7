/*
 * The shim's one way to speak: one line per event, "miso: " first, to
 * stderr or to MISO_LOG_FILE ("%p" in it becomes the pid), at or above
 * MISO_LOG (error, warn, info, debug; default warn).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static int level = MISO_LOG_WARN;
static int log_fd = 2;

static int
parse_level(const char *s)
{
	static const char *const names[] = { "error", "warn", "info",
	    "debug" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i + 1;
	return 0;
}

/* Expands "%p" to the pid; anything else is copied as it is. */
static void
expand_path(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in != '\0' && o + 1 < size; in++) {
		if (in[0] == '%' && in[1] == 'p') {
			o += (size_t)snprintf(out + o, size - o, "%ld",
			    (long)getpid());
			in++;
			if (o >= size)
				o = size - 1;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

void
miso__log_init(void)
{
	const char *s = secure_getenv("MISO_LOG");
	char path[4096];
	int l, fd;

	if (s != NULL && *s != '\0') {
		if ((l = parse_level(s)) != 0)
			level = l;
		else
			miso__log(MISO_LOG_WARN, "MISO_LOG=%s: not one of error, "
			    "warn, info, debug; using warn", s);
	}
	s = secure_getenv("MISO_LOG_FILE");
	if (s == NULL || *s == '\0')
		return;
	expand_path(s, path, sizeof path);
	/* A FIFO without a reader must not hang the program before main. */
	fd = miso__open_file(path, O_WRONLY | O_CREAT | O_APPEND,
	    MISO__OPEN_STREAM);
	if (fd < 0) {
		miso__log(MISO_LOG_WARN, "MISO_LOG_FILE=%s: %s; logging to "
		    "stderr", path, miso__file_strerror(fd));
		return;
	}
	log_fd = fd;
}

int
miso__log_enabled(int l)
{
	return l <= level;
}

void
miso__log(int l, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, saved = errno;

	if (l > level)
		return;
	memcpy(line, "miso: ", 6);
	va_start(ap, fmt);
	n = vsnprintf(line + 6, sizeof line - 7, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n += 6;
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write: lines from several processes do not interleave. */
	if (write(log_fd, line, (size_t)n) < 0)
		(void)0;
	errno = saved;
}
