/* plugins/libt1.so and libt2.so: loaded and unloaded by two threads. */
long	dep_func(long, long);
long	TL_RUN(long, long);

long
TL_RUN(long a, long b)
{
	return dep_func(a, b);
}
