/*
 * The one test of the errno range of an outcome code (include/miso.h):
 * a negative errno is greater than -4096, and miso's own codes sit below
 * it.
 */
#ifndef MISO_CORE_CODE_H
#define MISO_CORE_CODE_H

/* The lowest negative errno a code may be. */
#define MISO__ERRNO_MIN (-4095)

/* Whether code is a negative errno: the callback never started. */
static inline int
miso__is_errno(int code)
{
	return code < 0 && code >= MISO__ERRNO_MIN;
}

#endif
