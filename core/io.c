/* Descriptor I/O that survives EINTR and short transfers. */
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
