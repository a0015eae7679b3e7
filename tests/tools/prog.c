/* The program 'miso check' looks at, built as PIE, non-PIE, -fno-plt,
 * full RELRO and with DT_RPATH. */
#include <stdio.h>
#include <stdlib.h>

int	tt_add(int, int);
int	tt_crash(int);
int	sym_quad(int);
int	sym_twice(int);
int	prot_get(int);
int	prot_call(int);
int	ver_get(int);

int
main(int argc, char *argv[])
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	printf("tt_add %d\n", tt_add(n, 2));
	printf("sym %d %d\n", sym_quad(n), sym_twice(n));
	printf("prot %d %d\n", prot_get(n), prot_call(n));
	printf("ver %d\n", ver_get(n));
	if (argc > 2)
		printf("tt_crash %d\n", tt_crash(atoi(argv[2])));
	return 0;
}
