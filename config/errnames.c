/*
 * The errno names of this system, for 'errno = EIO'.  The table comes from
 * <errno.h> at build time (gen-errno.sh), so every name the system has is
 * accepted and none that it lacks.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

struct errname {
	const char	*name;
	int		 value;
};

static const struct errname errnames[] = {
#include "errtab.h"
};

#define NERR	(sizeof(errnames) / sizeof(errnames[0]))

/* Returns the value of name, or -1. */
int
miso__errno_value(const char *name)
{
	size_t i;

	for (i = 0; i < NERR; i++)
		if (strcmp(errnames[i].name, name) == 0)
			return errnames[i].value;
	return -1;
}

/*
 * The name of value, or NULL.  Aliases (EWOULDBLOCK for EAGAIN) share a
 * value; the table is sorted, so the answer is always the same one.
 */
const char *
miso__errno_name(int value)
{
	size_t i;

	for (i = 0; i < NERR; i++)
		if (errnames[i].value == value)
			return errnames[i].name;
	return NULL;
}
