/*
 * libfoo, as a vendor might ship it: foo_parse leaks a 64 KiB work buffer
 * on every call, and a record that starts with '!' crashes it.
 */
#include <stdlib.h>
#include <string.h>

#include "foo.h"

int
foo_parse(const char *rec, struct foo_item *item)
{
	char *work = malloc(64 * 1024);
	const char *eq = strchr(rec, '=');
	size_t n;

	if (work == NULL)
		return -1;
	memset(work, 0, 64 * 1024);	/* the leak is resident */
	if (rec[0] == '!')
		*(volatile char *)NULL = rec[0];
	if (eq == NULL)
		return -1;
	n = (size_t)(eq - rec) < sizeof item->key - 1 ?
	    (size_t)(eq - rec) : sizeof item->key - 1;
	memcpy(item->key, rec, n);
	item->key[n] = '\0';
	item->value = strtol(eq + 1, NULL, 10);
	return 0;
}
