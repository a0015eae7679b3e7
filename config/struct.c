/*
 * Struct declarations and definitions, laid out as the x86-64 System V ABI
 * and AAPCS64 (and every common C ABI) do: each field at the next multiple
 * of its alignment, the whole padded to the largest.
 */
#include <string.h>

#include "internal.h"

/* Copies a completed struct into every typedef of it, at any depth. */
static void
refresh_typedefs(struct miso__parser *p)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++) {
		struct miso__conf_type *t = p->types[i];
		const struct miso__conf_type *to = t->alias;

		if (to != NULL && t->incomplete && !to->incomplete) {
			const char *name = t->name;

			*t = *to;
			t->name = name;
			t->alias = to;
		}
	}
}

static int
array_dims(struct miso__parser *p, size_t *count)
{
	*count = 1;
	while (miso__accept(p, '[')) {
		struct miso__tok t = miso__next(p);

		if (t.kind != MISO__T_INT || t.ival == 0) {
			miso__error_at(p, &t, "array length must be a positive "
			    "integer");
			return -1;
		}
		if (t.ival > MISO__MAX_STRUCT / *count) {
			miso__error_at(p, &t, "array too large");
			return -1;
		}
		*count *= t.ival;
		if (miso__expect(p, ']', "after the array length") == -1)
			return -1;
	}
	return 0;
}

static int
add_field(struct miso__parser *p, struct miso__conf_field *f, size_t *off,
    size_t *align, const struct miso__tok *at)
{
	const struct miso__conf_type *t = f->type;

	if (t->kind == MISO__K_VOID || t->incomplete) {
		miso__error_at(p, at, "field '%s' has incomplete type '%s'",
		    f->name, t->name);
		return -1;
	}
	*off = (*off + t->align - 1) / t->align * t->align;
	f->offset = *off;
	if (t->size > (MISO__MAX_STRUCT - *off) / f->count) {
		miso__error_at(p, at, "struct too large");
		return -1;
	}
	*off += t->size * f->count;
	if (t->align > *align)
		*align = t->align;
	return 0;
}

/* One line of fields: "TYPE a, *b, c[4];". */
static int
field_line(struct miso__parser *p, struct miso__conf_field *fields,
    size_t *nf, size_t *off, size_t *align)
{
	const struct miso__conf_type *base, *t;
	struct miso__tok name;
	int c;

	if ((base = miso__parse_type(p, 0, &c)) == NULL)
		return -1;
	do {
		struct miso__conf_field *f = &fields[*nf];

		if ((t = miso__parse_declarator(p, base, c, &name)) == NULL)
			return -1;
		if (name.kind != MISO__T_IDENT) {
			miso__error_at(p, &name, "expected a field name");
			return -1;
		}
		if (miso__accept(p, ':')) {
			miso__error_at(p, &name, "bit-fields are not "
			    "supported");
			return -1;
		}
		if (*nf == MISO__MAX_FIELDS) {
			miso__error_at(p, &name, "too many fields (the limit "
			    "is %d)", MISO__MAX_FIELDS);
			return -1;
		}
		f->name = miso__tok_str(p, &name);
		f->type = t;
		if (array_dims(p, &f->count) == -1 ||
		    add_field(p, f, off, align, &name) == -1)
			return -1;
		++*nf;
	} while (miso__accept(p, ','));
	return miso__expect(p, ';', "after the field");
}

static int
struct_body(struct miso__parser *p, struct miso__conf_type *st,
    const struct miso__tok *at)
{
	struct miso__conf_field fields[MISO__MAX_FIELDS];
	struct miso__conf_field *v;
	size_t nf = 0, off = 0, align = 1;

	while (!miso__accept(p, '}')) {
		if (miso__peek(p)->kind == MISO__T_EOF) {
			miso__error_at(p, miso__peek(p), "expected '}'");
			return -1;
		}
		if (field_line(p, fields, &nf, &off, &align) == -1)
			return -1;
	}
	if (nf == 0) {
		miso__error_at(p, at, "'%s' has no fields", st->name);
		return -1;
	}
	v = miso__alloc(p, nf * sizeof(*v));
	memcpy(v, fields, nf * sizeof(*v));
	st->fields = v;
	st->nfields = nf;
	st->align = align;
	st->size = (off + align - 1) / align * align;
	st->incomplete = 0;
	st->opaque_layout = 0;
	return 0;
}

/* 'struct tag;', or a typedef of a struct not declared yet. */
static struct miso__conf_type *
forward(struct miso__parser *p, const char *name, const struct miso__tok *at)
{
	struct miso__named *n;

	n = miso__add_named(p, name + 7, 1, miso__incomplete(p, name), at);
	miso__list_type(p, n->type, at);
	n->listed = 1;
	return n->type;
}

/* "struct tag { ... }": n is its earlier declaration, if any. */
static const struct miso__conf_type *
define(struct miso__parser *p, struct miso__named *n, const char *name,
    const struct miso__tok *tag)
{
	if (n != NULL && !n->type->incomplete) {
		miso__error_at(p, tag, "redefinition of '%s'", name);
		miso__note(p, n->line, n->col, "'%s' was defined here", name);
		return NULL;
	}
	/* Each level keeps its fields on the stack: keep it shallow. */
	if (++p->depth > MISO__MAX_NEST) {
		miso__error_at(p, tag, "structs nested too deeply");
		return NULL;
	}
	miso__next(p);
	if (n == NULL)
		n = miso__add_named(p, name + 7, 1, miso__incomplete(p, name),
		    tag);
	if (struct_body(p, n->type, tag) == -1)
		return NULL;
	p->depth--;
	if (!n->listed) {
		miso__list_type(p, n->type, tag);
		n->listed = 1;
	}
	refresh_typedefs(p);
	return n->type;
}

/* "struct tag", "struct tag { ... }", or "struct tag;" at top level. */
const struct miso__conf_type *
miso__parse_struct(struct miso__parser *p, int flags)
{
	struct miso__tok tag = miso__next(p);
	struct miso__named *n;
	struct miso__conf_type *st;
	const char *name;
	size_t size, align;
	const struct miso__tok *t;

	if (tag.kind != MISO__T_IDENT) {
		miso__error_at(p, &tag, tag.kind == MISO__T_PUNCT &&
		    tag.ch == '{' ? "anonymous structs are not supported; "
		    "give it a tag" : "expected a struct tag");
		return NULL;
	}
	name = miso__strcat3(p, "struct ", miso__tok_str(p, &tag), "");
	n = miso__find_named(p, name + 7, 1);
	t = miso__peek(p);
	if (t->kind == MISO__T_PUNCT && t->ch == '{')
		return define(p, n, name, &tag);
	if (n != NULL)
		return n->type;
	if ((flags & MISO__TYPE_DECL) && t->kind == MISO__T_PUNCT &&
	    t->ch == ';')
		return forward(p, name, &tag);
	if (miso__systype(name, &size, &align) == 0) {
		st = miso__new_type(p, MISO__K_STRUCT, name);
		st->size = size;
		st->align = align;
		st->opaque_layout = 1;
		return st;
	}
	if (flags & MISO__TYPE_TYPEDEF)
		return forward(p, name, &tag);
	if (flags & MISO__TYPE_OPAQUE)
		return miso__incomplete(p, name);
	miso__error_at(p, &tag, "unknown type '%s'", name);
	miso__note(p, tag.line, tag.col, "declare it with '%s { ... };', or "
	    "pass the pointer as it is with 'opaque'", name);
	return NULL;
}
