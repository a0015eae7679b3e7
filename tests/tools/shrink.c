/*
 * Preloaded into 'miso check' by tests/tools/hostile.sh: the file named by
 * MISO_TEST_SHRINK is truncated to 4096 bytes as soon as the command maps
 * it or first reads it with pread, as if another process truncated it
 * while it is being read. A reader that maps the file then dies of
 * SIGBUS; one that reads it sees a short read.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int done;

static void
shrink(int fd)
{
	const char *want = getenv("MISO_TEST_SHRINK");
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (done || want == NULL || fd < 0)
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 0)
		return;
	path[n] = '\0';
	if (strcmp(path, want) == 0 && truncate(path, 4096) == 0)
		done = 1;
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *(*real)(void *, size_t, int, int, int, off_t) =
	    (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT,
	    "mmap");
	void *p = real(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED)
		shrink(fd);
	return p;
}

void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) =
	    (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT,
	    "pread");
	ssize_t r = real(fd, buf, n, off);

	shrink(fd);
	return r;
}

ssize_t
pread64(int fd, void *buf, size_t n, off_t off)
{
	return pread(fd, buf, n, off);
}
