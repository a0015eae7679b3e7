/*
 * The JSON form of the 'miso check' report: the same content as the text
 * form, as one document.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "report.h"

static const char *const sev_names[] = { "note", "warning", "error" };

static void
objects(const struct miso__report *rp, struct miso__json *j)
{
	const struct miso__obj *o;
	char nb[4096], lb[4096];

	miso__json_arr(j, "objects");
	for (o = rp->load.first; o != NULL; o = o->next) {
		miso__json_obj(j, NULL);
		miso__json_str(j, "name", o == rp->load.first ?
		    miso__obj_shown(rp, o, nb, sizeof nb) : o->name);
		miso__json_str(j, "path", miso__obj_shown(rp, o, nb,
		    sizeof nb));
		miso__json_str(j, "needed_by", o->loader == NULL ? NULL :
		    o->loader == rp->load.first ? miso__obj_shown(rp,
		    o->loader, lb, sizeof lb) : o->loader->name);
		miso__json_bool(j, "for_library_setting", o->by_config);
		miso__json_end(j, '}');
	}
	miso__json_end(j, ']');
}

static void
imports(const struct miso__report *rp, const struct miso__fnreport *f,
    struct miso__json *j)
{
	static const unsigned kinds[] = { MISO__R_JUMP_SLOT, MISO__R_GLOB_DAT,
	    MISO__R_64, MISO__R_OTHER };
	char nb[4096];
	size_t i, k;

	miso__json_arr(j, "imports");
	for (i = 0; i < f->nimports; i++) {
		miso__json_obj(j, NULL);
		miso__json_str(j, "object", miso__obj_shown(rp,
		    f->imports[i].obj, nb, sizeof nb));
		miso__json_arr(j, "relocations");
		for (k = 0; k < 4; k++)
			if (f->imports[i].kinds & kinds[k])
				miso__json_str(j, NULL, miso__rel_name(kinds[k],
				    f->imports[i].other));
		miso__json_end(j, ']');
		miso__json_str(j, "version", f->imports[i].version);
		miso__json_end(j, '}');
	}
	miso__json_end(j, ']');
}

static void
definition(const struct miso__report *rp, const struct miso__fnreport *f,
    struct miso__json *j)
{
	char nb[4096];
	size_t i;

	if (f->def == NULL) {
		miso__json_str(j, "definition", NULL);
		return;
	}
	miso__json_obj(j, "definition");
	miso__json_str(j, "object", miso__obj_shown(rp, f->def, nb,
	    sizeof nb));
	miso__json_arr(j, "versions");
	for (i = 0; i < f->nversions; i++)
		miso__json_str(j, NULL, f->versions[i]);
	miso__json_end(j, ']');
	miso__json_end(j, '}');
	miso__json_obj(j, "prototype");
	miso__json_bool(j, "dwarf", f->proto.found);
	miso__json_bool(j, "variadic", f->proto.variadic);
	miso__json_arr(j, "mismatches");
	for (i = 0; i < f->proto.nmismatch; i++)
		miso__json_str(j, NULL, f->proto.mismatch[i]);
	miso__json_end(j, ']');
	miso__json_end(j, '}');
}

static void
function(const struct miso__report *rp, const struct miso__fnreport *f,
    struct miso__json *j)
{
	size_t i;

	miso__json_obj(j, NULL);
	miso__json_str(j, "name", f->fn->name);
	miso__json_str(j, "verdict", f->verdict);
	imports(rp, f, j);
	definition(rp, f, j);
	miso__json_arr(j, "reasons");
	for (i = 0; i < f->nreasons; i++)
		miso__json_str(j, NULL, f->reasons[i]);
	miso__json_end(j, ']');
	miso__json_end(j, '}');
}

void
miso__report_json(const struct miso__report *rp, FILE *fp)
{
	struct miso__json j;
	char nb[4096];
	size_t i;

	miso__json_begin(&j, fp);
	miso__json_obj(&j, NULL);
	miso__json_str(&j, "program", miso__obj_shown(rp, rp->load.first, nb,
	    sizeof nb));
	miso__json_str(&j, "interpreter", rp->load.first->interp);
	miso__json_bool(&j, "static", rp->is_static);
	miso__json_bool(&j, "setuid", rp->setuid);
	objects(rp, &j);
	miso__json_arr(&j, "functions");
	for (i = 0; i < rp->nfns; i++)
		function(rp, &rp->fns[i], &j);
	miso__json_end(&j, ']');
	miso__json_arr(&j, "findings");
	for (i = 0; i < rp->nfindings; i++) {
		miso__json_obj(&j, NULL);
		miso__json_str(&j, "severity", sev_names[rp->findings[i].sev]);
		miso__json_str(&j, "message", rp->findings[i].text);
		miso__json_end(&j, '}');
	}
	miso__json_end(&j, ']');
	miso__json_int(&j, "status", rp->status);
	miso__json_end(&j, '}');
}
