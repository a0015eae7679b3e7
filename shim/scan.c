/*
 * One scan of the loaded objects: list those loaded since the last, look
 * in them for the reals still missing, and patch their slots.
 *
 * Every callback here runs under the loader's list lock; see struct
 * miso__dynobj in rebind_internal.h for what that forbids.
 */
#define _GNU_SOURCE
#include <sys/auxv.h>

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rebind_internal.h"

/* An object already scanned. */
struct seen {
	void		*map;
	uintptr_t	 base;
};

/* The state of one scan, passed to the callbacks. */
struct scan {
	struct seen	*fresh;
	size_t		 nfresh;
	size_t		 cap;
	bool		 pending;	/* an object was not ready */
	bool		 nomem;
	int		 rc;
	unsigned long long adds;
	unsigned long long subs;
};

/* What the scans have done so far, under miso__rebind_lock. */
static struct seen *seen;
static size_t nseen, seencap;
static unsigned long long last_adds, last_subs;
static bool last_pending = true;

/* The object holding this code: never patched, its calls stay real. */
bool
miso__is_self(const struct dl_phdr_info *info)
{
	return miso__obj_has(info, (uintptr_t)&miso__rebind_init);
}

static bool
is_ldso(const struct dl_phdr_info *info)
{
	return info->dlpi_addr != 0 && info->dlpi_addr == _r_debug.r_ldbase;
}

static bool
in_base_ns(const struct link_map *map)
{
	const struct link_map *l;

	for (l = _r_debug.r_map; l != NULL; l = l->l_next)
		if (l == map)
			return true;
	return false;
}

/*
 * The link_map of a complete object of the base namespace, or NULL.
 * _dl_find_object learns of a dlopened object only once it is relocated:
 * patching before would be undone by the relocation. Objects of other
 * namespaces (dlmopen) have their own libc and their own reals.
 */
static void *
obj_map(const struct miso__dynobj *o, bool *pending)
{
	struct dl_find_object f;
	uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);

	if (vdso != 0 && miso__obj_has(o->info, vdso))
		return NULL;
	if (_dl_find_object((void *)o->symtab, &f) != 0) {
		LOG(4, "rebind: %s: not ready, left for the next scan",
		    o->info->dlpi_name);
		*pending = true;
		return NULL;
	}
	return in_base_ns(f.dlfo_link_map) ? f.dlfo_link_map : NULL;
}

static bool
seen_has(const struct seen *v, size_t n, void *map, uintptr_t base)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].map == map && v[i].base == base)
			return true;
	return false;
}

static bool
seen_add(struct seen **v, size_t *n, size_t *cap, void *map, uintptr_t base)
{
	struct seen *p;

	if (*n == *cap) {
		p = realloc(*v, (*cap ? *cap * 2 : 64) * sizeof(*p));
		if (p == NULL)
			return false;
		*v = p;
		*cap = *cap ? *cap * 2 : 64;
	}
	(*v)[(*n)++] = (struct seen){ map, base };
	return true;
}

static int
count_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;

	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) +
	    sizeof(info->dlpi_subs)) {
		s->adds = info->dlpi_adds;
		s->subs = info->dlpi_subs;
	}
	return 1;
}

/* Pass 1: list the new objects and look for missing definitions. */
static int
find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;
	struct miso__dynobj o;
	void *map;
	size_t i;

	if (miso__is_self(info) || !miso__obj_open(&o, info) ||
	    (map = obj_map(&o, &s->pending)) == NULL ||
	    seen_has(seen, nseen, map, o.base))
		return 0;
	if (!seen_add(&s->fresh, &s->nfresh, &s->cap, map, o.base)) {
		s->nomem = true;
		return 0;
	}
	for (i = 0; i < miso__nhooks; i++)
		if (miso__privs[i].want && miso__privs[i].cand == NULL)
			miso__privs[i].cand = miso__obj_find(&o,
			    miso__hooks[i].name, miso__hooks[i].version,
			    &miso__privs[i].candver);
	return 0;
}

/* Pass 2: patch the objects listed by pass 1. */
static int
patch_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;
	struct miso__dynobj o;
	bool pending;
	void *map;
	int rc;

	if (miso__is_self(info) || !miso__obj_open(&o, info) ||
	    (map = obj_map(&o, &pending)) == NULL ||
	    !seen_has(s->fresh, s->nfresh, map, o.base))
		return 0;
	if (!is_ldso(info) && (rc = miso__obj_patch(&o)) != 0 && s->rc == 0)
		s->rc = rc;
	if (!seen_add(&seen, &nseen, &seencap, map, o.base))
		s->nomem = true;
	return 0;
}

/*
 * Decides which hooks want a definition: those still without a real, and
 * after an unload those whose real came from a definition, which may be
 * gone (their new value is stored after pass 1, without a NULL window).
 */
static void
want_defs(bool full)
{
	size_t i;

	for (i = 0; i < miso__nhooks; i++) {
		miso__privs[i].cand = NULL;
		miso__privs[i].want = miso__hooks[i].library == NULL &&
		    (atomic_load(&miso__hooks[i].real) == NULL ||
		    (full && miso__privs[i].src == MISO__SRC_FOUND));
	}
}

static void
store_defs(bool full)
{
	size_t i;

	for (i = 0; i < miso__nhooks; i++) {
		if (!miso__privs[i].want)
			continue;
		if (miso__privs[i].cand != NULL) {
			atomic_store(&miso__hooks[i].real, miso__privs[i].cand);
			miso__privs[i].realver = miso__privs[i].candver;
			miso__privs[i].src = MISO__SRC_FOUND;
		} else if (full && miso__privs[i].src == MISO__SRC_FOUND) {
			atomic_store(&miso__hooks[i].real, NULL);
			miso__privs[i].realver = NULL;
			miso__privs[i].src = MISO__SRC_NONE;
		}
	}
}

int
miso__scan_locked(bool force)
{
	struct scan s = { 0 };
	bool full;

	dl_iterate_phdr(count_cb, &s);
	if (!force && !last_pending && s.adds == last_adds &&
	    s.subs == last_subs)
		return 0;
	full = s.subs != last_subs;
	if (full)
		nseen = 0;
	want_defs(full);
	dl_iterate_phdr(find_cb, &s);
	store_defs(full);
	dl_iterate_phdr(patch_cb, &s);
	free(s.fresh);
	/* Unfinished business is retried by the next scan. */
	last_pending = s.pending || s.nomem;
	last_adds = s.adds;
	last_subs = s.subs;
	if (s.rc == 0 && s.nomem)
		s.rc = -ENOMEM;
	return s.rc;
}
