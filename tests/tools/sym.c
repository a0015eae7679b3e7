/* libsym.so, linked -Bsymbolic: sym_quad calls sym_twice directly. */
int
sym_twice(int x)
{
	return 2 * x;
}

int
sym_quad(int x)
{
	return sym_twice(sym_twice(x));
}
