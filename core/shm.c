/*
 * A worker's shared files: memfds of a fixed size, mapped MAP_SHARED once
 * by the caller and once by the worker. The region's header page holds
 * the doorbells and the request and reply; the input and a small result
 * follow. A large result goes to a second file, the result file, where
 * the writer spills it. Bytes past
 * the mapped size still work: they go through the file with pread and
 * pwrite (which reach the same pages), and the file is cut back to its
 * size after the call, so that one large call leaves nothing behind.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pool_internal.h"

/* Returns the memfd, or -errno. */
int
miso__shm_create(size_t size)
{
	int fd, err;

	fd = memfd_create("miso-pool", MFD_CLOEXEC);
	if (fd == -1)
		return -errno;
	/* The worker inherits it: out of fn's way (core/highfd.c). */
	fd = miso__fd_high(fd);
	if (ftruncate(fd, (off_t)size) == -1) {
		err = errno;
		miso__close(fd);
		return -err;
	}
	return fd;
}

/*
 * Maps the whole region, or returns NULL with errno. MADV_DONTFORK: a
 * process the holder forks later (a miso_call child, another pool's
 * zygote) must not get a window on this worker's traffic.
 */
struct miso__shm *
miso__shm_map(int fd, size_t size)
{
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_DONTFORK);
	return p;
}

/* Writes n bytes at offset off of the region. Returns 0 or -errno. */
int
miso__shm_put(void *base, int fd, size_t size, uint64_t off,
    const void *p, size_t n)
{
	ssize_t w;

	if (n == 0)
		return 0;
	if (off <= size && n <= size - off) {
		memcpy((char *)base + off, p, n);
		return 0;
	}
	do
		w = pwrite(fd, p, n, (off_t)off);
	while (w == -1 && errno == EINTR);
	if (w == -1)
		return -errno;
	return (size_t)w == n ? 0 : -ENOSPC;
}

/* Reads n bytes at offset off. Returns 0, -EPIPE if the file is short. */
int
miso__shm_get(const void *base, int fd, size_t size, uint64_t off,
    void *p, size_t n)
{
	size_t inmap = 0;
	ssize_t r;

	if (off < size) {
		inmap = n < size - off ? n : size - off;
		memcpy(p, (const char *)base + off, inmap);
	}
	if (inmap == n)
		return 0;
	r = miso__pread_all(fd, (char *)p + inmap, n - inmap,
	    (off_t)(off + inmap));
	return r < 0 ? (int)r : 0;
}

/* Gives back what a large call added past the mapped size. */
void
miso__shm_shrink(int fd, size_t size)
{
	int saved = errno;

	if (ftruncate(fd, (off_t)size) == -1)
		errno = saved;
}
