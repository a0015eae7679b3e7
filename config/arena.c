/*
 * A bump allocator: one model, one arena, one free.  The parser never frees
 * anything on its own, so an error halfway through a file leaks nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHUNK	(64 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 used, size;
	max_align_t	 data[];
};

struct miso__arena {
	struct chunk	*head;
};

struct miso__arena *
miso__arena_new(void)
{
	return calloc(1, sizeof(struct miso__arena));
}

static struct chunk *
chunk_new(size_t min)
{
	struct chunk *c;
	size_t size = min > CHUNK ? min : CHUNK;

	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->used = 0;
	c->size = size;
	return c;
}

/* Returns zeroed memory aligned for any type, or NULL. */
void *
miso__arena_alloc(struct miso__arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (n == 0 || n > SIZE_MAX / 2)
		return NULL;
	if (c == NULL || c->size - c->used < n) {
		if ((c = chunk_new(n)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void
miso__arena_free(struct miso__arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
