/*
 * Declarators: the stars, qualifiers and name that follow a type, or a
 * function pointer "(*name)(params)".
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The parameter list of a function pointer, spelled "(int, char *)". */
static int
funcptr_params(struct miso__parser *p, struct miso__sbuf *b)
{
	const struct miso__conf_type *t;
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
static const struct miso__conf_type *
funcptr(struct miso__parser *p, const struct miso__conf_type *ret,
    struct miso__tok *name)
{
	struct miso__sbuf b = { 0 };
	struct miso__conf_type *t;
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
	t = miso__new_type(p, MISO__K_FUNCPTR, miso__strndup(p, s, strlen(s)));
	free(s);
	t->size = sizeof(void (*)(void));
	t->align = _Alignof(void (*)(void));
	return t;
}

/*
 * Reads the stars, qualifiers and name (or "(*name)(...)") that follow a
 * type.  name is left with kind MISO__T_EOF when there is none.
 */
const struct miso__conf_type *
miso__parse_declarator(struct miso__parser *p,
    const struct miso__conf_type *t, int is_const, struct miso__tok *name)
{
	const struct miso__conf_type *r;
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
		miso__qualifiers(p, &is_const);
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
	if (miso__peek(p)->kind == MISO__T_IDENT &&
	    !miso__is_keyword(p, miso__peek(p)))
		*name = miso__next(p);
	return t;
}
