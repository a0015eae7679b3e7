/*
 * The entry of each configured function, as the rebound slots see it: a
 * stub that tail-branches to the real function when the calling thread
 * must not be isolated again (inside an isolated child, or inside the
 * shim), and to the function's libffi closure otherwise. The unisolated
 * path so costs a load, a test and a branch instead of a trip through
 * libffi.
 *
 * Stub i, 64 bytes from the last, reads miso__stubs[i] = { closure,
 * &hook.real }. Only x16 and x17 are used: the procedure call standard
 * gives them to veneers and PLT entries, so they carry no argument at a
 * call. A real that is not known yet sends the call to the closure, which
 * reports it.
 *
 * Slots are called through with "br x16" or "br x17" (PLT entries) or
 * "blr" (GOT loads), so each stub starts with "bti c", a landing pad for
 * both when the library is built with branch protection and its pages
 * are guarded; it is a no-op on older cores. Nothing here saves the link
 * register, so return-address signing has nothing to sign.
 */
#include "note.h"

#define NSTUBS 256

	.text
	.p2align 6
	.globl	miso__stub_base
	.hidden	miso__stub_base
miso__stub_base:
	.set	i, 0
	.rept	NSTUBS
	.p2align 6
	hint	34				/* bti c */
	adrp	x16, :gottprel:miso__bypass
	ldr	x16, [x16, #:gottprel_lo12:miso__bypass]
	mrs	x17, tpidr_el0
	ldr	w16, [x17, x16]
	cbz	w16, 1f
	adrp	x16, miso__stubs+16*i+8
	ldr	x16, [x16, #:lo12:miso__stubs+16*i+8]
	ldr	x16, [x16]
	cbz	x16, 1f
	br	x16
1:	adrp	x16, miso__stubs+16*i
	ldr	x16, [x16, #:lo12:miso__stubs+16*i]
	br	x16
	.set	i, i + 1
	.endr

	.bss
	.p2align 4
	.globl	miso__stubs
	.hidden	miso__stubs
	.type	miso__stubs, %object
	.size	miso__stubs, 16 * NSTUBS
miso__stubs:
	.zero	16 * NSTUBS

	.section .note.GNU-stack, "", %progbits
