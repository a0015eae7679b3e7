/*
 * plugins/libplug.so: opened RTLD_LOCAL by dlprog, found only through the
 * program's RUNPATH ($ORIGIN/plugins). Its own function is invisible to
 * dlsym(RTLD_NEXT); its dependency libdep.so defines dep_func.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef long fn(long, long);

long	dep_func(long, long);
long	plug_default(long, long);
long	plug_next(long, long);
long	plug_func(long, long);
long	plug_run(long, long);
long	plug_ifn(long, long);

long
plug_func(long a, long b)
{
	return a * 10 + b;
}

static long
ifn_impl(long a, long b)
{
	return a * 1000 + b;
}

static __attribute__((used)) long (*ifn_resolve(void))(long, long)
{
	return ifn_impl;
}

long plug_ifn(long, long) __attribute__((ifunc("ifn_resolve")));

/* plug_func and plug_ifn through its own PLT, dep_func in libdep.so. */
long
plug_run(long a, long b)
{
	return plug_func(a, b) + dep_func(a, b) + plug_ifn(a, b);
}

/* From an RTLD_LOCAL object, RTLD_DEFAULT also searches its own scope. */
long
plug_default(long a, long b)
{
	fn *f = (fn *)dlsym(RTLD_DEFAULT, "plug_func");

	return f != NULL ? f(a, b) : -1;
}

/* RTLD_NEXT from here finds libdep.so's real dep_func. */
long
plug_next(long a, long b)
{
	fn *f = (fn *)dlsym(RTLD_NEXT, "dep_func");

	return f != NULL ? f(a, b) : -1;
}
