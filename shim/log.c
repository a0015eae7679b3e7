/*
 * The shim's one way to speak: one line per event, "miso: " first, to
 * stderr or to MISO_LOG_FILE ("%p" in it becomes the pid), at or above
 * MISO_LOG (error, warn, info, debug; default warn).
 *
 * A warning or error repeated is shown MISO__LOG_BURST times, then held
 * back and counted; when another line comes, or at exit, one line says
 * how many were left out. Lines that differ only in their numbers (a
 * child's pid, a time) count as the same: 200 crashes of one function make
 * a few lines, not 200. Info and debug lines, asked for, are never held.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#define MISO__LOG_BURST 3

int miso__log_level = MISO__LOG_WARN;
static int log_fd = 2;

/*
 * The last warning or error, numbers masked. The flag, not a mutex,
 * guards it: a thread that finds it taken (or a child forked while it
 * was) writes its line without counting, and nothing can deadlock.
 */
static atomic_flag held_busy = ATOMIC_FLAG_INIT;
static char held_key[256];
static unsigned long held_seen, held_left;
static pid_t held_pid;

static void flush_at_exit(void);

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
void
miso__expand_pid(const char *in, char *out, size_t size)
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

	atexit(flush_at_exit);
	if (s != NULL && *s != '\0') {
		if ((l = parse_level(s)) != 0)
			miso__log_level = l;
		else
			miso__log(MISO__LOG_WARN, "MISO_LOG=%s: not one of error, "
			    "warn, info, debug; using warn", s);
	}
	s = secure_getenv("MISO_LOG_FILE");
	if (s == NULL || *s == '\0')
		return;
	miso__expand_pid(s, path, sizeof path);
	/* A FIFO without a reader must not hang the program before main. */
	fd = miso__open_file(path, O_WRONLY | O_CREAT | O_APPEND,
	    MISO__OPEN_STREAM);
	if (fd < 0) {
		miso__log(MISO__LOG_WARN, "MISO_LOG_FILE=%s: %s; logging to "
		    "stderr", path, miso__file_strerror(fd));
		return;
	}
	log_fd = fd;
}

/* One write: lines from several processes do not interleave. */
static void
put(const char *line, size_t n)
{
	if (write(log_fd, line, n) < 0)
		(void)0;
}

/* The line with each run of digits made one '#'. */
static void
mask_numbers(const char *line, char *key, size_t size)
{
	size_t o = 0;

	for (; *line != '\0' && o + 1 < size; line++) {
		if (!isdigit((unsigned char)*line))
			key[o++] = *line;
		else if (o == 0 || key[o - 1] != '#')
			key[o++] = '#';
	}
	key[o] = '\0';
}

/* Says how many lines were held back, if any; the flag is held. */
static void
flush_held(void)
{
	char line[128];
	int n;

	if (held_left == 0 || held_pid != getpid())
		return;
	n = snprintf(line, sizeof line, "miso: %lu more like the last line "
	    "left out\n", held_left);
	put(line, (size_t)n);
	held_left = 0;
}

/*
 * Whether to write this line: false when it repeats the last warning
 * past the burst. A line of another kind ends the repetition.
 */
static int
admit(int l, const char *line)
{
	char key[sizeof held_key];
	int show = 1;

	if (atomic_flag_test_and_set(&held_busy))
		return 1;
	if (l > MISO__LOG_WARN) {
		flush_held();
		held_key[0] = '\0';
		held_seen = 0;
	} else {
		mask_numbers(line, key, sizeof key);
		if (held_seen > 0 && strcmp(key, held_key) == 0 &&
		    held_pid == getpid()) {
			if (++held_seen > MISO__LOG_BURST) {
				held_left++;
				show = 0;
			}
		} else {
			flush_held();
			memcpy(held_key, key, sizeof key);
			held_seen = 1;
			held_pid = getpid();
		}
	}
	atomic_flag_clear(&held_busy);
	return show;
}

static void
flush_at_exit(void)
{
	if (atomic_flag_test_and_set(&held_busy))
		return;
	flush_held();
	atomic_flag_clear(&held_busy);
}

void
miso__log(int l, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, saved = errno;

	if (l > miso__log_level)
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
	line[n] = '\0';
	if (admit(l, line + 6)) {
		line[n++] = '\n';
		put(line, (size_t)n);
	}
	errno = saved;
}
