/*
 * Function declarations: "[alloc] [cstr] [opaque] TYPE NAME(PARAMS)
 * [[EXPR]];", and what a returned pointer is.  Struct and enum
 * declarations start the same way, so they are told apart here too.
 */
#include <string.h>

#include "internal.h"

#define RET_ALLOC	1
#define RET_CSTR	2
#define RET_OPAQUE	4

static int
annotations(struct miso__parser *p, int *kw)
{
	static const char *const words[] = { "alloc", "cstr", "opaque" };
	int i;

	*kw = 0;
	for (;;) {
		const struct miso__tok *t = miso__peek(p);

		for (i = 0; i < 3; i++)
			if (miso__tok_is(p, t, words[i]))
				break;
		if (i == 3)
			return 0;
		if (*kw & (1 << i)) {
			miso__error_at(p, t, "'%s' repeats", words[i]);
			return -1;
		}
		*kw |= 1 << i;
		miso__next(p);
	}
}

static int
pointer_return(struct miso__parser *p, struct miso__conf_func *fn, int kw,
    const struct miso__tok *at)
{
	const struct miso__conf_type *to = fn->ret->pointee;

	if (kw & RET_OPAQUE) {
		fn->ret_how = MISO__RET_OPAQUE;
		if (kw == RET_OPAQUE && fn->ret_size == NULL)
			return 0;
		miso__error_at(p, at, "an 'opaque' pointer is returned as it "
		    "is; it takes no 'alloc', 'cstr' or size");
		return -1;
	}
	if (kw & RET_CSTR) {
		fn->ret_how = kw & RET_ALLOC ? MISO__RET_ALLOC_CSTR :
		    MISO__RET_CSTR;
		if (!miso__is_char(to)) {
			miso__error_at(p, at, "'cstr' needs a pointer to char");
			return -1;
		}
		if (fn->ret_size == NULL)
			return 0;
		miso__error_at(p, at, "a 'cstr' string is as long as it is; "
		    "drop the size");
		return -1;
	}
	if (fn->ret_size != NULL) {
		fn->ret_how = kw & RET_ALLOC ? MISO__RET_ALLOC_BUFFER :
		    MISO__RET_BUFFER;
		if (to->incomplete) {
			miso__error_at(p, at, "'%s' has no size here",
			    to->name);
			return -1;
		}
		return miso__resolve_expr(p, fn, fn->ret_size,
		    MISO__WHERE_RET);
	}
	miso__error_at(p, at, kw & RET_ALLOC ? "'alloc' needs 'cstr' or the "
	    "size of the allocation after the parameters" : "'%s' returns a "
	    "pointer: say what it points to", fn->name);
	miso__note(p, at->line, at->col, "write 'opaque' (returned as it "
	    "is), 'cstr' (a string that exists before the call), 'alloc cstr' "
	    "(a fresh string) or '[EXPR]' after the parameters (a buffer)");
	return -1;
}

static int
check_return(struct miso__parser *p, struct miso__conf_func *fn, int kw,
    const struct miso__tok *at)
{
	const struct miso__conf_type *t = fn->ret;

	if (t->kind == MISO__K_POINTER && t->pointee != NULL)
		return pointer_return(p, fn, kw, at);
	fn->ret_how = t->kind == MISO__K_VOID ? MISO__RET_VOID : MISO__RET_VALUE;
	if (kw != 0 || fn->ret_size != NULL) {
		miso__error_at(p, at, "'%s' does not return a pointer; drop "
		    "'alloc', 'cstr', 'opaque' and the size", fn->name);
		return -1;
	}
	if (t->kind != MISO__K_STRUCT)
		return 0;
	if (t->incomplete || t->opaque_layout)
		miso__error_at(p, at, "'%s' cannot be returned by value: its "
		    "layout is unknown", t->name);
	else if (t->size > 16)
		miso__error_at(p, at, "'%s' is returned by value and larger "
		    "than 16 bytes (%zu), which is not supported", t->name,
		    t->size);
	else
		return 0;
	return -1;
}

static int
end_of_declaration(struct miso__parser *p, const struct miso__conf_func *fn)
{
	const struct miso__tok *t = miso__peek(p);

	if (miso__accept(p, ';')) {
		p->ended = 1;
		return 0;
	}
	/*
	 * At the end of a line, only the ';' is missing: the declaration
	 * stands (the file is refused all the same), so that what follows
	 * is read as what it is and its own errors are reported too.
	 */
	if (miso__error_missing(p, t, "expected ';' after the declaration "
	    "of '%s'", fn->name)) {
		p->ended = 1;
		return 0;
	}
	return -1;
}

static int
function(struct miso__parser *p, const struct miso__conf_type *ret, int kw,
    const struct miso__tok *name)
{
	struct miso__pfunc *pf = miso__alloc(p, sizeof(*pf));
	struct miso__conf_func *fn = &pf->f;
	int admit;

	fn->name = miso__tok_str(p, name);
	fn->ret = ret;
	fn->library = p->library;
	fn->file = p->file;
	fn->line = name->line;
	fn->col = name->col;
	if (miso__parse_params(p, fn) == -1)
		return -1;
	if (miso__accept(p, '[')) {
		if ((fn->ret_size = miso__parse_expr(p)) == NULL ||
		    miso__expect(p, ']', "after the size") == -1)
			return -1;
	}
	if (end_of_declaration(p, fn) == -1 ||
	    check_return(p, fn, kw, name) == -1 ||
	    (admit = miso__pack_admit(p, pf)) == -1)
		return -1;
	if (admit == 0) {
		/* Not taken from the pack: its settings go with it. */
		p->cur = pf;
		p->lost = 0;
		return 0;
	}
	if (p->nfuncs == MISO__MAX_DECLS) {
		miso__error_at(p, name, "too many functions (the limit is %d)",
		    MISO__MAX_DECLS);
		return -1;
	}
	*p->funcs_tail = pf;
	p->funcs_tail = &pf->next;
	p->nfuncs++;
	p->cur = pf;
	p->lost = 0;
	return 0;
}

/* A declaration: a function, or a struct or enum on its own. */
int
miso__parse_function(struct miso__parser *p)
{
	const struct miso__conf_type *t;
	struct miso__tok start, name;
	int kw, c;

	p->cur = NULL;
	p->lost = 1;
	if (annotations(p, &kw) == -1)
		return -1;
	start = *miso__peek(p);
	t = miso__parse_type(p, (kw & RET_OPAQUE ? MISO__TYPE_OPAQUE : 0) |
	    (kw == 0 ? MISO__TYPE_DECL : 0), &c);
	if (t == NULL)
		return -1;
	if (kw == 0 && (miso__tok_is(p, &start, "struct") ||
	    miso__tok_is(p, &start, "enum")) && miso__accept(p, ';')) {
		p->lost = 0;
		return 0;
	}
	if ((t = miso__parse_declarator(p, t, c, &name)) == NULL)
		return -1;
	if (name.kind != MISO__T_IDENT) {
		miso__error_at(p, &name, "expected a function's name");
		return -1;
	}
	return function(p, t, kw, &name);
}
