/* libver.so: two versions of vfunc, VER_1 (old) and VER_2 (default). */
long	vfunc_v1(long, long);
long	vfunc_v2(long, long);

__asm__(".symver vfunc_v1, vfunc@VER_1");
__asm__(".symver vfunc_v2, vfunc@@VER_2");

long
vfunc_v1(long a, long b)
{
	return a + b;
}

long
vfunc_v2(long a, long b)
{
	return a * b;
}
