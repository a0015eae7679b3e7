/* Facts about the test process itself, read from /proc. */
#ifndef MISO_TESTS_HELPERS_H
#define MISO_TESTS_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* Open descriptors of this process. */
int count_fds(void);
/* Children of this process that still exist, zombies included. */
int count_children(void);
/* Resident set size in bytes, from /proc/self/statm. */
size_t rss_bytes(void);
/*
 * 1 when running under valgrind, a sanitizer or an emulator (make
 * test-cross sets MISO_UNDER_EMULATOR): keep loops short.
 */
int slow_tool(void);
/*
 * 1 under an emulator (make test-cross sets MISO_UNDER_EMULATOR): /proc
 * figures such as the resident size are then the emulator's.
 */
int emulated(void);
/*
 * 1 when a lowered RLIMIT_AS takes effect. qemu-user accepts the call and
 * ignores it (the limit would bind the emulator itself): a test of the
 * memory cap there would allocate without end.
 */
int as_limit_works(void);
/*
 * 1 when clone() makes a child with no exit signal, as the engine does for
 * single-threaded callers; qemu-user refuses it, and the engine forks.
 */
int clone_works(void);
/* Waits up to ms for pid to disappear; 0 when it did. */
int wait_gone(pid_t pid, int ms);

#endif
