/* Descriptor I/O that survives EINTR and short transfers. */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <unistd.h>

#include "internal.h"

/* Returns the byte count, 0 at EOF, or -errno. */
ssize_t
miso__fd_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n == -1 ? -errno : n;
}

ssize_t
miso__fd_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n == -1 ? -errno : n;
}

/* Writes all len bytes; returns len or -errno. Async-signal-safe. */
ssize_t
miso__write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = miso__fd_write(fd, p + done, len - done);
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Reads all len bytes at off; a file that ends early gives -EPIPE. */
ssize_t
miso__pread_all(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		do
			n = pread(fd, p + done, len - done, off + (off_t)done);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return -errno;
		if (n == 0)
			return -EPIPE;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Writes all len bytes at off; returns len or -errno. Async-signal-safe. */
ssize_t
miso__pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		do
			n = pwrite(fd, p + done, len - done, off + (off_t)done);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * Closes fd and leaves errno as it was. close() is never retried: on Linux
 * the descriptor is gone even when it reports EINTR.
 */
void
miso__close(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Records what fd is open on; returns 0 or -errno. */
int
miso__fd_id(int fd, struct miso__fdid *id)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/*
 * 1 when fd is still open on the file id recorded; 0 when it was closed
 * or now refers to something else. Async-signal-safe. Called in the
 * child, hence through syscall(3) (core/child.c says why); the kernel's
 * struct stat is glibc's on the 64-bit targets.
 */
int
miso__fd_is(int fd, const struct miso__fdid *id)
{
	struct stat st;

	return miso__fd_stat(fd, id, &st) == 0;
}

/*
 * fstat(2) of fd into *st, and, when id is not NULL, -EBADF unless fd is
 * still open on it. Async-signal-safe, as miso__fd_is.
 */
int
miso__fd_stat(int fd, const struct miso__fdid *id, struct stat *st)
{
	if (syscall(SYS_fstat, fd, st) == -1)
		return -errno;
	if (id != NULL && (st->st_dev != id->dev || st->st_ino != id->ino))
		return -EBADF;
	return 0;
}
