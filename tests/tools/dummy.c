/*
 * A stand-in for libmiso.so in the tests of 'miso run': it reports, from
 * its constructor, the environment the shim would have seen.
 */
#include <stdio.h>
#include <stdlib.h>

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? v : "(unset)";
}

__attribute__((constructor)) static void
report(void)
{
	fprintf(stderr, "dummy: MISO_CONFIG=%s MISO_LOG=%s MISO_STATS=%s\n",
	    env("MISO_CONFIG"), env("MISO_LOG"), env("MISO_STATS"));
	fprintf(stderr, "dummy: LD_PRELOAD=%s\n", env("LD_PRELOAD"));
}
