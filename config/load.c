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
read_fd(int fd, char *buf, size_t size, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < size) {
		n = read(fd, buf + *len, size - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

static int
fail(const char *path, int rc, struct miso_conf_diag *diag)
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
    struct miso_conf_diag *diag)
{
	return miso__conf_load_isolate(path, NULL, out, diag);
}

int
miso__conf_load_isolate(const char *path,
    const struct miso_conf_isolate *iso, struct miso_conf **out,
    struct miso_conf_diag *diag)
{
	char *buf;
	size_t len;
	int fd, rc;

	*out = NULL;
	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if (path == NULL)
		return miso__conf_parse_isolate(iso != NULL && iso->label !=
		    NULL ? iso->label : "MISO_ISOLATE", "", 0, iso, out, diag);
	/* A FIFO or a device named as the configuration must not hang us. */
	if ((fd = miso__open_file(path, O_RDONLY, 0)) < 0)
		return fail(path, fd, diag);
	if ((buf = malloc(MISO__MAX_FILE + 1)) == NULL) {
		close(fd);
		return fail(path, -ENOMEM, diag);
	}
	rc = read_fd(fd, buf, MISO__MAX_FILE + 1, &len);
	close(fd);
	if (rc == 0)
		rc = miso__conf_parse_isolate(path, buf, len, iso, out, diag);
	else
		fail(path, rc, diag);
	free(buf);
	return rc;
}
