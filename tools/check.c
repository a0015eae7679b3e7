/*
 * miso check: what a configuration can isolate in a given program, read
 * from the program and its libraries without running them.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "config.h"
#include "report.h"

static void
load(struct miso__report *rp, const char *prog)
{
	struct stat st;
	char *path;
	int r;

	/* A file that exists as named is read; otherwise PATH, as run. */
	if (access(prog, F_OK) == 0)
		path = miso__xstrdup(prog);
	else if ((path = miso__which(prog)) == NULL)
		err(MISO__EXIT_USAGE, "%s", prog);
	if ((r = miso__load_program(path, &rp->load)) != 0)
		errx(MISO__EXIT_ERROR, "%s: %s", prog, miso__obj_strerror(r));
	/* A set-group-ID bit without group execute means mandatory locking. */
	if (stat(path, &st) == 0 && (st.st_mode & S_ISUID ||
	    (st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)))
		rp->setuid = 1;
	rp->is_static = rp->load.first->interp == NULL;
	free(path);
}

/* What the shim would refuse (miso__conf_trusted), the report says too. */
static void
trust(struct miso__report *rp, const struct miso_conf *conf)
{
	char why[PATH_MAX + 200];
	size_t i;

	if (!miso__conf_trusted(conf->file, 0, why, sizeof why))
		miso__add_finding(rp, MISO__ERROR, "the shim would refuse "
		    "the configuration: %s", why);
	for (i = 0; i < conf->nfuncs; i++) {
		const char *lib = conf->funcs[i].library;

		if (!miso__library_trusted(lib, 0, why, sizeof why))
			miso__add_finding(rp, MISO__ERROR, "the shim would "
			    "refuse [library %s]: %s", lib, why);
	}
}

int
miso__cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct miso__report rp = { 0 };
	struct miso_conf *conf;
	const char *cpath = NULL;
	int ch, json = 0, status;

	while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'h':
			miso__usage(stdout, "check");
			return miso__finish(MISO__EXIT_OK);
		case 'j':
			json = 1;
			break;
		default:
			miso__usage_exit("check");
		}
	if (argc - optind != 1)
		miso__usage_exit("check");
	conf = miso__tool_conf(cpath);
	rp.config = conf->file;
	load(&rp, argv[optind]);
	trust(&rp, conf);
	miso__analyze(&rp, conf);
	if (json)
		miso__report_json(&rp, stdout);
	else
		miso__report_text(&rp, stdout);
	status = rp.status;
	fflush(stdout);
	if (miso__suspect(conf, stderr) && status == MISO__EXIT_OK)
		status = MISO__EXIT_WARN;
	miso__report_free(&rp);
	miso__conf_free(conf);
	return miso__finish(status);
}
