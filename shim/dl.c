/*
 * The dl* functions libmiso.so exports: dlopen opens what the caller
 * would have opened and rebinds it before returning; dlsym and dlvsym
 * (entered through shim/arch/ARCH/dltramp.S) hand out a hook's entry for
 * its real.
 *
 * glibc derives two things from the return address of dlopen and dlsym:
 * the search path of dlopen (the caller's DT_RPATH, DT_RUNPATH, $ORIGIN)
 * and the meaning of RTLD_NEXT and RTLD_DEFAULT (the caller's scope). A
 * wrapper that calls the real function becomes that caller, so each
 * wrapper either keeps the return address or redoes the caller's part.
 *
 * dlclose needs no wrapper: unloading leaves no slot to patch, and the
 * next scan sees dlpi_subs change and forgets what it knew. Objects of
 * other namespaces than the base one (dlmopen) are never rebound: they
 * have their own libc and their own reals.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "rebind.h"

#define EXPORT	__attribute__((visibility("default")))

/* What shim/arch/ARCH/dltramp.S does next: jump to jump, or return ret. */
struct miso__route {
	void	*jump;
	void	*ret;
};

struct miso__route miso__dl_route(void *handle, const char *name,
	    const char *version, const void *caller);
struct miso__route miso__dlmopen_route(Lmid_t lmid, const char *file,
	    int mode, const void *caller);

/*
 * Nothing calls dlsym or dlvsym by name in libmiso.so, so without this
 * reference a static link would leave shim/arch/ARCH/dltramp.S out of
 * the library.
 */
extern const char miso__dltramp[];
__attribute__((used)) static const void *const keep_tramp = miso__dltramp;

static void *(*real_dlopen)(const char *, int);
static void *(*real_dlsym)(void *, const char *);
static void *(*real_dlvsym)(void *, const char *, const char *);
static void *(*real_dlmopen)(Lmid_t, const char *, int);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *
next(const char *name, const char *ver, const char *oldver)
{
	void *p = real_dlvsym(RTLD_NEXT, name, ver);

	return p != NULL ? p : real_dlvsym(RTLD_NEXT, name, oldver);
}

/*
 * Calling dlvsym by name would enter our own; so the first one is read
 * from libc's symbol table (glibc 2.34 moved it there from libdl), and the
 * others are the next definitions after libmiso.so, as any interposer
 * loaded after us expects.
 */
static void
find_reals(void)
{
	void *p = miso__rebind_find("dlvsym", "GLIBC_2.34");

	if (p == NULL)
		p = miso__rebind_find("dlvsym", "GLIBC_2.2.5");
	if (p == NULL) {
		static const char msg[] = "miso: cannot find dlvsym\n";

		(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
		abort();
	}
	real_dlvsym = (void *(*)(void *, const char *, const char *))p;
	real_dlsym = (void *(*)(void *, const char *))
	    next("dlsym", "GLIBC_2.34", "GLIBC_2.2.5");
	real_dlopen = (void *(*)(const char *, int))
	    next("dlopen", "GLIBC_2.34", "GLIBC_2.2.5");
	real_dlmopen = (void *(*)(Lmid_t, const char *, int))
	    next("dlmopen", "GLIBC_2.34", "GLIBC_2.3.4");
}

void *
miso__real_dlsym(void *handle, const char *name)
{
	pthread_once(&once, find_reals);
	return real_dlsym(handle, name);
}

void *
miso__real_dlvsym(void *handle, const char *name, const char *version)
{
	pthread_once(&once, find_reals);
	return real_dlvsym(handle, name, version);
}

void *
miso__real_dlopen(const char *file, int mode)
{
	pthread_once(&once, find_reals);
	return real_dlopen(file, mode);
}

static void *
lookup(void *handle, const char *name, const char *version)
{
	if (version != NULL)
		return real_dlvsym(handle, name, version);
	return real_dlsym(handle, name);
}

/*
 * dlsym(RTLD_DEFAULT) searches the caller's scope: the global scope, then
 * for an object opened RTLD_LOCAL its own local scope. Our call searched
 * libmiso.so's (the global one); search the caller's local one here.
 */
static void *
lookup_local(const void *caller, const char *name, const char *version)
{
	struct link_map *lm = NULL;
	void *handle, *p;
	Dl_info di;

	if (dladdr1(caller, &di, (void **)&lm, RTLD_DL_LINKMAP) == 0 ||
	    lm == NULL || lm->l_name[0] == '\0')
		return NULL;
	handle = real_dlopen(lm->l_name, RTLD_LAZY | RTLD_NOLOAD);
	if (handle == NULL)
		return NULL;
	p = lookup(handle, name, version);
	dlclose(handle);
	return p;
}

/*
 * Names no hook has and RTLD_NEXT go on to the real function unchanged
 * (a tail jump, the caller's return address still on the stack). For a
 * hooked name, a result equal to the hook's real becomes its entry; any
 * other definition (an RTLD_LOCAL object's own copy) is returned as is.
 */
struct miso__route
miso__dl_route(void *handle, const char *name, const char *version,
    const void *caller)
{
	struct miso__route r = { NULL, NULL };

	pthread_once(&once, find_reals);
	if (handle == RTLD_NEXT || name == NULL ||
	    !miso__rebind_hooked(name)) {
		r.jump = version != NULL ? (void *)real_dlvsym :
		    (void *)real_dlsym;
		return r;
	}
	r.ret = lookup(handle, name, version);
	if (r.ret == NULL && handle == RTLD_DEFAULT)
		r.ret = lookup_local(caller, name, version);
	r.ret = miso__rebind_entry(name, r.ret);
	return r;
}

/* glibc's dlopen handles are link_map pointers; dlinfo accepts them. */
static Dl_serinfo *
serinfo(struct link_map *lm)
{
	Dl_serinfo size, *si;

	if (dlinfo(lm, RTLD_DI_SERINFOSIZE, &size) != 0 ||
	    (si = malloc(size.dls_size)) == NULL)
		return NULL;
	if (dlinfo(lm, RTLD_DI_SERINFOSIZE, si) != 0 ||
	    dlinfo(lm, RTLD_DI_SERINFO, si) != 0) {
		free(si);
		return NULL;
	}
	return si;
}

static int
has_dir(const Dl_serinfo *si, const char *dir)
{
	unsigned i;

	for (i = 0; i < si->dls_cnt; i++)
		if (strcmp(si->dls_serpath[i].dls_name, dir) == 0)
			return 1;
	return 0;
}

/*
 * Like ld.so's open_verify, enough to skip a file of another class or
 * machine and go on searching, as ld.so does.
 */
static int
elf_ok(const char *path)
{
	ElfW(Ehdr) e;
	ssize_t n;
	int fd;

	/* A FIFO on the search path must not block (ld.so's open does not). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	do
		n = read(fd, &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	close(fd);
	return n == (ssize_t)sizeof(e) &&
	    memcmp(e.e_ident, ELFMAG, SELFMAG) == 0 &&
	    e.e_ident[EI_CLASS] == ELFCLASS64 && e.e_machine == MISO__ARCH_EM &&
	    e.e_type == ET_DYN;
}

static struct link_map *
self_map(void)
{
	struct link_map *lm = NULL;
	Dl_info di;

	if (dladdr1((void *)&self_map, &di, (void **)&lm,
	    RTLD_DL_LINKMAP) == 0)
		return NULL;
	return lm;
}

/*
 * The file the caller's dlopen(file) would open, when its search path
 * finds it in a directory ours lacks (its RPATH, RUNPATH, $ORIGIN); NULL
 * to let the real dlopen search: LD_LIBRARY_PATH, ld.so.cache and the
 * default directories are the same for us, and the cache must keep its
 * place before the default directories.
 */
static char *
search(const char *file, const void *caller)
{
	struct link_map *lm = NULL, *self = self_map();
	Dl_serinfo *theirs = NULL, *mine = NULL;
	char *path = NULL, *found = NULL;
	Dl_info di;
	unsigned i;

	if (dladdr1(caller, &di, (void **)&lm, RTLD_DL_LINKMAP) == 0 ||
	    lm == NULL)
		lm = _r_debug.r_map;
	if (lm == NULL || self == NULL || lm == self ||
	    (theirs = serinfo(lm)) == NULL || (mine = serinfo(self)) == NULL)
		goto out;
	for (i = 0; i < theirs->dls_cnt; i++) {
		const char *dir = theirs->dls_serpath[i].dls_name;

		free(path);
		if (asprintf(&path, "%s/%s", dir, file) == -1) {
			path = NULL;
			break;
		}
		if (!elf_ok(path))
			continue;
		if (!has_dir(mine, dir)) {
			found = path;
			path = NULL;
		}
		break;
	}
out:
	free(path);
	free(theirs);
	free(mine);
	return found;
}

/*
 * A name without a slash that is already loaded (by soname) is returned
 * by the RTLD_NOLOAD probe, so it is never loaded twice; otherwise it is
 * looked up along the caller's path. Whatever was loaded, dependencies
 * included, is rebound before the caller gets the handle.
 */
static void *
open_from(const char *file, int mode, const void *caller)
{
	char *path = NULL;
	void *handle;

	pthread_once(&once, find_reals);
	if (file != NULL && strchr(file, '/') == NULL) {
		handle = real_dlopen(file, mode | RTLD_NOLOAD);
		if (handle != NULL || (mode & RTLD_NOLOAD))
			return handle;
		path = search(file, caller);
	}
	handle = real_dlopen(path != NULL ? path : file, mode);
	free(path);
	if (handle != NULL)
		(void)miso__rebind_scan();
	return handle;
}

EXPORT void *
dlopen(const char *file, int mode)
{
	return open_from(file, mode, __builtin_return_address(0));
}

/*
 * dlmopen into the base namespace is a dlopen; into another one it goes
 * on to the real function unchanged, as nothing there is rebound.
 */
struct miso__route
miso__dlmopen_route(Lmid_t lmid, const char *file, int mode,
    const void *caller)
{
	struct miso__route r = { NULL, NULL };

	pthread_once(&once, find_reals);
	if (lmid != LM_ID_BASE)
		r.jump = (void *)real_dlmopen;
	else
		r.ret = open_from(file, mode, caller);
	return r;
}
