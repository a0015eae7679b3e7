/*
 * Rebinding by relocation slot: read each loaded object's dynamic tables,
 * resolve the hooks' reals, and point the slots that hold a real at the
 * hook's entry.
 *
 * Every read or write of an object's memory happens inside a
 * dl_iterate_phdr callback: glibc holds its list lock there, so no other
 * thread can unmap the object under us. For the same reason the callbacks
 * call no dl* function that takes the loader's other lock (dladdr, dlopen:
 * a dlopen in another thread takes that one first, then the list lock).
 */
#define _GNU_SOURCE
#include <sys/auxv.h>
#include <sys/mman.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rebind.h"

#pragma weak miso__log

#define LOG(level, ...) do {						\
	if (miso__log != NULL)						\
		miso__log(level, __VA_ARGS__);				\
} while (0)

/* One loaded object, seen through its program headers. */
struct obj {
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
enum { SRC_NONE, SRC_NEXT, SRC_LIBRARY, SRC_FOUND };

/* Private state per hook, under lock except tried. */
struct priv {
	int		 src;
	const char	*realver;	/* version of the real's definition */
	bool		 want;		/* look for a definition this scan */
	void		*cand;		/* first definition found this scan */
	const char	*candver;
	atomic_bool	 tried;		/* library load attempted */
};

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

static struct miso__hook *_Atomic hooks;
static size_t nhooks;
static struct priv *priv;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct seen *seen;
static size_t nseen, seencap;
static unsigned long long last_adds, last_subs;
static bool last_pending = true;

/*
 * Not strcmp: the exported dlsym reaches this code while a sanitizer
 * runtime starts (ASan looks up its reals with dlsym(RTLD_NEXT)), when
 * its interceptors of the string functions cannot work yet.
 */
static bool
streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * glibc relocates the address entries of a dynamic section in place,
 * except where the section is read-only (the vDSO): an entry below the
 * load bias is still an offset.
 */
static const void *
dptr(const struct obj *o, ElfW(Addr) v)
{
	return (const void *)(v < o->base ? o->base + v : v);
}

static void
dyn_read(struct obj *o, const ElfW(Dyn) *d)
{
	for (; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:	o->symtab = dptr(o, d->d_un.d_ptr); break;
		case DT_STRTAB:	o->strtab = dptr(o, d->d_un.d_ptr); break;
		case DT_RELA:	o->rela = dptr(o, d->d_un.d_ptr); break;
		case DT_RELASZ:	o->nrela = d->d_un.d_val / sizeof(ElfW(Rela)); break;
		case DT_JMPREL:	o->jmprel = dptr(o, d->d_un.d_ptr); break;
		case DT_PLTRELSZ:
			o->njmprel = d->d_un.d_val / sizeof(ElfW(Rela));
			break;
		case DT_VERSYM:	o->versym = dptr(o, d->d_un.d_ptr); break;
		case DT_VERDEF:	o->verdef = dptr(o, d->d_un.d_ptr); break;
		case DT_VERNEED: o->verneed = dptr(o, d->d_un.d_ptr); break;
		case DT_GNU_HASH: o->gnuhash = dptr(o, d->d_un.d_ptr); break;
		case DT_HASH:	o->hash = dptr(o, d->d_un.d_ptr); break;
		}
	}
}

/*
 * ld.so makes the whole pages of PT_GNU_RELRO read-only once relocated
 * (_dl_protect_relro rounds both ends down), so a slot there needs an
 * mprotect around the write.
 */
static bool
obj_open(struct obj *o, const struct dl_phdr_info *info)
{
	uintptr_t pg = (uintptr_t)getpagesize();
	const ElfW(Dyn) *dyn = NULL;
	size_t i;

	*o = (struct obj){ .info = info, .base = info->dlpi_addr };
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = o->base + ph->p_vaddr;

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)a;
		else if (ph->p_type == PT_GNU_RELRO) {
			o->relro_lo = a & ~(pg - 1);
			o->relro_hi = (a + ph->p_memsz) & ~(pg - 1);
		}
	}
	if (dyn == NULL)
		return false;
	dyn_read(o, dyn);
	return o->symtab != NULL && o->strtab != NULL;
}

/* The PT_LOAD segment flags (PF_*) at [addr, addr + len), or 0. */
static unsigned
seg_flags(const struct obj *o, uintptr_t addr, size_t len)
{
	size_t i;

	for (i = 0; i < o->info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &o->info->dlpi_phdr[i];
		uintptr_t lo = o->base + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= lo &&
		    addr + len <= lo + ph->p_memsz)
			return ph->p_flags;
	}
	return 0;
}

/* The version name of dynamic symbol idx, or NULL if it has none. */
static const char *
sym_version(const struct obj *o, size_t idx, bool *hidden)
{
	const ElfW(Verdef) *vd;
	const ElfW(Verneed) *vn;
	ElfW(Half) ndx;

	if (o->versym == NULL)
		return NULL;
	ndx = o->versym[idx];
	if (hidden != NULL)
		*hidden = (ndx & 0x8000) != 0;
	ndx &= 0x7fff;
	if (ndx <= VER_NDX_GLOBAL)
		return NULL;
	for (vd = o->verdef; vd != NULL; vd = vd->vd_next == 0 ? NULL :
	    (const void *)((const char *)vd + vd->vd_next)) {
		const ElfW(Verdaux) *a = (const void *)((const char *)vd +
		    vd->vd_aux);

		if (vd->vd_ndx == ndx)
			return o->strtab + a->vda_name;
	}
	for (vn = o->verneed; vn != NULL; vn = vn->vn_next == 0 ? NULL :
	    (const void *)((const char *)vn + vn->vn_next)) {
		const ElfW(Vernaux) *a = (const void *)((const char *)vn +
		    vn->vn_aux);

		for (; a != NULL; a = a->vna_next == 0 ? NULL :
		    (const void *)((const char *)a + a->vna_next))
			if ((a->vna_other & 0x7fff) == ndx)
				return o->strtab + a->vna_name;
	}
	return NULL;
}

/*
 * A definition of a function (or IFUNC) called name, of that version, or
 * of the default version when version is NULL, as dlsym would pick.
 */
static bool
def_ok(const struct obj *o, size_t idx, const char *name,
    const char *version)
{
	const ElfW(Sym) *s = &o->symtab[idx];
	int type = ELF64_ST_TYPE(s->st_info);
	int bind = ELF64_ST_BIND(s->st_info);
	bool hidden = false;
	const char *v;

	if (s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
	    (type != STT_FUNC && type != STT_GNU_IFUNC) ||
	    (bind != STB_GLOBAL && bind != STB_WEAK))
		return false;
	if (!streq(o->strtab + s->st_name, name))
		return false;
	v = sym_version(o, idx, &hidden);
	if (version == NULL)
		return !hidden;
	return v != NULL && streq(v, version);
}

static uint32_t
gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint32_t
sysv_hash(const char *s)
{
	uint32_t h = 0, g;

	for (; *s != '\0'; s++) {
		h = (h << 4) + (unsigned char)*s;
		g = h & 0xf0000000;
		h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static const ElfW(Sym) *
lookup_gnu(const struct obj *o, const char *name, const char *version)
{
	const uint32_t *t = o->gnuhash;
	uint32_t nb = t[0], off = t[1], nbloom = t[2], shift = t[3];
	const ElfW(Addr) *bloom = (const void *)&t[4];
	const uint32_t *bucket = (const void *)&bloom[nbloom];
	const uint32_t *chain = &bucket[nb];
	uint32_t h = gnu_hash(name), i, c;
	ElfW(Addr) m = (ElfW(Addr))1 << (h % 64) |
	    (ElfW(Addr))1 << ((h >> shift) % 64);

	if (nb == 0 || nbloom == 0 || (bloom[(h / 64) % nbloom] & m) != m)
		return NULL;
	i = bucket[h % nb];
	if (i < off)
		return NULL;
	for (;; i++) {
		c = chain[i - off];
		if ((c | 1) == (h | 1) && def_ok(o, i, name, version))
			return &o->symtab[i];
		if (c & 1)
			return NULL;
	}
}

static const ElfW(Sym) *
lookup_sysv(const struct obj *o, const char *name, const char *version)
{
	const uint32_t *t = o->hash;
	const uint32_t *bucket = &t[2], *chain = &bucket[t[0]];
	uint32_t i;

	if (t[0] == 0)
		return NULL;
	for (i = bucket[sysv_hash(name) % t[0]]; i != STN_UNDEF; i = chain[i])
		if (def_ok(o, i, name, version))
			return &o->symtab[i];
	return NULL;
}

/*
 * The address of the definition of name in o, or NULL; *ver gets its
 * version (a string of o, NULL if unversioned). An IFUNC's value
 * is its resolver: ld.so calls it with no arguments on x86-64 and so do
 * we, so that the real equals what the loader put in the slots. Resolvers
 * are written to run inside the loader, under its locks, as here.
 */
static void *
obj_find(const struct obj *o, const char *name, const char *version,
    const char **ver)
{
	const ElfW(Sym) *s = NULL;
	uintptr_t a;

	if (o->gnuhash != NULL)
		s = lookup_gnu(o, name, version);
	else if (o->hash != NULL)
		s = lookup_sysv(o, name, version);
	if (s == NULL)
		return NULL;
	if (ver != NULL)
		*ver = sym_version(o, (size_t)(s - o->symtab), NULL);
	a = o->base + s->st_value;
	if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
		return ((void *(*)(void))a)();
	return (void *)a;
}

/*
 * The hook for dynamic symbol idx of o: one whose version matches, else
 * one without a version, else -1. A hook without a version still skips a
 * reference to another version than its real's (a lazy slot for
 * name@OLD must not be taken for the default name@@NEW).
 */
static long
hook_match(const struct obj *o, size_t idx)
{
	const char *name = o->strtab + o->symtab[idx].st_name, *v = NULL;
	bool vdone = false;
	long any = -1;
	size_t i;

	for (i = 0; i < nhooks; i++) {
		const struct miso__hook *h = &hooks[i];

		if (h->name[0] != name[0] || !streq(h->name, name))
			continue;
		if (!vdone) {
			v = sym_version(o, idx, NULL);
			vdone = true;
		}
		if (h->version == NULL) {
			if (any < 0 && (v == NULL || priv[i].realver == NULL ||
			    streq(v, priv[i].realver)))
				any = (long)i;
			continue;
		}
		if (v != NULL && streq(v, h->version))
			return (long)i;
	}
	return any;
}

/*
 * Before its first call, a lazy JUMP_SLOT holds the address of the
 * "push $index" of its entry in the object's own PLT (after an endbr64
 * with IBT). No function starts with a push of an immediate.
 */
static bool
lazy_stub(const struct obj *o, const void *val)
{
	const unsigned char *p = val;

	if ((seg_flags(o, (uintptr_t)p, 9) & (PF_R | PF_X)) != (PF_R | PF_X))
		return false;
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	return p[0] == 0x68;
}

/*
 * Writes one slot. An aligned 8-byte store is atomic, so a thread calling
 * through the slot sees the old or the new target, never a mix. Outside
 * RELRO the protection is the segment's; a page made writable for the
 * write gets back exactly what ld.so left there.
 */
static int
slot_write(const struct obj *o, void **slot, void *val)
{
	uintptr_t pg = (uintptr_t)getpagesize();
	uintptr_t a = (uintptr_t)slot;
	void *page = (void *)(a & ~(pg - 1));
	unsigned f = seg_flags(o, a, sizeof(*slot));
	int prot;

	if (f == 0)
		return -EFAULT;
	if (a >= o->relro_lo && a < o->relro_hi)
		prot = PROT_READ;
	else
		prot = (f & PF_R ? PROT_READ : 0) |
		    (f & PF_W ? PROT_WRITE : 0) | (f & PF_X ? PROT_EXEC : 0);
	if (prot & PROT_WRITE) {
		__atomic_store_n(slot, val, __ATOMIC_RELEASE);
		return 0;
	}
	if (mprotect(page, pg, prot | PROT_WRITE) == -1)
		return -errno;
	__atomic_store_n(slot, val, __ATOMIC_RELEASE);
	if (mprotect(page, pg, prot) == -1)
		return -errno;
	return 0;
}

/*
 * Patches one relocation if it names a hook and its slot holds the real
 * (R_X86_64_64: with no addend), or is a lazy PLT slot not bound yet. A
 * slot bound to another definition (another object's own copy, the
 * canonical PLT entry of a non-PIE program) is left alone: the former is
 * not the hooked function, and the latter already leads to a patched
 * slot. Only ever writes the hook's entry, so patching twice is harmless.
 */
static int
patch_rela(const struct obj *o, const ElfW(Rela) *r)
{
	unsigned type = ELF64_R_TYPE(r->r_info);
	size_t idx = ELF64_R_SYM(r->r_info);
	void **slot, *val, *real;
	struct miso__hook *h;
	long i;
	int rc;

	if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT &&
	    type != R_X86_64_64) || idx == STN_UNDEF ||
	    (i = hook_match(o, idx)) < 0)
		return 0;
	h = &hooks[i];
	slot = (void **)(o->base + r->r_offset);
	val = __atomic_load_n(slot, __ATOMIC_RELAXED);
	real = atomic_load(&h->real);
	if (val == h->entry)
		return 0;
	if (!(real != NULL && val == real &&
	    (type != R_X86_64_64 || r->r_addend == 0)) &&
	    !(type == R_X86_64_JUMP_SLOT && lazy_stub(o, val))) {
		LOG(4, "rebind: %s in %s: slot %p holds %p, not %p: kept",
		    h->name, o->info->dlpi_name, (void *)slot, val, real);
		return 0;
	}
	rc = slot_write(o, slot, h->entry);
	if (rc != 0)
		LOG(1, "rebind: %s in %s: cannot write slot %p: %s", h->name,
		    o->info->dlpi_name, (void *)slot, strerror(-rc));
	return rc;
}

static int
obj_patch(const struct obj *o)
{
	size_t i;
	int rc = 0, e;

	for (i = 0; i < o->njmprel; i++)
		if ((e = patch_rela(o, &o->jmprel[i])) != 0 && rc == 0)
			rc = e;
	for (i = 0; i < o->nrela; i++)
		if ((e = patch_rela(o, &o->rela[i])) != 0 && rc == 0)
			rc = e;
	return rc;
}

static bool
obj_has(const struct dl_phdr_info *info, uintptr_t addr)
{
	struct obj o = { .info = info, .base = info->dlpi_addr };

	return seg_flags(&o, addr, 1) != 0;
}

/* The object holding this code: never patched, its calls stay real. */
static bool
is_self(const struct dl_phdr_info *info)
{
	return obj_has(info, (uintptr_t)&miso__rebind_init);
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
obj_map(const struct obj *o, bool *pending)
{
	struct dl_find_object f;
	uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);

	if (vdso != 0 && obj_has(o->info, vdso))
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
	struct obj o;
	void *map;
	size_t i;

	if (is_self(info) || !obj_open(&o, info) ||
	    (map = obj_map(&o, &s->pending)) == NULL ||
	    seen_has(seen, nseen, map, o.base))
		return 0;
	if (!seen_add(&s->fresh, &s->nfresh, &s->cap, map, o.base)) {
		s->nomem = true;
		return 0;
	}
	for (i = 0; i < nhooks; i++)
		if (priv[i].want && priv[i].cand == NULL)
			priv[i].cand = obj_find(&o, hooks[i].name,
			    hooks[i].version, &priv[i].candver);
	return 0;
}

/* Pass 2: patch the objects listed by pass 1. */
static int
patch_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;
	struct obj o;
	bool pending;
	void *map;
	int rc;

	if (is_self(info) || !obj_open(&o, info) ||
	    (map = obj_map(&o, &pending)) == NULL ||
	    !seen_has(s->fresh, s->nfresh, map, o.base))
		return 0;
	if (!is_ldso(info) && (rc = obj_patch(&o)) != 0 && s->rc == 0)
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

	for (i = 0; i < nhooks; i++) {
		priv[i].cand = NULL;
		priv[i].want = hooks[i].library == NULL &&
		    (atomic_load(&hooks[i].real) == NULL ||
		    (full && priv[i].src == SRC_FOUND));
	}
}

static void
store_defs(bool full)
{
	size_t i;

	for (i = 0; i < nhooks; i++) {
		if (!priv[i].want)
			continue;
		if (priv[i].cand != NULL) {
			atomic_store(&hooks[i].real, priv[i].cand);
			priv[i].realver = priv[i].candver;
			priv[i].src = SRC_FOUND;
		} else if (full && priv[i].src == SRC_FOUND) {
			atomic_store(&hooks[i].real, NULL);
			priv[i].realver = NULL;
			priv[i].src = SRC_NONE;
		}
	}
}

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
	struct obj o;

	if (info->dlpi_addr != lm->l_addr ||
	    !obj_has(info, (uintptr_t)lm->l_ld) || !obj_open(&o, info))
		return 0;
	io[2] = obj_find(&o, h->name, h->version, (const char **)&io[3]);
	return 1;
}

/* Resolves the hooks that name a library, with no lock held. */
static void
resolve_libs(void)
{
	struct link_map *lm;
	void *handle, *io[4];
	bool first;
	size_t i;

	for (i = 0; i < nhooks; i++) {
		struct miso__hook *h = &hooks[i];

		if (h->library == NULL || atomic_load(&h->real) != NULL)
			continue;
		first = !atomic_exchange(&priv[i].tried, true);
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
		pthread_mutex_lock(&lock);
		if (io[2] != NULL && atomic_compare_exchange_strong(&h->real,
		    &(void *){ NULL }, io[2])) {
			priv[i].realver = io[3];
			priv[i].src = SRC_LIBRARY;
			handle = NULL;
		}
		pthread_mutex_unlock(&lock);
		if (handle != NULL)
			dlclose(handle);
	}
}

static int
scan_locked(bool force)
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

static int
scan(bool force)
{
	int rc;

	if (atomic_load(&hooks) == NULL)
		return 0;
	resolve_libs();
	pthread_mutex_lock(&lock);
	rc = scan_locked(force);
	pthread_mutex_unlock(&lock);
	return rc;
}

int
miso__rebind_scan(void)
{
	return scan(false);
}

static int
version_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	void **io = arg;
	struct miso__hook *h = io[0];
	struct priv *p = io[1];
	void *real = atomic_load(&h->real);
	const char *v = NULL;
	struct obj o;

	if (is_self(info) || !obj_open(&o, info) ||
	    obj_find(&o, h->name, NULL, &v) != real)
		return 0;
	p->realver = v;
	return 1;
}

/*
 * dlsym(RTLD_NEXT) from here sees the objects after libmiso.so; those
 * loaded at start-up are never unloaded, so these reals stay valid. Then
 * the version of the real, for hook_match, from its definition.
 */
static void
resolve_next(struct miso__hook *h, struct priv *p)
{
	void *real, *io[2] = { h, p };

	if (h->version != NULL)
		real = miso__real_dlvsym(RTLD_NEXT, h->name, h->version);
	else
		real = miso__real_dlsym(RTLD_NEXT, h->name);
	if (real == NULL)
		return;
	atomic_store(&h->real, real);
	p->src = SRC_NEXT;
	if (h->version == NULL)
		dl_iterate_phdr(version_cb, io);
	else
		p->realver = h->version;
}

/*
 * A fork while another thread scans would leave the child's lock held
 * for ever, and a dlopen in the child would hang: fork waits for the scan.
 */
static void
fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void
fork_done(void)
{
	pthread_mutex_unlock(&lock);
}

int
miso__rebind_init(struct miso__hook *h, size_t n)
{
	struct miso__hook *none = NULL;
	size_t i;
	int rc;

	if (atomic_load(&hooks) != NULL)
		return -EBUSY;
	if ((priv = calloc(n ? n : 1, sizeof(*priv))) == NULL)
		return -ENOMEM;
	if ((rc = pthread_atfork(fork_prepare, fork_done, fork_done)) != 0) {
		free(priv);
		return -rc;
	}
	for (i = 0; i < n; i++) {
		atomic_store(&h[i].real, NULL);
		if (h[i].library == NULL)
			resolve_next(&h[i], &priv[i]);
	}
	nhooks = n;
	if (!atomic_compare_exchange_strong(&hooks, &none, h))
		return -EBUSY;
	rc = scan(true);
	for (i = 0; i < n; i++)
		if (atomic_load(&h[i].real) == NULL)
			LOG(3, "rebind: %s: no definition loaded yet",
			    h[i].name);
	return rc;
}

int
miso__rebind_hooked(const char *name)
{
	struct miso__hook *h = atomic_load(&hooks);
	size_t i;

	for (i = 0; h != NULL && i < nhooks; i++)
		if (streq(h[i].name, name))
			return 1;
	return 0;
}

void *
miso__rebind_entry(const char *name, void *addr)
{
	struct miso__hook *h = atomic_load(&hooks);
	size_t i;

	for (i = 0; h != NULL && addr != NULL && i < nhooks; i++)
		if (atomic_load(&h[i].real) == addr &&
		    streq(h[i].name, name))
			return h[i].entry;
	return addr;
}

static int
find_cb_any(struct dl_phdr_info *info, size_t size, void *arg)
{
	void **io = arg;
	struct obj o;

	if (is_self(info) || !obj_open(&o, info))
		return 0;
	io[2] = obj_find(&o, io[0], io[1], NULL);
	return io[2] != NULL;
}

void *
miso__rebind_find(const char *name, const char *version)
{
	void *io[3] = { (void *)name, (void *)version, NULL };

	dl_iterate_phdr(find_cb_any, io);
	return io[2];
}
