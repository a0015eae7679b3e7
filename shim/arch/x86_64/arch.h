/*
 * What the shim and the miso command need to know of x86-64: the
 * relocations that hold a function's address, what a lazy PLT slot holds
 * before its first call, how the loader calls an IFUNC resolver, and
 * where the system's libraries live. One such file per architecture, in
 * shim/arch/ARCH/arch.h; the build picks the target's.
 */
#ifndef MISO_ARCH_H
#define MISO_ARCH_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MISO__ARCH_NAME		"x86-64"
#define MISO__ARCH_EM		EM_X86_64
#define MISO__ARCH_JUMP_SLOT	R_X86_64_JUMP_SLOT
#define MISO__ARCH_GLOB_DAT	R_X86_64_GLOB_DAT
#define MISO__ARCH_ABS64	R_X86_64_64
#define MISO__ARCH_ABS64_NAME	"R_X86_64_64"

/* The multiarch directory, $PLATFORM, and $LIB without multiarch. */
#define MISO__ARCH_TRIPLET	"x86_64-linux-gnu"
#define MISO__ARCH_PLATFORM	"x86_64"
#define MISO__ARCH_LIBDIR	"lib64"
/* The ld.so.cache flag of the architecture, and its 'ldconfig -p' tag. */
#define MISO__ARCH_CACHE_FLAG	0x0300
#define MISO__ARCH_CACHE_TAG	"x86-64"

/*
 * Before its first call, a lazy JUMP_SLOT holds the address of the
 * "push $index" of its entry in the object's own PLT (after an endbr64
 * with IBT). No function starts with a push of an immediate.
 */
static inline bool
miso__arch_lazy_plt(const unsigned char *p)
{
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	return p[0] == 0x68;
}

/*
 * The call and jmp rel32 instructions in len bytes of code at addr whose
 * target is to. It reads bytes, not instructions, so it can overcount in
 * data mixed into code; it never misses a direct call.
 */
static inline size_t
miso__arch_branches(const unsigned char *b, size_t len, uint64_t addr,
    uint64_t to)
{
	size_t i, n = 0;
	int32_t rel;

	for (i = 0; i + 5 <= len; i++) {
		if (b[i] != 0xe8 && b[i] != 0xe9)
			continue;
		memcpy(&rel, b + i + 1, 4);
		if (addr + i + 5 + (int64_t)rel == to)
			n++;
	}
	return n;
}

/* The loader calls an IFUNC resolver with no arguments on x86-64. */
static inline void *
miso__arch_ifunc(uintptr_t resolver)
{
	return ((void *(*)(void))resolver)();
}

#endif
