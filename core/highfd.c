/*
 * Where the engine keeps its descriptors: at MISO__FD_FLOOR (512) or
 * above, out of the way of the isolated function. Functions open, close
 * and dup2() low descriptors freely (a daemon-style function dup2()s a
 * file over 0, 1 and 2, or over every descriptor it thinks is its own);
 * a reply pipe or a result memfd among them would be written over, and
 * miso's reply would land in the function's file. Descriptors are handed
 * out lowest-first, so a function that opens files never reaches 512
 * unless it holds hundreds.
 *
 * When the soft RLIMIT_NOFILE is 512 or lower, or nothing is free above
 * the floor, the descriptor stays where the kernel put it: the engine
 * works as before, only less out of the way. The check in core/child.c
 * (and core/worker.c) still catches a function that replaced or closed
 * the engine's descriptor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "internal.h"

/*
 * Moves fd to MISO__FD_FLOOR or above, close-on-exec, and returns the new
 * descriptor; returns fd itself if it cannot be moved, or if it is
 * negative. Keeps errno.
 */
int
miso__fd_high(int fd)
{
	int saved = errno, high;

	if (fd < 0 || fd >= MISO__FD_FLOOR)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, MISO__FD_FLOOR);
	if (high == -1) {
		errno = saved;
		return fd;
	}
	miso__close(fd);
	errno = saved;
	return high;
}
