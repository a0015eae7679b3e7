/*
 * Opening a file that the caller will read or append to, named by a user
 * or by another file: a FIFO with no writer, or a device, would block the
 * open or the first read forever, so the file is opened without waiting
 * and must then turn out to be of a kind the caller accepts.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/*
 * Returns the descriptor (O_CLOEXEC, blocking again), or a negative errno,
 * or -MISO__ENOTREG for a file of a kind that flags does not accept.
 */
int
miso__open_file(const char *path, int oflags, int kinds)
{
	struct stat st;
	int fd, fl, ok;

	fd = open(path, oflags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd == -1)
		return -errno;
	if (fstat(fd, &st) == -1) {
		fl = -errno;
		close(fd);
		return fl;
	}
	ok = S_ISREG(st.st_mode) ||
	    ((kinds & MISO__OPEN_STREAM) && (S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode)));
	if (!ok) {
		close(fd);
		return -MISO__ENOTREG;
	}
	/* Whoever asked for a pipe or a terminal gets its usual behaviour. */
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

const char *
miso__file_strerror(int r)
{
	return r == -MISO__ENOTREG ? "not a regular file" : strerror(-r);
}

/*
 * Reads the file at path, opened as miso__open_file() does, into a
 * malloc'd buffer of size bytes (*buf, to free), *len of them used: at
 * most size, so that a caller that asks for one byte past its limit can
 * tell a file that is too long. Returns 0 or a negative errno, with *buf
 * NULL.
 */
int
miso__read_file(const char *path, size_t size, char **buf, size_t *len)
{
	ssize_t n;
	int fd, rc = 0;

	*buf = NULL;
	*len = 0;
	if ((fd = miso__open_file(path, O_RDONLY, 0)) < 0)
		return fd;
	if ((*buf = malloc(size)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (*len < size) {
		n = read(fd, *buf + *len, size - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n == 0 ? 0 : -errno;
			break;
		}
		*len += (size_t)n;
	}
	close(fd);
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}
