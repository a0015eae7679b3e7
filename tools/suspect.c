/*
 * miso check's warnings about functions that a configuration declares
 * itself and that isolation may get wrong: one that a pack refuses
 * (declared by hand, it escapes the refusal), and one that takes a
 * non-const pointer to a handle passed as it is, which miso gen would
 * not isolate: what the function changes behind the handle stays in the
 * child.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tools.h"

/* The reason a pack refuses name, malloc'd, or NULL. */
static char *
refused(const char *name)
{
	struct miso__conf_isolate iso = { name, "pack", 0 };
	struct miso__conf_diag diag;
	struct miso_conf *c;
	const char *why;
	char *s = NULL;

	if (miso__conf_parse_isolate("pack", "", 0, &iso, &c, &diag) == 0)
		miso__conf_free(c);
	else if ((why = strstr(diag.msg, MISO__REFUSED)) != NULL)
		s = miso__xstrdup(why + strlen(MISO__REFUSED));
	miso__conf_diag_free(&diag);
	return s;
}

static const char *
handle(const struct miso__conf_func *fn)
{
	const struct miso__conf_type *t, *to;
	size_t i;

	for (i = 0; i < fn->nparams; i++) {
		t = miso__real_type(fn->params[i].type);
		if (!fn->params[i].opaque || t->kind != MISO__K_POINTER)
			continue;
		to = miso__real_type(t->pointee);
		if (to != NULL && to->incomplete && !t->pointee_const)
			return fn->params[i].name != NULL ?
			    fn->params[i].name : "a parameter";
	}
	return NULL;
}

int
miso__suspect(const struct miso_conf *conf, FILE *fp)
{
	const struct miso__conf_func *fn;
	const char *h;
	size_t i, n = 0;
	char *why;

	for (i = 0; i < conf->nfuncs; i++) {
		fn = &conf->funcs[i];
		if (strcmp(fn->file, conf->file) != 0)
			continue;	/* from a pack: refused there */
		if ((why = refused(fn->name)) != NULL) {
			fprintf(fp, "%s:%d:%d: warning: %s: the packs refuse "
			    "it: %s\n", fn->file, fn->line, fn->col, fn->name,
			    why);
			free(why);
			n++;
		} else if ((h = handle(fn)) != NULL) {
			fprintf(fp, "%s:%d:%d: warning: %s: '%s' is a handle "
			    "passed as it is: what the function changes behind "
			    "it stays in the child\n", fn->file, fn->line,
			    fn->col, fn->name, h);
			n++;
		}
	}
	return n > 0;
}
