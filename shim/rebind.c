/*
 * Rebinding by relocation slot: the table of hooks, the lock that orders
 * its scans, and the functions of rebind.h.
 *
 * A scan (scan.c) reads each loaded object's dynamic tables (elftab.c),
 * resolves the hooks' reals (there, and in real.c), and points the slots
 * that hold a real at the hook's entry (slot.c). Every read or write of an
 * object's memory happens inside a dl_iterate_phdr callback, under the
 * loader's list lock: see struct miso__dynobj in rebind_internal.h for why
 * and for what the callbacks must not call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "rebind_internal.h"

struct miso__hook *_Atomic miso__hooks;
size_t miso__nhooks;
struct miso__hookpriv *miso__privs;

pthread_mutex_t miso__rebind_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * The hook for dynamic symbol idx of o: one whose version matches, else
 * one without a version, else -1. A hook without a version still skips a
 * reference to another version than its real's (a lazy slot for
 * name@OLD must not be taken for the default name@@NEW).
 */
long
miso__hook_match(const struct miso__dynobj *o, size_t idx)
{
	const char *name = o->strtab + o->symtab[idx].st_name, *v = NULL;
	bool vdone = false;
	long any = -1;
	size_t i;

	for (i = 0; i < miso__nhooks; i++) {
		const struct miso__hook *h = &miso__hooks[i];

		if (h->name[0] != name[0] || !miso__streq(h->name, name))
			continue;
		if (!vdone) {
			v = miso__sym_version(o, idx, NULL);
			vdone = true;
		}
		if (h->version == NULL) {
			if (any < 0 && (v == NULL ||
			    miso__privs[i].realver == NULL ||
			    miso__streq(v, miso__privs[i].realver)))
				any = (long)i;
			continue;
		}
		if (v != NULL && miso__streq(v, h->version))
			return (long)i;
	}
	return any;
}

static int
scan(bool force)
{
	int rc;

	if (atomic_load(&miso__hooks) == NULL)
		return 0;
	miso__resolve_libs();
	pthread_mutex_lock(&miso__rebind_lock);
	rc = miso__scan_locked(force);
	pthread_mutex_unlock(&miso__rebind_lock);
	return rc;
}

int
miso__rebind_scan(void)
{
	return scan(false);
}

/*
 * A fork while another thread scans would leave the child's lock held
 * for ever, and a dlopen in the child would hang: fork waits for the scan.
 */
static void
fork_prepare(void)
{
	pthread_mutex_lock(&miso__rebind_lock);
}

static void
fork_done(void)
{
	pthread_mutex_unlock(&miso__rebind_lock);
}

int
miso__rebind_init(struct miso__hook *h, size_t n)
{
	struct miso__hook *none = NULL;
	size_t i;
	int rc;

	if (atomic_load(&miso__hooks) != NULL)
		return -EBUSY;
	if ((miso__privs = calloc(n ? n : 1, sizeof(*miso__privs))) == NULL)
		return -ENOMEM;
	if ((rc = pthread_atfork(fork_prepare, fork_done, fork_done)) != 0) {
		free(miso__privs);
		return -rc;
	}
	for (i = 0; i < n; i++) {
		atomic_store(&h[i].real, NULL);
		if (h[i].library == NULL)
			miso__resolve_next(&h[i], &miso__privs[i]);
	}
	miso__nhooks = n;
	if (!atomic_compare_exchange_strong(&miso__hooks, &none, h))
		return -EBUSY;
	return scan(true);
}

int
miso__rebind_hooked(const char *name)
{
	struct miso__hook *h = atomic_load(&miso__hooks);
	size_t i;

	for (i = 0; h != NULL && i < miso__nhooks; i++)
		if (miso__streq(h[i].name, name))
			return 1;
	return 0;
}

void *
miso__rebind_entry(const char *name, void *addr)
{
	struct miso__hook *h = atomic_load(&miso__hooks);
	size_t i;

	for (i = 0; h != NULL && addr != NULL && i < miso__nhooks; i++)
		if (atomic_load(&h[i].real) == addr &&
		    miso__streq(h[i].name, name))
			return h[i].entry;
	return addr;
}

static int
find_cb_any(struct dl_phdr_info *info, size_t size, void *arg)
{
	void **io = arg;
	struct miso__dynobj o;

	if (miso__is_self(info) || !miso__obj_open(&o, info))
		return 0;
	io[2] = miso__obj_find(&o, io[0], io[1], NULL);
	return io[2] != NULL;
}

void *
miso__rebind_find(const char *name, const char *version)
{
	void *io[3] = { (void *)name, (void *)version, NULL };

	dl_iterate_phdr(find_cb_any, io);
	return io[2];
}
