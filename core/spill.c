/*
 * The memfd that carries a result too large for the reply record, and the
 * one kept from the last large result for the next.
 *
 * Fresh memory is expensive: on a virtual machine, faulting in 64 MiB of
 * new pages costs about twice a memcpy of them. A result that miso
 * allocated lives in a memfd mapped into the caller; when the caller
 * releases it, the memfd, its pages still allocated, is kept (one, of at
 * most SPILL_KEEP_MAX bytes) and the next large result is written over
 * them. miso_reap() lets it go.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>

#include "internal.h"

#define SPILL_KEEP_MAX ((off_t)256 << 20)

static pthread_mutex_t spill_lock = PTHREAD_MUTEX_INITIALIZER;
static int kept = -1;
static struct miso__fdid kept_id;   /* what kept is open on */

/*
 * A memfd for one call, the kept one or a new one, and what it is open
 * on (*id); -errno on failure.
 */
int
miso__spill_take(struct miso__fdid *id)
{
	int fd, r;

	pthread_mutex_lock(&spill_lock);
	fd = kept;
	kept = -1;
	*id = kept_id;
	pthread_mutex_unlock(&spill_lock);
	if (fd >= 0)
		return fd;
	if ((fd = memfd_create("miso-result", MFD_CLOEXEC)) == -1)
		return -errno;
	fd = miso__fd_high(fd);
	if ((r = miso__fd_id(fd, id)) != 0) {
		miso__close(fd);
		return r;
	}
	return fd;
}

/*
 * Gives a memfd back: kept if its pages are worth keeping and none is
 * kept yet, closed otherwise. An empty one is closed: it saves nothing
 * but a system call, and would look like a leaked descriptor.
 */
void
miso__spill_give(int fd)
{
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size <= SPILL_KEEP_MAX) {
		pthread_mutex_lock(&spill_lock);
		if (kept < 0) {
			kept = fd;
			kept_id.dev = st.st_dev;
			kept_id.ino = st.st_ino;
			fd = -1;
		}
		pthread_mutex_unlock(&spill_lock);
	}
	miso__close(fd);
}

/* Drops the kept memfd and its pages. */
void
miso__spill_drop(void)
{
	int fd;

	pthread_mutex_lock(&spill_lock);
	fd = kept;
	kept = -1;
	pthread_mutex_unlock(&spill_lock);
	miso__close(fd);
}

/*
 * In the child: the caller's kept memfd is not the child's to use. Only
 * what differs is written (core/child.c).
 */
void
miso__spill_child_reset(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	miso__reset_bytes(&spill_lock, &fresh, sizeof fresh);
	if (kept != -1)
		kept = -1;
}
