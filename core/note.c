/*
 * The last word of a child that cannot reply. A callback may close every
 * descriptor and leave the child unable to open the reply pipe again
 * (core/child.c); its exit status cannot say so, since any status is one
 * the callback could have exited with. So each calling thread has a page
 * shared with the children of its calls, where such a child leaves its
 * pid and the reason before it exits. The page is mapped on a thread's
 * first call and unmapped when the thread ends.
 *
 * A child, and a process the program forks, get the page too, but
 * forget it: their own calls map a page of their own, so that a note is
 * only ever read by the caller of the child that wrote it.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <pthread.h>
#include <stddef.h>

#include "internal.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static __thread struct miso__note *mine;

static void
unmap(void *p)
{
	munmap(p, sizeof(struct miso__note));
}

static void
forget(void)
{
	mine = NULL;
}

static void
setup(void)
{
	pthread_key_create(&key, unmap);
	pthread_atfork(NULL, NULL, forget);
}

/* The calling thread's note, cleared; NULL if it cannot be mapped. */
struct miso__note *
miso__note_get(void)
{
	void *p;

	if (mine == NULL) {
		pthread_once(&once, setup);
		p = mmap(NULL, sizeof *mine, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if (pthread_setspecific(key, p) != 0) {
			munmap(p, sizeof *mine);
			return NULL;
		}
		mine = p;
	}
	__atomic_store_n(&mine->pid, 0, __ATOMIC_RELAXED);
	return mine;
}

/* In our child (made by clone(), which runs no atfork handler). */
void
miso__note_child_reset(void)
{
	mine = NULL;
}
