/* Needs libgone.so, which the loader cannot find. */
#include <stdio.h>

int	gone_get(void);
int	tt_add(int, int);

int
main(void)
{
	printf("%d %d\n", gone_get(), tt_add(1, 2));
	return 0;
}
