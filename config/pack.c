/*
 * Packs: files of annotated declarations shipped with miso, one per
 * library, taken into a configuration with "use PACK" or
 * "use PACK: NAME, ...", or, for miso run -i, by function name alone.
 *
 * A pack is read by the same parser, in the middle of the file that uses
 * it: the lexer is pointed at the pack's text and put back afterwards, so
 * the pack's declarations land in the same model and its errors name the
 * pack's own lines.  Only the entries asked for are kept.  A declaration
 * of the user's own always wins over a pack's, whichever comes first.
 *
 * A pack marks with "refuse = WHY" an entry that isolation cannot get
 * right, most often because the function's effect is a change of state
 * that would stay in the child.  Such an entry is an error where it is
 * used, naming WHY, unless "force = yes" is written under the use.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifndef MISO_PACKDIR
#define MISO_PACKDIR	"/usr/local/share/miso/packs"
#endif

#define MAX_NAMES	256	/* entries named on one use line */
#define MAX_PACKS	64
#define MAX_USES	64	/* each reads a whole pack */

/* What one reading of a pack keeps, and what it has seen. */
struct miso__want {
	size_t		 n;
	const char	*name[MAX_NAMES];
	int		 line[MAX_NAMES], col[MAX_NAMES];
	int		 found[MAX_NAMES];
	int		 all;		/* every entry: "use PACK" */
	size_t		 nseen;
	const char	**seen;		/* for "did you mean" */
	size_t		 seen_cap;
};

/*
 * DIR/../share/miso/packs, where DIR holds the object this code is in:
 * libmiso.so in libdir, or the miso command in bindir, which holds both
 * once installed and in the build tree, whatever the prefix.
 */
static int
beside_object(char *buf, size_t size)
{
	Dl_info info;
	char *slash;
	ssize_t n;
	int i;

	if (dladdr((void *)beside_object, &info) == 0 ||
	    info.dli_fname == NULL)
		return -1;
	if (strchr(info.dli_fname, '/') != NULL) {
		if (strlen(info.dli_fname) >= size)
			return -1;
		strcpy(buf, info.dli_fname);
	} else {
		/* The main program, which the link map leaves unnamed. */
		if ((n = readlink("/proc/self/exe", buf, size - 1)) <= 0)
			return -1;
		buf[n] = '\0';
	}
	for (i = 0; i < 2; i++) {
		if ((slash = strrchr(buf, '/')) == NULL)
			return -1;
		*slash = '\0';
	}
	if (strlen(buf) + sizeof("/share/miso/packs") > size)
		return -1;
	strcat(buf, "/share/miso/packs");
	return access(buf, F_OK);
}

/*
 * $MISO_PACKS, or the packs installed beside this object, or the
 * directory they were meant to be installed in.
 */
static const char *
pack_dir(struct miso__parser *p)
{
	const char *s = secure_getenv("MISO_PACKS");

	if (s != NULL && *s != '\0')
		return s;
	if (p->packdir == NULL) {
		char *buf = miso__alloc(p, PATH_MAX);

		p->packdir = beside_object(buf, PATH_MAX) == 0 ? buf :
		    MISO_PACKDIR;
	}
	return p->packdir;
}

static int
good_name(const char *s)
{
	size_t i;

	if (*s == '\0' || *s == '.' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' ||
		    s[i] == '+' || (s[i] >= '0' && s[i] <= '9') ||
		    ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')))
			return 0;
	return 1;
}

/* Reads DIR/name.conf whole into a malloc'd buffer. */
static int
read_pack(struct miso__parser *p, const char *name, char **text,
    size_t *len, char **path)
{
	const char *dir = pack_dir(p);

	*text = NULL;
	*len = 0;
	if ((*path = malloc(strlen(dir) + strlen(name) + 7)) == NULL)
		return -ENOMEM;
	strcpy(*path, dir);
	strcat(*path, "/");
	strcat(*path, name);
	strcat(*path, ".conf");
	/* A FIFO or a device in the packs' directory must not hang us. */
	return miso__read_file(*path, MISO__MAX_FILE + 1, text, len);
}

/* The lexer's place, saved while a pack is read. */
struct place {
	const char		*file, *src;
	size_t			 len, pos, bol, stmt_off;
	int			 line, have_tok, prev_line, prev_end, ended;
	struct miso__tok	 tok;
	enum miso__section	 section;
	const char		*library;
};

static void
save(const struct miso__parser *p, struct place *s)
{
	s->file = p->file;
	s->src = p->src;
	s->len = p->len;
	s->pos = p->pos;
	s->bol = p->bol;
	s->stmt_off = p->stmt_off;
	s->line = p->line;
	s->have_tok = p->have_tok;
	s->prev_line = p->prev_line;
	s->prev_end = p->prev_end;
	s->ended = p->ended;
	s->tok = p->tok;
	s->section = p->section;
	s->library = p->library;
}

static void
restore(struct miso__parser *p, const struct place *s)
{
	p->file = s->file;
	p->src = s->src;
	p->len = s->len;
	p->pos = s->pos;
	p->bol = s->bol;
	p->stmt_off = s->stmt_off;
	p->line = s->line;
	p->have_tok = s->have_tok;
	p->prev_line = s->prev_line;
	p->prev_end = s->prev_end;
	p->ended = s->ended;
	p->tok = s->tok;
	p->section = s->section;
	p->library = s->library;
	p->cur = NULL;
	p->lost = 0;
}

/*
 * Parses the pack's text in place of the file's.  Returns 0, or the
 * -errno of a pack that cannot be read (nothing reported).
 */
static int
parse_pack(struct miso__parser *p, const char *name, struct miso__want *w,
    struct miso__use *use)
{
	struct place s;
	char *text, *path;
	size_t len;
	int rc;

	if ((rc = read_pack(p, name, &text, &len, &path)) != 0) {
		free(text);
		free(path);
		return rc == -ENOMEM ? (longjmp(p->nomem, 1), rc) : rc;
	}
	save(p, &s);
	p->file = miso__strndup(p, path, strlen(path));
	free(path);
	/* The text must outlive the parse: types keep pointers into it. */
	p->src = miso__strndup(p, text, len);
	free(text);
	p->len = len;
	p->pos = p->bol = 0;
	p->line = 1;
	p->have_tok = 0;
	p->prev_line = p->prev_end = 0;
	p->section = MISO__SEC_NONE;
	p->library = NULL;
	p->want = w;
	p->use = use;
	miso__check_lines(p);
	miso__statements(p);
	p->want = NULL;
	p->use = NULL;
	restore(p, &s);
	return 0;
}

/* 0: not wanted; otherwise the column where it is named, or 1. */
static int
wanted(struct miso__want *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!w->found[i] && strcmp(w->name[i], name) == 0) {
			w->found[i] = 1;
			return w->col[i];
		}
	return w->all;
}

static void
seen(struct miso__parser *p, struct miso__want *w, const char *name)
{
	const char **v;

	if (w->nseen == w->seen_cap) {
		w->seen_cap = w->seen_cap == 0 ? 256 : w->seen_cap * 2;
		v = miso__alloc(p, w->seen_cap * sizeof(*v));
		if (w->nseen > 0)
			memcpy(v, w->seen, w->nseen * sizeof(*v));
		w->seen = v;
	}
	w->seen[w->nseen++] = name;
}

static struct miso__pfunc *
find(struct miso__parser *p, const char *name, struct miso__pfunc **prev)
{
	struct miso__pfunc *f;

	*prev = NULL;
	for (f = p->funcs; f != NULL; *prev = f, f = f->next)
		if (strcmp(f->f.name, name) == 0)
			return f;
	return NULL;
}

static void
unlink_func(struct miso__parser *p, struct miso__pfunc *f,
    struct miso__pfunc *prev)
{
	if (prev == NULL)
		p->funcs = f->next;
	else
		prev->next = f->next;
	if (p->funcs_tail == &f->next)
		p->funcs_tail = prev == NULL ? &p->funcs : &prev->next;
	p->nfuncs--;
}

/*
 * Whether a declaration just read is added to the model: 1 to add it, 0
 * to read its settings and drop it, -1 for a duplicate (reported).  A
 * pack's entry gives way to any declaration already there; the user's
 * own declaration replaces a pack's entry read before it.
 */
int
miso__pack_admit(struct miso__parser *p, struct miso__pfunc *pf)
{
	struct miso__pfunc *f, *prev;

	f = find(p, pf->f.name, &prev);
	if (p->want != NULL) {
		seen(p, p->want, pf->f.name);
		if ((pf->use_col = wanted(p->want, pf->f.name)) == 0 ||
		    f != NULL)
			return 0;
		pf->use = p->use;
		return 1;
	}
	if (f == NULL)
		return 1;
	if (f->use != NULL) {
		unlink_func(p, f, prev);
		return 1;
	}
	miso__error(p, pf->f.line, pf->f.col, "duplicate declaration of '%s'",
	    pf->f.name);
	miso__note(p, f->f.line, f->f.col, "'%s' was declared here",
	    pf->f.name);
	return -1;
}

/* The names of the packs in the pack directory, sorted. */
static size_t
list_packs(struct miso__parser *p, const char **v, size_t max)
{
	DIR *d = opendir(pack_dir(p));
	struct dirent *e;
	size_t n = 0, i, j, len;
	const char *t;

	if (d == NULL)
		return 0;
	while (n < max && (e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf") != 0 ||
		    e->d_name[0] == '.')
			continue;
		v[n++] = miso__strndup(p, e->d_name, len - 5);
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

static void
unknown_pack(struct miso__parser *p, const char *name,
    const struct miso__tok *at, int rc)
{
	const char *v[MAX_PACKS], *s;
	size_t n;

	if (rc != -ENOENT) {
		miso__error_at(p, at, "pack '%s': cannot read %s/%s.conf: %s",
		    name, pack_dir(p), name, strerror(-rc));
		return;
	}
	miso__error_at(p, at, "no pack '%s' in %s", name, pack_dir(p));
	n = list_packs(p, v, MAX_PACKS);
	if ((s = miso__suggest(name, v, n)) != NULL)
		miso__note(p, at->line, at->col, "did you mean '%s'?", s);
}

static void
unknown_entries(struct miso__parser *p, const char *pack,
    const struct miso__want *w)
{
	const char *s;
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (w->found[i])
			continue;
		miso__error(p, w->line[i], w->col[i], "pack '%s' has no "
		    "entry '%s'", pack, w->name[i]);
		if ((s = miso__suggest(w->name[i], w->seen, w->nseen)) != NULL)
			miso__note(p, w->line[i], w->col[i], "did you mean "
			    "'%s'?", s);
	}
}

static struct miso__use *
new_use(struct miso__parser *p, int line, int col)
{
	struct miso__use *u = miso__alloc(p, sizeof(*u));

	u->file = p->file;
	u->src = p->src;
	u->len = p->len;
	u->line = line;
	u->col = col;
	return u;
}

/* The names after "use PACK:", separated by commas, to the line's end. */
static int
entry_names(struct miso__parser *p, struct miso__want *w,
    const struct miso__tok *use)
{
	const struct miso__tok *t;
	struct miso__tok name;

	do {
		t = miso__peek(p);
		if (t->kind != MISO__T_IDENT || t->line != use->line) {
			miso__error_missing(p, t, "expected the name of an "
			    "entry");
			return -1;
		}
		name = miso__next(p);
		if (w->n == MAX_NAMES) {
			miso__error_at(p, &name, "too many names (the limit "
			    "is %d)", MAX_NAMES);
			return -1;
		}
		w->line[w->n] = name.line;
		w->col[w->n] = name.col;
		w->name[w->n++] = miso__tok_str(p, &name);
	} while (miso__peek(p)->line == use->line && miso__accept(p, ','));
	return 0;
}

/* "use PACK" or "use PACK: NAME, NAME, ...", on one line. */
int
miso__parse_use(struct miso__parser *p)
{
	struct miso__tok use = miso__next(p), name;
	struct miso__want *w;
	struct miso__use *u;
	const struct miso__tok *t;
	char *pack;
	int rc;

	p->cur = NULL;
	p->lost = 1;
	p->last_use = NULL;
	if (p->want != NULL) {
		miso__error_at(p, &use, "a pack cannot use another pack");
		return -1;
	}
	if (++p->nuses > MAX_USES) {
		miso__error_at(p, &use, "too many 'use' lines (the limit is "
		    "%d)", MAX_USES);
		return -1;
	}
	if (miso__peek(p)->line != use.line) {
		miso__error(p, use.line, use.col + 3, "expected the name of a "
		    "pack after 'use'");
		p->ended = 1;
		return -1;
	}
	name = miso__next(p);
	if (name.kind != MISO__T_IDENT ||
	    !good_name(pack = miso__tok_str(p, &name))) {
		miso__error_at(p, &name, "expected the name of a pack after "
		    "'use'");
		return -1;
	}
	w = miso__alloc(p, sizeof(*w));
	if (miso__peek(p)->line == use.line && miso__accept(p, ':')) {
		if (entry_names(p, w, &use) == -1)
			return -1;
	} else
		w->all = 1;
	miso__accept(p, ';');
	t = miso__peek(p);
	if (t->kind != MISO__T_EOF && t->line == use.line) {
		miso__error_at(p, t, "unexpected text after 'use %s'", pack);
		return -1;
	}
	u = new_use(p, use.line, use.col);
	u->all = w->all;
	p->ended = 1;
	if ((rc = parse_pack(p, pack, w, u)) != 0) {
		unknown_pack(p, pack, &name, rc);
		return -1;
	}
	unknown_entries(p, pack, w);
	p->lost = 0;
	p->last_use = u;	/* after the pack's own statements */
	return 0;
}

/* Takes the next name of a list separated by commas or blanks. */
static const char *
next_name(const char *s, size_t *n)
{
	while (*s == ',' || *s == ' ' || *s == '\t' || *s == '\n')
		s++;
	for (*n = 0; s[*n] != '\0' && s[*n] != ',' && s[*n] != ' ' &&
	    s[*n] != '\t' && s[*n] != '\n'; (*n)++)
		;
	return s;
}

/* The names of list that nobody declared yet, into w. */
static int
isolate_names(struct miso__parser *p, const char *list,
    struct miso__want *w)
{
	struct miso__pfunc *prev;
	const char *s;
	size_t n;

	for (s = next_name(list, &n); n > 0; s = next_name(s + n, &n)) {
		if (w->n == MAX_NAMES) {
			miso__error(p, 1, (int)(s - list) + 1, "too many "
			    "names (the limit is %d)", MAX_NAMES);
			return -1;
		}
		w->name[w->n] = miso__strndup(p, s, n);
		w->line[w->n] = 1;
		w->col[w->n] = (int)(s - list) + 1;
		/* What the file declares, it declares: the file wins. */
		if (find(p, w->name[w->n], &prev) != NULL)
			w->found[w->n] = 1;
		w->n++;
	}
	return 0;
}

static int
all_found(const struct miso__want *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!w->found[i])
			return 0;
	return 1;
}

/*
 * The functions named in list (separated by commas or blanks), each from
 * the first pack, in the order of their names, that declares it; in
 * worker mode if worker is set and the pack does not say otherwise.
 * Errors name the list as the file "label", line 1.
 */
static void
isolate_list(struct miso__parser *p, const char *list, const char *label,
    int worker)
{
	const char *packs[MAX_PACKS];
	struct miso__want *w;
	struct miso__use *use;
	struct miso__pfunc *f;
	const char *near;
	size_t i, n;

	p->file = label;
	p->src = list;
	p->len = strlen(list);
	w = miso__alloc(p, sizeof(*w));
	if (isolate_names(p, list, w) == -1)
		return;
	use = new_use(p, 1, 1);
	use->isolate = w;
	n = list_packs(p, packs, MAX_PACKS);
	for (i = 0; i < n && !all_found(w); i++)
		parse_pack(p, packs[i], w, use);
	for (i = 0; i < w->n; i++)
		if (!w->found[i]) {
			miso__error(p, 1, w->col[i], "no pack declares '%s'",
			    w->name[i]);
			if ((near = miso__suggest(w->name[i], w->seen,
			    w->nseen)) != NULL)
				miso__note(p, 1, w->col[i], "did you mean "
				    "'%s'?", near);
			miso__note(p, 1, w->col[i], "declare it in a "
			    "configuration file: 'miso gen' prints a "
			    "declaration from a header or from debugging "
			    "information");
		}
	for (f = p->funcs; worker && f != NULL; f = f->next)
		if (f->use == use && !(f->f.pol.set & MISO__POL_MODE)) {
			f->f.pol.mode = MISO__MODE_WORKER;
			f->f.pol.set |= MISO__POL_MODE;
		}
}

/* The list stands in for the file while it is read; the file comes back. */
void
miso__isolate(struct miso__parser *p, const char *list, const char *label,
    int worker)
{
	const char *file = p->file, *src = p->src;
	size_t len = p->len;

	isolate_list(p, list, label, worker);
	p->file = file;
	p->src = src;
	p->len = len;
}

static void
refuse(struct miso__parser *p, const struct miso__pfunc *f)
{
	const struct miso__use *u = f->use;
	int col = f->use_col > 1 ? f->use_col : u != NULL ? u->col : 0;

	if (u == NULL) {
		miso__error(p, f->f.line, f->f.col, "'%s' " MISO__REFUSED
		    "%s", f->f.name, f->refuse);
		miso__note(p, f->f.line, f->f.col, "write 'force = yes' "
		    "under it to isolate it all the same");
		return;
	}
	p->file = u->file;
	p->src = u->src;
	p->len = u->len;
	miso__error(p, u->line, col, "'%s' " MISO__REFUSED "%s",
	    f->f.name, f->refuse);
	miso__note(p, u->line, col, u->isolate != NULL ?
	    "declare it with 'force = yes' in a configuration file to isolate "
	    "it all the same" : "write 'force = yes' under the 'use' line to "
	    "isolate it all the same");
}

/*
 * After the whole text: the entries that are refused.  "use PACK" takes
 * those that can be isolated and leaves the others out; an entry named
 * is an error.
 */
void
miso__pack_finish(struct miso__parser *p)
{
	const char *file = p->file, *src = p->src;
	struct miso__pfunc *f, *prev = NULL, *next;
	size_t len = p->len;

	for (f = p->funcs; f != NULL && !p->stop; f = next) {
		next = f->next;
		if (f->refuse == NULL || f->force ||
		    (f->use != NULL && f->use->force)) {
			prev = f;
			continue;
		}
		if (f->use != NULL && f->use->all)
			unlink_func(p, f, prev);
		else {
			refuse(p, f);
			prev = f;
		}
	}
	p->file = file;
	p->src = src;
	p->len = len;
}

static int
yes(const char *s, size_t n)
{
	return (n == 3 && memcmp(s, "yes", 3) == 0) ||
	    (n == 2 && memcmp(s, "no", 2) == 0) ? 1 : 0;
}

/* Is the next setting one of the packs' own, refuse or force? */
int
miso__pack_setting_next(struct miso__parser *p)
{
	const struct miso__tok *t = miso__peek(p);

	return miso__tok_is(p, t, "refuse") || miso__tok_is(p, t, "force");
}

/*
 * "refuse = WHY" under a function; "force = yes" under a function or
 * under a use line, which then applies to all of its entries.
 */
int
miso__pack_setting(struct miso__parser *p)
{
	struct miso__tok key = miso__next(p);
	int is_force = miso__tok_is(p, &key, "force");
	const char *s;
	size_t n;

	while (p->src[p->pos] != '=')
		p->pos++;
	p->pos++;
	n = miso__rest_of_line(p, &s);
	if (p->lost && key.col > 1 && p->last_use == NULL)
		return 0;	/* under a declaration that had errors */
	if (key.col == 1 || (p->cur == NULL && (!is_force ||
	    p->last_use == NULL))) {
		miso__error_at(p, &key, is_force ? "'force' belongs under a "
		    "function or a 'use' line, indented" : "'refuse' belongs "
		    "under a function, indented");
		return -1;
	}
	if (!is_force) {
		if (n == 0) {
			miso__error_at(p, &key, "'refuse' needs the reason");
			return -1;
		}
		p->cur->refuse = miso__strndup(p, s, n);
		return 0;
	}
	if (!yes(s, n)) {
		miso__error(p, key.line, (int)(s - p->src - p->bol) + 1,
		    "expected yes or no for 'force', not '%.*s'",
		    (int)(n > 64 ? 64 : n), s);
		return -1;
	}
	if (p->cur != NULL)
		p->cur->force = n == 3;
	else
		p->last_use->force = n == 3;
	return 0;
}
