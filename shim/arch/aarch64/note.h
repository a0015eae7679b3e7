/*
 * The GNU property note of the assembly files: the linker marks a library
 * as BTI- or PAC-compatible only when every object it is made of says so,
 * so these say what the compiler says for the C files
 * (-mbranch-protection), no more and no less.
 */
#ifndef MISO_SHIM_ARCH_NOTE_H
#define MISO_SHIM_ARCH_NOTE_H

#define GNU_PROPERTY_AARCH64_FEATURE_1_AND	0xc0000000
#define GNU_PROPERTY_AARCH64_FEATURE_1_BTI	1
#define GNU_PROPERTY_AARCH64_FEATURE_1_PAC	2

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define MISO__NOTE_BTI	GNU_PROPERTY_AARCH64_FEATURE_1_BTI
#else
#define MISO__NOTE_BTI	0
#endif
#if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
#define MISO__NOTE_PAC	GNU_PROPERTY_AARCH64_FEATURE_1_PAC
#else
#define MISO__NOTE_PAC	0
#endif

#if MISO__NOTE_BTI || MISO__NOTE_PAC
	.pushsection .note.gnu.property, "a"
	.p2align 3
	.word	4				/* name size */
	.word	16				/* descriptor size */
	.word	5				/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.word	GNU_PROPERTY_AARCH64_FEATURE_1_AND
	.word	4				/* data size */
	.word	MISO__NOTE_BTI | MISO__NOTE_PAC
	.word	0				/* padding */
	.popsection
#endif

#endif
