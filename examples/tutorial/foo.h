/* libfoo: parses "key=value" records. */
#ifndef FOO_H
#define FOO_H

struct foo_item {
	char key[16];
	long value;
};

/* 0 and *item filled, or -1 for a record without '='. */
int foo_parse(const char *rec, struct foo_item *item);

#endif
