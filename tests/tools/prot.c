/* libprot.so: a protected symbol that the library itself calls. */
__attribute__((visibility("protected"), noinline)) int
prot_get(int x)
{
	return x * 3;
}

int
prot_call(int x)
{
	return prot_get(x) + 1;
}
