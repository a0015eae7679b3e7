/*
 * Private declarations of the rebinding machinery (libmisorebind.a),
 * shared by rebind.c, scan.c, real.c, slot.c, elftab.c and streq.c.
 */
#ifndef MISO_SHIM_REBIND_INTERNAL_H
#define MISO_SHIM_REBIND_INTERNAL_H

#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rebind.h"

/* The shim's sink is optional (rebind.h): without one, it is NULL. */
#pragma weak miso__log

#define LOG(level, ...) do {						\
	if (miso__log != NULL)						\
		miso__log(level, __VA_ARGS__);				\
} while (0)

/*
 * One loaded object, seen through its program headers.
 *
 * Every read or write of an object's memory happens inside a
 * dl_iterate_phdr callback: glibc holds its list lock there, so no other
 * thread can unmap the object under us. For the same reason the callbacks
 * call no dl* function that takes the loader's other lock (dladdr, dlopen:
 * a dlopen in another thread takes that one first, then the list lock).
 */
struct miso__dynobj {
	const struct dl_phdr_info *info;
	uintptr_t		 base;
	const ElfW(Sym)		*symtab;
	const char		*strtab;
	const ElfW(Rela)	*rela;
	size_t			 nrela;
	const ElfW(Rela)	*jmprel;
	size_t			 njmprel;
	const ElfW(Half)	*versym;
	const ElfW(Verdef)	*verdef;
	const ElfW(Verneed)	*verneed;
	const uint32_t		*gnuhash;
	const uint32_t		*hash;
	uintptr_t		 relro_lo;
	uintptr_t		 relro_hi;
};

/* Where a hook's real came from. */
enum { MISO__SRC_NONE, MISO__SRC_NEXT, MISO__SRC_LIBRARY, MISO__SRC_FOUND };

/* Private state per hook, under miso__rebind_lock except tried. */
struct miso__hookpriv {
	int		 src;
	const char	*realver;	/* version of the real's definition */
	bool		 want;		/* look for a definition this scan */
	void		*cand;		/* first definition found this scan */
	const char	*candver;
	atomic_bool	 tried;		/* library load attempted */
};

/*
 * rebind.c: the hook table, set once by miso__rebind_init. miso__privs
 * and the scans' own state are guarded by miso__rebind_lock.
 */
extern struct miso__hook *_Atomic miso__hooks;
extern size_t			 miso__nhooks;
extern struct miso__hookpriv	*miso__privs;
extern pthread_mutex_t		 miso__rebind_lock;

/* The index of the hook for dynamic symbol idx of an object, or -1. */
long	 miso__hook_match(const struct miso__dynobj *, size_t idx);

/* streq.c: strcmp(a, b) == 0, safe before a sanitizer runtime starts. */
bool	 miso__streq(const char *a, const char *b);

/*
 * elftab.c: an object's dynamic tables and the definitions in them.
 * miso__obj_open is false for an object without symbols to look at;
 * miso__obj_find returns the address of a definition, or NULL.
 */
bool	 miso__obj_open(struct miso__dynobj *, const struct dl_phdr_info *);
bool	 miso__obj_has(const struct dl_phdr_info *, uintptr_t addr);
unsigned	 miso__seg_flags(const struct miso__dynobj *, uintptr_t addr,
		    size_t len);
const char	*miso__sym_version(const struct miso__dynobj *, size_t idx,
		    bool *hidden);
void	*miso__obj_find(const struct miso__dynobj *, const char *name,
	    const char *version, const char **ver);

/* slot.c: patches an object's slots; 0 or the first -errno met. */
int	 miso__obj_patch(const struct miso__dynobj *);

/*
 * scan.c: miso__scan_locked patches the objects loaded since the last
 * scan (all after an unload, or when forced), under miso__rebind_lock;
 * returns 0, -ENOMEM or the first -errno of miso__obj_patch.
 */
bool	 miso__is_self(const struct dl_phdr_info *);
int	 miso__scan_locked(bool force);

/*
 * real.c: miso__resolve_libs takes no lock of ours on entry (it may run a
 * library's constructors); miso__resolve_next runs once, at init.
 */
void	 miso__resolve_libs(void);
void	 miso__resolve_next(struct miso__hook *, struct miso__hookpriv *);

#endif
