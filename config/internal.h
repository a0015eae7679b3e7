/*
 * Private declarations of the configuration parser.
 */
#ifndef MISO_CONFIG_INTERNAL_H
#define MISO_CONFIG_INTERNAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Limits: past them the text gets an error, never a crash. */
#define MISO__MAX_FILE		(1024 * 1024)
#define MISO__MAX_LINE		4096
#define MISO__MAX_ERRORS	20
#define MISO__MAX_DECLS		4096
#define MISO__MAX_FIELDS	256
#define MISO__MAX_DEPTH		32	/* parentheses, pointers, nesting */
#define MISO__MAX_NEST		8	/* struct definitions in structs */
#define MISO__MAX_STRUCT	(1ULL << 32)

/* arena.c: every object of one model, freed at once. */
struct miso__arena;

struct miso__arena	*miso__arena_new(void);
void	*miso__arena_alloc(struct miso__arena *, size_t);
void	 miso__arena_free(struct miso__arena *);

/* sbuf.c: a growing string; on failure it stays short and sets nomem. */
struct miso__sbuf {
	char	*s;
	size_t	 len, cap;
	int	 nomem;
};

void	 miso__sbuf_add(struct miso__sbuf *, const char *, size_t);
void	 miso__sbuf_puts(struct miso__sbuf *, const char *);
void	 miso__sbuf_printf(struct miso__sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*miso__sbuf_finish(struct miso__sbuf *);

/* lexer.c */
enum miso__tokkind {
	MISO__T_EOF,
	MISO__T_IDENT,
	MISO__T_INT,
	MISO__T_PUNCT,		/* ch holds the character */
	MISO__T_ARROW,
	MISO__T_ELLIPSIS
};

struct miso__tok {
	enum miso__tokkind	 kind;
	int			 ch;
	size_t			 off, len;
	int			 line, col;
	int			 first;	/* first token of its line */
	uint64_t		 ival;
};

/* A named type: a struct tag or a typedef name. */
struct miso__named {
	struct miso__named	*next;
	const char		*name;
	int			 is_tag;
	int			 listed;	/* in miso_conf.types */
	struct miso__conf_type	*type;
	int			 line, col;
};

/* A "use" line, or the names given to miso run -i (pack.c). */
struct miso__want;
struct miso__use {
	const char		*file, *src;	/* for its diagnostics */
	size_t			 len;
	int			 line, col;
	int			 force;		/* 'force = yes' under it */
	int			 all;		/* "use PACK": every entry */
	const struct miso__want	*isolate;	/* the names of -i */
};

/* A function while its file is being read. */
struct miso__pfunc {
	struct miso__pfunc	*next;
	struct miso__conf_func	 f;
	int			 fail_set;
	struct miso__use	*use;		/* from a pack, or NULL */
	int			 use_col;	/* where the use names it */
	const char		*refuse;	/* why isolation cannot work */
	int			 force;
};

enum miso__section {
	MISO__SEC_NONE,
	MISO__SEC_DEFAULTS,
	MISO__SEC_LIBRARY
};

struct miso__parser {
	struct miso__arena	*arena;
	jmp_buf			 nomem;
	const char		*file;
	const char		*src;
	size_t			 len;

	/* The lexer: pos is the next byte, bol the start of its line. */
	size_t			 pos, bol;
	int			 line;
	struct miso__tok	 tok;
	int			 have_tok;
	int			 prev_line, prev_end;	/* just past the last
							   token read */

	struct miso__sbuf	 diag;
	size_t			 nerrors;
	int			 stop;
	int			 first_line, first_col;
	int			 shown_line, shown_col;	/* last caret */
	char			 first_msg[256];

	struct miso__named	*named;
	size_t			 ntypes;
	struct miso__conf_type	**types;
	size_t			 types_cap;
	struct miso__pfunc	*funcs, **funcs_tail;
	size_t			 nfuncs;
	enum miso__section	 section;
	const char		*library;
	struct miso__pfunc	*cur;	/* what indented settings apply to */
	int			 lost;	/* ignore them: their function is bad */
	int			 ended;	/* the statement's ';' has been read */
	size_t			 stmt_off;	/* where the statement began */
	int			 ndefaults;
	struct miso__conf_policy	 defaults;
	int			 depth;
	/* Reading a pack: the entries to keep, and the use they serve. */
	struct miso__want	*want;
	struct miso__use	*use;
	struct miso__use	*last_use;	/* what 'force' applies to */
	const char		*packdir;	/* found once (pack.c) */
	int			 nuses;
};

/* Parser utilities (parse.c). */
void	*miso__alloc(struct miso__parser *, size_t);
char	*miso__strndup(struct miso__parser *, const char *, size_t);
char	*miso__strcat3(struct miso__parser *, const char *, const char *,
	    const char *);

/* diag.c */
void	 miso__error(struct miso__parser *, int line, int col,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 miso__note(struct miso__parser *, int line, int col,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 miso__error_at(struct miso__parser *, const struct miso__tok *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	 miso__error_missing(struct miso__parser *, const struct miso__tok *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* lexer.c */
const struct miso__tok	*miso__peek(struct miso__parser *);
struct miso__tok	 miso__next(struct miso__parser *);
int	 miso__tok_is(const struct miso__parser *, const struct miso__tok *,
	    const char *);
int	 miso__accept(struct miso__parser *, int ch);
int	 miso__expect(struct miso__parser *, int ch, const char *what);
char	*miso__tok_str(struct miso__parser *, const struct miso__tok *);
void	 miso__check_lines(struct miso__parser *);
int	 miso__at_setting(struct miso__parser *);
size_t	 miso__rest_of_line(struct miso__parser *, const char **);
void	 miso__skip_statement(struct miso__parser *);

/* types.c: the C scalars and the types built from them. */
const struct miso__conf_type	*miso__builtin(const char *name);
const struct miso__conf_type	*miso__builtin_like(const char *name);
const struct miso__conf_type	*miso__type_int(void);
struct miso__conf_type	*miso__pointer_to(struct miso__parser *,
	    const struct miso__conf_type *, int pointee_const);
int	 miso__is_integer(const struct miso__conf_type *);
/* worker.c: errors for worker-mode pointers without a size. */
void	 miso__check_workers(struct miso__parser *, const struct miso_conf *);
int	 miso__is_char(const struct miso__conf_type *);

/* systypes.c, errnames.c: tables generated from this system's headers. */
int	 miso__systype(const char *name, size_t *size, size_t *align);
int	 miso__errno_value(const char *name);
const char	*miso__conf_find_at(char *, size_t, const char *etc);
const char	*miso__errno_name(int);

/* named.c: new types, and the struct tags and typedef names declared. */
struct miso__conf_type	*miso__new_type(struct miso__parser *,
	    enum miso__conf_kind, const char *name);
struct miso__conf_type	*miso__incomplete(struct miso__parser *,
	    const char *name);
struct miso__named	*miso__find_named(struct miso__parser *,
	    const char *name, int is_tag);
struct miso__named	*miso__add_named(struct miso__parser *,
	    const char *name, int is_tag, struct miso__conf_type *,
	    const struct miso__tok *at);
void	 miso__list_type(struct miso__parser *, struct miso__conf_type *,
	    const struct miso__tok *at);

/*
 * spec.c, struct.c, declarator.c, typedef.c: the types of declarations,
 * struct declarations, declarators and typedefs.
 */
#define MISO__TYPE_OPAQUE	1	/* unknown names become incomplete */
#define MISO__TYPE_DECL		2	/* 'struct x;' declares x */
#define MISO__TYPE_TYPEDEF	4	/* 'typedef struct x y;' declares x */
const struct miso__conf_type	*miso__parse_type(struct miso__parser *,
	    int flags, int *is_const);
void	 miso__qualifiers(struct miso__parser *, int *is_const);
int	 miso__is_keyword(struct miso__parser *, const struct miso__tok *);
const struct miso__conf_type	*miso__parse_struct(struct miso__parser *,
	    int flags);
const struct miso__conf_type	*miso__parse_declarator(struct miso__parser *,
	    const struct miso__conf_type *, int is_const,
	    struct miso__tok *name);
int	 miso__parse_typedef(struct miso__parser *);

/* expr.c */
struct miso__pexpr {
	struct miso_expr	 e;
	const char		*name;
	int			 line, col;
};

struct miso_expr	*miso__parse_expr(struct miso__parser *);
int	 miso__resolve_expr(struct miso__parser *, struct miso__conf_func *,
	    const struct miso_expr *, int where);
#define MISO__WHERE_CAP		0	/* before the call */
#define MISO__WHERE_FILL	1	/* after '->' */
#define MISO__WHERE_RET		2	/* the size of a returned buffer */
#define MISO__WHERE_ALLOC	3	/* the size of an 'alloc' parameter */

/* func.c, params.c */
int	 miso__parse_function(struct miso__parser *);
int	 miso__parse_params(struct miso__parser *, struct miso__conf_func *);
int	 miso__check_param(struct miso__parser *, struct miso__conf_func *,
	    struct miso__conf_param *, const struct miso__tok *at, int kw);

/* parse.c: statements up to the end of the text. */
void	 miso__statements(struct miso__parser *);

/* pack.c */
int	 miso__parse_use(struct miso__parser *);
int	 miso__pack_admit(struct miso__parser *, struct miso__pfunc *);
int	 miso__pack_setting_next(struct miso__parser *);
int	 miso__pack_setting(struct miso__parser *);
void	 miso__isolate(struct miso__parser *, const char *list,
	    const char *label, int worker);
void	 miso__pack_finish(struct miso__parser *);

/* settings.c */
int	 miso__parse_setting(struct miso__parser *);
void	 miso__apply_defaults(struct miso__parser *, struct miso__conf_func *);
void	 miso__policy_init(struct miso__conf_policy *);

/* format.c */
void	 miso__format_expr(struct miso__sbuf *, const struct miso_expr *,
	    const struct miso__conf_func *, int prec);
void	 miso__format_decl(struct miso__sbuf *, const struct miso__conf_type *,
	    const char *name);
void	 miso__format_policy(struct miso__sbuf *,
	    const struct miso__conf_policy *, const struct miso__conf_func *,
	    const char *indent);

/* eval.c */
int	 miso__read_int(const void *, const struct miso__conf_type *,
	    int64_t *);

#endif
