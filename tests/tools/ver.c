/* libver.so: ver_get in two versions; VER_2 is the default. */
int
ver_get_1(int x)
{
	return x;
}

int
ver_get_2(int x)
{
	return 2 * x;
}

__asm__(".symver ver_get_1, ver_get@VER_1");
__asm__(".symver ver_get_2, ver_get@@VER_2");
