/*
 * Finding the hooks' reals outside a scan: in the library a hook names,
 * or after libmiso.so as dlsym(RTLD_NEXT) would.
 *
 * Its dl_iterate_phdr callbacks run under the loader's list lock; see
 * struct miso__dynobj in rebind_internal.h for what that forbids.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rebind_internal.h"

/*
 * A dlopen handle pins the object: the real must not be unloaded while
 * the slots lead to it. The first attempt may load the library (its
 * constructors run: no lock held); later ones only look, quietly.
 */
static void *
lib_open(struct miso__hook *h, bool first)
{
	void *handle;

	handle = miso__real_dlopen(h->library, RTLD_LAZY | RTLD_NOLOAD);
	if (handle == NULL && first) {
		handle = miso__real_dlopen(h->library, RTLD_LAZY | RTLD_LOCAL);
		if (handle == NULL)
			LOG(1, "rebind: %s: %s", h->name, dlerror());
	}
	return handle;
}

static int
lib_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	void **io = arg;
	struct link_map *lm = io[0];
	struct miso__hook *h = io[1];
	struct miso__dynobj o;

	if (info->dlpi_addr != lm->l_addr ||
	    !miso__obj_has(info, (uintptr_t)lm->l_ld) ||
	    !miso__obj_open(&o, info))
		return 0;
	io[2] = miso__obj_find(&o, h->name, h->version, (const char **)&io[3]);
	return 1;
}

/* Resolves the hooks that name a library, with no lock held. */
void
miso__resolve_libs(void)
{
	struct link_map *lm;
	void *handle, *io[4];
	bool first;
	size_t i;

	for (i = 0; i < miso__nhooks; i++) {
		struct miso__hook *h = &miso__hooks[i];

		if (h->library == NULL || atomic_load(&h->real) != NULL)
			continue;
		first = !atomic_exchange(&miso__privs[i].tried, true);
		if ((handle = lib_open(h, first)) == NULL)
			continue;
		io[0] = NULL;
		io[1] = h;
		io[2] = NULL;
		io[3] = NULL;
		if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0) {
			io[0] = lm;
			dl_iterate_phdr(lib_find_cb, io);
		}
		if (io[2] == NULL && first)
			LOG(1, "rebind: %s: not defined in %s", h->name,
			    h->library);
		pthread_mutex_lock(&miso__rebind_lock);
		if (io[2] != NULL && atomic_compare_exchange_strong(&h->real,
		    &(void *){ NULL }, io[2])) {
			miso__privs[i].realver = io[3];
			miso__privs[i].src = MISO__SRC_LIBRARY;
			handle = NULL;
		}
		pthread_mutex_unlock(&miso__rebind_lock);
		if (handle != NULL)
			dlclose(handle);
	}
}

static int
version_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	void **io = arg;
	struct miso__hook *h = io[0];
	struct miso__hookpriv *p = io[1];
	void *real = atomic_load(&h->real);
	const char *v = NULL;
	struct miso__dynobj o;

	if (miso__is_self(info) || !miso__obj_open(&o, info) ||
	    miso__obj_find(&o, h->name, NULL, &v) != real)
		return 0;
	p->realver = v;
	return 1;
}

/*
 * dlsym(RTLD_NEXT) from here sees the objects after libmiso.so; those
 * loaded at start-up are never unloaded, so these reals stay valid. Then
 * the version of the real, for hook_match, from its definition.
 */
void
miso__resolve_next(struct miso__hook *h, struct miso__hookpriv *p)
{
	void *real, *io[2] = { h, p };

	if (h->version != NULL)
		real = miso__real_dlvsym(RTLD_NEXT, h->name, h->version);
	else
		real = miso__real_dlsym(RTLD_NEXT, h->name);
	if (real == NULL)
		return;
	atomic_store(&h->real, real);
	p->src = MISO__SRC_NEXT;
	if (h->version == NULL)
		dl_iterate_phdr(version_cb, io);
	else
		p->realver = h->version;
}
