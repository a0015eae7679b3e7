/* libtt.so: plain exported functions, one hidden, one whose DWARF
 * prototype differs from the configuration. */
__attribute__((visibility("hidden"))) int
tt_hidden(int x)
{
	return x + 1;
}

double
tt_scale(double x, int n)
{
	return x * n;
}

int
tt_add(int a, int b)
{
	return tt_hidden(a) + b - 1 + (int)tt_scale(0.0, 1);
}

int
tt_mismatch(int a, double b)
{
	return a + (int)b;
}

int
tt_crash(int x)
{
	if (x > 0)
		*(volatile int *)0 = x;
	return x;
}
