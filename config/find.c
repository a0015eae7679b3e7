/*
 * Where the configuration file is.  Only the environment and fixed paths
 * are searched: a file in the current directory would let whoever controls
 * that directory decide what a program isolates, so it is never looked at.
 * secure_getenv keeps the environment out of it in setuid programs.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *
found(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s%s", a, b);

	if (n < 0 || (size_t)n >= size || access(buf, F_OK) == -1)
		return NULL;
	return buf;
}

/* miso__conf_find() with the system-wide file at etc, for the tests. */
const char *
miso__conf_find_at(char *buf, size_t size, const char *etc)
{
	const char *s;

	if ((s = secure_getenv("MISO_CONFIG")) != NULL && *s != '\0') {
		if (strlen(s) >= size)
			return NULL;
		memcpy(buf, s, strlen(s) + 1);
		return buf;
	}
	if ((s = secure_getenv("XDG_CONFIG_HOME")) != NULL && *s == '/') {
		if (found(buf, size, s, "/miso/miso.conf") != NULL)
			return buf;
	} else if ((s = secure_getenv("HOME")) != NULL && *s == '/') {
		if (found(buf, size, s, "/.config/miso/miso.conf") != NULL)
			return buf;
	}
	return found(buf, size, etc, "");
}

const char *
miso__conf_find(char *buf, size_t size)
{
	return miso__conf_find_at(buf, size, "/etc/miso.conf");
}
