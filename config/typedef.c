/*
 * The typedef declaration, which names a type for the rest of the file.
 */
#include "internal.h"

/* "typedef TYPE NAME;" */
int
miso__parse_typedef(struct miso__parser *p)
{
	const struct miso__conf_type *to;
	struct miso__conf_type *t;
	struct miso__named *n;
	struct miso__tok name;
	char *s;
	int c;

	if ((to = miso__parse_type(p, MISO__TYPE_TYPEDEF, &c)) == NULL ||
	    (to = miso__parse_declarator(p, to, c, &name)) == NULL)
		return -1;
	if (name.kind != MISO__T_IDENT) {
		miso__error_at(p, &name, "expected the typedef's name");
		return -1;
	}
	s = miso__tok_str(p, &name);
	if ((n = miso__find_named(p, s, 0)) != NULL ||
	    miso__builtin(s) != NULL) {
		miso__error_at(p, &name, "redefinition of '%s'", s);
		if (n != NULL)
			miso__note(p, n->line, n->col, "'%s' was defined here",
			    s);
		return -1;
	}
	if (miso__expect(p, ';', "after the typedef") == -1)
		return -1;
	t = miso__alloc(p, sizeof(*t));
	*t = *to;
	t->name = s;
	t->alias = to;
	miso__add_named(p, s, 0, t, &name);
	miso__list_type(p, t, &name);
	return 0;
}
