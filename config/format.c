/*
 * The canonical text of a model: what miso explain prints, and what parses
 * back into the same model.  Types come first, then [defaults], then the
 * functions, grouped by library.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A type with a name: "char *buf", "int (*cmp)(const void *, ...)". */
void
miso__format_decl(struct miso__sbuf *b, const struct miso__conf_type *t,
    const char *name)
{
	const char *s = t->name, *hole;
	size_t n = strlen(s);

	if (t->kind == MISO__K_FUNCPTR && t->alias == NULL &&
	    (hole = strstr(s, "(*)")) != NULL) {
		miso__sbuf_add(b, s, (size_t)(hole - s) + 2);
		if (name != NULL)
			miso__sbuf_puts(b, name);
		miso__sbuf_puts(b, hole + 2);
		return;
	}
	miso__sbuf_puts(b, s);
	if (name != NULL)
		miso__sbuf_printf(b, "%s%s", n > 0 && s[n - 1] == '*' ? "" :
		    " ", name);
}

static int
prec(const struct miso_expr *e)
{
	return e->op == MISO__E_ADD || e->op == MISO__E_SUB ? 1 :
	    e->op == MISO__E_MUL ? 2 : 3;
}

static const char *
pname(const struct miso__conf_func *fn, int i)
{
	if (fn == NULL || i < 0 || (size_t)i >= fn->nparams ||
	    fn->params[i].name == NULL)
		return "?";
	return fn->params[i].name;
}

/* Parenthesises where the tree needs it: "a - (b - c)", "(a + b) * c". */
void
miso__format_expr(struct miso__sbuf *b, const struct miso_expr *e,
    const struct miso__conf_func *fn, int outer)
{
	int p = prec(e);

	switch (e->op) {
	case MISO__E_INT:
		miso__sbuf_printf(b, "%" PRId64, e->value);
		return;
	case MISO__E_SIZEOF:
		miso__sbuf_puts(b, "sizeof(");
		miso__format_decl(b, e->type, NULL);
		miso__sbuf_puts(b, ")");
		return;
	case MISO__E_PARAM:
		miso__sbuf_puts(b, pname(fn, e->param));
		return;
	case MISO__E_DEREF:
		miso__sbuf_printf(b, "*%s", pname(fn, e->param));
		return;
	case MISO__E_RETVAL:
		miso__sbuf_puts(b, "retval");
		return;
	case MISO__E_CSTR:
		miso__sbuf_puts(b, "cstr");
		return;
	default:
		break;
	}
	if (p < outer)
		miso__sbuf_puts(b, "(");
	miso__format_expr(b, e->l, fn, p);
	miso__sbuf_puts(b, e->op == MISO__E_ADD ? " + " : e->op == MISO__E_SUB ?
	    " - " : " * ");
	miso__format_expr(b, e->r, fn, p + 1);
	if (p < outer)
		miso__sbuf_puts(b, ")");
}

int
miso__expr_format(const struct miso_expr *e, const struct miso__conf_func *fn,
    char *buf, size_t size)
{
	struct miso__sbuf b = { 0 };
	size_t n;
	char *s;

	miso__format_expr(&b, e, fn, 0);
	if ((s = miso__sbuf_finish(&b)) == NULL)
		return -ENOMEM;
	n = strlen(s);
	if (size > 0) {
		memcpy(buf, s, n < size ? n + 1 : size - 1);
		buf[n < size ? n : size - 1] = '\0';
	}
	free(s);
	return n > INT32_MAX ? -EOVERFLOW : (int)n;
}

static void
duration(struct miso__sbuf *b, uint64_t ms)
{
	if (ms == 0)
		miso__sbuf_puts(b, "0");
	else if (ms % 60000 == 0)
		miso__sbuf_printf(b, "%" PRIu64 "m", ms / 60000);
	else if (ms % 1000 == 0)
		miso__sbuf_printf(b, "%" PRIu64 "s", ms / 1000);
	else
		miso__sbuf_printf(b, "%" PRIu64 "ms", ms);
}

static void
size(struct miso__sbuf *b, uint64_t n)
{
	static const char units[] = "TGMK";
	int i;

	for (i = 0; i < 4 && n != 0; i++)
		if (n % (1ULL << (40 - 10 * i)) == 0) {
			miso__sbuf_printf(b, "%" PRIu64 "%c",
			    n >> (40 - 10 * i), units[i]);
			return;
		}
	miso__sbuf_printf(b, "%" PRIu64, n);
}

static const char *
on_name(enum miso__conf_on on)
{
	return on == MISO__ON_ABORT ? "abort" : on == MISO__ON_RAISE ? "raise" :
	    "fail";
}

static void
fail_value(struct miso__sbuf *b, const struct miso__conf_policy *pol,
    const struct miso__conf_func *fn)
{
	int fl = fn != NULL ? fn->ret->kind == MISO__K_FLOAT :
	    (double)pol->fail_int != pol->fail_float;

	if (fl)
		miso__sbuf_printf(b, "%.17g", pol->fail_float);
	else if (fn != NULL && fn->ret->kind == MISO__K_UINT)
		miso__sbuf_printf(b, "%" PRIu64, (uint64_t)pol->fail_int);
	else
		miso__sbuf_printf(b, "%" PRId64, pol->fail_int);
}

static void
errno_value(struct miso__sbuf *b, int err)
{
	const char *name = miso__errno_name(err);

	if (name != NULL && err != 0)
		miso__sbuf_puts(b, name);
	else
		miso__sbuf_printf(b, "%d", err);
}

/* The settings written explicitly in pol, one a line. */
void
miso__format_policy(struct miso__sbuf *b, const struct miso__conf_policy *pol,
    const struct miso__conf_func *fn, const char *in)
{
	unsigned s = pol->set;

#define LINE(key) miso__sbuf_printf(b, "%s%s = ", in, key)
	if (fn != NULL && fn->version != NULL)
		miso__sbuf_printf(b, "%sversion = %s\n", in, fn->version);
	if (s & MISO__POL_TIMEOUT) {
		LINE("timeout");
		duration(b, pol->timeout_ms);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_MEM_LIMIT) {
		LINE("mem_limit");
		size(b, pol->mem_limit);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_ON_CRASH)
		miso__sbuf_printf(b, "%son_crash = %s\n", in,
		    on_name(pol->on_crash));
	if (s & MISO__POL_ON_TIMEOUT)
		miso__sbuf_printf(b, "%son_timeout = %s\n", in,
		    on_name(pol->on_timeout));
	if (s & MISO__POL_ERRNO) {
		LINE("errno");
		errno_value(b, pol->err);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_FAIL) {
		LINE("fail");
		fail_value(b, pol, fn);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_MODE)
		miso__sbuf_printf(b, "%smode = %s\n", in,
		    pol->mode == MISO__MODE_WORKER ? "worker" : "fork");
	if (s & MISO__POL_WORKERS)
		miso__sbuf_printf(b, "%sworkers = %u\n", in, pol->workers);
	if (s & MISO__POL_MAX_CALLS)
		miso__sbuf_printf(b, "%smax_calls = %" PRIu64 "\n", in,
		    pol->max_calls);
	if (s & MISO__POL_MAX_RSS) {
		LINE("max_rss");
		size(b, pol->max_rss);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_MAX_AGE) {
		LINE("max_age");
		duration(b, pol->max_age_ms);
		miso__sbuf_puts(b, "\n");
	}
	if (s & MISO__POL_JITTER)
		miso__sbuf_printf(b, "%sjitter = %u%%\n", in, pol->jitter);
	if (s & MISO__POL_QUEUE_TIMEOUT) {
		LINE("queue_timeout");
		duration(b, pol->queue_timeout_ms);
		miso__sbuf_puts(b, "\n");
	}
#undef LINE
}

static void
type_decl(struct miso__sbuf *b, const struct miso__conf_type *t)
{
	size_t i;

	if (t->alias != NULL) {
		miso__sbuf_puts(b, "typedef ");
		miso__format_decl(b, t->alias, t->name);
		miso__sbuf_puts(b, ";\n");
		return;
	}
	miso__sbuf_puts(b, t->name);
	if (t->incomplete) {
		miso__sbuf_puts(b, ";\n");
		return;
	}
	miso__sbuf_puts(b, " {");
	for (i = 0; i < t->nfields; i++) {
		miso__sbuf_puts(b, " ");
		miso__format_decl(b, t->fields[i].type, t->fields[i].name);
		if (t->fields[i].count != 1)
			miso__sbuf_printf(b, "[%zu]", t->fields[i].count);
		miso__sbuf_puts(b, ";");
	}
	miso__sbuf_puts(b, " };\n");
}

/* 'const char *s' with no size is a string without saying so. */
static int
implied_cstr(const struct miso__conf_param *q)
{
	const struct miso__conf_type *to = q->type->pointee;

	return q->dir == MISO__DIR_IN && q->cap == NULL && to->alias == NULL &&
	    strcmp(to->name, "char") == 0 && q->type->pointee_const;
}

static void
param(struct miso__sbuf *b, const struct miso__conf_func *fn,
    const struct miso__conf_param *q)
{
	if (q->opaque && q->type->pointee != NULL)
		miso__sbuf_puts(b, "opaque ");
	else if (q->alloc)
		miso__sbuf_puts(b, q->cstr ? "out alloc cstr " : "out alloc ");
	else if (q->dir == MISO__DIR_IN) {
		if (!q->type->pointee_const)
			miso__sbuf_puts(b, "in ");
		if (q->cstr && !implied_cstr(q))
			miso__sbuf_puts(b, "cstr ");
	} else if (q->dir == MISO__DIR_OUT)
		miso__sbuf_puts(b, "out ");
	else if (q->dir == MISO__DIR_INOUT)
		miso__sbuf_puts(b, "inout ");
	miso__format_decl(b, q->type, q->name);
	if (q->cap == NULL)
		return;
	miso__sbuf_puts(b, "[");
	miso__format_expr(b, q->cap, fn, 0);
	if (q->fill != NULL) {
		miso__sbuf_puts(b, " -> ");
		miso__format_expr(b, q->fill, fn, 0);
	}
	miso__sbuf_puts(b, "]");
}

static void
function(struct miso__sbuf *b, const struct miso__conf_func *fn)
{
	static const char *const how[] = { "", "", "opaque ", "cstr ",
	    "alloc cstr ", "", "alloc " };
	size_t i;

	miso__sbuf_puts(b, how[fn->ret_how]);
	miso__format_decl(b, fn->ret, fn->name);
	miso__sbuf_puts(b, "(");
	for (i = 0; i < fn->nparams; i++) {
		if (i > 0)
			miso__sbuf_puts(b, ", ");
		param(b, fn, &fn->params[i]);
	}
	miso__sbuf_puts(b, fn->nparams == 0 ? "void)" : ")");
	if (fn->ret_size != NULL) {
		miso__sbuf_puts(b, "[");
		miso__format_expr(b, fn->ret_size, fn, 0);
		miso__sbuf_puts(b, "]");
	}
	miso__sbuf_puts(b, ";\n");
	miso__format_policy(b, &fn->pol, fn, "\t");
}

char *
miso__conf_format(const struct miso_conf *conf)
{
	struct miso__sbuf b = { 0 };
	const char *lib = NULL;
	size_t i;

	for (i = 0; i < conf->ntypes; i++)
		type_decl(&b, conf->types[i]);
	if (conf->defaults.set != 0) {
		miso__sbuf_puts(&b, i > 0 ? "\n[defaults]\n" : "[defaults]\n");
		miso__format_policy(&b, &conf->defaults, NULL, "");
	}
	for (i = 0; i < conf->nfuncs; i++) {
		const struct miso__conf_func *fn = &conf->funcs[i];

		if (fn->library != NULL && (lib == NULL ||
		    strcmp(lib, fn->library) != 0)) {
			lib = fn->library;
			miso__sbuf_printf(&b, "\n[library %s]\n", lib);
		} else if (i == 0 && b.len > 0)
			miso__sbuf_puts(&b, "\n");
		function(&b, fn);
	}
	return miso__sbuf_finish(&b);
}
