/* libdep.so: a dependency of the plug-ins, loaded after start-up. */
long	dep_func(long, long);

long
dep_func(long a, long b)
{
	return a * 100 + b;
}
