/*
 * Rebinding calls at run time: the shim points the relocation slots that
 * hold a hooked function's address (JUMP_SLOT, GLOB_DAT and the absolute
 * 64-bit one: R_X86_64_64, R_AARCH64_ABS64; shim/arch/ARCH/arch.h) at a
 * replacement, in every loaded object but its own and the dynamic
 * loader. Private to libmiso.so.
 */
#ifndef MISO_SHIM_REBIND_H
#define MISO_SHIM_REBIND_H

#include <stddef.h>

struct miso__hook {
	const char *name;	/* symbol name */
	const char *version;	/* symbol version to match, or NULL: any */
	const char *library;	/* soname or path to take the real from, or
				   NULL: the next definition after libmiso.so,
				   as dlsym(RTLD_NEXT) */
	void *entry;		/* the replacement */
	void *_Atomic real;	/* the real function, NULL until found */
};

/*
 * Resolves the reals and patches every loaded object. Called once, from
 * the shim's constructor; the table must outlive the process (it is never
 * copied). A hook whose real is not found yet stays NULL and is looked for
 * again by every scan. Returns 0, -EBUSY on a second call, -ENOMEM.
 *
 * entry may run while real is still NULL: only from a lazy PLT slot that
 * would otherwise have ended in the loader's "symbol lookup error".
 * A real found in an object that is later unloaded is looked for again at
 * the next scan and may become NULL. Not async-signal-safe.
 */
int	miso__rebind_init(struct miso__hook *hooks, size_t n);

/*
 * Patches the objects loaded since the last scan and resolves the reals
 * that were missing; after an unload it rescans everything (idempotent:
 * a slot is only ever written with its hook's entry). Thread-safe; may
 * load a hook's library (its constructors then run, with no lock of ours
 * held). Returns 0 or the first -errno met (mprotect), having patched
 * what it could. Not async-signal-safe.
 */
int	miso__rebind_scan(void);

/*
 * The real dlsym, dlvsym and dlopen, for the shim's own lookups; a
 * RTLD_NEXT lookup through them is relative to libmiso.so.
 */
void	*miso__real_dlsym(void *handle, const char *name);
void	*miso__real_dlvsym(void *handle, const char *name, const char *version);
void	*miso__real_dlopen(const char *file, int mode);

/*
 * The exported function of a loaded object (libmiso.so aside) nearest in
 * spelling to name, copied into buf, or NULL when none is near; for the
 * warning about a name nothing defines. Uses miso__suggest of
 * config/suggest.c. Not async-signal-safe.
 */
const char *miso__nearest_function(const char *name, char *buf,
    size_t size);

/* Used by the dl* wrappers (shim/dl.c). */
int	 miso__rebind_hooked(const char *name);
/* Whether [p, p + len) lies in one PT_LOAD segment of a loaded object. */
int	 miso__rebind_in_object(const void *p, size_t len);
void	*miso__rebind_entry(const char *name, void *addr);
void	*miso__rebind_find(const char *name, const char *version);

/*
 * Optional sink for messages (1 error, 2 warn, 3 info, 4 debug), defined by
 * the shim: shim/rebind.c refers to it weakly, so the module links and
 * stays silent without one.
 */
void	 miso__log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
