/*
 * The search order of the configuration file: MISO_CONFIG, then
 * $XDG_CONFIG_HOME/miso/miso.conf (or ~/.config/miso/miso.conf), then the
 * system-wide file; never the current directory.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static char dir[] = "/tmp/miso-find-XXXXXX";
static char etc[256], xdg[256], home[256];

static void
touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
}

static int
setup(void **state)
{
	char p[PATH_MAX];

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(etc, sizeof(etc), "%s/etc.conf", dir);
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(p, sizeof(p), "%s/miso", xdg);
	mkdir(xdg, 0700);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/.config", home);
	mkdir(home, 0700);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/.config/miso", home);
	mkdir(p, 0700);
	unsetenv("MISO_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", home, 1);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_find_order(void **state)
{
	char buf[PATH_MAX], want[PATH_MAX], hfile[PATH_MAX];

	/* Nothing anywhere, and a miso.conf in the cwd is not looked at. */
	assert_int_equal(chdir(dir), 0);
	touch("miso.conf");
	assert_null(miso__conf_find_at(buf, sizeof(buf), etc));

	touch(etc);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), etc);

	snprintf(hfile, sizeof(hfile), "%s/.config/miso/miso.conf", home);
	touch(hfile);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), hfile);

	/* XDG_CONFIG_HOME replaces ~/.config, even when it has no file. */
	setenv("XDG_CONFIG_HOME", xdg, 1);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), etc);
	snprintf(want, sizeof(want), "%s/miso/miso.conf", xdg);
	touch(want);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), want);

	/* A relative XDG_CONFIG_HOME is invalid and ignored. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), hfile);

	/* MISO_CONFIG wins, whether or not the file exists. */
	setenv("MISO_CONFIG", "/nonexistent/x.conf", 1);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc),
	    "/nonexistent/x.conf");
	assert_string_equal(miso__conf_find(buf, sizeof(buf)),
	    "/nonexistent/x.conf");
	assert_null(miso__conf_find_at(buf, 5, etc));	/* does not fit */
	setenv("MISO_CONFIG", "", 1);
	assert_string_equal(miso__conf_find_at(buf, sizeof(buf), etc), hfile);
	unsetenv("MISO_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
}

/* trusted PATH SECURE: 1 or 0, and the reason in why. */
static char why[PATH_MAX + 200];

static int
trusted(const char *path, int secure)
{
	why[0] = '\0';
	return miso__conf_trusted(path, secure, why, sizeof(why));
}

static void
test_find_trusted_in_setuid_programs(void **state)
{
	char path[PATH_MAX];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/setuid.conf", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	/* A privileged program wants root's file, writable by root alone. */
	chmod(path, 0666);
	assert_int_equal(trusted(path, 1), 0);
	chmod(path, 0620);
	assert_int_equal(trusted(path, 1), 0);
	chmod(path, 0644);
	assert_int_equal(trusted(path, 1), geteuid() == 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 0), 0);
		assert_int_equal(trusted(path, 1), 0);
		assert_string_equal(strstr(why, "is owned by"),
		    "is owned by uid 65534, not by root");
	}
	assert_int_equal(trusted("/nonexistent/miso.conf", 1), 0);
	assert_string_equal(why, "/nonexistent/miso.conf: No such file or "
	    "directory");
	unlink(path);
}

/* Any program: the user's own file or root's, writable by its owner. */
static void
test_trusted_mode_and_owner(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 200], real[PATH_MAX];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/mode.conf", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_non_null(realpath(path, real));
	assert_int_equal(trusted(path, 0), 1);
	chmod(path, 0666);
	assert_int_equal(trusted(path, 0), 0);
	snprintf(want, sizeof(want), "file %s is writable by anyone (mode "
	    "0666)", real);
	assert_string_equal(why, want);
	chmod(path, 0664);
	assert_int_equal(trusted(path, 0), 0);
	snprintf(want, sizeof(want), "file %s is writable by its group (mode "
	    "0664)", real);
	assert_string_equal(why, want);
	chmod(path, 0644);
	assert_int_equal(trusted(path, 0), 1);
	if (geteuid() != 0) {
		print_message("skipped: files of another user need root\n");
		unlink(path);
		return;
	}
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(trusted(path, 0), 0);
	snprintf(want, sizeof(want), "file %s is owned by uid 65534, not by "
	    "root", real);
	assert_string_equal(why, want);
	unlink(path);
}

/* Every directory up to the root is checked; a sticky one is safe. */
static void
test_trusted_directories(void **state)
{
	char sub[PATH_MAX], path[PATH_MAX + 16], want[PATH_MAX + 200];
	char real[PATH_MAX];
	int fd;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/inner.conf", sub);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_non_null(realpath(sub, real));
	assert_int_equal(trusted(path, 0), 1);
	chmod(sub, 0777);
	assert_int_equal(trusted(path, 0), 0);
	snprintf(want, sizeof(want), "directory %s is writable by anyone "
	    "(mode 0777)", real);
	assert_string_equal(why, want);
	/* The parent of the parent counts as much. */
	chmod(sub, 0755);
	chmod(dir, 0775);
	assert_int_equal(trusted(path, 0), 0);
	assert_non_null(strstr(why, "is writable by its group (mode 0775)"));
	chmod(dir, 0700);
	chmod(sub, 01777);
	assert_int_equal(trusted(path, 0), 1);
	chmod(sub, 0755);
	/* Not a regular file. */
	assert_int_equal(trusted(sub, 0), 0);
	snprintf(want, sizeof(want), "%s: not a regular file", sub);
	assert_string_equal(why, want);
	if (geteuid() == 0) {
		assert_int_equal(chown(sub, 65534, 65534), 0);
		assert_int_equal(trusted(path, 0), 0);
		snprintf(want, sizeof(want), "directory %s is owned by uid "
		    "65534, not by root", real);
		assert_string_equal(why, want);
	} else
		print_message("skipped: directories of another user need "
		    "root\n");
	unlink(path);
	rmdir(sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_order),
		cmocka_unit_test(test_find_trusted_in_setuid_programs),
		cmocka_unit_test(test_trusted_mode_and_owner),
		cmocka_unit_test(test_trusted_directories),
	};

	return cmocka_run_group_tests_name("config_find", tests, setup,
	    teardown);
}
