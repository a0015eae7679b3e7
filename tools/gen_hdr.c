/*
 * miso gen --header: the functions a header declares, and the names of
 * their parameters, from the preprocessor's output (cc -E, or $CC), then
 * their types from DWARF: a probe that includes the header and takes the
 * address of each function is compiled with -g into a shared object,
 * which the DWARF reader reads like any library. The compiler resolves
 * every typedef, struct layout and constness, so the text needs only be
 * read for names.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "tools.h"

/* Runs argv, its stdout into out (if not NULL); returns its status. */
static int
run(char *const *argv, const char *out)
{
	pid_t pid;
	int st;
	FILE *f;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (out != NULL && ((f = freopen(out, "w", stdout)) == NULL))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (f == NULL)
		return NULL;
	do {
		buf = miso__xrealloc(buf, cap += 65536, 1);
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int
is_word(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The last identifier in [s, e) that is not a keyword, or NULL. */
static char *
last_name(const char *s, const char *e)
{
	static const char *const kw[] = { "const", "volatile", "restrict",
	    "__restrict", "__restrict__", "int", "char", "short", "long",
	    "unsigned", "signed", "float", "double", "void", "_Bool",
	    "struct", "enum", "union", "register", NULL };
	const char *p = e, *q;
	size_t i;

	while (p > s) {
		while (p > s && !is_word(p[-1]))
			p--;
		q = p;
		while (q > s && is_word(q[-1]))
			q--;
		if (q == p)
			return NULL;
		for (i = 0; kw[i] != NULL; i++)
			if ((size_t)(p - q) == strlen(kw[i]) &&
			    strncmp(q, kw[i], strlen(kw[i])) == 0)
				return NULL;
		if (isdigit((unsigned char)*q)) {
			p = q;
			continue;
		}
		return miso__xasprintf("%.*s", (int)(p - q), q);
	}
	return NULL;
}

/*
 * The name of a parameter written in [s, e): the identifier inside
 * "(*name)" for a function pointer, else the last one, provided there is
 * a type before it ("size_t" alone names no parameter).
 */
static char *
param_name(const char *s, const char *e)
{
	const char *star = memchr(s, '*', (size_t)(e - s)), *close;
	char *n;

	while (s < e && isspace((unsigned char)*s))
		s++;
	if (star != NULL && star > s && star[-1] == '(' &&
	    (close = memchr(star, ')', (size_t)(e - star))) != NULL)
		return last_name(star, close);
	while (e > s && (isspace((unsigned char)e[-1]) || e[-1] == ']')) {
		if (e[-1] == ']')
			while (e > s && e[-1] != '[')
				e--;
		if (e > s)
			e--;
	}
	n = last_name(s, e);
	if (n != NULL && last_name(s, e - strlen(n)) == NULL &&
	    strpbrk(s, "*") == NULL) {
		/* "T name" needs a type first: a lone word is a type. */
		const char *p = s;
		int words = 0;

		while (p < e) {
			while (p < e && !is_word(*p))
				p++;
			if (p < e)
				words++;
			while (p < e && is_word(*p))
				p++;
		}
		if (words < 2) {
			free(n);
			return NULL;
		}
	}
	return n;
}

/* One top-level statement of the header's own text. */
static void
statement(const char *s, const char *e, struct miso__hdecl **out)
{
	const char *open = NULL, *p, *close, *a;
	struct miso__hdecl *d;
	int depth = 0;

	while (s < e && isspace((unsigned char)*s))
		s++;
	if (e - s > 7 && strncmp(s, "typedef", 7) == 0 && !is_word(s[7]))
		return;
	for (p = s; p < e && open == NULL; p++)
		if (*p == '(' && p > s) {
			const char *q = p;

			while (q > s && isspace((unsigned char)q[-1]))
				q--;
			if (q > s && is_word(q[-1]))
				open = p;
			else
				return;	/* (*fp)(...): a variable */
		}
	if (open == NULL)
		return;
	d = miso__xcalloc(1, sizeof(*d));
	d->name = last_name(s, open);
	if (d->name == NULL) {
		free(d);
		return;
	}
	for (close = open + 1, a = open + 1; close < e; close++)
		if (*close == '(')
			depth++;
		else if (*close == ')' && depth-- == 0)
			break;
	if (close == e) {
		free(d->name);
		free(d);
		return;
	}
	for (p = open + 1, depth = 0; p <= close; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && p != close)
			depth--;
		if ((*p == ',' && depth == 0) || p == close) {
			if (memmem(a, (size_t)(p - a), "...", 3) != NULL)
				break;	/* DWARF counts no name for it */
			d->pnames = miso__xrealloc(d->pnames, d->nparams + 1,
			    sizeof(*d->pnames));
			d->pnames[d->nparams++] = param_name(a, p);
			a = p + 1;
		}
	}
	d->next = *out;
	*out = d;
}

/*
 * Splits the preprocessed text into statements at ';' outside braces and
 * parentheses, keeping those that come from the header itself (by the
 * line markers); bodies in braces are skipped.
 */
static void
scan(const char *text, const char *header, struct miso__hdecl **out)
{
	const char *p = text, *start = text, *nl, *q;
	int depth = 0, paren = 0, mine = 0;
	char file[PATH_MAX];

	while (*p != '\0') {
		if ((p == text || p[-1] == '\n') && *p == '#') {
			/* A line marker: between statements, skip it. */
			int between = strspn(start, " \t\n") >=
			    (size_t)(p - start);

			nl = strchr(p, '\n');
			q = strchr(p, '"');
			if (q != NULL && (nl == NULL || q < nl) &&
			    sscanf(q, "\"%4095[^\"]\"", file) == 1)
				mine = strcmp(file, header) == 0;
			p = nl != NULL ? nl + 1 : p + strlen(p);
			if (between && depth == 0 && paren == 0)
				start = p;
			continue;
		}
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0 && --depth == 0 &&
		    paren == 0) {
			start = p + 1;	/* a body, or a struct's fields */
		} else if (*p == '(')
			paren++;
		else if (*p == ')' && paren > 0)
			paren--;
		else if (*p == ';' && depth == 0 && paren == 0) {
			if (mine)
				statement(start, p, out);
			start = p + 1;
		}
		p++;
	}
}

static int
wanted(const char *name, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return n == 0;
}

int
miso__gen_header(const char *header, char *const *incs, size_t ninc,
    char *const *names, size_t nnames, struct miso__hdecl **out,
    char **probe, char *why, size_t size)
{
	const char *cc = getenv("CC") != NULL && *getenv("CC") != '\0' ?
	    getenv("CC") : "cc";
	char dir[] = "/tmp/miso-gen-XXXXXX", *pre, *src, *so, *text;
	char **argv = miso__xcalloc(ninc + 12, sizeof(*argv)), abs[PATH_MAX];
	struct miso__hdecl *d;
	size_t n = 0, i;
	FILE *f;
	int rc = -1;

	*out = NULL;
	*probe = NULL;
	if (realpath(header, abs) == NULL) {
		snprintf(why, size, "%s: %s", header, strerror(errno));
		free(argv);
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		snprintf(why, size, "%s: %s", dir, strerror(errno));
		free(argv);
		return -1;
	}
	pre = miso__xasprintf("%s/h.i", dir);
	src = miso__xasprintf("%s/probe.c", dir);
	so = miso__xasprintf("%s/probe.so", dir);
	argv[n++] = (char *)cc;
	argv[n++] = "-E";
	for (i = 0; i < ninc; i++)
		argv[n++] = incs[i];
	argv[n++] = abs;
	if (run(argv, pre) != 0 || (text = slurp(pre)) == NULL) {
		snprintf(why, size, "%s: the preprocessor (%s -E) failed",
		    header, cc);
		goto out;
	}
	scan(text, abs, out);
	free(text);
	if ((f = fopen(src, "w")) == NULL) {
		snprintf(why, size, "%s: %s", src, strerror(errno));
		goto out;
	}
	fprintf(f, "#include \"%s\"\nvoid *const miso_gen_refs[] = { 0", abs);
	for (d = *out; d != NULL; d = d->next)
		if (wanted(d->name, names, nnames))
			fprintf(f, ",\n    (void *)&%s", d->name);
	fprintf(f, "\n};\n");
	fclose(f);
	n = 1;
	argv[n++] = "-g";
	argv[n++] = "-shared";
	argv[n++] = "-fPIC";
	argv[n++] = "-w";
	argv[n++] = "-o";
	argv[n++] = so;
	for (i = 0; i < ninc; i++)
		argv[n++] = incs[i];
	argv[n++] = src;
	argv[n] = NULL;
	if (run(argv, NULL) != 0) {
		snprintf(why, size, "%s: the probe that includes it does not "
		    "compile (%s)", header, cc);
		goto out;
	}
	*probe = so;
	so = NULL;
	rc = 0;
out:
	unlink(pre);
	unlink(src);
	if (so != NULL)
		rmdir(dir);
	free(pre);
	free(src);
	free(so);
	free(argv);
	return rc;
}
