/*
 * System structs known by size: the caller can copy a struct stat or a
 * sockaddr_storage without declaring its fields.  The table is measured
 * from this system's headers when miso is built (gen-structs.sh).
 */
#include <string.h>

#include "internal.h"

struct systype {
	const char	*name;
	size_t		 size, align;
};

static const struct systype systypes[] = {
#include "systab.h"
};

/* name as spelled in C: "struct stat", "sigset_t".  Returns 0 or -1. */
int
miso__systype(const char *name, size_t *size, size_t *align)
{
	size_t i;

	for (i = 0; i < sizeof(systypes) / sizeof(systypes[0]); i++)
		if (strcmp(systypes[i].name, name) == 0) {
			*size = systypes[i].size;
			*align = systypes[i].align;
			return 0;
		}
	return -1;
}
