/*
 * Diagnostics in the style of a compiler: "file:line:col: error: message",
 * then the source line and a caret under the column (a note at the place
 * just shown goes without them).  All of them go into one text; the first
 * error is also kept apart for callers that show one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define SHOW_MAX	200	/* bytes of a source line shown */

static const char *
line_start(const struct miso__parser *p, int line)
{
	const char *s = p->src, *end = p->src + p->len;
	int n = 1;

	while (n < line && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		if (nl == NULL)
			return NULL;
		s = nl + 1;
		n++;
	}
	return n == line ? s : NULL;
}

/* The source line, then spaces (tabs where the line has them) and '^'. */
static void
show_line(struct miso__parser *p, int line, int col)
{
	const char *s = line_start(p, line), *end = p->src + p->len;
	size_t n = 0, i;

	if (s == NULL)
		return;
	while (s + n < end && s[n] != '\n' && n < SHOW_MAX)
		n++;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || ((s[i] & 0x80) == 0 && s[i] < ' ' &&
		    s[i] != '\t'))
			break;
	if (i < n || (n == 0 && col > 1))
		return;	/* binary junk: the location says enough */
	miso__sbuf_add(&p->diag, s, n);
	miso__sbuf_puts(&p->diag, "\n");
	for (i = 0; i + 1 < (size_t)col && i < n; i++)
		miso__sbuf_add(&p->diag, s[i] == '\t' ? "\t" : " ", 1);
	miso__sbuf_puts(&p->diag, "^\n");
}

static void
report(struct miso__parser *p, const char *kind, int line, int col,
    const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	miso__sbuf_printf(&p->diag, "%s:%d:%d: %s: %s\n", p->file, line, col,
	    kind, msg);
	if (line > 0 && (strcmp(kind, "note") != 0 || line != p->shown_line ||
	    col != p->shown_col))
		show_line(p, line, col);
	p->shown_line = line;
	p->shown_col = col;
	if (strcmp(kind, "error") == 0 && p->nerrors == 1) {
		p->first_line = line;
		p->first_col = col;
		memcpy(p->first_msg, msg, sizeof(msg));
	}
}

void
miso__error(struct miso__parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->stop)
		return;
	if (p->nerrors == MISO__MAX_ERRORS) {
		miso__sbuf_printf(&p->diag, "%s: too many errors; stopping\n",
		    p->file);
		p->stop = 1;
		return;
	}
	p->nerrors++;
	va_start(ap, fmt);
	report(p, "error", line, col, fmt, ap);
	va_end(ap);
}

void
miso__note(struct miso__parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->stop)
		return;
	va_start(ap, fmt);
	report(p, "note", line, col, fmt, ap);
	va_end(ap);
}

void
miso__error_at(struct miso__parser *p, const struct miso__tok *t,
    const char *fmt, ...)
{
	va_list ap;

	if (p->stop)
		return;
	if (p->nerrors == MISO__MAX_ERRORS) {
		miso__error(p, t->line, t->col, "%s", "");
		return;
	}
	p->nerrors++;
	va_start(ap, fmt);
	report(p, "error", t->line, t->col, fmt, ap);
	va_end(ap);
}

/*
 * Something missing before t: when t starts a later line than the last
 * token read, what is missing belongs at the end of that token's line,
 * where a compiler points. Returns whether that was so (t starts a new
 * statement, then).
 */
int
miso__error_missing(struct miso__parser *p, const struct miso__tok *t,
    const char *fmt, ...)
{
	va_list ap;
	int eol = t->first && p->prev_line > 0 && p->prev_line < t->line;

	if (p->stop)
		return eol;
	if (p->nerrors == MISO__MAX_ERRORS) {
		miso__error(p, t->line, t->col, "%s", "");
		return eol;
	}
	p->nerrors++;
	va_start(ap, fmt);
	if (eol)
		report(p, "error", p->prev_line, p->prev_end, fmt, ap);
	else
		report(p, "error", t->line, t->col, fmt, ap);
	va_end(ap);
	return eol;
}
