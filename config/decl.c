/*
 * C types as the language spells them: scalars, struct and enum
 * declarations, typedefs, pointers and function pointers.  Structs are laid
 * out as the x86-64 System V ABI (and every common C ABI) does: each field
 * at the next multiple of its alignment, the whole padded to the largest.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { S_VOID, S_CHAR, S_SHORT, S_INT, S_LONG, S_FLOAT, S_DOUBLE, S_SIGNED,
    S_UNSIGNED, S_BOOL, S_BOOL2, NSPEC };

static const char *const specs[NSPEC] = { "void", "char", "short", "int",
    "long", "float", "double", "signed", "unsigned", "_Bool", "bool" };

static int
spec_index(struct miso__parser *p, const struct miso__tok *t)
{
	int i;

	for (i = 0; i < NSPEC; i++)
		if (miso__tok_is(p, t, specs[i]))
			return i;
	return -1;
}

static struct miso__named *
find_named(struct miso__parser *p, const char *name, int is_tag)
{
	struct miso__named *n;

	for (n = p->named; n != NULL; n = n->next)
		if (n->is_tag == is_tag && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static struct miso__named *
add_named(struct miso__parser *p, const char *name, int is_tag,
    struct miso_conf_type *type, const struct miso__tok *at)
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
static void
list_type(struct miso__parser *p, struct miso_conf_type *t,
    const struct miso__tok *at)
{
	struct miso_conf_type **v;

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

/* Maps a list of specifiers such as "unsigned long int" to its type. */
static const char *
scalar_name(const int *n)
{
	int sign = n[S_SIGNED] + n[S_UNSIGNED], u = n[S_UNSIGNED];
	int all = 0, i;

	for (i = 0; i < NSPEC; i++)
		all += n[i];
	if (n[S_BOOL] + n[S_BOOL2] == 1 && all == 1)
		return "_Bool";
	if (n[S_VOID] == 1 && all == 1)
		return "void";
	if (n[S_FLOAT] == 1 && all == 1)
		return "float";
	if (n[S_DOUBLE] == 1 && all == 1)
		return "double";
	if (sign > 1 || n[S_INT] > 1 || n[S_LONG] > 2 || n[S_SHORT] > 1)
		return NULL;
	if (n[S_CHAR] == 1 && all == 1 + sign)
		return n[S_SIGNED] ? "signed char" : u ? "unsigned char" :
		    "char";
	if (n[S_SHORT] == 1 && all == 1 + sign + n[S_INT])
		return u ? "unsigned short" : "short";
	if (n[S_LONG] == 1 && all == 1 + sign + n[S_INT])
		return u ? "unsigned long" : "long";
	if (n[S_LONG] == 2 && all == 2 + sign + n[S_INT])
		return u ? "unsigned long long" : "long long";
	if (all == sign + n[S_INT] && all > 0)
		return u ? "unsigned int" : "int";
	return NULL;
}

static const struct miso_conf_type *
scalar(struct miso__parser *p, const int *n, const struct miso__tok *at)
{
	const char *name;

	if (n[S_LONG] == 1 && n[S_DOUBLE] == 1) {
		miso__error_at(p, at, "'long double' cannot be passed: libffi "
		    "and the ABI disagree on it across platforms");
		return NULL;
	}
	if ((name = scalar_name(n)) == NULL) {
		miso__error_at(p, at, "invalid combination of type specifiers");
		return NULL;
	}
	return miso__builtin(name);
}

static struct miso_conf_type *
new_type(struct miso__parser *p, enum miso_conf_kind kind, const char *name)
{
	struct miso_conf_type *t = miso__alloc(p, sizeof(*t));

	t->kind = kind;
	t->name = name;
	t->align = 1;
	return t;
}

/* A struct or a name nobody declared, behind 'opaque': no size at all. */
static struct miso_conf_type *
incomplete(struct miso__parser *p, const char *name)
{
	struct miso_conf_type *t = new_type(p, MISO_K_STRUCT, name);

	t->incomplete = 1;
	t->opaque_layout = 1;
	return t;
}

/* Copies a completed struct into every typedef of it, at any depth. */
static void
refresh_typedefs(struct miso__parser *p)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++) {
		struct miso_conf_type *t = p->types[i];
		const struct miso_conf_type *to = t->alias;

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
add_field(struct miso__parser *p, struct miso_conf_field *f, size_t *off,
    size_t *align, const struct miso__tok *at)
{
	const struct miso_conf_type *t = f->type;

	if (t->kind == MISO_K_VOID || t->incomplete) {
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
field_line(struct miso__parser *p, struct miso_conf_field *fields,
    size_t *nf, size_t *off, size_t *align)
{
	const struct miso_conf_type *base, *t;
	struct miso__tok name;
	int c;

	if ((base = miso__parse_type(p, 0, &c)) == NULL)
		return -1;
	do {
		struct miso_conf_field *f = &fields[*nf];

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
struct_body(struct miso__parser *p, struct miso_conf_type *st,
    const struct miso__tok *at)
{
	struct miso_conf_field fields[MISO__MAX_FIELDS];
	struct miso_conf_field *v;
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
static struct miso_conf_type *
forward(struct miso__parser *p, const char *name, const struct miso__tok *at)
{
	struct miso__named *n;

	n = add_named(p, name + 7, 1, incomplete(p, name), at);
	list_type(p, n->type, at);
	n->listed = 1;
	return n->type;
}

/* "struct tag { ... }": n is its earlier declaration, if any. */
static const struct miso_conf_type *
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
		n = add_named(p, name + 7, 1, incomplete(p, name), tag);
	if (struct_body(p, n->type, tag) == -1)
		return NULL;
	p->depth--;
	if (!n->listed) {
		list_type(p, n->type, tag);
		n->listed = 1;
	}
	refresh_typedefs(p);
	return n->type;
}

/* "struct tag", "struct tag { ... }", or "struct tag;" at top level. */
static const struct miso_conf_type *
struct_type(struct miso__parser *p, int flags)
{
	struct miso__tok tag = miso__next(p);
	struct miso__named *n;
	struct miso_conf_type *st;
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
	n = find_named(p, name + 7, 1);
	t = miso__peek(p);
	if (t->kind == MISO__T_PUNCT && t->ch == '{')
		return define(p, n, name, &tag);
	if (n != NULL)
		return n->type;
	if ((flags & MISO__TYPE_DECL) && t->kind == MISO__T_PUNCT &&
	    t->ch == ';')
		return forward(p, name, &tag);
	if (miso__systype(name, &size, &align) == 0) {
		st = new_type(p, MISO_K_STRUCT, name);
		st->size = size;
		st->align = align;
		st->opaque_layout = 1;
		return st;
	}
	if (flags & MISO__TYPE_TYPEDEF)
		return forward(p, name, &tag);
	if (flags & MISO__TYPE_OPAQUE)
		return incomplete(p, name);
	miso__error_at(p, &tag, "unknown type '%s'", name);
	miso__note(p, tag.line, tag.col, "declare it with '%s { ... };', or "
	    "pass the pointer as it is with 'opaque'", name);
	return NULL;
}

/* Enums are ints; their constants do not matter here and are skipped. */
static const struct miso_conf_type *
enum_type(struct miso__parser *p)
{
	struct miso__tok tag = *miso__peek(p);
	struct miso_conf_type *t;

	t = new_type(p, MISO_K_SINT, "int");
	*t = *miso__type_int();
	if (tag.kind == MISO__T_IDENT) {
		miso__next(p);
		t->name = miso__strcat3(p, "enum ", miso__tok_str(p, &tag), "");
	}
	if (miso__accept(p, '{')) {
		while (!miso__accept(p, '}')) {
			if (miso__next(p).kind == MISO__T_EOF) {
				miso__error_at(p, &tag, "unterminated enum");
				return NULL;
			}
		}
	} else if (tag.kind != MISO__T_IDENT) {
		miso__error_at(p, &tag, "expected an enum tag");
		return NULL;
	}
	return t;
}

static const struct miso_conf_type *
named_type(struct miso__parser *p, int flags)
{
	struct miso__tok tok = miso__next(p);
	const struct miso_conf_type *b;
	struct miso_conf_type *t;
	struct miso__named *n;
	char *name;
	size_t size, align;

	if (tok.kind != MISO__T_IDENT) {
		miso__error_at(p, &tok, "expected a type");
		return NULL;
	}
	name = miso__tok_str(p, &tok);
	if ((n = find_named(p, name, 0)) != NULL)
		return n->type;
	if ((b = miso__builtin(name)) != NULL)
		return b;
	if (miso__systype(name, &size, &align) == 0) {
		t = new_type(p, MISO_K_STRUCT, name);
		t->size = size;
		t->align = align;
		t->opaque_layout = 1;
		return t;
	}
	if (flags & MISO__TYPE_OPAQUE)
		return incomplete(p, name);
	miso__error_at(p, &tok, "unknown type '%s'", name);
	if ((b = miso__builtin_like(name)) != NULL)
		miso__note(p, tok.line, tok.col, "did you mean '%s'?", b->name);
	else
		miso__note(p, tok.line, tok.col, "declare it with 'struct %s "
		    "{ ... };' or a typedef, or pass the pointer as it is with "
		    "'opaque'", name);
	return NULL;
}

static void
qualifiers(struct miso__parser *p, int *is_const)
{
	for (;;) {
		const struct miso__tok *t = miso__peek(p);

		if (miso__tok_is(p, t, "const"))
			*is_const = 1;
		else if (!miso__tok_is(p, t, "volatile") &&
		    !miso__tok_is(p, t, "restrict"))
			return;
		miso__next(p);
	}
}

/*
 * Reads the type at the start of a declaration, up to its declarator.
 * Returns NULL after reporting an error.
 */
const struct miso_conf_type *
miso__parse_type(struct miso__parser *p, int flags, int *is_const)
{
	const struct miso__tok *t;
	const struct miso_conf_type *ty;
	struct miso__tok first;
	int n[NSPEC] = { 0 }, any = 0, i;

	*is_const = 0;
	qualifiers(p, is_const);
	first = *miso__peek(p);
	for (;;) {
		qualifiers(p, is_const);
		t = miso__peek(p);
		if ((i = spec_index(p, t)) == -1)
			break;
		n[i]++;
		any = 1;
		miso__next(p);
	}
	if (any)
		ty = scalar(p, n, &first);
	else if (miso__tok_is(p, t, "struct")) {
		miso__next(p);
		ty = struct_type(p, flags);
	} else if (miso__tok_is(p, t, "enum")) {
		miso__next(p);
		ty = enum_type(p);
	} else if (miso__tok_is(p, t, "union")) {
		miso__error_at(p, t, "unions are not supported; pass a pointer "
		    "to one with 'opaque', or as bytes ('void *p[n]')");
		ty = NULL;
	} else
		ty = named_type(p, flags);
	if (ty != NULL)
		qualifiers(p, is_const);
	return ty;
}

/* The parameter list of a function pointer, spelled "(int, char *)". */
static int
funcptr_params(struct miso__parser *p, struct miso__sbuf *b)
{
	const struct miso_conf_type *t;
	struct miso__tok name;
	int c, n = 0;

	miso__sbuf_puts(b, "(");
	if (miso__accept(p, ')')) {
		miso__sbuf_puts(b, "void)");
		return 0;
	}
	do {
		if (n++ > 0)
			miso__sbuf_puts(b, ", ");
		if (miso__peek(p)->kind == MISO__T_ELLIPSIS) {
			miso__next(p);
			miso__sbuf_puts(b, "...");
			break;
		}
		if ((t = miso__parse_type(p, MISO__TYPE_OPAQUE, &c)) == NULL ||
		    (t = miso__parse_declarator(p, t, c, &name)) == NULL)
			return -1;
		miso__format_decl(b, t, NULL);
	} while (miso__accept(p, ','));
	miso__sbuf_puts(b, ")");
	return miso__expect(p, ')', "after the parameters");
}

/* After "RET (": "*name)(params)". */
static const struct miso_conf_type *
funcptr(struct miso__parser *p, const struct miso_conf_type *ret,
    struct miso__tok *name)
{
	struct miso__sbuf b = { 0 };
	struct miso_conf_type *t;
	char *s;

	if (miso__expect(p, '*', "in a function pointer") == -1)
		return NULL;
	if (miso__peek(p)->kind == MISO__T_IDENT)
		*name = miso__next(p);
	if (miso__expect(p, ')', "after the function pointer's name") == -1 ||
	    miso__expect(p, '(', "before its parameters") == -1)
		return NULL;
	miso__format_decl(&b, ret, "(*)");
	if (funcptr_params(p, &b) == -1) {
		free(miso__sbuf_finish(&b));
		return NULL;
	}
	if ((s = miso__sbuf_finish(&b)) == NULL)
		longjmp(p->nomem, 1);
	t = new_type(p, MISO_K_FUNCPTR, miso__strndup(p, s, strlen(s)));
	free(s);
	t->size = sizeof(void (*)(void));
	t->align = _Alignof(void (*)(void));
	return t;
}

/* Words that cannot name anything, so that 'long a, char;' is an error. */
static int
keyword(struct miso__parser *p, const struct miso__tok *t)
{
	static const char *const words[] = { "const", "volatile", "restrict",
	    "struct", "enum", "union", "typedef", "sizeof" };
	size_t i;

	if (spec_index(p, t) != -1)
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (miso__tok_is(p, t, words[i]))
			return 1;
	return 0;
}

/*
 * Reads the stars, qualifiers and name (or "(*name)(...)") that follow a
 * type.  name is left with kind MISO__T_EOF when there is none.
 */
const struct miso_conf_type *
miso__parse_declarator(struct miso__parser *p,
    const struct miso_conf_type *t, int is_const, struct miso__tok *name)
{
	const struct miso_conf_type *r;
	int stars = 0;

	*name = *miso__peek(p);
	name->kind = MISO__T_EOF;
	while (miso__accept(p, '*')) {
		if (++stars > MISO__MAX_DEPTH) {
			miso__error_at(p, miso__peek(p), "too many '*'");
			return NULL;
		}
		t = miso__pointer_to(p, t, is_const);
		is_const = 0;
		qualifiers(p, &is_const);
	}
	if (miso__accept(p, '(')) {
		if (++p->depth > MISO__MAX_DEPTH) {
			miso__error_at(p, miso__peek(p), "function pointers "
			    "nested too deeply");
			return NULL;
		}
		r = funcptr(p, t, name);
		p->depth--;
		return r;
	}
	if (miso__peek(p)->kind == MISO__T_IDENT && !keyword(p, miso__peek(p)))
		*name = miso__next(p);
	return t;
}

/* "typedef TYPE NAME;" */
int
miso__parse_typedef(struct miso__parser *p)
{
	const struct miso_conf_type *to;
	struct miso_conf_type *t;
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
	if ((n = find_named(p, s, 0)) != NULL || miso__builtin(s) != NULL) {
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
	add_named(p, s, 0, t, &name);
	list_type(p, t, &name);
	return 0;
}
