/*
 * Calls the entries of packs/libcrypt.conf and prints the hashes: the
 * output must be the same with the pack isolated and without.
 */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

static struct crypt_data data;

int
main(void)
{
	static const char *salts[] = { "ab", "$1$saltsalt$", "$5$saltsalt$",
	    "$6$saltsalt$", "$y$j9T$saltsaltsaltsalt$", "*bad" };
	const char *r;
	size_t i;

	for (i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		r = crypt("correct horse", salts[i]);
		printf("crypt %s\n", r != NULL ? r : "(null)");
		memset(&data, 0, sizeof(data));
		r = crypt_r("battery staple", salts[i], &data);
		printf("crypt_r %s %s\n", r != NULL ? r : "(null)",
		    r != NULL && (const char *)r >= (const char *)&data &&
		    (const char *)r < (const char *)(&data + 1) ? "in data" :
		    "elsewhere");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
