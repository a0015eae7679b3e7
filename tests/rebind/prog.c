/* Calls libtf.so's functions every way a program can. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

long	tfunc_add(long, long);
long	tfunc_mul(long, long);
long	tfunc_twice(long);
long	tfunc_sub(long, long);
long	tf_call_mulp(long, long);
long	mid_call(long, long);
long	mid_data(long, long);
long	mid_relro(long, long);
long	mid_next(long, long);

/*
 * An initialized global: an absolute relocation (R_X86_64_64,
 * R_AARCH64_ABS64) in a PIE, the PLT entry otherwise.
 */
long (*g_add)(long, long) = tfunc_add;

int
main(void)
{
	long (*volatile fp)(long, long) = tfunc_mul;	/* before the call */
	long (*dp)(long, long);

	dp = (long (*)(long, long))dlsym(RTLD_DEFAULT, "tfunc_add");
	printf("direct %ld\n", tfunc_add(2, 3));
	printf("pointer %ld\n", fp(2, 3));
	printf("global %ld\n", g_add(2, 3));
	printf("twice %ld\n", tfunc_twice(4));
	printf("libdata %ld\n", tf_call_mulp(2, 3));
	printf("ifunc %ld\n", tfunc_sub(5, 3));
	printf("mid %ld\n", mid_call(2, 3));
	printf("middata %ld\n", mid_data(2, 3));
	printf("midrelro %ld\n", mid_relro(2, 3));
	printf("next %ld\n", mid_next(2, 3));
	printf("default %ld\n", dp != NULL ? dp(2, 3) : -1);
	return 0;
}
