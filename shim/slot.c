/*
 * Writing a hook's entry into an object's relocation slots: which slots
 * may be written, and how, under RELRO or not.
 *
 * Call these only inside a dl_iterate_phdr callback (see struct
 * miso__dynobj in rebind_internal.h): the object must stay mapped.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "rebind_internal.h"

/* A lazy JUMP_SLOT not bound yet: it holds an address in the PLT. */
static bool
lazy_stub(const struct miso__dynobj *o, const void *val)
{
	if ((miso__seg_flags(o, (uintptr_t)val, 9) & (PF_R | PF_X)) !=
	    (PF_R | PF_X))
		return false;
	return miso__arch_lazy_plt(val);
}

/*
 * Writes one slot. An aligned 8-byte store is atomic, so a thread calling
 * through the slot sees the old or the new target, never a mix. Outside
 * RELRO the protection is the segment's; a page made writable for the
 * write gets back exactly what ld.so left there.
 */
static int
slot_write(const struct miso__dynobj *o, void **slot, void *val)
{
	uintptr_t pg = (uintptr_t)getpagesize();
	uintptr_t a = (uintptr_t)slot;
	void *page = (void *)(a & ~(pg - 1));
	unsigned f = miso__seg_flags(o, a, sizeof(*slot));
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
 * (an absolute one, R_X86_64_64 or R_AARCH64_ABS64: with no addend), or
 * is a lazy PLT slot not bound yet. A slot bound to another definition
 * (another object's own copy, the canonical PLT entry of a non-PIE
 * program) is left alone: the former is not the hooked function, and the
 * latter already leads to a patched slot. Only ever writes the hook's entry, so patching twice is harmless.
 */
static int
patch_rela(const struct miso__dynobj *o, const ElfW(Rela) *r)
{
	unsigned type = ELF64_R_TYPE(r->r_info);
	size_t idx = ELF64_R_SYM(r->r_info);
	void **slot, *val, *real;
	struct miso__hook *h;
	long i;
	int rc;

	if ((type != MISO__ARCH_JUMP_SLOT && type != MISO__ARCH_GLOB_DAT &&
	    type != MISO__ARCH_ABS64) || idx == STN_UNDEF ||
	    (i = miso__hook_match(o, idx)) < 0)
		return 0;
	h = &miso__hooks[i];
	slot = (void **)(o->base + r->r_offset);
	val = __atomic_load_n(slot, __ATOMIC_RELAXED);
	real = atomic_load(&h->real);
	if (val == h->entry)
		return 0;
	if (!(real != NULL && val == real &&
	    (type != MISO__ARCH_ABS64 || r->r_addend == 0)) &&
	    !(type == MISO__ARCH_JUMP_SLOT && lazy_stub(o, val))) {
		LOG(4, "rebind: %s in %s: slot %p holds %p, not %p: kept",
		    h->name, o->info->dlpi_name, (void *)slot, val, real);
		return 0;
	}
	rc = slot_write(o, slot, h->entry);
	if (rc != 0)
		LOG(1, "rebind: %s in %s: cannot write slot %p: %s", h->name,
		    o->info->dlpi_name, (void *)slot, strerror(-rc));
	else
		LOG(4, "rebind: %s in %s: %s slot %p rebound", h->name,
		    o->info->dlpi_name[0] != '\0' ? o->info->dlpi_name :
		    "the program", type == MISO__ARCH_JUMP_SLOT ? "JUMP_SLOT" :
		    type == MISO__ARCH_GLOB_DAT ? "GLOB_DAT" : "64", (void *)slot);
	return rc;
}

int
miso__obj_patch(const struct miso__dynobj *o)
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
