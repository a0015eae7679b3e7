/*
 * The entry of each configured function, as the rebound slots see it: a
 * stub that tail-jumps to the real function when the calling thread must
 * not be isolated again (inside an isolated child, or inside the shim),
 * and to the function's libffi closure otherwise. The unisolated path so
 * costs a load, a test and a jump instead of a trip through libffi.
 *
 * Stub i, 64 bytes from the last, reads miso__stubs[i] = { closure, &hook.real }. Only %r11 is
 * used: it is scratch at a call and carries no argument. A real that is
 * not known yet sends the call to the closure, which reports it.
 */
#define NSTUBS 256

	.text
	.p2align 6
	.globl	miso__stub_base
	.hidden	miso__stub_base
miso__stub_base:
	.set	i, 0
	.rept	NSTUBS
	.p2align 6
	endbr64
	movq	miso__bypass@gottpoff(%rip), %r11
	cmpl	$0, %fs:(%r11)
	je	1f
	movq	miso__stubs+16*i+8(%rip), %r11
	movq	(%r11), %r11
	testq	%r11, %r11
	je	1f
	jmp	*%r11
1:	jmp	*miso__stubs+16*i(%rip)
	.set	i, i + 1
	.endr

	.bss
	.p2align 4
	.globl	miso__stubs
	.hidden	miso__stubs
	.type	miso__stubs, @object
	.size	miso__stubs, 16 * NSTUBS
miso__stubs:
	.zero	16 * NSTUBS

	.section .note.GNU-stack, "", @progbits
