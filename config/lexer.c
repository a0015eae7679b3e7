/*
 * The lexer: C-like tokens read on demand, one token of lookahead.  The
 * parser also reads some lines raw (section headers, setting values), so
 * the position is plain bytes and a line count, nothing buffered.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int
is_ident(int c, int first)
{
	return c == '_' || isalpha(c) || (!first && isdigit(c));
}

/* Skips blanks, newlines and comments. */
static void
skip_space(struct miso__parser *p)
{
	while (p->pos < p->len) {
		char c = p->src[p->pos];

		if (c == '\n') {
			p->pos++;
			p->line++;
			p->bol = p->pos;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v')
			p->pos++;
		else if (c == '#') {
			while (p->pos < p->len && p->src[p->pos] != '\n')
				p->pos++;
		} else
			break;
	}
}

static int
first_on_line(const struct miso__parser *p, size_t off)
{
	size_t i;

	for (i = p->bol; i < off; i++)
		if (p->src[i] != ' ' && p->src[i] != '\t' && p->src[i] != '\r')
			return 0;
	return 1;
}

static void
lex_number(struct miso__parser *p, struct miso__tok *t)
{
	const char *s = p->src + t->off;
	uint64_t v = 0;
	size_t i = 0, n;
	int base = 10, d, bad = 0;

	while (p->pos < p->len && is_ident((unsigned char)p->src[p->pos], 0))
		p->pos++;
	n = p->pos - t->off;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (base == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else {
			bad = 1;
			break;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			bad = 2;
			break;
		}
		v = v * (uint64_t)base + (uint64_t)d;
	}
	t->kind = MISO__T_INT;
	t->len = n;
	t->ival = v;
	if (bad)
		miso__error(p, t->line, t->col, bad == 2 ?
		    "number '%.*s' is too large" : "bad number '%.*s'",
		    (int)(n > 64 ? 64 : n), s);
}

static void
lex(struct miso__parser *p, struct miso__tok *t)
{
	const char *s;
	unsigned char c;

again:
	skip_space(p);
	memset(t, 0, sizeof(*t));
	t->off = p->pos;
	t->line = p->line;
	t->col = (int)(p->pos - p->bol) + 1;
	t->first = first_on_line(p, p->pos);
	if (p->pos >= p->len) {
		t->kind = MISO__T_EOF;
		return;
	}
	s = p->src + p->pos;
	c = (unsigned char)*s;
	if (is_ident(c, 1)) {
		while (p->pos < p->len &&
		    is_ident((unsigned char)p->src[p->pos], 0))
			p->pos++;
		t->kind = MISO__T_IDENT;
		t->len = p->pos - t->off;
	} else if (isdigit(c))
		lex_number(p, t);
	else if (p->len - p->pos >= 2 && memcmp(s, "->", 2) == 0) {
		t->kind = MISO__T_ARROW;
		t->len = 2;
		p->pos += 2;
	} else if (p->len - p->pos >= 3 && memcmp(s, "...", 3) == 0) {
		t->kind = MISO__T_ELLIPSIS;
		t->len = 3;
		p->pos += 3;
	} else if (c != '\0' && strchr("()[]{};,*=+-:", c) != NULL) {
		t->kind = MISO__T_PUNCT;
		t->ch = c;
		t->len = 1;
		p->pos++;
	} else {
		if (isprint(c))
			miso__error(p, t->line, t->col, "stray '%c'", c);
		else
			miso__error(p, t->line, t->col, "stray byte 0x%02x", c);
		p->pos++;
		goto again;
	}
}

const struct miso__tok *
miso__peek(struct miso__parser *p)
{
	if (!p->have_tok) {
		lex(p, &p->tok);
		p->have_tok = 1;
	}
	return &p->tok;
}

/* Tokens never span lines: one ends on its line, len columns on. */
static void
consumed(struct miso__parser *p)
{
	p->have_tok = 0;
	if (p->tok.kind == MISO__T_EOF)
		return;
	p->prev_line = p->tok.line;
	p->prev_end = p->tok.col + (int)p->tok.len;
}

struct miso__tok
miso__next(struct miso__parser *p)
{
	miso__peek(p);
	consumed(p);
	return p->tok;
}

int
miso__tok_is(const struct miso__parser *p, const struct miso__tok *t,
    const char *word)
{
	return t->kind == MISO__T_IDENT && strlen(word) == t->len &&
	    memcmp(p->src + t->off, word, t->len) == 0;
}

int
miso__accept(struct miso__parser *p, int ch)
{
	const struct miso__tok *t = miso__peek(p);

	if (t->kind != MISO__T_PUNCT || t->ch != ch)
		return 0;
	consumed(p);
	return 1;
}

static void
describe(const struct miso__parser *p, const struct miso__tok *t,
    char *buf, size_t size)
{
	if (t->kind == MISO__T_EOF)
		snprintf(buf, size, "end of file");
	else
		snprintf(buf, size, "'%.*s'", (int)(t->len > 32 ? 32 : t->len),
		    p->src + t->off);
}

int
miso__expect(struct miso__parser *p, int ch, const char *what)
{
	const struct miso__tok *t = miso__peek(p);
	char got[48];

	if (miso__accept(p, ch))
		return 0;
	describe(p, t, got, sizeof(got));
	miso__error_missing(p, t, "expected '%c'%s%s before %s", ch,
	    *what != '\0' ? " " : "", what, got);
	return -1;
}

char *
miso__tok_str(struct miso__parser *p, const struct miso__tok *t)
{
	return miso__strndup(p, p->src + t->off, t->len);
}

/* Reports every line over the limit once, before parsing. */
void
miso__check_lines(struct miso__parser *p)
{
	const char *s = p->src, *end = p->src + p->len, *nl;
	int line = 1;

	for (; s < end; s = nl + 1, line++) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl - s > MISO__MAX_LINE)
			miso__error(p, line, MISO__MAX_LINE + 1,
			    "line too long (%zu bytes; the limit is %d)",
			    (size_t)(nl - s), MISO__MAX_LINE);
	}
}

/* Is the next token a name followed by '=' (and so a setting)? */
int
miso__at_setting(struct miso__parser *p)
{
	const struct miso__tok *t = miso__peek(p);
	size_t i;

	if (t->kind != MISO__T_IDENT)
		return 0;
	for (i = t->off + t->len; i < p->len; i++)
		if (p->src[i] != ' ' && p->src[i] != '\t')
			break;
	return i < p->len && p->src[i] == '=';
}

/*
 * Takes the raw text from the position up to a comment or the end of the
 * line, without surrounding blanks.  No token may be pending.
 */
size_t
miso__rest_of_line(struct miso__parser *p, const char **s)
{
	size_t start, end;

	while (p->pos < p->len &&
	    (p->src[p->pos] == ' ' || p->src[p->pos] == '\t'))
		p->pos++;
	start = p->pos;
	while (p->pos < p->len && p->src[p->pos] != '\n' &&
	    p->src[p->pos] != '#')
		p->pos++;
	end = p->pos;
	while (end > start && isspace((unsigned char)p->src[end - 1]))
		end--;
	*s = p->src + start;
	return end - start;
}

/*
 * Recovers from an error: skips to just after the next ';', or to the
 * next line that starts in the first column, whichever comes first;
 * continuation lines are indented, so such a line starts something new,
 * even when the error was found on it (a ')' missing at the end of the
 * line before).
 */
void
miso__skip_statement(struct miso__parser *p)
{
	int first = 1;

	if (p->ended)
		return;
	for (;;) {
		const struct miso__tok *t = miso__peek(p);

		if (t->kind == MISO__T_EOF)
			return;
		if ((!first || t->off != p->stmt_off) && t->first &&
		    t->col == 1)
			return;
		miso__next(p);
		if (t->kind == MISO__T_PUNCT && t->ch == ';')
			return;
		first = 0;
	}
}
