/*
 * The types a file creates and names: new type records, and the table of
 * struct tags and typedef names, listed for miso__conf_format().
 */
#include <string.h>

#include "internal.h"

struct miso__named *
miso__find_named(struct miso__parser *p, const char *name, int is_tag)
{
	struct miso__named *n;

	for (n = p->named; n != NULL; n = n->next)
		if (n->is_tag == is_tag && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

struct miso__named *
miso__add_named(struct miso__parser *p, const char *name, int is_tag,
    struct miso__conf_type *type, const struct miso__tok *at)
{
	struct miso__named *n = miso__alloc(p, sizeof(*n));

	n->name = name;
	n->is_tag = is_tag;
	n->type = type;
	n->line = at->line;
	n->col = at->col;
	n->next = p->named;
	p->named = n;
	return n;
}

/* Appends to the declared types that miso__conf_format() prints. */
void
miso__list_type(struct miso__parser *p, struct miso__conf_type *t,
    const struct miso__tok *at)
{
	struct miso__conf_type **v;

	if (p->ntypes == MISO__MAX_DECLS) {
		miso__error_at(p, at, "too many type declarations (the limit "
		    "is %d)", MISO__MAX_DECLS);
		return;
	}
	if (p->ntypes == p->types_cap) {
		p->types_cap = p->types_cap != 0 ? p->types_cap * 2 : 16;
		v = miso__alloc(p, p->types_cap * sizeof(*v));
		if (p->ntypes != 0)
			memcpy(v, p->types, p->ntypes * sizeof(*v));
		p->types = v;
	}
	p->types[p->ntypes++] = t;
}

struct miso__conf_type *
miso__new_type(struct miso__parser *p, enum miso__conf_kind kind,
    const char *name)
{
	struct miso__conf_type *t = miso__alloc(p, sizeof(*t));

	t->kind = kind;
	t->name = name;
	t->align = 1;
	return t;
}

/* A struct or a name nobody declared, behind 'opaque': no size at all. */
struct miso__conf_type *
miso__incomplete(struct miso__parser *p, const char *name)
{
	struct miso__conf_type *t = miso__new_type(p, MISO__K_STRUCT, name);

	t->incomplete = 1;
	t->opaque_layout = 1;
	return t;
}
