/* A static program: no PT_INTERP, so nothing can be preloaded. */
#include <stdio.h>

int
tt_add(int a, int b)
{
	return a + b;
}

int
main(void)
{
	printf("%d\n", tt_add(1, 2));
	return 0;
}
