/* Validation of the reply header, the one thing the child controls. */
#include "internal.h"

/*
 * Returns 0 when r is a well-formed record from the child pid whose
 * payload fits in limit bytes, MISO_EBADREPLY otherwise. A buggy or
 * scribbled-on child can send anything; nothing in r is trusted before
 * this check.
 */
int
miso__reply_check(const struct miso__reply *r, pid_t pid, size_t limit)
{
	if (r->magic != MISO__MAGIC || r->pid != (uint64_t)pid)
		return MISO_EBADREPLY;
	if (r->kind == MISO__REC_OOM)
		return r->len == 0 ? 0 : MISO_EBADREPLY;
	if (r->kind != MISO__REC_DONE)
		return MISO_EBADREPLY;
	if (r->where != MISO__IN_PIPE && r->where != MISO__IN_MEMFD)
		return MISO_EBADREPLY;
	if (r->werror > 0 || (r->werror < MISO__ERRNO_MIN &&
	    r->werror != MISO_ETOOBIG))
		return MISO_EBADREPLY;
	if (r->werror == 0 && r->len > limit)
		return MISO_EBADREPLY;
	if (r->where == MISO__IN_PIPE && r->len > MISO__INLINE_MAX)
		return MISO_EBADREPLY;
	return 0;
}
