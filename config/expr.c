/*
 * Size expressions: integers, parameter names, '*name', retval, cstr,
 * sizeof(TYPE), + - * and parentheses.  Names are read before the
 * parameters they refer to may have been seen ('dest[*destLen]' comes
 * first in compress2), so they are resolved once the whole list is known.
 */
#include <string.h>

#include "internal.h"

static struct miso_expr *expr(struct miso__parser *);

static struct miso__pexpr *
node(struct miso__parser *p, enum miso_expr_op op, const struct miso__tok *t)
{
	struct miso__pexpr *x = miso__alloc(p, sizeof(*x));

	x->e.op = op;
	x->e.param = -1;
	x->line = t->line;
	x->col = t->col;
	return x;
}

static struct miso_expr *
size_of(struct miso__parser *p, struct miso__pexpr *x)
{
	const struct miso__conf_type *t;
	struct miso__tok name;
	int c;

	if (miso__expect(p, '(', "after 'sizeof'") == -1 ||
	    (t = miso__parse_type(p, 0, &c)) == NULL ||
	    (t = miso__parse_declarator(p, t, c, &name)) == NULL ||
	    miso__expect(p, ')', "after the type") == -1)
		return NULL;
	if (t->kind == MISO__K_VOID || t->incomplete) {
		miso__error(p, x->line, x->col, "sizeof of incomplete type "
		    "'%s'", t->name);
		return NULL;
	}
	x->e.type = t;
	x->e.value = (int64_t)t->size;
	return &x->e;
}

static struct miso_expr *
factor(struct miso__parser *p)
{
	struct miso__tok t = miso__next(p);
	struct miso__pexpr *x;
	struct miso_expr *e;

	if (t.kind == MISO__T_INT) {
		if (t.ival > INT64_MAX) {
			miso__error_at(p, &t, "number too large");
			return NULL;
		}
		x = node(p, MISO__E_INT, &t);
		x->e.value = (int64_t)t.ival;
		return &x->e;
	}
	if (t.kind == MISO__T_PUNCT && t.ch == '(') {
		if (++p->depth > MISO__MAX_DEPTH) {
			miso__error_at(p, &t, "expression nested too deeply");
			return NULL;
		}
		if ((e = expr(p)) == NULL ||
		    miso__expect(p, ')', "in the expression") == -1)
			return NULL;
		p->depth--;
		return e;
	}
	if (t.kind == MISO__T_PUNCT && t.ch == '*') {
		x = node(p, MISO__E_DEREF, &t);
		t = miso__next(p);
		if (t.kind != MISO__T_IDENT) {
			miso__error_at(p, &t, "expected a parameter name after "
			    "'*'");
			return NULL;
		}
		x->name = miso__tok_str(p, &t);
		return &x->e;
	}
	if (t.kind != MISO__T_IDENT) {
		miso__error_at(p, &t, "expected an expression");
		return NULL;
	}
	if (miso__tok_is(p, &t, "retval"))
		return &node(p, MISO__E_RETVAL, &t)->e;
	if (miso__tok_is(p, &t, "cstr"))
		return &node(p, MISO__E_CSTR, &t)->e;
	if (miso__tok_is(p, &t, "sizeof"))
		return size_of(p, node(p, MISO__E_SIZEOF, &t));
	x = node(p, MISO__E_PARAM, &t);
	x->name = miso__tok_str(p, &t);
	return &x->e;
}

static struct miso_expr *
binary(struct miso__parser *p, enum miso_expr_op op, struct miso_expr *l,
    struct miso_expr *r)
{
	struct miso__pexpr *x;
	const struct miso__pexpr *lx = (const struct miso__pexpr *)l;

	if (r == NULL)
		return NULL;
	x = miso__alloc(p, sizeof(*x));
	x->e.op = op;
	x->e.param = -1;
	x->e.l = l;
	x->e.r = r;
	x->line = lx->line;
	x->col = lx->col;
	return &x->e;
}

static struct miso_expr *
term(struct miso__parser *p)
{
	struct miso_expr *e = factor(p);

	while (e != NULL && miso__accept(p, '*'))
		e = binary(p, MISO__E_MUL, e, factor(p));
	return e;
}

static struct miso_expr *
expr(struct miso__parser *p)
{
	struct miso_expr *e = term(p);

	while (e != NULL) {
		if (miso__accept(p, '+'))
			e = binary(p, MISO__E_ADD, e, term(p));
		else if (miso__accept(p, '-'))
			e = binary(p, MISO__E_SUB, e, term(p));
		else
			break;
	}
	return e;
}

/* Returns NULL after reporting an error. */
struct miso_expr *
miso__parse_expr(struct miso__parser *p)
{
	int depth = p->depth;
	struct miso_expr *e = expr(p);

	p->depth = depth;
	return e;
}

static int
find_param(const struct miso__conf_func *fn, const char *name)
{
	size_t i;

	for (i = 0; i < fn->nparams; i++)
		if (fn->params[i].name != NULL &&
		    strcmp(fn->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
suggest_param(struct miso__parser *p, const struct miso__conf_func *fn,
    const struct miso__pexpr *x)
{
	const char *v[MISO__MAX_PARAMS], *s;
	size_t i, n = 0;

	for (i = 0; i < fn->nparams && n < MISO__MAX_PARAMS; i++)
		v[n++] = fn->params[i].name;
	if ((s = miso__suggest(x->name, v, n)) != NULL)
		miso__note(p, x->line, x->col, "did you mean '%s'?", s);
}

static int
check_name(struct miso__parser *p, const struct miso__conf_func *fn,
    struct miso__pexpr *x)
{
	const struct miso__conf_type *t;

	if ((x->e.param = find_param(fn, x->name)) == -1) {
		miso__error(p, x->line, x->col, "'%s' has no parameter named "
		    "'%s'", fn->name, x->name);
		suggest_param(p, fn, x);
		return -1;
	}
	t = fn->params[x->e.param].type;
	if (x->e.op == MISO__E_PARAM && !miso__is_integer(t)) {
		miso__error(p, x->line, x->col, t->kind == MISO__K_POINTER ?
		    "'%s' is a pointer; use '*%s' for the integer it points "
		    "to" :
		    "'%s' is not an integer%.0s", x->name, x->name);
		return -1;
	}
	if (x->e.op == MISO__E_DEREF && (t->kind != MISO__K_POINTER ||
	    t->pointee == NULL || !miso__is_integer(t->pointee))) {
		miso__error(p, x->line, x->col, "'*%s' needs a pointer to an "
		    "integer", x->name);
		return -1;
	}
	return 0;
}

static int
check_retval(struct miso__parser *p, const struct miso__conf_func *fn,
    const struct miso__pexpr *x, int where)
{
	const char *why = NULL;

	if (fn->ret->kind == MISO__K_VOID)
		why = "'retval' in a function that returns void";
	else if (where == MISO__WHERE_CAP)
		why = "'retval' is not known before the call; use it after "
		    "'->'";
	else if (!miso__is_integer(fn->ret))
		why = "'retval' must be an integer here";
	if (why == NULL)
		return 0;
	miso__error(p, x->line, x->col, "%s", why);
	return -1;
}

static int
resolve(struct miso__parser *p, struct miso__conf_func *fn,
    const struct miso_expr *e, int where)
{
	struct miso__pexpr *x = (struct miso__pexpr *)e;

	switch (e->op) {
	case MISO__E_INT:
	case MISO__E_SIZEOF:
		return 0;
	case MISO__E_PARAM:
	case MISO__E_DEREF:
		return check_name(p, fn, x);
	case MISO__E_RETVAL:
		return check_retval(p, fn, x, where);
	case MISO__E_CSTR:
		miso__error(p, x->line, x->col, "'cstr' stands alone after "
		    "'->'");
		return -1;
	default:
		if (resolve(p, fn, e->l, where) == -1)
			return -1;
		return resolve(p, fn, e->r, where);
	}
}

/*
 * The value of e when it reads nothing but constants: 1 and *out; 0 when
 * it reads a parameter or retval; -1 after reporting a constant part
 * that overflows, which would make every call fail.
 */
static int
fold(struct miso__parser *p, const struct miso_expr *e, int64_t *out)
{
	const struct miso__pexpr *x = (const struct miso__pexpr *)e;
	int64_t l, r;
	int a, b, over;

	if (e->op == MISO__E_INT || e->op == MISO__E_SIZEOF) {
		*out = e->value;
		return 1;
	}
	if (e->op != MISO__E_ADD && e->op != MISO__E_SUB && e->op != MISO__E_MUL)
		return 0;
	if ((a = fold(p, e->l, &l)) == -1 || (b = fold(p, e->r, &r)) == -1)
		return -1;
	if (!a || !b)
		return 0;
	over = e->op == MISO__E_ADD ? __builtin_add_overflow(l, r, out) :
	    e->op == MISO__E_SUB ? __builtin_sub_overflow(l, r, out) :
	    __builtin_mul_overflow(l, r, out);
	if (over) {
		miso__error(p, x->line, x->col, "the size expression "
		    "overflows 64 bits");
		return -1;
	}
	return 1;
}

/*
 * Binds the names of e to the parameters of fn and checks that every part
 * can be evaluated where the expression stands, and that a constant one
 * is neither negative nor past 64 bits.  Returns 0 or -1.
 */
int
miso__resolve_expr(struct miso__parser *p, struct miso__conf_func *fn,
    const struct miso_expr *e, int where)
{
	const struct miso__pexpr *x = (const struct miso__pexpr *)e;
	int64_t n;
	int r;

	if (resolve(p, fn, e, where) == -1 || (r = fold(p, e, &n)) == -1)
		return -1;
	if (r == 1 && n < 0) {
		miso__error(p, x->line, x->col, "the size expression is "
		    "negative (%lld)", (long long)n);
		return -1;
	}
	return 0;
}
