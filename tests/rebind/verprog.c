/* Calls both versions of libver.so's vfunc, directly and by dl*sym. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

typedef long fn(long, long);

long	vfunc(long, long);
long	vfunc_old(long, long);

__asm__(".symver vfunc_old, vfunc@VER_1");

int
main(void)
{
	fn *vs = (fn *)dlvsym(RTLD_DEFAULT, "vfunc", "VER_1");
	fn *s = (fn *)dlsym(RTLD_DEFAULT, "vfunc");

	printf("new %ld\n", vfunc(2, 3));
	printf("old %ld\n", vfunc_old(2, 3));
	printf("vsym %ld\n", vs != NULL ? vs(2, 3) : -1);
	printf("sym %ld\n", s != NULL ? s(2, 3) : -1);
	return 0;
}
