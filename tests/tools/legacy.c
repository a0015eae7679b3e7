/* The legacy_parse of README.md's C example: "crash" crashes it. */
#include <stdlib.h>
#include <string.h>

long legacy_parse(const char *text);

long
legacy_parse(const char *text)
{
	if (strcmp(text, "crash") == 0)
		*(volatile int *)NULL = 1;
	return strtol(text, NULL, 10);
}
