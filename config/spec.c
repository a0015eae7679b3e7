/*
 * The type at the start of a declaration: its qualifiers and scalar
 * specifiers, or the enum, struct or name that stands for it.
 */
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

static const struct miso__conf_type *
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

/* Enums are ints; their constants do not matter here and are skipped. */
static const struct miso__conf_type *
enum_type(struct miso__parser *p)
{
	struct miso__tok tag = *miso__peek(p);
	struct miso__conf_type *t;

	t = miso__new_type(p, MISO__K_SINT, "int");
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

static const struct miso__conf_type *
named_type(struct miso__parser *p, int flags)
{
	struct miso__tok tok = miso__next(p);
	const struct miso__conf_type *b;
	struct miso__conf_type *t;
	struct miso__named *n;
	char *name;
	size_t size, align;

	if (tok.kind != MISO__T_IDENT) {
		miso__error_at(p, &tok, "expected a type");
		return NULL;
	}
	name = miso__tok_str(p, &tok);
	if ((n = miso__find_named(p, name, 0)) != NULL)
		return n->type;
	if ((b = miso__builtin(name)) != NULL)
		return b;
	if (miso__systype(name, &size, &align) == 0) {
		t = miso__new_type(p, MISO__K_STRUCT, name);
		t->size = size;
		t->align = align;
		t->opaque_layout = 1;
		return t;
	}
	if (flags & MISO__TYPE_OPAQUE)
		return miso__incomplete(p, name);
	miso__error_at(p, &tok, "unknown type '%s'", name);
	if ((b = miso__builtin_like(name)) != NULL)
		miso__note(p, tok.line, tok.col, "did you mean '%s'?", b->name);
	else
		miso__note(p, tok.line, tok.col, "declare it with 'struct %s "
		    "{ ... };' or a typedef, or pass the pointer as it is with "
		    "'opaque'", name);
	return NULL;
}

void
miso__qualifiers(struct miso__parser *p, int *is_const)
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
const struct miso__conf_type *
miso__parse_type(struct miso__parser *p, int flags, int *is_const)
{
	const struct miso__tok *t;
	const struct miso__conf_type *ty;
	struct miso__tok first;
	int n[NSPEC] = { 0 }, any = 0, i;

	*is_const = 0;
	miso__qualifiers(p, is_const);
	first = *miso__peek(p);
	for (;;) {
		miso__qualifiers(p, is_const);
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
		ty = miso__parse_struct(p, flags);
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
		miso__qualifiers(p, is_const);
	return ty;
}

/* Words that cannot name anything, so that 'long a, char;' is an error. */
int
miso__is_keyword(struct miso__parser *p, const struct miso__tok *t)
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
