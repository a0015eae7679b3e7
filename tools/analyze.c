/*
 * The verdict on each configured function: which objects import it
 * through a slot the shim rewrites, which object defines it, and whether
 * some of its callers bind to it where no slot can redirect them.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "config.h"
#include "report.h"

void
miso__add_finding(struct miso__report *rp, enum miso__sev sev,
    const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = miso__xvasprintf(fmt, ap);
	va_end(ap);
	rp->findings = miso__xrealloc(rp->findings, rp->nfindings + 1,
	    sizeof *rp->findings);
	rp->findings[rp->nfindings].sev = sev;
	rp->findings[rp->nfindings++].text = text;
}

static void
reason(struct miso__fnreport *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reason(struct miso__fnreport *f, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = miso__xvasprintf(fmt, ap);
	va_end(ap);
	f->reasons = miso__xrealloc(f->reasons, f->nreasons + 1,
	    sizeof *f->reasons);
	f->reasons[f->nreasons++] = text;
}

const char *
miso__obj_shown(const struct miso__report *rp, const struct miso__obj *o,
    char *buf, size_t size)
{
	const struct miso__obj *exe = rp->load.first;
	const char *base;
	size_t n = strlen(exe->origin);

	if (o == exe) {
		base = strrchr(o->name, '/');
		snprintf(buf, size, "%s", base != NULL ? base + 1 : o->name);
	} else if (strncmp(o->path, exe->origin, n) == 0 && o->path[n] == '/')
		snprintf(buf, size, "%s", o->path + n + 1);
	else
		snprintf(buf, size, "%s", o->path);
	return buf;
}

/* For another type, the text lives in a static buffer until the next call. */
const char *
miso__rel_name(unsigned kind, unsigned other)
{
	static char buf[32];

	switch (kind) {
	case MISO__R_JUMP_SLOT:
		return "JUMP_SLOT";
	case MISO__R_GLOB_DAT:
		return "GLOB_DAT";
	case MISO__R_64:
		return MISO__ARCH_ABS64_NAME;
	}
	snprintf(buf, sizeof buf, "type %u", other);
	return buf;
}

static unsigned
rel_kind(unsigned type)
{
	return type == MISO__ARCH_JUMP_SLOT ? MISO__R_JUMP_SLOT :
	    type == MISO__ARCH_GLOB_DAT ? MISO__R_GLOB_DAT :
	    type == MISO__ARCH_ABS64 ? MISO__R_64 : MISO__R_OTHER;
}

/* The shim leaves the dynamic loader alone, so its slots do not count. */
static void
collect_imports(const struct miso__report *rp, struct miso__fnreport *f)
{
	const struct miso__obj *o;
	size_t i;

	for (o = rp->load.first; o != NULL; o = o->next) {
		struct miso__import im = { o, 0, 0, NULL };

		for (i = 0; i < o->nrels && !o->is_interp; i++) {
			const struct miso__dsym *y;

			if (o->rels[i].sym >= o->nsyms)
				continue;
			y = &o->syms[o->rels[i].sym];
			if (strcmp(y->name, f->fn->name) != 0)
				continue;
			im.kinds |= rel_kind(o->rels[i].type);
			if (rel_kind(o->rels[i].type) == MISO__R_OTHER)
				im.other = o->rels[i].type;
			if (!y->defined && y->version != NULL)
				im.version = y->version;
		}
		if (im.kinds == 0)
			continue;
		f->imports = miso__xrealloc(f->imports, f->nimports + 1,
		    sizeof *f->imports);
		f->imports[f->nimports++] = im;
	}
}

static int
is_named(const struct miso__obj *o, const char *name)
{
	const char *base = strrchr(o->path, '/');

	return strcmp(o->name, name) == 0 || strcmp(o->path, name) == 0 ||
	    (o->soname != NULL && strcmp(o->soname, name) == 0) ||
	    (base != NULL && strcmp(base + 1, name) == 0);
}

/* A [library] the program does not need: the shim dlopen()s it. */
static struct miso__obj *
config_library(struct miso__report *rp, const char *name)
{
	struct miso__obj *o, **tail;
	char *path;

	for (o = rp->load.first; o != NULL; o = o->next)
		if (is_named(o, name))
			return o;
	path = miso__find_library(name, NULL, NULL, NULL);
	if (path == NULL || miso__obj_open(path, &o) != 0) {
		free(path);
		return NULL;
	}
	free(path);
	o->name = miso__xstrdup(name);
	o->origin = miso__xstrdup("/");
	o->by_config = 1;
	for (tail = &rp->load.first; *tail != NULL; tail = &(*tail)->next)
		continue;
	*tail = o;
	return o;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
find_definition(struct miso__report *rp, struct miso__fnreport *f)
{
	const struct miso__obj *o;
	size_t i;

	if (f->fn->library != NULL) {
		o = config_library(rp, f->fn->library);
		if (o != NULL && miso__obj_def(o, f->fn->name) != NULL)
			f->def = o;
		else
			reason(f, "warning: its [library] %s %s",
			    f->fn->library, o == NULL ? "is not found" : "does not define it");
	}
	for (o = rp->load.first; f->def == NULL && o != NULL; o = o->next)
		if (!o->by_config && miso__obj_def(o, f->fn->name) != NULL)
			f->def = o;
	if (f->def == NULL)
		return;
	for (i = 0; i < f->def->nsyms; i++) {
		const struct miso__dsym *y = &f->def->syms[i];

		if (!y->defined || strcmp(y->name, f->fn->name) != 0)
			continue;
		f->versions = miso__xrealloc(f->versions, f->nversions + 1,
		    sizeof *f->versions);
		f->versions[f->nversions++] = y->version == NULL ?
		    miso__xstrdup("(none)") : miso__xasprintf("%s%s",
		    y->version, y->hidden_ver ? "" : " (default)");
	}
	/* In a stable order, whatever the linker's order of .dynsym. */
	qsort(f->versions, f->nversions, sizeof *f->versions, cmp_str);
}

static void
check_version(struct miso__fnreport *f)
{
	size_t i, n;

	if (f->fn->version == NULL || f->def == NULL)
		return;
	n = strlen(f->fn->version);
	for (i = 0; i < f->nversions; i++)
		if (strncmp(f->versions[i], f->fn->version, n) == 0 &&
		    (f->versions[i][n] == '\0' || f->versions[i][n] == ' '))
			return;
	reason(f, "warning: the configured version %s is not one it has",
	    f->fn->version);
}

/* Callers that bind inside the defining object; returns how many kinds. */
static int
local_binding(const struct miso__report *rp, struct miso__fnreport *f)
{
	const struct miso__dsym *y = miso__obj_def(f->def, f->fn->name);
	char nb[4096];
	const char *dn = miso__obj_shown(rp, f->def, nb, sizeof nb);
	size_t calls = miso__obj_direct_calls(f->def, y->value);
	int n = 0;

	if (f->def->symbolic && ++n)
		reason(f, "%s is linked -Bsymbolic (DT_SYMBOLIC): its own "
		    "references to it bind inside it", dn);
	if (y->vis == STV_PROTECTED && ++n)
		reason(f, "it has protected visibility in %s: references "
		    "from inside %s bind to it directly", dn, dn);
	if (calls > 0 && ++n)
		reason(f, "%s calls it directly (%zu call or jump "
		    "instruction%s), without a slot to rebind", dn, calls,
		    calls == 1 ? "" : "s");
	return n;
}

static void
why_never(const struct miso__report *rp, struct miso__fnreport *f)
{
	const struct miso__obj *o;
	char nb[4096];
	size_t i;

	for (i = 0; i < f->nimports; i++)
		reason(f, "%s refers to it only through relocation %s, which "
		    "the shim does not rebind", miso__obj_shown(rp,
		    f->imports[i].obj, nb, sizeof nb),
		    miso__rel_name(MISO__R_OTHER, f->imports[i].other));
	if (f->def != NULL) {
		reason(f, "no object imports it: it is only called inside %s",
		    miso__obj_shown(rp, f->def, nb, sizeof nb));
		return;
	}
	for (o = rp->load.first; o != NULL; o = o->next)
		if (miso__obj_hidden(o, f->fn->name)) {
			reason(f, "it has hidden visibility in %s: not "
			    "exported, so calls to it never leave %s",
			    miso__obj_shown(rp, o, nb, sizeof nb),
			    miso__obj_shown(rp, o, nb, sizeof nb));
			return;
		}
	reason(f, "no object the program needs defines or imports it: it is "
	    "reachable only through dlopen(3), if at all");
}

static void
verdict(struct miso__report *rp, struct miso__fnreport *f)
{
	size_t i, rebound = 0;

	for (i = 0; i < f->nimports; i++)
		if (f->imports[i].kinds & MISO__R_REBOUND)
			rebound++;
	if (rp->is_static) {
		f->verdict = "never";
		reason(f, "the program is statically linked: it loads no "
		    "shim and has no slots to rebind");
	} else if (rebound == 0) {
		f->verdict = "never";
		why_never(rp, f);
	} else if (f->def != NULL && local_binding(rp, f) > 0)
		f->verdict = "partly";
	else
		f->verdict = "isolated";
	if (rebound > 0 && f->def == NULL)
		reason(f, "warning: imported, but defined by no object the "
		    "program needs (a dlopen()ed object may define it)");
}

static void
analyze_fn(struct miso__report *rp, struct miso__fnreport *f)
{
	collect_imports(rp, f);
	find_definition(rp, f);
	check_version(f);
	verdict(rp, f);
	if (f->def != NULL) {
		miso__proto_check(f->def, f->fn, &f->proto);
		f->proto_checked = 1;
	}
}

static int
fn_status(const struct miso__fnreport *f)
{
	size_t i;

	if (strcmp(f->verdict, "isolated") != 0 || f->proto.variadic ||
	    f->proto.nmismatch > 0)
		return MISO__EXIT_WARN;
	for (i = 0; i < f->nreasons; i++)
		if (strncmp(f->reasons[i], "warning:", 8) == 0)
			return MISO__EXIT_WARN;
	return 0;
}

/* RTLD_DEEPBIND is a flag to a call: only run time can tell. */
static void
note_dlopen(struct miso__report *rp)
{
	const struct miso__obj *o;
	size_t i;

	for (o = rp->load.first; o != NULL; o = o->next)
		for (i = 0; i < o->nsyms; i++)
			if (!o->syms[i].defined &&
			    (strcmp(o->syms[i].name, "dlopen") == 0 ||
			    strcmp(o->syms[i].name, "dlmopen") == 0)) {
				miso__add_finding(rp, MISO__NOTE, "the program "
				    "calls dlopen(3): whether it passes "
				    "RTLD_DEEPBIND, which makes a library bind "
				    "to its own dependencies first, is not "
				    "knowable statically");
				return;
			}
}

void
miso__analyze(struct miso__report *rp, const struct miso_conf *conf)
{
	size_t i;

	for (i = 0; i < rp->load.nmissing; i++) {
		const char *m = rp->load.missing[i];
		const char *by = strchr(m, '\t') + 1;
		const char *why = strchr(by, '\t') + 1;

		if (*why == '\0')
			miso__add_finding(rp, MISO__ERROR, "library %.*s, "
			    "needed by %.*s, is not found", (int)(by - 1 - m),
			    m, (int)(why - 1 - by), by);
		else
			miso__add_finding(rp, MISO__ERROR, "library %.*s, "
			    "needed by %.*s, is not usable: %s",
			    (int)(by - 1 - m), m, (int)(why - 1 - by), by, why);
	}
	if (rp->load.interp_why != NULL)
		miso__add_finding(rp, MISO__ERROR, "the interpreter %s is not "
		    "usable: %s", rp->load.first->interp, rp->load.interp_why);
	if (rp->is_static)
		miso__add_finding(rp, MISO__ERROR, "the program is static (no "
		    "PT_INTERP): it cannot preload libmiso.so");
	if (rp->setuid)
		miso__add_finding(rp, MISO__ERROR, "the program is set-user-ID "
		    "or set-group-ID: the loader ignores LD_PRELOAD paths in "
		    "it");
	note_dlopen(rp);
	rp->nfns = conf->nfuncs;
	rp->fns = miso__xcalloc(conf->nfuncs, sizeof *rp->fns);
	for (i = 0; i < conf->nfuncs; i++) {
		rp->fns[i].fn = &conf->funcs[i];
		analyze_fn(rp, &rp->fns[i]);
		if (fn_status(&rp->fns[i]) > rp->status)
			rp->status = fn_status(&rp->fns[i]);
	}
	for (i = 0; i < rp->nfindings; i++)
		if (rp->findings[i].sev == MISO__ERROR)
			rp->status = MISO__EXIT_USAGE;
		else if (rp->findings[i].sev == MISO__WARNING &&
		    rp->status < MISO__EXIT_WARN)
			rp->status = MISO__EXIT_WARN;
}

void
miso__report_free(struct miso__report *rp)
{
	size_t i, j;

	for (i = 0; i < rp->nfns; i++) {
		struct miso__fnreport *f = &rp->fns[i];

		for (j = 0; j < f->nversions; j++)
			free(f->versions[j]);
		for (j = 0; j < f->nreasons; j++)
			free(f->reasons[j]);
		free(f->versions);
		free(f->reasons);
		free(f->imports);
		miso__proto_free(&f->proto);
	}
	for (i = 0; i < rp->nfindings; i++)
		free(rp->findings[i].text);
	free(rp->fns);
	free(rp->findings);
	miso__load_free(&rp->load);
}
