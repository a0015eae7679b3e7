/*
 * Packs: "use PACK" and "use PACK: NAME, ...", the user's declarations
 * over a pack's, the entries a pack refuses and 'force', and the names
 * given to miso run -i.  The packs are written by the tests into a
 * directory of their own, named by MISO_PACKS.
 */
#include <sys/stat.h>

#include <errno.h>
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

static char dir[] = "/tmp/miso-pack-XXXXXX";

static void
write_pack(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	setenv("MISO_PACKS", dir, 1);
	write_pack("alpha",
	    "double asin(double x);\n"
	    "int stat(const char *path, out struct stat *st);\n"
	    "    errno = ENOENT\n"
	    "opaque struct dirent *readdir(opaque DIR *d);\n"
	    "    refuse = readdir advances the DIR stream in the child\n"
	    "size_t strxfrm(out char *dest[n -> cstr], const char *src,"
	    " size_t n);\n");
	write_pack("beta",
	    "[library libz.so.1]\n"
	    "unsigned long compressBound(unsigned long n);\n"
	    "double asin(double x);\n"
	    "    timeout = 3s\n");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct miso_conf *
parse_iso(const char *text, const char *names, int worker,
    struct miso__conf_diag *d)
{
	struct miso__conf_isolate iso = { names, "-i", worker };
	struct miso_conf *c = NULL;

	miso__conf_parse_isolate("t.conf", text, strlen(text),
	    names != NULL ? &iso : NULL, &c, d);
	return c;
}

static struct miso_conf *
ok(const char *text, const char *names)
{
	struct miso__conf_diag d;
	struct miso_conf *c = parse_iso(text, names, 0, &d);

	if (c == NULL)
		fprintf(stderr, "unexpected errors:\n%s", d.text);
	assert_non_null(c);
	miso__conf_diag_free(&d);
	return c;
}

/* The text must be refused with exactly these diagnostics. */
static void
bad(const char *text, const char *names, const char *want)
{
	struct miso__conf_diag d;
	struct miso_conf *c = parse_iso(text, names, 0, &d);

	assert_null(c);
	assert_non_null(d.text);
	if (strcmp(d.text, want) != 0)
		fprintf(stderr, "got:\n%s\nwanted:\n%s", d.text, want);
	assert_string_equal(d.text, want);
	miso__conf_diag_free(&d);
}

static void
test_pack_use_all_leaves_refused_out(void **state)
{
	struct miso_conf *c = ok("use alpha\n", NULL);

	assert_int_equal(c->nfuncs, 3);
	assert_string_equal(c->funcs[0].name, "asin");
	assert_string_equal(c->funcs[1].name, "stat");
	assert_int_equal(c->funcs[1].pol.err, ENOENT);
	assert_string_equal(c->funcs[2].name, "strxfrm");
	assert_null(miso__conf_lookup(c, "readdir"));
	assert_non_null(strstr(c->funcs[0].file, "/alpha.conf"));
	miso__conf_free(c);
}

static void
test_pack_use_some(void **state)
{
	struct miso_conf *c = ok("[defaults]\ntimeout = 2s\n"
	    "use beta: compressBound\nuse alpha: stat\n", NULL);

	assert_int_equal(c->nfuncs, 2);
	assert_string_equal(c->funcs[0].name, "stat");
	assert_null(c->funcs[0].library);
	assert_string_equal(c->funcs[1].name, "compressBound");
	assert_string_equal(c->funcs[1].library, "libz.so.1");
	/* [defaults] of the file applies to the pack's entries. */
	assert_int_equal(c->funcs[1].pol.timeout_ms, 2000);
	miso__conf_free(c);
}

static void
test_pack_user_declaration_wins(void **state)
{
	struct miso_conf *c;

	/* After the use, and before it. */
	c = ok("use alpha: asin, stat\ndouble asin(double y);\n"
	    "    timeout = 1s\n", NULL);
	assert_int_equal(c->nfuncs, 2);
	assert_non_null(miso__conf_lookup(c, "asin"));
	assert_string_equal(miso__conf_lookup(c, "asin")->file, "t.conf");
	assert_int_equal(miso__conf_lookup(c, "asin")->pol.timeout_ms, 1000);
	assert_string_equal(miso__conf_lookup(c, "asin")->params[0].name, "y");
	miso__conf_free(c);
	c = ok("double asin(double y);\nuse alpha\nuse beta\n", NULL);
	assert_int_equal(c->nfuncs, 4);
	assert_string_equal(miso__conf_lookup(c, "asin")->file, "t.conf");
	miso__conf_free(c);
	/* Two packs: the first one used wins. */
	c = ok("use beta\nuse alpha\n", NULL);
	assert_int_equal(miso__conf_lookup(c, "asin")->pol.timeout_ms, 3000);
	miso__conf_free(c);
}

static void
test_pack_unknown_pack_and_entry(void **state)
{
	char want[1024];

	snprintf(want, sizeof(want), "t.conf:1:5: error: no pack 'alpah' in "
	    "%s\nuse alpah\n    ^\nt.conf:1:5: note: did you mean "
	    "'alpha'?\n", dir);
	bad("use alpah\n", NULL, want);
	bad("use alpha: stat, asim\n", NULL, "t.conf:1:18: error: pack "
	    "'alpha' has no entry 'asim'\nuse alpha: stat, asim\n"
	    "                 ^\nt.conf:1:18: note: did you mean 'asin'?\n");
}

static void
test_pack_refused_entry(void **state)
{
	struct miso_conf *c;

	bad("use alpha: stat, readdir\n", NULL,
	    "t.conf:1:18: error: 'readdir' cannot be isolated: readdir "
	    "advances the DIR stream in the child\n"
	    "use alpha: stat, readdir\n"
	    "                 ^\n"
	    "t.conf:1:18: note: write 'force = yes' under the 'use' line to "
	    "isolate it all the same\n");
	c = ok("use alpha: stat, readdir\n    force = yes\n", NULL);
	assert_int_equal(c->nfuncs, 2);
	assert_non_null(miso__conf_lookup(c, "readdir"));
	miso__conf_free(c);
	/* 'force = no' is the default, written out. */
	bad("use alpha: readdir\n    force = no\n", NULL,
	    "t.conf:1:12: error: 'readdir' cannot be isolated: readdir "
	    "advances the DIR stream in the child\n"
	    "use alpha: readdir\n"
	    "           ^\n"
	    "t.conf:1:12: note: write 'force = yes' under the 'use' line to "
	    "isolate it all the same\n");
	/* A declaration of the user's own may be refused and forced too. */
	bad("int f(int x);\n    refuse = f keeps state\n", NULL,
	    "t.conf:1:5: error: 'f' cannot be isolated: f keeps state\n"
	    "int f(int x);\n"
	    "    ^\n"
	    "t.conf:1:5: note: write 'force = yes' under it to isolate it all "
	    "the same\n");
	c = ok("int f(int x);\n    refuse = f keeps state\n    force = yes\n",
	    NULL);
	miso__conf_free(c);
}

static void
test_pack_bad_use_lines(void **state)
{
	bad("use\nint f(int);\n", NULL, "t.conf:1:4: error: expected the name "
	    "of a pack after 'use'\nuse\n   ^\n");
	bad("use alpha: \n", NULL, "t.conf:1:11: error: expected the name of "
	    "an entry\nuse alpha: \n          ^\n");
	bad("use alpha stat\n", NULL, "t.conf:1:11: error: unexpected text "
	    "after 'use alpha'\nuse alpha stat\n          ^\n");
	bad("use 9\n", NULL, "t.conf:1:5: error: expected the name of a "
	    "pack after 'use'\nuse 9\n    ^\n");
	bad("force = yes\n", NULL, "t.conf:1:1: error: 'force' belongs under "
	    "a function or a 'use' line, indented\nforce = yes\n^\n");
	bad("use alpha: stat\nforce = yes\n", NULL, "t.conf:2:1: error: "
	    "'force' belongs under a function or a 'use' line, indented\n"
	    "force = yes\n^\n");
	bad("int f(int x);\n    force = maybe\n", NULL, "t.conf:2:13: error: "
	    "expected yes or no for 'force', not 'maybe'\n"
	    "    force = maybe\n            ^\n");
}

static void
test_pack_cannot_use_a_pack(void **state)
{
	struct miso__conf_diag d;
	struct miso_conf *c;
	char path[PATH_MAX];

	write_pack("broken", "use alpha\n");
	c = parse_iso("use broken\n", NULL, 0, &d);
	snprintf(path, sizeof(path), "%s/broken.conf", dir);
	unlink(path);
	assert_null(c);
	assert_non_null(strstr(d.text, "/broken.conf:1:1: error: a pack "
	    "cannot use another pack\n"));
	miso__conf_diag_free(&d);
}

static void
test_pack_isolate_names(void **state)
{
	struct miso__conf_diag d;
	struct miso_conf *c;

	/* Each from the first pack by name that has it. */
	c = ok("", "asin,compressBound stat");
	assert_int_equal(c->nfuncs, 3);
	assert_int_equal(miso__conf_lookup(c, "asin")->pol.timeout_ms, 0);
	assert_string_equal(miso__conf_lookup(c, "compressBound")->library,
	    "libz.so.1");
	assert_int_equal(miso__conf_lookup(c, "stat")->pol.mode,
	    MISO__MODE_FORK);
	miso__conf_free(c);
	/* The file wins for what it declares. */
	c = ok("double asin(double y);\n    timeout = 1s\n", "asin,stat");
	assert_int_equal(c->nfuncs, 2);
	assert_int_equal(miso__conf_lookup(c, "asin")->pol.timeout_ms, 1000);
	miso__conf_free(c);
	/* Worker mode for the names only. */
	c = parse_iso("int f(const char *s);\n", "stat", 1, &d);
	assert_non_null(c);
	miso__conf_diag_free(&d);
	assert_int_equal(miso__conf_lookup(c, "stat")->pol.mode,
	    MISO__MODE_WORKER);
	assert_int_equal(miso__conf_lookup(c, "f")->pol.mode, MISO__MODE_FORK);
	miso__conf_free(c);
	bad("", "stat,nosuch", "-i:1:6: error: no pack declares 'nosuch'\n"
	    "stat,nosuch\n     ^\n-i:1:6: note: declare it in a "
	    "configuration file: 'miso gen' prints a declaration from a "
	    "header or from debugging information\n");
	bad("", "stat asim", "-i:1:6: error: no pack declares 'asim'\n"
	    "stat asim\n     ^\n-i:1:6: note: did you mean 'asin'?\n"
	    "-i:1:6: note: declare it in a configuration file: 'miso gen' "
	    "prints a declaration from a header or from debugging "
	    "information\n");
	bad("", "readdir", "-i:1:1: error: 'readdir' cannot be isolated: "
	    "readdir advances the DIR stream in the child\nreaddir\n^\n"
	    "-i:1:1: note: declare it with 'force = yes' in a configuration "
	    "file to isolate it all the same\n");
	c = ok("use alpha: readdir\n    force = yes\n", "readdir");
	miso__conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_use_all_leaves_refused_out),
		cmocka_unit_test(test_pack_use_some),
		cmocka_unit_test(test_pack_user_declaration_wins),
		cmocka_unit_test(test_pack_unknown_pack_and_entry),
		cmocka_unit_test(test_pack_refused_entry),
		cmocka_unit_test(test_pack_bad_use_lines),
		cmocka_unit_test(test_pack_cannot_use_a_pack),
		cmocka_unit_test(test_pack_isolate_names),
	};

	return cmocka_run_group_tests_name("config_pack", tests, setup,
	    teardown);
}
