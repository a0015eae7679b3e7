/*
 * Loading the configuration for a subcommand: the file named with -c, or
 * the one the shim would read. A configuration with errors ends the
 * command with the parser's diagnostics and status 2.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "tools.h"

void
miso__conf_die(struct miso__conf_diag *diag, const char *what)
{
	fflush(stdout);
	if (diag->text != NULL)
		fputs(diag->text, stderr);
	else
		warnx("%s: cannot load", what);
	miso__conf_diag_free(diag);
	exit(MISO__EXIT_USAGE);
}

struct miso_conf *
miso__tool_conf(const char *path)
{
	struct miso__conf_diag diag;
	struct miso_conf *conf;
	char buf[4096];

	if (path == NULL && (path = miso__conf_find(buf, sizeof buf)) == NULL)
		errx(MISO__EXIT_USAGE, "no configuration: none of "
		    "$MISO_CONFIG, $XDG_CONFIG_HOME/miso/miso.conf, ~/.config/miso/miso.conf "
		    "or /etc/miso.conf exists; name one with -c");
	if (miso__conf_load(path, &conf, &diag) != 0)
		miso__conf_die(&diag, path);
	miso__conf_diag_free(&diag);
	return conf;
}
