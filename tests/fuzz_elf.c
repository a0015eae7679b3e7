/*
 * libFuzzer target for the ELF side of 'miso check': the reader
 * (tools/elfobj.c), the library search (tools/ldsearch.c), the analysis
 * and both reports, on a program and the libraries it needs.
 *
 * An input is a program, then optionally libraries, each after the
 * separator "\nMISOLIB\n". The program goes into a directory of our own
 * as "prog", the k-th library under the k-th DT_NEEDED name of the
 * program, and the library search is confined to that directory (no
 * ld.so.cache, no system directory), so that every object read comes from
 * the input. Malformed files are the normal case; only crashes, hangs,
 * leaks, sanitizer reports and allocations over -malloc_limit_mb (64 MiB
 * unless given) count.
 *
 * The seeds in tests/corpus/elf are the test objects of tests/tools
 * (prog.c, tt.c with its DWARF, sym.c -Bsymbolic, prot.c, ver.c with
 * versions), built small (-Os, -z noseparate-code, max-page-size 4096,
 * stripped but for libtt.so).
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "report.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEP	"\nMISOLIB\n"
#define MAXLIB	8

static const char conf_text[] =
    "int tt_add(int a, int b);\n"
    "double tt_scale(double x, int n);\n"
    "int tt_hidden(int x);\n"
    "long tt_mismatch(long a, long b, long c);\n"
    "int sym_twice(int x);\n"
    "int prot_get(int x);\n"
    "int ver_get(int x);\n"
    "    version = VER_2\n"
    "int plug_run(int x);\n"
    "[library libsym.so]\n"
    "int sym_other(int x);\n"
    "[library libnowhere.so]\n"
    "int nowhere(void);\n";

static char dir[] = "/tmp/miso-fuzz-elf-XXXXXX";
static const char *dirs[2];
static char prog[64];
static struct miso_conf *conf;
static FILE *out;

/* The libraries are removed after each input; the program at the end. */
static void
cleanup(void)
{
	unlink(prog);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char limit[] = "-malloc_limit_mb=64";
	char **av;
	int i;

	if (mkdtemp(dir) == NULL || miso__conf_parse("fuzz.conf", conf_text,
	    sizeof conf_text - 1, &conf, NULL) != 0 ||
	    (out = fopen("/dev/null", "w")) == NULL)
		abort();
	dirs[0] = dir;
	snprintf(prog, sizeof prog, "%s/prog", dir);
	atexit(cleanup);
	miso__ld_dirs = dirs;
	miso__ld_cache = 0;
	unsetenv("LD_LIBRARY_PATH");
	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], "-malloc_limit_mb=", 17) == 0)
			return 0;
	/* libFuzzer reads its flags after this: add the limit. */
	if ((av = calloc((size_t)*argc + 2, sizeof *av)) == NULL)
		abort();
	memcpy(av, *argv, (size_t)*argc * sizeof *av);
	av[(*argc)++] = limit;
	*argv = av;
	return 0;
}

static void
put(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755)) == -1)
		abort();
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* A file name of the directory: no slash, not "." or "..". */
static int
plain(const char *s)
{
	return *s != '\0' && strlen(s) < 200 && strchr(s, '/') == NULL &&
	    strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	    strcmp(s, "prog") != 0;
}

/* Splits the input; writes the program, then its libraries. */
static size_t
write_objects(const uint8_t *data, size_t size, char *names[MAXLIB])
{
	const uint8_t *p = data, *end = data + size, *q;
	struct miso__obj *o = NULL;
	size_t k = 0, n;

	for (k = 0; p <= end && k <= MAXLIB; k++) {
		q = memmem(p, (size_t)(end - p), SEP, sizeof SEP - 1);
		n = q != NULL ? (size_t)(q - p) : (size_t)(end - p);
		if (k == 0) {
			put("prog", p, n);
			if (miso__obj_open(prog, &o) != 0)
				o = NULL;
		} else if (o != NULL && k - 1 < o->nneeded &&
		    plain(o->needed[k - 1])) {
			names[k - 1] = miso__xstrdup(o->needed[k - 1]);
			put(names[k - 1], p, n);
		} else
			break;
		if (q == NULL)
			break;
		p = q + sizeof SEP - 1;
	}
	miso__obj_free(o);
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct miso__report rp = { 0 };
	char *names[MAXLIB] = { 0 }, path[512];
	size_t i;
	int r;

	/* Not chdir(): libFuzzer reads its corpus by relative paths. */
	write_objects(data, size, names);
	if ((r = miso__load_program(prog, &rp.load)) == 0) {
		rp.config = "fuzz.conf";
		rp.is_static = rp.load.first->interp == NULL;
		miso__analyze(&rp, conf);
		miso__report_text(&rp, out);
		miso__report_json(&rp, out);
		miso__report_free(&rp);
	} else
		(void)miso__obj_strerror(r);
	for (i = 0; i < MAXLIB; i++)
		if (names[i] != NULL) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			unlink(path);
			free(names[i]);
		}
	return 0;
}
