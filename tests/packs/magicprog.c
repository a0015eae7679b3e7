/*
 * Calls the entries of packs/libmagic.conf on a few files and buffers
 * and prints the descriptions: the output must be the same with the pack
 * isolated and without.
 */
#include <magic.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	static const char *bufs[] = { "#!/bin/sh\necho hi\n", "%PDF-1.4\n",
	    "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "plain words\n" };
	static const size_t lens[] = { 18, 9, 16, 12 };
	magic_t m = magic_open(MAGIC_NONE);
	const char *r;
	size_t i;
	int a;

	if (m == NULL || magic_load(m, NULL) != 0)
		return 2;
	for (a = 1; a < argc; a++) {
		r = magic_file(m, argv[a]);
		printf("magic_file %s: %s\n", argv[a], r != NULL ? r :
		    magic_error(m));
	}
	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		r = magic_buffer(m, bufs[i], lens[i]);
		printf("magic_buffer %zu: %s\n", i, r != NULL ? r : "(null)");
	}
	magic_close(m);
	return fflush(stdout) == 0 ? 0 : 1;
}
