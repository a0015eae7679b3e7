/*
 * The text form of the 'miso check' report: the objects in load order,
 * one paragraph per configured function, then program-wide findings and
 * a summary line. Every string that comes from a file is escaped.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "report.h"

static const char *const sev_names[] = { "note", "warning", "error" };

static void
objects(const struct miso__report *rp, FILE *fp)
{
	const struct miso__obj *o;
	char nb[4096];

	fputs("objects, in load order:\n", fp);
	for (o = rp->load.first; o != NULL; o = o->next) {
		if (o == rp->load.first)
			fprintf(fp, "\t%s\n", miso__esc(miso__obj_shown(rp, o,
			    nb, sizeof nb)));
		else
			fprintf(fp, "\t%s => %s%s\n", miso__esc(o->name),
			    miso__esc(miso__obj_shown(rp, o, nb, sizeof nb)),
			    o->by_config ? " (dlopen()ed for [library])" : "");
	}
}

static void
imports(const struct miso__report *rp, const struct miso__fnreport *f,
    FILE *fp)
{
	static const unsigned kinds[] = { MISO__R_JUMP_SLOT, MISO__R_GLOB_DAT,
	    MISO__R_64, MISO__R_OTHER };
	char nb[4096];
	size_t i, k;

	for (i = 0; i < f->nimports; i++) {
		const struct miso__import *im = &f->imports[i];
		const char *sep = "";

		fprintf(fp, "\timported by %s (", miso__esc(miso__obj_shown(rp,
		    im->obj, nb, sizeof nb)));
		for (k = 0; k < 4; k++)
			if (im->kinds & kinds[k]) {
				fprintf(fp, "%s%s", sep,
				    miso__rel_name(kinds[k], im->other));
				sep = ", ";
			}
		if (im->version != NULL)
			fprintf(fp, "; version %s", miso__esc(im->version));
		fputs(")\n", fp);
	}
}

static void
definition(const struct miso__report *rp, const struct miso__fnreport *f,
    FILE *fp)
{
	char nb[4096];
	const char *dn;
	size_t i;

	if (f->def == NULL)
		return;
	dn = miso__esc(miso__obj_shown(rp, f->def, nb, sizeof nb));
	fprintf(fp, "\tdefined in %s", dn);
	if (f->nversions > 1 || strcmp(f->versions[0], "(none)") != 0)
		for (i = 0; i < f->nversions; i++)
			fprintf(fp, "%s%s", i == 0 ? ", version " : ", ",
			    miso__esc(f->versions[i]));
	fputs("\n", fp);
}

static void
prototype(const struct miso__report *rp, const struct miso__fnreport *f,
    FILE *fp)
{
	char nb[4096];
	const char *dn;
	size_t i;

	if (f->def == NULL)
		return;
	dn = miso__esc(miso__obj_shown(rp, f->def, nb, sizeof nb));
	if (!f->proto.found)
		fprintf(fp, "\tprototype: not checked, %s has no DWARF for "
		    "it\n", dn);
	else if (f->proto.nmismatch == 0 && !f->proto.variadic)
		fprintf(fp, "\tprototype: matches the DWARF of %s\n", dn);
	for (i = 0; i < f->proto.nmismatch; i++)
		fprintf(fp, "\twarning: prototype: %s\n",
		    miso__esc(f->proto.mismatch[i]));
	if (f->proto.variadic)
		fprintf(fp, "\twarning: it is variadic in the DWARF of %s, and "
		    "miso cannot isolate a variadic function\n", dn);
}

static void
function(const struct miso__report *rp, const struct miso__fnreport *f,
    FILE *fp)
{
	size_t i;

	fprintf(fp, "\n%s: %s\n", miso__esc(f->fn->name), f->verdict);
	imports(rp, f, fp);
	definition(rp, f, fp);
	for (i = 0; i < f->nreasons; i++)
		fprintf(fp, "\t%s\n", miso__esc(f->reasons[i]));
	prototype(rp, f, fp);
}

void
miso__report_text(const struct miso__report *rp, FILE *fp)
{
	size_t i, n[3] = { 0 };
	const struct miso__obj *exe = rp->load.first;

	fprintf(fp, "program: %s\ninterpreter: %s\n",
	    miso__esc(miso__obj_shown(rp, exe, (char[4096]){ 0 }, 4096)),
	    exe->interp != NULL ? miso__esc(exe->interp) : "none (static)");
	objects(rp, fp);
	for (i = 0; i < rp->nfns; i++) {
		function(rp, &rp->fns[i], fp);
		n[rp->fns[i].verdict[0] == 'i' ? 0 :
		    rp->fns[i].verdict[0] == 'p' ? 1 : 2]++;
	}
	if (rp->nfindings > 0)
		fputs("\n", fp);
	for (i = 0; i < rp->nfindings; i++)
		fprintf(fp, "%s: %s\n", sev_names[rp->findings[i].sev],
		    miso__esc(rp->findings[i].text));
	fprintf(fp, "\n%zu function%s: %zu isolated, %zu partly, %zu never\n",
	    rp->nfns, rp->nfns == 1 ? "" : "s", n[0], n[1], n[2]);
}
