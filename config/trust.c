/*
 * Whether a file may decide what a process isolates, by the rules of sudo
 * (sudoers) and OpenSSH (safe_path): whoever can write the configuration,
 * or a [library] it names, chooses code that runs in the process, so the
 * file must belong to root or to the user running the program (its real
 * uid) and be writable by its owner alone, and so must every directory
 * leading to it, or another user could put a file of their own in its
 * place. A directory that others may write is accepted with the sticky
 * bit (/tmp): there no one but the owner of an entry can rename or remove
 * it.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* One file or directory; the reason, if any, names it. */
static int
safe(const char *path, const struct stat *st, uid_t uid, int dir,
    char *why, size_t size)
{
	const char *what = dir ? "directory" : "file";

	if (st->st_uid != 0 && st->st_uid != uid) {
		if (uid == 0)
			snprintf(why, size, "%s %s is owned by uid %lu, not by "
			    "root", what, path, (unsigned long)st->st_uid);
		else
			snprintf(why, size, "%s %s is owned by uid %lu, "
			    "neither root nor the user running the program "
			    "(uid %lu)", what, path, (unsigned long)st->st_uid,
			    (unsigned long)uid);
		return 0;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0 ||
	    (dir && (st->st_mode & S_ISVTX)))
		return 1;
	snprintf(why, size, "%s %s is writable by %s (mode %04o)", what, path,
	    st->st_mode & S_IWOTH ? "anyone" : "its group",
	    (unsigned)(st->st_mode & 07777));
	return 0;
}

int
miso__path_trusted(const char *path, uid_t uid, char *why, size_t size)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (realpath(path, real) == NULL || stat(real, &st) == -1) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, size, "%s: not a regular file", path);
		return 0;
	}
	if (!safe(real, &st, uid, 0, why, size))
		return 0;
	while ((slash = strrchr(real, '/')) != NULL) {
		slash[slash == real] = '\0';
		if (stat(real, &st) == -1) {
			snprintf(why, size, "%s: %s", real, strerror(errno));
			return 0;
		}
		if (!safe(real, &st, uid, 1, why, size))
			return 0;
		if (slash == real)
			break;
	}
	return 1;
}

int
miso__conf_trusted(const char *path, int secure, char *why, size_t size)
{
	return miso__path_trusted(path, secure ? 0 : getuid(), why, size);
}

/*
 * A [library] named by a path must be as safe as the configuration; one
 * named without a slash is the dynamic loader's to search, as usual.
 */
int
miso__library_trusted(const char *lib, int secure, char *why, size_t size)
{
	return lib == NULL || strchr(lib, '/') == NULL ||
	    miso__conf_trusted(lib, secure, why, size);
}
