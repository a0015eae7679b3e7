/*
 * Finding a program the way execvp(3) does, so that 'miso run' checks
 * the very file it then executes, and 'miso check' reads it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools.h"

static int
runnable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

char *
miso__which(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *cand, *found = NULL;

	if (*prog == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(prog, '/') != NULL) {
		if (access(prog, F_OK) == -1)
			return NULL;
		return miso__xstrdup(prog);
	}
	/* execvp's default when PATH is unset. */
	copy = miso__xstrdup(path != NULL ? path : "/bin:/usr/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		cand = miso__xasprintf("%s/%s", *dir ? dir : ".", prog);
		if (runnable(cand))
			found = cand;
		else
			free(cand);
	}
	free(copy);
	if (found == NULL)
		errno = ENOENT;
	return found;
}
