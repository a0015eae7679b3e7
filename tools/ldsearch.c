/*
 * Finding a program's libraries as the dynamic loader (glibc's ld.so)
 * does: breadth-first over DT_NEEDED, each name searched in DT_RPATH of
 * the loading object and its loaders up to the executable (unless the
 * loading object has DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH of the
 * loading object, /etc/ld.so.cache, then the default directories.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "tools.h"

static const char *const default_dirs[] = {
	"/lib/" MISO__ARCH_TRIPLET, "/usr/lib/" MISO__ARCH_TRIPLET,
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
};

/* What $LIB expands to: the multiarch directory where there is one. */
static const char *
lib_token(void)
{
	struct stat st;

	return stat("/lib/" MISO__ARCH_TRIPLET, &st) == 0 ?
	    "lib/" MISO__ARCH_TRIPLET : MISO__ARCH_LIBDIR;
}

static size_t
token(const char *s, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(s, name, n) == 0 && (s[n] == '/' || s[n] == '\0' ||
	    s[n] == ':'))
		return n;
	if (s[0] == '{' && strncmp(s + 1, name, n) == 0 && s[n + 1] == '}')
		return n + 2;
	return 0;
}

/* The replacement of the token at dir (after its '$'), and its length. */
static const char *
token_at(const char *dir, const struct miso__obj *o, size_t *n)
{
	if ((*n = token(dir, "ORIGIN")) != 0)
		return o->origin;
	if ((*n = token(dir, "LIB")) != 0)
		return lib_token();
	if ((*n = token(dir, "PLATFORM")) != 0)
		return MISO__ARCH_PLATFORM;
	return NULL;
}

/*
 * Expands $ORIGIN, $LIB and $PLATFORM (also written ${ORIGIN}...): one
 * pass to measure, one to copy, so that the time is linear in the length
 * of what a file may make as long as it likes. NULL if the result would
 * be longer than a path can be: no file has that name, and a RUNPATH of
 * many $ORIGIN times a long origin would otherwise ask for gigabytes.
 */
static char *
expand(const char *dir, const struct miso__obj *o)
{
	const char *p, *rep;
	char *out, *w;
	size_t n, len = 0;
	int copy;

	out = w = NULL;
	for (copy = 0; copy < 2; copy++) {
		for (p = dir; *p != '\0'; ) {
			rep = *p == '$' ? token_at(p + 1, o, &n) : NULL;
			if (rep == NULL) {
				if (copy)
					*w++ = *p;
				else
					len++;
				p++;
				continue;
			}
			if (copy)
				w = stpcpy(w, rep);
			else if ((len += strlen(rep)) >= PATH_MAX)
				return NULL;
			p += n + 1;
		}
		if (!copy && len >= PATH_MAX)
			return NULL;
		if (!copy)
			out = w = miso__xcalloc(len + 1, 1);
	}
	*w = '\0';
	return out;
}

/* Whether the loader goes on searching after this error from a file. */
static int
skipped(int r)
{
	return r == -ENOENT || r == -ENOTDIR || r == -EACCES ||
	    r == -ENAMETOOLONG || r == -ELOOP || r == -ENOEXEC;
}

/*
 * Remembers, in *why, the first file that is there but cannot be used, so
 * that a library "not found" can say why.
 */
static void
note_unusable(char **why, const char *path, int r)
{
	if (why != NULL && *why == NULL)
		*why = miso__xasprintf("%s: %s", path, miso__obj_strerror(r));
}

/* Tries each directory of a colon- or semicolon-separated list. */
static char *
try_list(const char *list, const char *name, const struct miso__obj *o,
    char **why)
{
	char *copy, *dir, *save = NULL, *path, *found = NULL;
	struct miso__obj *probe;
	int r;

	if (list == NULL)
		return NULL;
	copy = miso__xstrdup(list);
	for (dir = strtok_r(copy, ":;", &save); dir != NULL && found == NULL;
	    dir = strtok_r(NULL, ":;", &save)) {
		char *d = o != NULL ? expand(dir, o) : miso__xstrdup(dir);

		if (d == NULL)
			continue;
		path = miso__xasprintf("%s/%s", *d ? d : ".", name);
		free(d);
		/* A file of another class is skipped, as the loader does. */
		if ((r = miso__obj_open(path, &probe)) == 0) {
			miso__obj_free(probe);
			found = path;
			continue;
		}
		if (!skipped(r))
			note_unusable(why, path, r);
		free(path);
	}
	free(copy);
	return found;
}

static char *
try_rpaths(const char *name, struct miso__obj *loader, struct miso__obj *exe,
    char **why)
{
	struct miso__obj *l;
	char *p;

	if (loader == NULL || loader->runpath != NULL)
		return NULL;
	for (l = loader; l != NULL; l = l->loader)
		if (l->runpath == NULL &&
		    (p = try_list(l->rpath, name, l, why)) != NULL)
			return p;
	if (exe != NULL && exe->runpath == NULL)
		return try_list(exe->rpath, name, exe, why);
	return NULL;
}

/*
 * Where the system's libraries are: ld.so.cache, then these directories.
 * The fuzzer points them at a directory of its own.
 */
const char *const *miso__ld_dirs = default_dirs;
int miso__ld_cache = 1;

/*
 * The path of name needed by loader, malloc'd, or NULL. If a file was
 * there but could not be used, *why (if why is not NULL and *why is NULL)
 * gets "path: reason", malloc'd.
 */
char *
miso__find_library(const char *name, struct miso__obj *loader,
    struct miso__obj *exe, char **why)
{
	char *p, *c;

	if (strchr(name, '/') != NULL)
		return access(name, R_OK) == 0 ? miso__xstrdup(name) : NULL;
	if ((p = try_rpaths(name, loader, exe, why)) != NULL)
		return p;
	if ((p = try_list(getenv("LD_LIBRARY_PATH"), name, NULL, why)) !=
	    NULL)
		return p;
	if (loader != NULL &&
	    (p = try_list(loader->runpath, name, loader, why)) != NULL)
		return p;
	if (loader != NULL && loader->nodeflib)
		return NULL;
	if (miso__ld_cache && (c = miso__ldcache_lookup(name)) != NULL) {
		if (access(c, R_OK) == 0)
			return c;
		free(c);
	}
	for (size_t i = 0; miso__ld_dirs[i] != NULL; i++)
		if ((p = try_list(miso__ld_dirs[i], name, NULL, why)) != NULL)
			return p;
	return NULL;
}

static char *
dir_of(const char *path)
{
	char *d = miso__xstrdup(path), *slash = strrchr(d, '/');

	if (slash == NULL) {
		free(d);
		return miso__xstrdup(".");
	}
	*(slash == d ? slash + 1 : slash) = '\0';
	return d;
}

/* Already loaded under that name or soname? Then the loader reuses it. */
static int
loaded(const struct miso__obj *first, const char *name)
{
	const struct miso__obj *o;

	for (o = first; o != NULL; o = o->next)
		if (strcmp(o->name, name) == 0 || (o->soname != NULL &&
		    strcmp(o->soname, name) == 0))
			return 1;
	return 0;
}

static void
add_missing(struct miso__load *ld, const char *name,
    const struct miso__obj *by, const char *why)
{
	const char *base = strrchr(by->name, '/');

	/* The program by its file name, as the report shows it. */
	if (by->loader != NULL || base == NULL)
		base = by->name;
	else
		base++;
	ld->missing = miso__xrealloc(ld->missing, ld->nmissing + 1,
	    sizeof *ld->missing);
	ld->missing[ld->nmissing++] = miso__xasprintf("%s\t%s\t%s", name,
	    base, why != NULL ? why : "");
}

/* Loads the needs of o, appending to the list that ends at *tail. */
static void
load_needs(struct miso__load *ld, struct miso__obj *o,
    struct miso__obj ***tail, struct miso__obj *interp)
{
	struct miso__obj *n;
	size_t i;
	char *path, *why;
	int r;

	for (i = 0; i < o->nneeded; i++) {
		const char *name = o->needed[i];

		if (loaded(ld->first, name) || (interp != NULL &&
		    interp->soname != NULL &&
		    strcmp(interp->soname, name) == 0))
			continue;
		why = NULL;
		r = 0;
		if ((path = miso__find_library(name, o, ld->first, &why)) !=
		    NULL && (r = miso__obj_open(path, &n)) != 0)
			note_unusable(&why, path, r);
		if (path == NULL || r != 0) {
			add_missing(ld, name, o, why);
			free(path);
			free(why);
			continue;
		}
		free(path);
		free(why);
		n->name = miso__xstrdup(name);
		n->origin = dir_of(n->path);
		n->loader = o;
		**tail = n;
		*tail = &n->next;
	}
}

/*
 * The interpreter is loaded before anything else and is found by its
 * soname; the loader lists it last.
 */
int
miso__load_program(const char *path, struct miso__load *ld)
{
	struct miso__obj *exe, *interp = NULL, *o, **tail;
	char real[PATH_MAX];
	int r;

	memset(ld, 0, sizeof *ld);
	if ((r = miso__obj_open(path, &exe)) != 0)
		return r;
	exe->name = miso__xstrdup(path);
	exe->origin = dir_of(realpath(path, real) != NULL ? real : path);
	ld->first = exe;
	if (exe->interp != NULL &&
	    (r = miso__obj_open(exe->interp, &interp)) != 0)
		ld->interp_why = miso__xasprintf("%s",
		    miso__obj_strerror(r));
	else if (exe->interp != NULL) {
		interp->name = miso__xstrdup(interp->soname != NULL ?
		    interp->soname : exe->interp);
		interp->is_interp = 1;
	}
	tail = &exe->next;
	for (o = exe; o != NULL; o = o->next)
		load_needs(ld, o, &tail, interp);
	*tail = interp;
	return 0;
}

void
miso__load_free(struct miso__load *ld)
{
	struct miso__obj *o, *next;
	size_t i;

	for (o = ld->first; o != NULL; o = next) {
		next = o->next;
		miso__obj_free(o);
	}
	for (i = 0; i < ld->nmissing; i++)
		free(ld->missing[i]);
	free(ld->missing);
	free(ld->interp_why);
	memset(ld, 0, sizeof *ld);
}
