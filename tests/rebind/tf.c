/* libtf.so: the functions the tests hook. Built lazy, partial RELRO. */
long	tfunc_add(long, long);
long	tfunc_mul(long, long);
long	tfunc_twice(long);
long	tfunc_sub(long, long);
long	tf_call_mulp(long, long);

long
tfunc_add(long a, long b)
{
	return a + b;
}

long
tfunc_mul(long a, long b)
{
	return a * b;
}

/* Calls tfunc_add through this library's own PLT (it is preemptible). */
long
tfunc_twice(long a)
{
	return tfunc_add(a, a);
}

/* An initialized global pointer: an absolute relocation against tfunc_mul. */
static long (*tf_mulp)(long, long) = tfunc_mul;

long
tf_call_mulp(long a, long b)
{
	long (*volatile *p)(long, long) = &tf_mulp;

	return (*p)(a, b);
}

static long
sub_impl(long a, long b)
{
	return a - b;
}

static __attribute__((used)) long (*sub_resolve(void))(long, long)
{
	return sub_impl;
}

/* An IFUNC: slots hold what the resolver returns. */
long tfunc_sub(long, long) __attribute__((ifunc("sub_resolve")));
