/*
 * The search order of the configuration file: MISO_CONFIG, then
 * $XDG_CONFIG_HOME/miso/miso.conf (or ~/.config/miso/miso.conf), then the
 * system-wide file; never the current directory.
 */
#include <sys/stat.h>

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

static void
test_find_trusted_in_setuid_programs(void **state)
{
	char path[] = "/tmp/miso-trust-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* Any file will do for an ordinary program. */
	chmod(path, 0666);
	assert_int_equal(miso__conf_trusted(path, 0), 1);
	/* A privileged one wants root's file, writable by root alone. */
	assert_int_equal(miso__conf_trusted(path, 1), 0);
	chmod(path, 0620);
	assert_int_equal(miso__conf_trusted(path, 1), 0);
	chmod(path, 0644);
	assert_int_equal(miso__conf_trusted(path, 1), geteuid() == 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 0), 0);
		assert_int_equal(miso__conf_trusted(path, 1), 0);
	}
	assert_int_equal(miso__conf_trusted("/nonexistent/miso.conf", 1), 0);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_order),
		cmocka_unit_test(test_find_trusted_in_setuid_programs),
	};

	return cmocka_run_group_tests_name("config_find", tests, setup,
	    teardown);
}
