/*
 * What the shim and the miso command need to know of AArch64: the
 * relocations that hold a function's address, what a lazy PLT slot holds
 * before its first call, how the loader calls an IFUNC resolver, and
 * where the system's libraries live. One such file per architecture, in
 * shim/arch/ARCH/arch.h; the build picks the target's.
 */
#ifndef MISO_ARCH_H
#define MISO_ARCH_H

#include <sys/auxv.h>
#include <sys/ifunc.h>

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MISO__ARCH_NAME		"AArch64"
#define MISO__ARCH_EM		EM_AARCH64
#define MISO__ARCH_JUMP_SLOT	R_AARCH64_JUMP_SLOT
#define MISO__ARCH_GLOB_DAT	R_AARCH64_GLOB_DAT
#define MISO__ARCH_ABS64	R_AARCH64_ABS64
#define MISO__ARCH_ABS64_NAME	"R_AARCH64_ABS64"

/* The multiarch directory, $PLATFORM, and $LIB without multiarch. */
#define MISO__ARCH_TRIPLET	"aarch64-linux-gnu"
#define MISO__ARCH_PLATFORM	"aarch64"
#define MISO__ARCH_LIBDIR	"lib"
/* The ld.so.cache flag of the architecture, and its 'ldconfig -p' tag. */
#define MISO__ARCH_CACHE_FLAG	0x0a00
#define MISO__ARCH_CACHE_TAG	"AArch64"

/*
 * Before its first call, a lazy JUMP_SLOT holds the address of the
 * object's PLT header (PLT0), which starts "stp x16, x30, [sp, #-16]!"
 * (after a "bti c" in a BTI PLT): a pair store of the two registers that
 * the PLT entry and the call left, which no compiled function starts with.
 */
static inline bool
miso__arch_lazy_plt(const unsigned char *p)
{
	uint32_t insn;

	memcpy(&insn, p, sizeof insn);
	if (insn == 0xd503245f) {		/* bti c */
		memcpy(&insn, p + 4, sizeof insn);
	}
	return insn == 0xa9bf7bf0;
}

/*
 * The bl and b instructions (imm26, in words from the instruction) in len
 * bytes of code at addr whose target is to. Instructions are aligned
 * words; a literal pool in the code may overcount, never undercount.
 */
static inline size_t
miso__arch_branches(const unsigned char *b, size_t len, uint64_t addr,
    uint64_t to)
{
	size_t i, n = 0;
	uint32_t insn;
	int64_t off;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&insn, b + i, 4);
		if ((insn & 0x7c000000) != 0x14000000)	/* b, bl */
			continue;
		off = (int64_t)((uint64_t)(insn & 0x03ffffff) << 38) >> 36;
		if (addr + i + off == to)
			n++;
	}
	return n;
}

/*
 * glibc calls an AArch64 IFUNC resolver with AT_HWCAP, flagged as
 * followed by a pointer to the full set of capabilities (sys/ifunc.h):
 * resolvers written for it read them, so they get the same here.
 */
static inline void *
miso__arch_ifunc(uintptr_t resolver)
{
	__ifunc_arg_t arg = { sizeof arg, getauxval(AT_HWCAP),
	    getauxval(AT_HWCAP2) };

	return ((void *(*)(uint64_t, const __ifunc_arg_t *))resolver)(
	    arg._hwcap | _IFUNC_ARG_HWCAP, &arg);
}

#endif
