/*
 * dlsym, dlvsym and dlmopen as libmiso.so exports them. glibc resolves
 * RTLD_NEXT and RTLD_DEFAULT, and dlmopen's search path, relative to the
 * return address it finds on entry (the link register, x30), so these
 * must reach the real function with the caller's x30: they ask a route
 * function (shim/dl.c) what to do with the arguments saved, then either
 * branch to the function it returns in x0, with the arguments and x30
 * restored, or return its result, x1.
 *
 * struct miso__route miso__dl_route(void *handle, const char *name,
 *     const char *version, const void *caller);
 * struct miso__route miso__dlmopen_route(Lmid_t lmid, const char *file,
 *     int mode, const void *caller);
 *
 * Each starts with "bti c" (called through a PLT's "br x17"), and signs
 * the saved x30 while it is on the stack (paciasp/autiasp, both no-ops
 * on cores without pointer authentication); the caller's address is
 * taken before it is signed.
 */
#include "note.h"

	.text
	.globl	miso__dltramp		/* referenced by shim/dl.c */
	.hidden	miso__dltramp
miso__dltramp:

/*
 * Up to three arguments (x0-x2) and the caller's return address (x3) to
 * route; for dlsym, the version (x2) is NULL. x16 and x17 are free here,
 * as at any call through a PLT.
 */
	.macro	TRAMP name, route, nargs
	.globl	\name
	.type	\name, %function
	.p2align 4
\name:
	.cfi_startproc
	hint	34				/* bti c */
	mov	x3, x30
	hint	25				/* paciasp */
	.cfi_negate_ra_state
	stp	x29, x30, [sp, #-48]!
	.cfi_def_cfa_offset 48
	.cfi_offset 29, -48
	.cfi_offset 30, -40
	mov	x29, sp
	stp	x0, x1, [sp, #16]
	.if	\nargs == 2
	mov	x2, xzr
	.endif
	str	x2, [sp, #32]
	bl	\route
	mov	x16, x0
	mov	x17, x1
	ldp	x0, x1, [sp, #16]
	ldr	x2, [sp, #32]
	ldp	x29, x30, [sp], #48
	.cfi_restore 29
	.cfi_restore 30
	.cfi_def_cfa_offset 0
	hint	29				/* autiasp */
	.cfi_negate_ra_state
	cbz	x16, 1f
	br	x16
1:	mov	x0, x17
	ret
	.cfi_endproc
	.size	\name, .-\name
	.endm

	TRAMP	dlsym, miso__dl_route, 2
	TRAMP	dlvsym, miso__dl_route, 3
	TRAMP	dlmopen, miso__dlmopen_route, 3

	.section .note.GNU-stack, "", %progbits
