/*
 * libhookpre.so: a preload library for testing the rebinding module
 * alone. Its constructor hooks the functions named in HOOK_NAMES
 * (name[@version][:library],...) with counting wrappers of type
 * long (long, long) that add 1000 to the real result; at exit it writes
 * "name count" lines to the file HOOK_OUT, or to stderr; with
 * HOOK_SHOWREAL set, each line ends in "found" or "missing" (the real).
 * HOOK_DEBUG=1 shows the module's messages.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../shim/rebind.h"

#define MAXHOOK	8

static struct miso__hook hooks[MAXHOOK];
static atomic_long counts[MAXHOOK];
static size_t nhooks;

static long
call(int i, long a, long b)
{
	long (*real)(long, long) = (long (*)(long, long))
	    atomic_load(&hooks[i].real);

	atomic_fetch_add(&counts[i], 1);
	if (real == NULL)
		return -1;
	return real(a, b) + 1000;
}

#define WRAPPER(i)							\
static long								\
w##i(long a, long b)							\
{									\
	return call(i, a, b);						\
}
WRAPPER(0) WRAPPER(1) WRAPPER(2) WRAPPER(3)
WRAPPER(4) WRAPPER(5) WRAPPER(6) WRAPPER(7)

static long (*const wrappers[MAXHOOK])(long, long) = {
	w0, w1, w2, w3, w4, w5, w6, w7
};

void
miso__log(int level, const char *fmt, ...)
{
	va_list ap;

	if (getenv("HOOK_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "miso[%d]: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
parse(char *spec)
{
	char *save = NULL, *tok, *p;

	for (tok = strtok_r(spec, ",", &save); tok != NULL &&
	    nhooks < MAXHOOK; tok = strtok_r(NULL, ",", &save)) {
		struct miso__hook *h = &hooks[nhooks];

		if ((p = strchr(tok, ':')) != NULL) {
			*p = '\0';
			h->library = p + 1;
		}
		if ((p = strchr(tok, '@')) != NULL) {
			*p = '\0';
			h->version = p + 1;
		}
		h->name = tok;
		h->entry = (void *)wrappers[nhooks];
		nhooks++;
	}
}

__attribute__((constructor)) static void
hookpre_init(void)
{
	const char *names = getenv("HOOK_NAMES");
	char *spec;
	int rc;

	if (names == NULL || (spec = strdup(names)) == NULL)
		return;
	parse(spec);
	if ((rc = miso__rebind_init(hooks, nhooks)) != 0)
		fprintf(stderr, "hookpre: miso__rebind_init: %s\n",
		    strerror(-rc));
}

__attribute__((destructor)) static void
hookpre_fini(void)
{
	const char *out = getenv("HOOK_OUT");
	FILE *f = stderr;
	size_t i;

	if (nhooks == 0)
		return;
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		return;
	}
	for (i = 0; i < nhooks; i++)
		fprintf(f, "%s %ld%s\n", hooks[i].name,
		    atomic_load(&counts[i]), getenv("HOOK_SHOWREAL") == NULL ?
		    "" : atomic_load(&hooks[i].real) != NULL ? " found" :
		    " missing");
	if (f != stderr)
		fclose(f);
}
