/*
 * The parser's top level: sections, settings and declarations, recovery
 * after an error, and the finished model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Allocations come from the model's arena.  Running out of memory unwinds
 * to miso__conf_parse() with longjmp: the arena owns every object, so
 * nothing leaks, and no parsing function needs an out-of-memory path.
 */
void *
miso__alloc(struct miso__parser *p, size_t n)
{
	void *v = miso__arena_alloc(p->arena, n);

	if (v == NULL)
		longjmp(p->nomem, 1);
	return v;
}

char *
miso__strndup(struct miso__parser *p, const char *s, size_t n)
{
	char *d = miso__alloc(p, n + 1);

	memcpy(d, s, n);
	return d;
}

char *
miso__strcat3(struct miso__parser *p, const char *a, const char *b,
    const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *d = miso__alloc(p, na + nb + nc + 1);

	memcpy(d, a, na);
	memcpy(d + na, b, nb);
	memcpy(d + na + nb, c, nc);
	return d;
}

/* "[defaults]" or "[library NAME]", read raw to the end of the line. */
static int
section(struct miso__parser *p)
{
	struct miso__tok open = miso__next(p);
	const char *s, *rest;
	size_t n, i;

	p->cur = NULL;
	p->lost = 0;
	n = miso__rest_of_line(p, &s);
	for (i = 0; i < n && s[i] != ']'; i++)
		;
	if (i == n) {
		miso__error_at(p, &open, "expected ']' to end the section");
		return -1;
	}
	rest = s + i + 1;
	if (rest != s + n) {
		while (*rest == ' ' || *rest == '\t')
			rest++;
		miso__error(p, open.line, (int)(rest - p->src - p->bol) + 1,
		    "unexpected text after the section name");
		return -1;
	}
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	if (i == 8 && memcmp(s, "defaults", 8) == 0) {
		p->section = MISO__SEC_DEFAULTS;
		p->library = NULL;
		return 0;
	}
	if (i > 8 && memcmp(s, "library", 7) == 0 &&
	    (s[7] == ' ' || s[7] == '\t')) {
		for (s += 8, i -= 8; *s == ' ' || *s == '\t'; s++, i--)
			;
		p->section = MISO__SEC_LIBRARY;
		p->library = miso__strndup(p, s, i);
		return 0;
	}
	miso__error_at(p, &open, "unknown section '[%.*s]'",
	    (int)(i > 64 ? 64 : i), s);
	miso__note(p, open.line, open.col, "the sections are [defaults] and "
	    "[library NAME]");
	return -1;
}

static int
statement(struct miso__parser *p)
{
	const struct miso__tok *t = miso__peek(p);

	p->depth = 0;
	p->ended = 0;
	p->stmt_off = t->off;
	if (t->kind == MISO__T_PUNCT && t->ch == '[') {
		p->last_use = NULL;
		return section(p);
	}
	if (miso__at_setting(p))
		return miso__pack_setting_next(p) ? miso__pack_setting(p) :
		    miso__parse_setting(p);
	p->last_use = NULL;
	if (miso__tok_is(p, t, "use") && t->first)
		return miso__parse_use(p) == 0 ? 0 :
		    (miso__skip_statement(p), -1);
	if (miso__tok_is(p, t, "typedef")) {
		miso__next(p);
		p->cur = NULL;
		p->lost = 0;
		if (miso__parse_typedef(p) == 0)
			return 0;
	} else if (miso__parse_function(p) == 0)
		return 0;
	miso__skip_statement(p);
	return -1;
}

/* Functions without a library first, then each library in order. */
static void
group(struct miso__parser *p, struct miso__conf_func *v)
{
	struct miso__pfunc *f, *g;
	size_t n = 0;

	for (f = p->funcs; f != NULL; f = f->next)
		if (f->f.library == NULL)
			v[n++] = f->f;
	for (f = p->funcs; f != NULL; f = f->next) {
		if (f->f.library == NULL)
			continue;
		for (g = p->funcs; g != f; g = g->next)
			if (g->f.library != NULL &&
			    strcmp(g->f.library, f->f.library) == 0)
				break;
		if (g != f)
			continue;	/* that library is done */
		for (g = f; g != NULL; g = g->next)
			if (g->f.library != NULL &&
			    strcmp(g->f.library, f->f.library) == 0)
				v[n++] = g->f;
	}
}

static struct miso_conf *
finish(struct miso__parser *p)
{
	struct miso_conf *conf = miso__alloc(p, sizeof(*conf));
	struct miso__conf_func *v;
	size_t i;

	conf->file = p->file;
	conf->defaults = p->defaults;
	conf->types = (const struct miso__conf_type *const *)p->types;
	conf->ntypes = p->ntypes;
	if (p->nfuncs > 0) {
		v = miso__alloc(p, p->nfuncs * sizeof(*v));
		group(p, v);
		for (i = 0; i < p->nfuncs; i++)
			miso__apply_defaults(p, &v[i]);
		conf->funcs = v;
		conf->nfuncs = p->nfuncs;
	}
	conf->arena = p->arena;
	return conf;
}

void
miso__statements(struct miso__parser *p)
{
	const struct miso__tok *t;
	size_t before;

	while (!p->stop && (t = miso__peek(p))->kind != MISO__T_EOF) {
		before = t->off;
		if (statement(p) == -1 && !p->stop &&
		    miso__peek(p)->off == before)
			miso__next(p);	/* always move on */
	}
}

static void
run(struct miso__parser *p, const struct miso__conf_isolate *iso)
{
	if (p->len > MISO__MAX_FILE) {
		miso__error(p, 1, 1, "file too large (%zu bytes; the limit is "
		    "%d)", p->len, MISO__MAX_FILE);
		return;
	}
	miso__check_lines(p);
	miso__statements(p);
	if (iso != NULL && iso->names != NULL && !p->stop)
		miso__isolate(p, iso->names, iso->label != NULL ? iso->label :
		    "MISO_ISOLATE", iso->worker);
	miso__pack_finish(p);
}

static void
fill_diag(struct miso__parser *p, struct miso__conf_diag *diag)
{
	if (diag == NULL) {
		free(miso__sbuf_finish(&p->diag));
		return;
	}
	diag->nerrors = p->nerrors;
	diag->line = p->first_line;
	diag->col = p->first_col;
	memcpy(diag->msg, p->first_msg, sizeof(diag->msg));
	diag->text = miso__sbuf_finish(&p->diag);
}

int
miso__conf_parse(const char *filename, const char *text, size_t len,
    struct miso_conf **out, struct miso__conf_diag *diag)
{
	return miso__conf_parse_isolate(filename, text, len, NULL, out, diag);
}

int
miso__conf_parse_isolate(const char *filename, const char *text, size_t len,
    const struct miso__conf_isolate *iso, struct miso_conf **out,
    struct miso__conf_diag *diag)
{
	struct miso__parser *p;
	int rc;

	*out = NULL;
	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	if ((p->arena = miso__arena_new()) == NULL) {
		free(p);
		return -ENOMEM;
	}
	p->file = filename != NULL ? filename : "<string>";
	p->src = text;
	p->len = text != NULL ? len : 0;
	p->line = 1;
	p->funcs_tail = &p->funcs;
	miso__policy_init(&p->defaults);
	if (setjmp(p->nomem) != 0) {
		*out = NULL;
		miso__arena_free(p->arena);
		fill_diag(p, diag);
		free(p);
		return -ENOMEM;
	}
	p->file = miso__strndup(p, p->file, strlen(p->file));
	run(p, iso);
	if (p->nerrors == 0)
		miso__check_workers(p, *out = finish(p));
	rc = p->nerrors > 0 ? -EINVAL : 0;
	if (rc != 0) {
		*out = NULL;
		miso__arena_free(p->arena);
	}
	fill_diag(p, diag);
	free(p);
	return rc;
}

void
miso__conf_free(struct miso_conf *conf)
{
	if (conf != NULL)
		miso__arena_free(conf->arena);
}

void
miso__conf_diag_free(struct miso__conf_diag *diag)
{
	if (diag == NULL)
		return;
	free(diag->text);
	diag->text = NULL;
}

const struct miso__conf_func *
miso__conf_lookup(const struct miso_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->nfuncs; i++)
		if (strcmp(conf->funcs[i].name, name) == 0)
			return &conf->funcs[i];
	return NULL;
}
