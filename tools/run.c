/*
 * miso run: executes a program with libmiso.so preloaded and the shim's
 * settings in its environment. What cannot work is refused before the
 * exec, with the reason: the loader would otherwise ignore the preload
 * silently.
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

#include "config.h"
#include "tools.h"

/*
 * <dir of the binary>/../lib/libmiso.so, which holds both in the build
 * tree (build/bin, build/lib) and once installed (bindir, libdir);
 * MISO_LIBRARY overrides it.
 */
static char *
shim_path(void)
{
	const char *env = getenv("MISO_LIBRARY");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env != NULL && *env != '\0')
		return miso__xstrdup(env);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) == -1)
		err(MISO__EXIT_NOEXEC, "/proc/self/exe");
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	return miso__xasprintf("%s/lib/libmiso.so", exe);
}

static void
refuse_unrunnable(const char *path)
{
	struct miso__obj *o;
	struct stat st;
	int r;

	if (stat(path, &st) == -1)
		err(MISO__EXIT_NOEXEC, "%s", path);
	if (st.st_mode & S_ISUID || (st.st_mode & (S_ISGID | S_IXGRP)) ==
	    (S_ISGID | S_IXGRP))
		errx(MISO__EXIT_NOEXEC, "%s: set-user-ID or set-group-ID: "
		    "the loader would ignore libmiso.so", path);
	/* A script is not ELF: its interpreter gets the preload. */
	if ((r = miso__obj_open(path, &o)) != 0)
		return;
	if (o->interp == NULL)
		errx(MISO__EXIT_NOEXEC, "%s: statically linked: it cannot "
		    "preload libmiso.so", path);
	miso__obj_free(o);
}

static void
set_abs(const char *name, const char *file, int must_exist)
{
	char buf[PATH_MAX], *abs;

	if (must_exist) {
		if (realpath(file, buf) == NULL)
			err(MISO__EXIT_USAGE, "%s", file);
		abs = miso__xstrdup(buf);
	} else if (*file != '/' && getcwd(buf, sizeof buf) != NULL)
		abs = miso__xasprintf("%s/%s", buf, file);
	else
		abs = miso__xstrdup(file);
	if (setenv(name, abs, 1) == -1)
		err(MISO__EXIT_NOEXEC, "setenv");
	free(abs);
}

static void
check_level(const char *l)
{
	if (strcmp(l, "error") != 0 && strcmp(l, "warn") != 0 &&
	    strcmp(l, "info") != 0 && strcmp(l, "debug") != 0) {
		warnx("bad log level '%s': error, warn, info or debug", l);
		miso__usage_exit("run");
	}
}

/* Prepends the shim; LD_PRELOAD's entries are space or colon separated. */
static void
preload(const char *shim)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;

	if (access(shim, R_OK) == -1)
		err(MISO__EXIT_NOEXEC, "%s (set MISO_LIBRARY to use another)",
		    shim);
	v = old != NULL && *old != '\0' ? miso__xasprintf("%s %s", shim, old) :
	    miso__xstrdup(shim);
	if (setenv("LD_PRELOAD", v, 1) == -1)
		err(MISO__EXIT_NOEXEC, "setenv");
	free(v);
}

/* Adds the names of one -i to the list, comma separated. */
static char *
add_names(char *list, const char *names)
{
	char *v;

	if (strspn(names, ", \t") == strlen(names)) {
		warnx("-i needs the name of a function");
		miso__usage_exit("run");
	}
	if (list == NULL)
		return miso__xstrdup(names);
	v = miso__xasprintf("%s,%s", list, names);
	free(list);
	return v;
}

/*
 * -i: the functions named, with the packs' declarations, on top of the
 * file named with -c or, without one, of an empty configuration (the
 * files the shim would otherwise search are not read).  Everything is
 * checked here, before the exec, so that the shim's own check agrees.
 */
static void
isolate(const char *conf, const char *names, int worker)
{
	struct miso__conf_isolate iso = { names, "-i", worker };
	struct miso__conf_diag diag;
	struct miso_conf *c;

	if (miso__conf_load_isolate(conf, &iso, &c, &diag) != 0)
		miso__conf_die(&diag, miso__xasprintf("-i %s", names));
	miso__conf_diag_free(&diag);
	miso__conf_free(c);
	if (conf != NULL)
		set_abs("MISO_CONFIG", conf, 1);
	else if (unsetenv("MISO_CONFIG") == -1)
		err(MISO__EXIT_NOEXEC, "unsetenv");
	if (setenv("MISO_ISOLATE", names, 1) == -1 ||
	    (worker ? setenv("MISO_ISOLATE_MODE", "worker", 1) :
	    unsetenv("MISO_ISOLATE_MODE")) == -1)
		err(MISO__EXIT_NOEXEC, "setenv");
}

int
miso__cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "worker", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf = NULL, *level = NULL, *stats = NULL;
	char *path, *shim, *names = NULL;
	int ch, worker = 0;

	while ((ch = getopt_long(argc, argv, "+c:i:l:s:", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'i':
			names = add_names(names, optarg);
			break;
		case 'w':
			worker = 1;
			break;
		case 'h':
			miso__usage(stdout, "run");
			return miso__finish(MISO__EXIT_OK);
		case 'l':
			check_level(level = optarg);
			break;
		case 's':
			stats = optarg;
			break;
		default:
			miso__usage_exit("run");
		}
	if (optind >= argc)
		miso__usage_exit("run");
	if (worker && names == NULL) {
		warnx("--worker applies to the functions named with -i");
		miso__usage_exit("run");
	}
	if (names != NULL) {
		isolate(conf, names, worker);
		free(names);
	} else if (conf != NULL) {
		miso__conf_free(miso__tool_conf(conf));
		set_abs("MISO_CONFIG", conf, 1);
	}
	if (level != NULL && setenv("MISO_LOG", level, 1) == -1)
		err(MISO__EXIT_NOEXEC, "setenv");
	if (stats != NULL)
		set_abs("MISO_STATS", stats, 0);
	if ((path = miso__which(argv[optind])) == NULL)
		err(MISO__EXIT_NOEXEC, "%s", argv[optind]);
	refuse_unrunnable(path);
	shim = shim_path();
	preload(shim);
	free(shim);
	execv(path, argv + optind);
	err(MISO__EXIT_NOEXEC, "%s", path);
}
