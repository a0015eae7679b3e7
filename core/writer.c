/*
 * The child's side of the result: small results stay in a buffer that is
 * sent with the reply header in one write; larger ones go to a memfd the
 * parent gave, which the parent then maps or reads in one piece.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

void
miso__writer_init(struct miso_writer *w, int memfd, size_t limit)
{
	w->memfd = memfd;
	w->id = NULL;
	w->error = 0;
	w->spilled = 0;
	w->len = 0;
	w->limit = limit;
}

static int
spill(struct miso_writer *w)
{
	ssize_t n;

	if (w->memfd < 0)
		return MISO_ETOOBIG;
	/*
	 * The callback may have closed the memfd, or put a file of its own
	 * in its place: the result must not go into that file.
	 */
	if (w->id != NULL && !miso__fd_is(w->memfd, w->id))
		return -EBADF;
	n = miso__pwrite_all(w->memfd, w->inl, w->len, 0);
	if (n < 0)
		return (int)n;
	w->spilled = 1;
	return 0;
}

int
miso_write(struct miso_writer *w, const void *p, size_t n)
{
	ssize_t r;

	/* Once too big, keep counting so the parent can say what was needed. */
	if (w->error == MISO_ETOOBIG ||
	    (w->error == 0 && n > w->limit - w->len)) {
		w->len = n < SIZE_MAX - w->len ? w->len + n : SIZE_MAX;
		return w->error = MISO_ETOOBIG;
	}
	if (w->error != 0)
		return w->error;
	if (!w->spilled && n <= MISO__INLINE_MAX - w->len) {
		memcpy(w->inl + w->len, p, n);
		w->len += n;
		return 0;
	}
	if (!w->spilled && (w->error = spill(w)) != 0)
		return w->error;
	/* At an offset: a kept memfd's file position is wherever it was. */
	r = miso__pwrite_all(w->memfd, p, n, (off_t)w->len);
	if (r < 0)
		return w->error = (int)r;
	w->len += n;
	return 0;
}
