/*
 * Opens plug-ins that only its RUNPATH ($ORIGIN/plugins) finds, twice,
 * closes and reopens them, and loads two more from two threads at once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define ROUNDS	50

typedef long fn(long, long);

static void *
must_open(const char *name)
{
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		printf("dlopen %s: %s\n", name, dlerror());
	return h;
}

static void *
loader(void *arg)
{
	const char *lib = arg;
	long sum = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		void *h = must_open(lib);
		fn *f;

		if (h == NULL)
			return (void *)-1L;
		f = (fn *)dlsym(h, lib[4] == '1' ? "t1_run" : "t2_run");
		sum += f(0, 1);
		dlclose(h);
	}
	return (void *)sum;
}

int
main(void)
{
	void *h, *h2, *r1, *r2;
	pthread_t t1, t2;
	fn *run, *pf, *ifn;

	if ((h = must_open("libplug.so")) == NULL)
		return 1;
	run = (fn *)dlsym(h, "plug_run");
	pf = (fn *)dlsym(h, "plug_func");
	ifn = (fn *)dlsym(h, "plug_ifn");
	printf("run %ld\n", run(2, 3));
	printf("func %ld\n", pf(2, 3));
	printf("ifunc %ld\n", ifn(2, 3));
	printf("default %s\n", dlsym(RTLD_DEFAULT, "plug_func") != NULL ?
	    "found" : "none");
	printf("plugdefault %ld\n", ((fn *)dlsym(h, "plug_default"))(2, 3));
	printf("plugnext %ld\n", ((fn *)dlsym(h, "plug_next"))(2, 3));
	h2 = must_open("libplug.so");
	printf("same %d\n", h2 == h);
	printf("run2 %ld\n", run(2, 3));
	dlclose(h2);
	dlclose(h);
	if ((h = must_open("libplug.so")) == NULL)
		return 1;
	run = (fn *)dlsym(h, "plug_run");
	printf("reload %ld\n", run(2, 3));
	pthread_create(&t1, NULL, loader, "libt1.so");
	pthread_create(&t2, NULL, loader, "libt2.so");
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	printf("threads %ld %ld\n", (long)r1, (long)r2);
	printf("after %ld\n", run(2, 3));
	/* Into the base namespace it is a dlopen; a new one is left alone. */
	if ((h = dlmopen(LM_ID_BASE, "libt1.so", RTLD_NOW)) == NULL)
		printf("dlmopen: %s\n", dlerror());
	else
		printf("mopen base %ld\n", ((fn *)dlsym(h, "t1_run"))(0, 1));
	if ((h = dlmopen(LM_ID_NEWLM, "libplug.so", RTLD_NOW)) == NULL)
		printf("dlmopen: %s\n", dlerror());
	else
		printf("mopen new %ld\n", ((fn *)dlsym(h, "plug_run"))(2, 3));
	return 0;
}
