/*
 * libmid.so: calls into libtf.so from another library. Built -fno-plt
 * with full RELRO: its GLOB_DAT slots are read-only after start-up.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

long	tfunc_add(long, long);
long	mid_call(long, long);
long	mid_data(long, long);
long	mid_relro(long, long);
long	mid_next(long, long);

long
mid_call(long a, long b)
{
	return tfunc_add(a, b);
}

/* An absolute relocation in writable data, and in RELRO (.data.rel.ro). */
static long (*mid_addp)(long, long) = tfunc_add;
static long (*const mid_addc)(long, long) = tfunc_add;

long
mid_data(long a, long b)
{
	long (*volatile *p)(long, long) = &mid_addp;

	return (*p)(a, b);
}

long
mid_relro(long a, long b)
{
	long (*const volatile *p)(long, long) = &mid_addc;

	return (*p)(a, b);
}

/* RTLD_NEXT from here must still find libtf.so's real function. */
long
mid_next(long a, long b)
{
	long (*f)(long, long) = (long (*)(long, long))dlsym(RTLD_NEXT,
	    "tfunc_add");

	return f != NULL ? f(a, b) : -1;
}
