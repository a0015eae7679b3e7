/*
 * The rules by which miso gen annotates a prototype (docs/config.md,
 * "miso gen"): what each pointer's memory is, how large, and which way
 * it goes, from its type, its constness and the parameters after it.
 * Every rule that guesses says so in a '# guessed:' line; what no rule
 * can make safe is refused with the reason.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "tools.h"

/* The struct definitions the declarations need, in order. */
size_t	  miso__gen_ndefs;
char	**miso__gen_defs;

struct out {
	char	*guess;		/* '# guessed:' lines */
	char	*why;		/* set: refused */
};

static void
add_def(const char *def)
{
	size_t i;

	for (i = 0; i < miso__gen_ndefs; i++)
		if (strcmp(miso__gen_defs[i], def) == 0)
			return;
	miso__gen_defs = miso__xrealloc(miso__gen_defs, miso__gen_ndefs + 1,
	    sizeof(*miso__gen_defs));
	miso__gen_defs[miso__gen_ndefs++] = miso__xstrdup(def);
}

static void
guess(struct out *o, const char *fmt, const char *a, const char *b)
{
	char *line = miso__xasprintf(fmt, a, b), *all;

	all = miso__xasprintf("%s# guessed: %s\n", o->guess != NULL ?
	    o->guess : "", line);
	free(line);
	free(o->guess);
	o->guess = all;
}

static void
refuse(struct out *o, const char *fmt, const char *a, const char *b)
{
	if (o->why == NULL)
		o->why = miso__xasprintf(fmt, a, b);
}

static int
is_int(const struct miso__gtype *t)
{
	return t->kind == MISO__G_SINT || t->kind == MISO__G_UINT;
}

/* Plain char: the type of strings (signed and unsigned char: bytes). */
static int
is_char(const struct miso__gtype *t)
{
	return t != NULL && t->size == 1 && is_int(t) &&
	    strcmp(t->spell, "char") == 0;
}

static const char *
pname(const struct miso__gparam *p)
{
	return p->name != NULL ? p->name : "a parameter";
}

/* len, size, n, count, cap, nbytes, bufsiz, *_len, *Size, ... */
static int
size_name(const char *s)
{
	static const char *const exact[] = { "n", "len", "length", "size",
	    "sz", "count", "cnt", "cap", "capacity", "nbytes", "nmemb",
	    "nelem", "nelems", "num", "max", "maxlen", "bufsiz", "bufsize",
	    "buflen", "bufsz", NULL };
	static const char *const ends[] = { "len", "Len", "size", "Size",
	    "_count", "Count", "_cap", "_n", NULL };
	size_t i, n;

	if (s == NULL)
		return 0;
	for (i = 0; exact[i] != NULL; i++)
		if (strcmp(s, exact[i]) == 0)
			return 1;
	n = strlen(s);
	for (i = 0; ends[i] != NULL; i++)
		if (n > strlen(ends[i]) &&
		    strcmp(s + n - strlen(ends[i]), ends[i]) == 0)
			return 1;
	return 0;
}

/* The type as C writes it before a name: "const char *". */
static char *
spell(const struct miso__gtype *t)
{
	char *in, *s;

	if (t == NULL)
		return miso__xstrdup("void");
	if (t->kind == MISO__G_PTR) {
		in = spell(t->to);
		s = miso__xasprintf("%s%s *", t->to != NULL &&
		    t->to->is_const && t->to->kind != MISO__G_PTR ? "const " :
		    "", in);
		free(in);
		/* "T *" then "*": no blank between the stars. */
		if (strstr(s, "* *") != NULL)
			memmove(strstr(s, "* *") + 1, strstr(s, "* *") + 2,
			    strlen(strstr(s, "* *") + 2) + 1);
		return s;
	}
	if (t->kind == MISO__G_STRUCT && t->def != NULL)
		add_def(t->def);
	return miso__xstrdup(t->spell != NULL ? t->spell : "void");
}

static char *
join(const char *a, const char *sep, const char *b)
{
	return miso__xasprintf("%s%s%s", a, *a != '\0' ? sep : "", b);
}

/*
 * The size parameter after pointer i, by value or read through: the
 * next one, or the first after pointers that are all const or all not
 * (memcmp(s1, s2, n), memcpy-like pairs go their own ways).
 */
static const struct miso__gparam *
size_after(const struct miso__gfunc *fn, size_t i, int *deref)
{
	const struct miso__gparam *n;
	const struct miso__gtype *t = fn->params[i].type, *u;
	size_t j = i + 1;

	*deref = 0;
	for (; j < fn->nparams; j++) {
		u = fn->params[j].type;
		if (u->kind != MISO__G_PTR || u->to == NULL || t->to == NULL ||
		    u->to->is_const != t->to->is_const ||
		    size_name(fn->params[j].name))
			break;
	}
	if (j >= fn->nparams)
		return NULL;
	n = &fn->params[j];
	if (!size_name(n->name))
		return NULL;
	if (is_int(n->type))
		return n;
	if (n->type->kind == MISO__G_PTR && n->type->to != NULL &&
	    is_int(n->type->to) && !n->type->to->is_const) {
		*deref = 1;
		return n;
	}
	return NULL;
}

/* A pointer parameter: its annotations and size. */
static char *
pointer(const struct miso__gfunc *fn, size_t i, struct out *o)
{
	const struct miso__gparam *p = &fn->params[i], *n;
	const struct miso__gtype *to = p->type->to;
	const char *name = pname(p);
	char *ty = spell(p->type), *s;
	int deref, sized = to != NULL && to->kind != MISO__G_OTHER &&
	    (to->kind != MISO__G_STRUCT || to->layout) &&
	    to->kind != MISO__G_FUNC && to->kind != MISO__G_PTR;

	if (to != NULL && to->kind == MISO__G_FUNC) {
		free(ty);
		return miso__xasprintf("opaque void *%s", name);
	}
	n = size_after(fn, i, &deref);
	if (to != NULL && to->is_const) {
		if (to->kind == MISO__G_STRUCT && !to->layout)
			s = miso__xasprintf("opaque %s%s", ty, name);
		else if (n != NULL) {
			guess(o, "'%s' holds '%s' elements", name, n->name);
			s = miso__xasprintf("%s%s[%s%s]", ty, name,
			    deref ? "*" : "", n->name);
		} else {
			if (!is_char(to) && to->kind != MISO__G_STRUCT)
				guess(o, "'%s' points to one element: it has "
				    "no size parameter%s", name, "");
			s = miso__xasprintf("%s%s", ty, name);
		}
		free(ty);
		return s;
	}
	if (to != NULL && to->kind == MISO__G_STRUCT && !to->layout)
		refuse(o, "'%s' is a handle to %s, whose layout is unknown: "
		    "what the function changes behind it would stay in the "
		    "child", name, to->spell);
	else if (to != NULL && to->kind == MISO__G_STRUCT && to->ptr_fields)
		refuse(o, "'%s' points to %s, which holds pointers: what the "
		    "function stores there would come back pointing into the "
		    "child", name, to->spell);
	else if (n != NULL && (sized || to == NULL)) {
		guess(o, "'%s' holds '%s' elements", name, n->name);
		if (deref)
			guess(o, "the function stores in '%s' how many it "
			    "filled", n->name, "");
		else if (is_char(to))
			guess(o, "the function fills '%s' with a string%s",
			    name, "");
		if (deref)
			s = miso__xasprintf("inout %s%s[*%s -> *%s]", ty, name,
			    n->name, n->name);
		else
			s = miso__xasprintf("inout %s%s[%s%s]", ty, name,
			    n->name, is_char(to) ? " -> cstr" : "");
		free(ty);
		return s;
	} else if (to != NULL && to->kind == MISO__G_PTR && is_char(to->to) &&
	    !to->to->is_const) {
		guess(o, "the function stores a fresh string through '%s', "
		    "which the caller frees%s", name, "");
		s = miso__xasprintf("out alloc cstr %s%s", ty, name);
		free(ty);
		return s;
	} else if (to == NULL)
		refuse(o, "'%s' is a void * with no size parameter: how much "
		    "the function writes is unknown%s", name, "");
	else if (is_char(to))
		refuse(o, "'%s' is a char * with no size parameter: how much "
		    "the function writes is unknown%s", name, "");
	else if (!sized)
		refuse(o, "'%s' points to %s, which cannot be copied", name,
		    to->kind == MISO__G_PTR ? "a pointer" : to->spell);
	else {
		if (to->kind != MISO__G_STRUCT)
			guess(o, "'%s' points to one %s, not an array", name,
			    to->spell);
		s = miso__xasprintf("inout %s%s", ty, name);
		free(ty);
		return s;
	}
	free(ty);
	return NULL;
}

static char *
param(const struct miso__gfunc *fn, size_t i, struct out *o)
{
	const struct miso__gparam *p = &fn->params[i];
	const struct miso__gtype *t = p->type;
	char *ty;

	switch (t->kind) {
	case MISO__G_PTR:
		return pointer(fn, i, o);
	case MISO__G_OTHER:
		refuse(o, "'%s': %s", pname(p), t->why);
		return NULL;
	case MISO__G_STRUCT:
		if (t->def == NULL || t->size > 16) {
			refuse(o, "'%s' passes %s by value, which is not "
			    "supported%s", pname(p), t->spell);
			return NULL;
		}
		break;
	default:
		break;
	}
	ty = spell(t);
	return miso__xasprintf("%s%s%s", ty, p->name != NULL ? " " : "",
	    p->name != NULL ? p->name : "");
}

/* A name that says the function makes something: strdup, str_new. */
static int
fresh_name(const char *name)
{
	static const char *const words[] = { "dup", "alloc", "new", "copy",
	    "make", "create", "build", "format", "join", "concat", "print",
	    NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(name, words[i]) != NULL)
			return 1;
	return 0;
}

/* The annotations and type of the return value. */
static char *
ret(const struct miso__gfunc *fn, struct out *o)
{
	const struct miso__gtype *t = fn->ret;
	char *ty;

	if (t->kind == MISO__G_OTHER) {
		refuse(o, "it returns %s: %s", t->spell, t->why);
		return NULL;
	}
	if (t->kind == MISO__G_STRUCT && (t->def == NULL || t->size > 16)) {
		refuse(o, "it returns %s by value, which is not supported%s",
		    t->spell, "");
		return NULL;
	}
	ty = spell(t);
	if (t->kind != MISO__G_PTR)
		return ty;
	if (is_char(t->to) && t->to->is_const) {
		guess(o, "the string %s returns exists before the call (a "
		    "static one)%s", fn->name, "");
		return join("cstr", " ", ty);
	}
	if (is_char(t->to) && fresh_name(fn->name)) {
		guess(o, "%s returns a fresh string that the caller frees%s",
		    fn->name, "");
		return join("alloc cstr", " ", ty);
	}
	if (is_char(t->to)) {
		guess(o, "%s returns a string that exists before the call, "
		    "such as one of its arguments%s", fn->name, "");
		return join("cstr", " ", ty);
	}
	refuse(o, "it returns a pointer (%s): whether to memory of the "
	    "caller's or to memory made in the child is unknown", ty, "");
	free(ty);
	return NULL;
}

/* The prototype as C writes it, without annotations. */
char *
miso__gen_plain(const struct miso__gfunc *fn)
{
	char *ps = miso__xstrdup(""), *ty, *p, *next, *r;
	size_t i;

	for (i = 0; i < fn->nparams; i++) {
		ty = fn->params[i].type->kind == MISO__G_OTHER ?
		    miso__xstrdup(fn->params[i].type->spell) :
		    spell(fn->params[i].type);
		p = miso__xasprintf("%s%s%s", ty, ty[strlen(ty) - 1] == '*' ||
		    fn->params[i].name == NULL ? "" : " ",
		    fn->params[i].name != NULL ? fn->params[i].name : "");
		next = join(ps, ", ", p);
		free(ps);
		free(p);
		free(ty);
		ps = next;
	}
	ty = fn->ret->kind == MISO__G_OTHER ? miso__xstrdup(fn->ret->spell) :
	    spell(fn->ret);
	r = miso__xasprintf("%s%s%s(%s%s)", ty, ty[strlen(ty) - 1] == '*' ?
	    "" : " ", fn->name, fn->nparams == 0 && !fn->variadic ? "void" :
	    ps, fn->variadic ? ", ..." : "");
	free(ty);
	free(ps);
	return r;
}

char *
miso__gen_decl(const struct miso__gfunc *fn, char **why)
{
	struct out o = { NULL, NULL };
	char *r, *ps = miso__xstrdup(""), *p, *next, *text;
	size_t i;

	*why = NULL;
	if (fn->variadic)
		refuse(&o, "it is variadic: declare its 'v' form, which takes "
		    "a va_list%s%s", "", "");
	r = ret(fn, &o);
	for (i = 0; i < fn->nparams && o.why == NULL; i++) {
		if ((p = param(fn, i, &o)) == NULL)
			break;
		next = join(ps, ", ", p);
		free(ps);
		free(p);
		ps = next;
	}
	if (o.why != NULL) {
		free(r);
		free(ps);
		free(o.guess);
		*why = o.why;
		return NULL;
	}
	text = miso__xasprintf("%s%s%s%s(%s);\n", o.guess != NULL ? o.guess :
	    "", r, r[strlen(r) - 1] == '*' ? "" : " ", fn->name,
	    fn->nparams == 0 ? "void" : ps);
	free(r);
	free(ps);
	free(o.guess);
	return text;
}
