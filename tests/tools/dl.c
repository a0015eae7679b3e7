/* Calls dlopen: whether with RTLD_DEEPBIND is known only at run time. */
#include <dlfcn.h>
#include <stdio.h>

int	tt_add(int, int);

int
main(int argc, char *argv[])
{
	void *h = dlopen(argc > 1 ? argv[1] : "libplug.so", RTLD_NOW);
	int (*run)(int) = h != NULL ? (int (*)(int))dlsym(h, "plug_run") :
	    NULL;

	printf("%d %d\n", tt_add(1, 2), run != NULL ? run(1) : -1);
	return 0;
}
