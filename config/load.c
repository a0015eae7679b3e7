/*
 * Reading a configuration file.  The file is read whole, up to one byte
 * past the limit, so that an oversized file is reported by the parser
 * rather than read into memory.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int
fail(const char *path, int rc, struct miso__conf_diag *diag)
{
	char text[512];
	int n;

	if (diag == NULL)
		return rc;
	snprintf(diag->msg, sizeof(diag->msg), "cannot read: %s",
	    miso__file_strerror(rc));
	n = snprintf(text, sizeof(text), "%s: error: %s\n", path, diag->msg);
	diag->nerrors = 1;
	if (n > 0)
		diag->text = strdup(text);
	return rc;
}

int
miso__conf_load(const char *path, struct miso_conf **out,
    struct miso__conf_diag *diag)
{
	return miso__conf_load_isolate(path, NULL, out, diag);
}

int
miso__conf_load_isolate(const char *path,
    const struct miso__conf_isolate *iso, struct miso_conf **out,
    struct miso__conf_diag *diag)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if (path == NULL)
		return miso__conf_parse_isolate(iso != NULL && iso->label !=
		    NULL ? iso->label : "MISO_ISOLATE", "", 0, iso, out, diag);
	/* A FIFO or a device named as the configuration must not hang us. */
	if ((rc = miso__read_file(path, MISO__MAX_FILE + 1, &buf, &len)) != 0)
		return fail(path, rc, diag);
	rc = miso__conf_parse_isolate(path, buf, len, iso, out, diag);
	free(buf);
	return rc;
}
