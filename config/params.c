/*
 * Parameters: what each one is, which way its memory goes (in, out,
 * inout) and how much of it, checked against the rules of the language.
 */
#include <string.h>

#include "internal.h"

#define KW_IN		1
#define KW_OUT		2
#define KW_INOUT	4
#define KW_ALLOC	8
#define KW_CSTR		16
#define KW_OPAQUE	32
#define KW_DIR		(KW_IN | KW_OUT | KW_INOUT)

static const struct {
	const char	*word;
	int		 bit;
} keywords[] = {
	{ "in", KW_IN }, { "out", KW_OUT }, { "inout", KW_INOUT },
	{ "alloc", KW_ALLOC }, { "cstr", KW_CSTR }, { "opaque", KW_OPAQUE },
};

/* The annotations before a parameter's type, in any order. */
static int
annotations(struct miso__parser *p, int *kw)
{
	size_t i;

	*kw = 0;
	for (;;) {
		const struct miso__tok *t = miso__peek(p);

		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (miso__tok_is(p, t, keywords[i].word))
				break;
		if (i == sizeof(keywords) / sizeof(keywords[0]))
			return 0;
		if ((*kw & keywords[i].bit) ||
		    ((keywords[i].bit & KW_DIR) && (*kw & KW_DIR))) {
			miso__error_at(p, t, "'%s' repeats or contradicts what "
			    "comes before it", keywords[i].word);
			return -1;
		}
		*kw |= keywords[i].bit;
		miso__next(p);
	}
}

static const char *
kw_dir_name(int kw)
{
	return kw & KW_IN ? "in" : kw & KW_OUT ? "out" : kw & KW_INOUT ?
	    "inout" : kw & KW_ALLOC ? "alloc" : kw & KW_CSTR ? "cstr" :
	    "opaque";
}

static int
is_reserved(const char *name)
{
	return strcmp(name, "retval") == 0 || strcmp(name, "cstr") == 0 ||
	    strcmp(name, "sizeof") == 0;
}

/* "[EXPR]" or "[EXPR -> EXPR]" after a parameter's name. */
static int
brackets(struct miso__parser *p, struct miso__conf_param *q)
{
	if (!miso__accept(p, '['))
		return 0;
	if ((q->cap = miso__parse_expr(p)) == NULL)
		return -1;
	if (miso__peek(p)->kind == MISO__T_ARROW) {
		miso__next(p);
		if ((q->fill = miso__parse_expr(p)) == NULL)
			return -1;
	}
	return miso__expect(p, ']', "after the size");
}

static int
param(struct miso__parser *p, struct miso__conf_param *q, int *kw,
    struct miso__tok *at)
{
	const struct miso__conf_type *t;
	int c;

	*at = *miso__peek(p);
	if (at->kind == MISO__T_ELLIPSIS) {
		miso__error_at(p, at, "variadic functions cannot be isolated: "
		    "the types of their arguments are unknown");
		return -1;
	}
	if (annotations(p, kw) == -1 ||
	    (t = miso__parse_type(p, *kw & KW_OPAQUE ? MISO__TYPE_OPAQUE : 0,
	    &c)) == NULL ||
	    (q->type = miso__parse_declarator(p, t, c, at)) == NULL)
		return -1;
	if (at->kind == MISO__T_IDENT) {
		q->name = miso__tok_str(p, at);
		if (is_reserved(q->name)) {
			miso__error_at(p, at, "'%s' is reserved in size "
			    "expressions; rename the parameter", q->name);
			return -1;
		}
	}
	return brackets(p, q);
}

static int
duplicate_names(struct miso__parser *p, const struct miso__conf_param *v,
    const struct miso__tok *at, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (v[i].name != NULL && v[j].name != NULL &&
			    strcmp(v[i].name, v[j].name) == 0) {
				miso__error_at(p, &at[i], "duplicate parameter "
				    "'%s'", v[i].name);
				return -1;
			}
	return 0;
}

static int
is_void_list(struct miso__parser *p)
{
	const struct miso__tok *t = miso__peek(p);
	size_t i;

	if (!miso__tok_is(p, t, "void"))
		return 0;
	for (i = t->off + t->len; i < p->len; i++)
		if (p->src[i] != ' ' && p->src[i] != '\t')
			break;
	return i < p->len && p->src[i] == ')';
}

static void
variadic_hint(struct miso__parser *p, const struct miso__conf_func *fn,
    const struct miso__tok *at)
{
	miso__note(p, at->line, at->col, "declare the variant that takes a "
	    "va_list instead, such as 'v%s' for '%s'", fn->name, fn->name);
}

/* "(PARAM, ...)": fills in fn->params. */
int
miso__parse_params(struct miso__parser *p, struct miso__conf_func *fn)
{
	struct miso__conf_param v[MISO__MAX_PARAMS];
	struct miso__tok at[MISO__MAX_PARAMS];
	int kw[MISO__MAX_PARAMS];
	struct miso__conf_param *out;
	size_t n = 0, i;
	int rc = 0;

	memset(v, 0, sizeof(v));
	if (miso__expect(p, '(', "before the parameters") == -1)
		return -1;
	if (is_void_list(p))
		miso__next(p);
	else if (miso__peek(p)->kind != MISO__T_PUNCT ||
	    miso__peek(p)->ch != ')')
		do {
			if (n == MISO__MAX_PARAMS) {
				miso__error_at(p, miso__peek(p), "too many "
				    "parameters (the limit is %d)",
				    MISO__MAX_PARAMS);
				return -1;
			}
			if (param(p, &v[n], &kw[n], &at[n]) == -1) {
				if (at[n].kind == MISO__T_ELLIPSIS)
					variadic_hint(p, fn, &at[n]);
				return -1;
			}
			n++;
		} while (miso__accept(p, ','));
	if (miso__expect(p, ')', "after the parameters") == -1 ||
	    duplicate_names(p, v, at, n) == -1)
		return -1;
	if (n > 0) {
		out = miso__alloc(p, n * sizeof(*out));
		memcpy(out, v, n * sizeof(*out));
		fn->params = out;
		fn->nparams = n;
	}
	for (i = 0; i < n; i++)
		if (miso__check_param(p, fn, (struct miso__conf_param *)
		    &fn->params[i], &at[i], kw[i]) == -1)
			rc = -1;
	return rc;
}

static int
by_value(struct miso__parser *p, const struct miso__conf_type *t,
    const struct miso__tok *at)
{
	if (t->kind == MISO__K_VOID)
		miso__error_at(p, at, "a parameter cannot have type void");
	else if (t->kind != MISO__K_STRUCT)
		return 0;
	else if (t->incomplete)
		miso__error_at(p, at, "'%s' has no size here; declare it with "
		    "'%s { ... };' or pass a pointer", t->name, t->name);
	else if (t->opaque_layout)
		miso__error_at(p, at, "'%s' is known only by its size, so it "
		    "cannot be passed by value; pass a pointer to it", t->name);
	else if (t->size > 16)
		miso__error_at(p, at, "'%s' is passed by value and larger "
		    "than 16 bytes (%zu); pass a pointer to it", t->name,
		    t->size);
	else
		return 0;
	return -1;
}

static int
not_pointer(struct miso__parser *p, struct miso__conf_param *q, int kw,
    const struct miso__tok *at)
{
	const char *name = q->name != NULL ? q->name : "this parameter";

	if (by_value(p, q->type, at) == -1)
		return -1;
	if (kw != 0) {
		miso__error_at(p, at, q->type->kind == MISO__K_FUNCPTR ?
		    "'%s' does not apply: function pointers are passed as "
		    "they are%.0s" : "'%s' needs a pointer; '%s' is not one",
		    kw_dir_name(kw), name);
		return -1;
	}
	if (q->cap != NULL) {
		miso__error_at(p, at, "'[...]' gives the size of what a "
		    "pointer points to; '%s' is not a pointer", name);
		return -1;
	}
	q->dir = MISO__DIR_VALUE;
	return 0;
}

static int
alloc_param(struct miso__parser *p, struct miso__conf_func *fn,
    struct miso__conf_param *q, int kw, const struct miso__tok *at)
{
	const struct miso__conf_type *in;

	if (!(kw & KW_OUT)) {
		miso__error_at(p, at, "'alloc' needs 'out': the function "
		    "stores a fresh allocation through the pointer");
		return -1;
	}
	if (q->type->pointee->kind != MISO__K_POINTER ||
	    (in = q->type->pointee->pointee) == NULL) {
		miso__error_at(p, at, "'alloc' needs a pointer to a pointer, "
		    "as in 'out alloc T **p[n]'");
		return -1;
	}
	q->alloc = 1;
	q->dir = MISO__DIR_OUT;
	if (q->fill != NULL) {
		miso__error_at(p, at, "'->' does not apply to 'alloc': all of "
		    "the allocation comes back");
		return -1;
	}
	if (kw & KW_CSTR) {
		q->cstr = 1;
		if (miso__is_char(in) && q->cap == NULL)
			return 0;
		miso__error_at(p, at, q->cap != NULL ? "an 'alloc cstr' string "
		    "is as long as it is; drop '[...]'" : "'cstr' needs a "
		    "pointer to char");
		return -1;
	}
	if ((in->kind == MISO__K_VOID && q->cap == NULL) || in->incomplete) {
		miso__error_at(p, at, "the size of the allocation is unknown; "
		    "give it, as in 'out alloc %s*p[n]'",
		    q->type->pointee->name);
		return -1;
	}
	return q->cap == NULL ? 0 :
	    miso__resolve_expr(p, fn, q->cap, MISO__WHERE_ALLOC);
}

/*
 * A constant capacity must make an object that can exist: past
 * PTRDIFF_MAX bytes every call would fail (miso__param_capacity()).
 */
static int
constant_fits(struct miso__parser *p, const struct miso__conf_func *fn,
    const struct miso__conf_param *q)
{
	const struct miso__pexpr *x = (const struct miso__pexpr *)q->cap;
	struct miso_eval_env env = { fn, NULL, NULL, 0 };
	const struct miso__conf_type *t = q->type->pointee;
	size_t elem = t->kind == MISO__K_VOID || t->size == 0 ? 1 : t->size;
	uint64_t bytes;
	int64_t n;

	if (miso__expr_eval(q->cap, &env, &n) != 0)
		return 0;	/* not a constant */
	if (!__builtin_mul_overflow((uint64_t)n, (uint64_t)elem, &bytes) &&
	    bytes <= PTRDIFF_MAX)
		return 0;
	miso__error(p, x->line, x->col, "a capacity of %lld elements of %zu "
	    "bytes is larger than any object can be", (long long)n, elem);
	return -1;
}

static int
direction(struct miso__parser *p, struct miso__conf_param *q, int kw,
    const struct miso__tok *at)
{
	if (kw & KW_IN)
		q->dir = MISO__DIR_IN;
	else if (kw & KW_OUT)
		q->dir = MISO__DIR_OUT;
	else if (kw & KW_INOUT)
		q->dir = MISO__DIR_INOUT;
	else if (q->type->pointee_const)
		q->dir = MISO__DIR_IN;
	else {
		miso__error_at(p, at, "'%s' points to data that is not const: "
		    "say whether the function reads it ('in'), writes it "
		    "('out') or both ('inout')", q->name != NULL ? q->name :
		    q->type->name);
		return -1;
	}
	if (q->fill != NULL && q->dir == MISO__DIR_IN) {
		miso__error_at(p, at, "'->' says how much comes back, but an "
		    "'in' parameter sends nothing back");
		return -1;
	}
	return 0;
}

static int
sizes(struct miso__parser *p, struct miso__conf_func *fn,
    struct miso__conf_param *q, int kw, const struct miso__tok *at)
{
	const struct miso__conf_type *to = q->type->pointee;

	if ((kw & KW_CSTR) && q->dir != MISO__DIR_IN && q->fill == NULL) {
		struct miso__pexpr *x = miso__alloc(p, sizeof(*x));

		x->e.op = MISO__E_CSTR;
		q->fill = &x->e;
	}
	if ((kw & KW_CSTR) || (q->fill != NULL && q->fill->op == MISO__E_CSTR)) {
		if (!miso__is_char(to)) {
			miso__error_at(p, at, "'cstr' needs a pointer to char");
			return -1;
		}
		q->cstr = 1;
	}
	if (to->kind == MISO__K_VOID && q->cap == NULL &&
	    q->dir != MISO__DIR_IN) {
		miso__error_at(p, at, "the size of '%s' is unknown: give it in "
		    "bytes, as in '%s void *%s[n]'", q->name, kw_dir_name(kw),
		    q->name);
		return -1;
	}
	if (to->incomplete) {
		miso__error_at(p, at, "'%s' has no size here; declare it with "
		    "'struct %s { ... };', or pass the pointer as it is with "
		    "'opaque'", to->name, to->name);
		return -1;
	}
	if (q->dir != MISO__DIR_IN && q->cap == NULL && q->cstr) {
		miso__error_at(p, at, "give the capacity of the string, as in "
		    "'%s char *%s[size]'", kw_dir_name(kw), q->name);
		return -1;
	}
	if (q->dir == MISO__DIR_IN && q->cap == NULL && to->alias == NULL &&
	    strcmp(to->name, "char") == 0 && q->type->pointee_const)
		q->cstr = 1;	/* 'const char *' with no size is a string */
	return 0;
}

/* Checks parameter q of fn, now that all of them are known. */
int
miso__check_param(struct miso__parser *p, struct miso__conf_func *fn,
    struct miso__conf_param *q, const struct miso__tok *at, int kw)
{
	const struct miso__conf_type *t = q->type;

	if (t->kind != MISO__K_POINTER)
		return not_pointer(p, q, kw, at);
	if (t->pointee == NULL || (kw & KW_OPAQUE)) {
		if ((kw & ~KW_OPAQUE) != 0 || q->cap != NULL) {
			miso__error_at(p, at, "an 'opaque' pointer is passed "
			    "as it is; it takes no direction, 'cstr' or size");
			return -1;
		}
		q->opaque = 1;
		q->dir = MISO__DIR_VALUE;
		return 0;
	}
	if (kw & KW_ALLOC)
		return alloc_param(p, fn, q, kw, at);
	if (direction(p, q, kw, at) == -1 || sizes(p, fn, q, kw, at) == -1)
		return -1;
	if (q->cap != NULL &&
	    (miso__resolve_expr(p, fn, q->cap, MISO__WHERE_CAP) == -1 ||
	    constant_fits(p, fn, q) == -1))
		return -1;
	if (q->fill != NULL && q->fill->op != MISO__E_CSTR &&
	    miso__resolve_expr(p, fn, q->fill, MISO__WHERE_FILL) == -1)
		return -1;
	return 0;
}
