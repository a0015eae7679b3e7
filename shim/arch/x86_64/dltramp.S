/*
 * dlsym, dlvsym and dlmopen as libmiso.so exports them. glibc resolves
 * RTLD_NEXT and RTLD_DEFAULT, and dlmopen's search path, relative to the
 * return address it finds on entry, so these must reach the real function
 * with the caller's return address still on the stack: they ask a route
 * function (shim/dl.c) what to do with the arguments saved, then either
 * tail-jump to the function it returns in %rax with the arguments
 * restored, or return its result in %rdx.
 *
 * struct miso__route miso__dl_route(void *handle, const char *name,
 *     const char *version, const void *caller);
 * struct miso__route miso__dlmopen_route(Lmid_t lmid, const char *file,
 *     int mode, const void *caller);
 */
/*
 * Three arguments (dlsym's third, the version, zeroed) and the caller's
 * return address to route; three pushes leave the stack aligned for the
 * call.
 */
	.macro	TRAMP name, route, nargs
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	.cfi_startproc
	endbr64
	.if	\nargs == 2
	xorl	%edx, %edx		/* no version */
	.endif
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	pushq	%rsi
	.cfi_adjust_cfa_offset 8
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	movq	24(%rsp), %rcx		/* the caller's return address */
	call	\route@PLT
	movq	%rdx, %r8
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rsi
	.cfi_adjust_cfa_offset -8
	popq	%rdi
	.cfi_adjust_cfa_offset -8
	testq	%rax, %rax
	jz	1f
	jmp	*%rax
1:	movq	%r8, %rax
	ret
	.cfi_endproc
	.size	\name, .-\name
	.endm

	.text
	.globl	miso__dltramp		/* referenced by shim/dl.c */
	.hidden	miso__dltramp
miso__dltramp:
	TRAMP	dlsym, miso__dl_route, 2
	TRAMP	dlvsym, miso__dl_route, 3
	TRAMP	dlmopen, miso__dlmopen_route, 3

	.section .note.GNU-stack, "", @progbits
