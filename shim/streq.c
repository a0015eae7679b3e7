/*
 * String equality for code that runs before a sanitizer runtime is ready.
 */
#define _GNU_SOURCE
#include "rebind_internal.h"

/*
 * Not strcmp: the exported dlsym reaches this code while a sanitizer
 * runtime starts (ASan looks up its reals with dlsym(RTLD_NEXT)), when
 * its interceptors of the string functions cannot work yet.
 */
bool
miso__streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
