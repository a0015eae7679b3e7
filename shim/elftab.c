/*
 * Reading a loaded object's dynamic tables: its symbols, hash tables,
 * versions and relocations, and the definitions they hold.
 *
 * Every function here reads the object's memory: call it only inside a
 * dl_iterate_phdr callback (see struct miso__dynobj in rebind_internal.h).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "arch.h"
#include "rebind_internal.h"

/*
 * glibc relocates the address entries of a dynamic section in place,
 * except where the section is read-only (the vDSO): an entry below the
 * load bias is still an offset.
 */
static const void *
dptr(const struct miso__dynobj *o, ElfW(Addr) v)
{
	return (const void *)(v < o->base ? o->base + v : v);
}

static void
dyn_read(struct miso__dynobj *o, const ElfW(Dyn) *d)
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
bool
miso__obj_open(struct miso__dynobj *o, const struct dl_phdr_info *info)
{
	uintptr_t pg = (uintptr_t)getpagesize();
	const ElfW(Dyn) *dyn = NULL;
	size_t i;

	*o = (struct miso__dynobj){ .info = info, .base = info->dlpi_addr };
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
unsigned
miso__seg_flags(const struct miso__dynobj *o, uintptr_t addr, size_t len)
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
const char *
miso__sym_version(const struct miso__dynobj *o, size_t idx, bool *hidden)
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
def_ok(const struct miso__dynobj *o, size_t idx, const char *name,
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
	if (!miso__streq(o->strtab + s->st_name, name))
		return false;
	v = miso__sym_version(o, idx, &hidden);
	if (version == NULL)
		return !hidden;
	return v != NULL && miso__streq(v, version);
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
lookup_gnu(const struct miso__dynobj *o, const char *name, const char *version)
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
lookup_sysv(const struct miso__dynobj *o, const char *name, const char *version)
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
 * is its resolver: we call it as ld.so does (miso__arch_ifunc), so that
 * the real equals what the loader put in the slots. Resolvers
 * are written to run inside the loader, under its locks, as here.
 */
void *
miso__obj_find(const struct miso__dynobj *o, const char *name,
    const char *version, const char **ver)
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
		*ver = miso__sym_version(o, (size_t)(s - o->symtab), NULL);
	a = o->base + s->st_value;
	if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
		return miso__arch_ifunc(a);
	return (void *)a;
}

struct span {
	uintptr_t addr;
	size_t len;
};

static int
span_in(struct dl_phdr_info *info, size_t size, void *arg)
{
	const struct span *s = arg;
	struct miso__dynobj o = { .info = info, .base = info->dlpi_addr };

	(void)size;
	return miso__seg_flags(&o, s->addr, s->len) != 0;
}

int
miso__rebind_in_object(const void *p, size_t len)
{
	struct span s = { (uintptr_t)p, len };

	return dl_iterate_phdr(span_in, &s) != 0;
}

bool
miso__obj_has(const struct dl_phdr_info *info, uintptr_t addr)
{
	struct miso__dynobj o = { .info = info, .base = info->dlpi_addr };

	return miso__seg_flags(&o, addr, 1) != 0;
}
