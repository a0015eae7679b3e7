/*
 * The configuration language: the model of a miso.conf file.
 *
 * miso__conf_parse() turns the text of a configuration into a read-only
 * model: the functions to isolate, the C types of their parameters with
 * sizes and layouts computed for this platform, the size expressions that
 * say how much memory goes in and comes back, and the policies that apply
 * when the isolated call crashes or times out.  The shim builds its libffi
 * call interfaces and copy-back plans from this model; the miso tool prints
 * it.
 *
 * Everything a struct miso_conf points to lives in one allocation arena
 * owned by it, and stays valid until miso__conf_free().  Nothing here
 * prints or exits; errors come back as negative errno values and, for the
 * text itself, as compiler-style diagnostics in a struct miso__conf_diag.
 */
#ifndef MISO_CONFIG_H
#define MISO_CONFIG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* The most parameters a function may have; the shim sizes its tables by it. */
#define MISO__MAX_PARAMS	64

enum miso__conf_kind {
	MISO__K_VOID,
	MISO__K_SINT,
	MISO__K_UINT,
	MISO__K_FLOAT,		/* float or double, told apart by size */
	MISO__K_POINTER,
	MISO__K_FUNCPTR,
	MISO__K_STRUCT
};

struct miso__conf_type;

struct miso__conf_field {
	const char			*name;
	size_t				 offset;
	const struct miso__conf_type	*type;
	size_t				 count;	/* array length, or 1 */
};

struct miso__conf_type {
	enum miso__conf_kind		 kind;
	size_t				 size, align;
	const char			*name;		/* canonical spelling */
	const struct miso__conf_type	*pointee;	/* MISO__K_POINTER */
	int				 pointee_const;
	size_t				 nfields;
	const struct miso__conf_field	*fields;
	/*
	 * A struct known only by size and alignment, from the table of
	 * system structs: it can be copied but not described to libffi.
	 */
	int				 opaque_layout;
	/* Declared with 'struct x;' or named under 'opaque': no size. */
	int				 incomplete;
	/* For a typedef, the type it names; the rest is copied from it. */
	const struct miso__conf_type	*alias;
};

/* The type a typedef names, through any number of typedefs (NULL: NULL). */
static inline const struct miso__conf_type *
miso__real_type(const struct miso__conf_type *t)
{
	while (t != NULL && t->alias != NULL)
		t = t->alias;
	return t;
}

enum miso__conf_dir {
	MISO__DIR_VALUE,		/* not a pointer, or a pointer passed as is */
	MISO__DIR_IN,
	MISO__DIR_OUT,
	MISO__DIR_INOUT
};

enum miso_expr_op {
	MISO__E_INT,
	MISO__E_PARAM,
	MISO__E_DEREF,
	MISO__E_RETVAL,
	MISO__E_CSTR,
	MISO__E_ADD,
	MISO__E_SUB,
	MISO__E_MUL,
	MISO__E_SIZEOF		/* sizeof(type): value holds the size */
};

struct miso_expr {
	enum miso_expr_op		 op;
	int64_t				 value;	/* MISO__E_INT, MISO__E_SIZEOF */
	int				 param;	/* MISO__E_PARAM, MISO__E_DEREF */
	const struct miso_expr		*l, *r;
	const struct miso__conf_type	*type;	/* MISO__E_SIZEOF */
};

struct miso__conf_param {
	const char			*name;	/* NULL if unnamed */
	const struct miso__conf_type	*type;
	enum miso__conf_dir		 dir;
	/*
	 * Capacity in elements of the pointee (bytes for void); NULL means
	 * one element.  For 'out alloc T **p[EXPR]' it counts the T in the
	 * fresh allocation.
	 */
	const struct miso_expr		*cap;
	/* After '->': NULL means the whole capacity; MISO__E_CSTR for 'cstr'. */
	const struct miso_expr		*fill;
	int				 alloc;	/* 'out alloc ...' */
	int				 cstr;	/* a NUL-terminated string */
	int				 opaque; /* passed as is */
};

enum miso__conf_ret_how {
	MISO__RET_VALUE,
	MISO__RET_VOID,
	MISO__RET_OPAQUE,
	MISO__RET_CSTR,
	MISO__RET_ALLOC_CSTR,
	MISO__RET_BUFFER,
	MISO__RET_ALLOC_BUFFER
};

enum miso__conf_on {
	MISO__ON_FAIL,
	MISO__ON_ABORT,
	MISO__ON_RAISE
};

enum miso__conf_mode {
	MISO__MODE_FORK,
	MISO__MODE_WORKER
};

/* Bits of miso__conf_policy.set: which settings were written explicitly. */
enum {
	MISO__POL_TIMEOUT	= 1 << 0,
	MISO__POL_MEM_LIMIT	= 1 << 1,
	MISO__POL_ON_CRASH	= 1 << 2,
	MISO__POL_ON_TIMEOUT	= 1 << 3,
	MISO__POL_ERRNO		= 1 << 4,
	MISO__POL_FAIL		= 1 << 5,
	MISO__POL_MODE		= 1 << 6,
	MISO__POL_WORKERS	= 1 << 7,
	MISO__POL_MAX_CALLS	= 1 << 8,
	MISO__POL_MAX_RSS	= 1 << 9,
	MISO__POL_MAX_AGE	= 1 << 10,
	MISO__POL_JITTER		= 1 << 11,
	MISO__POL_VERSION	= 1 << 12,
	MISO__POL_QUEUE_TIMEOUT	= 1 << 13
};

struct miso__conf_policy {
	uint64_t		 timeout_ms;	/* 0: none */
	uint64_t		 mem_limit;	/* bytes, 0: none */
	enum miso__conf_on	 on_crash, on_timeout;
	int			 err;		/* for 'fail'; 0: as is */
	int			 has_fail;
	int64_t			 fail_int;
	double			 fail_float;
	enum miso__conf_mode	 mode;
	/* Worker mode: pool size and when to recycle a worker (0: never). */
	unsigned		 workers;
	uint64_t		 max_calls;
	uint64_t		 max_rss;	/* bytes */
	uint64_t		 max_age_ms;
	unsigned		 jitter;	/* percent, 0-100 */
	/* How long a call waits for a free worker; 0: as long as it takes. */
	uint64_t		 queue_timeout_ms;
	unsigned		 set;		/* MISO__POL_* */
};

struct miso__conf_func {
	const char			*name;
	const char			*library;	/* NULL: RTLD_NEXT */
	const char			*version;	/* dlvsym, or NULL */
	const struct miso__conf_type	*ret;
	enum miso__conf_ret_how		 ret_how;
	const struct miso_expr		*ret_size;	/* _BUFFER returns */
	size_t				 nparams;
	const struct miso__conf_param	*params;
	struct miso__conf_policy		 pol;	/* defaults applied */
	const char			*file;
	int				 line, col;
};

struct miso_conf {
	/* Grouped by library: those without one first, then by first use. */
	size_t				 nfuncs;
	const struct miso__conf_func	*funcs;
	/*
	 * Declared structs and typedefs, each after those it needs: a
	 * struct is listed where its definition ends.
	 */
	size_t				 ntypes;
	const struct miso__conf_type	*const *types;
	struct miso__conf_policy		 defaults;
	const char			*file;
	void				*arena;	/* private */
};

struct miso__conf_diag {
	size_t	 nerrors;
	char	*text;		/* every diagnostic, compiler style; malloc'd */
	int	 line, col;	/* of the first error */
	char	 msg[256];	/* the first error, without location */
};

/*
 * Parses len bytes of text, named filename in diagnostics.  Returns 0 and
 * the model in *out, or a negative errno: -EINVAL when the text has errors
 * (all of them are in diag), -ENOMEM.  diag may be NULL; if not, it is
 * always initialised and must be released with miso__conf_diag_free().
 */
int	miso__conf_parse(const char *filename, const char *text, size_t len,
	    struct miso_conf **out, struct miso__conf_diag *diag);

/*
 * Functions to isolate by name alone, each with the declaration of the
 * first pack (in the pack directory, in the order of the packs' names)
 * that has it, unless the text declares it: names is a list separated by
 * commas or blanks, label names it in diagnostics ("MISO_ISOLATE" if
 * NULL), and worker puts them in worker mode unless the pack says
 * otherwise.
 */
struct miso__conf_isolate {
	const char	*names;
	const char	*label;
	int		 worker;
};

/*
 * miso__conf_parse(), then the functions iso names (iso may be NULL).
 */
int	miso__conf_parse_isolate(const char *filename, const char *text,
	    size_t len, const struct miso__conf_isolate *iso,
	    struct miso_conf **out, struct miso__conf_diag *diag);

/*
 * Reads and parses the file at path.  A file that cannot be read gives its
 * -errno and a one-line diagnostic that names it.
 */
int	miso__conf_load(const char *path, struct miso_conf **out,
	    struct miso__conf_diag *diag);

/*
 * miso__conf_load(), then the functions iso names; path may be NULL for
 * none, when only iso counts.
 */
int	miso__conf_load_isolate(const char *path,
	    const struct miso__conf_isolate *iso, struct miso_conf **out,
	    struct miso__conf_diag *diag);

/*
 * openfile.c: opens path with oflags (plus O_NONBLOCK while it opens,
 * O_NOCTTY and O_CLOEXEC) and accepts a regular file, or also a pipe or a
 * character device with MISO__OPEN_STREAM: a FIFO or a device named where
 * a file is expected cannot block the caller.  Returns the descriptor or
 * a negative errno; -MISO__ENOTREG when the file is of another kind.
 * miso__file_strerror() describes either.
 */
#define MISO__ENOTREG		4200
#define MISO__OPEN_STREAM	0x1
int	miso__open_file(const char *path, int oflags, int kinds);
const char	*miso__file_strerror(int r);
/* The words of the error that refuses a function; miso check finds them. */
#define MISO__REFUSED	"cannot be isolated: "

int	miso__read_file(const char *path, size_t size, char **buf,
	    size_t *len);

/*
 * suggest.c: the word of v nearest to word, or NULL when none is within
 * miso__suggest_limit(word) edits; edits from a to b (a swap of two
 * letters is one).
 */
const char	*miso__suggest(const char *word, const char *const *v,
	    size_t n);
size_t	 miso__suggest_limit(const char *word);
size_t	 miso__edit_distance(const char *a, const char *b);

void	miso__conf_free(struct miso_conf *);
void	miso__conf_diag_free(struct miso__conf_diag *);

/*
 * The canonical text of a model, malloc'd (free() it), or NULL without
 * memory.  Parsing it gives back the same model.
 */
char	*miso__conf_format(const struct miso_conf *);

/*
 * Finds the configuration file: $MISO_CONFIG if set, then
 * $XDG_CONFIG_HOME/miso/miso.conf (~/.config/miso/miso.conf by default),
 * then /etc/miso.conf; environment variables are read with secure_getenv,
 * and the current directory is never searched.  Returns buf holding the
 * path, or NULL if there is none (or it does not fit in size bytes).
 */
const char	*miso__conf_find(char *buf, size_t size);

/*
 * trust.c: 1 if the file at path may decide what this process runs: a
 * regular file owned by root or by uid, writable by its owner alone, in
 * directories that are too (or sticky), up to the root. Otherwise 0, and
 * why (which file and what is wrong) in why, size bytes.
 * miso__conf_trusted() asks it for the real uid, or for root alone in a
 * setuid or setgid program (secure).
 */
int	miso__path_trusted(const char *path, uid_t uid, char *why,
	    size_t size);
int	miso__conf_trusted(const char *path, int secure, char *why,
	    size_t size);
int	miso__library_trusted(const char *lib, int secure, char *why,
	    size_t size);

/* Returns the declared function called name, or NULL. */
const struct miso__conf_func	*miso__conf_lookup(const struct miso_conf *,
	    const char *name);

/*
 * What a size expression may read.  args is libffi's avalue: args[i]
 * points at the value of argument i.  retval points at the return value
 * (an integer narrower than ffi_arg may sit in the low bytes of an ffi_arg,
 * which on a little-endian machine is the same thing), or is NULL.
 */
struct miso_eval_env {
	const struct miso__conf_func	*fn;
	void *const			*args;
	const void			*retval;
	int				 after;	/* 0: before the call */
};

/*
 * Evaluates e.  '*name' reads the integer that pointer parameter name
 * points to, with its real width and signedness, at the time of the call.
 * Returns 0 and the value in *out, or -EOVERFLOW, -ERANGE (a negative
 * result), -EFAULT (a NULL pointer to read through) or -EINVAL (retval or
 * cstr where they cannot be evaluated).  Async-signal-safe: it runs in the
 * forked child.
 */
int	miso__expr_eval(const struct miso_expr *e,
	    const struct miso_eval_env *env, int64_t *out);

/*
 * The capacity of pointer parameter i in bytes: its cap expression times
 * the size of the pointee (bytes for void), one element without one; for
 * 'alloc' parameters this is the size of the fresh allocation and needs
 * env->after.  Returns 0 or a negative errno as miso__expr_eval().
 * Async-signal-safe.
 */
int	miso__param_capacity(const struct miso__conf_func *fn, size_t i,
	    const struct miso_eval_env *env, size_t *bytes);

/*
 * After the call: how many bytes of parameter i the function filled, from
 * the start of the buffer, given the capacity in bytes computed before the
 * call (the left of '->' reads '*name' before the call).  A negative fill
 * (a function that returned -1) counts as nothing; one larger than the
 * capacity is cut to it, so that the copy never runs past the buffer;
 * 'cstr' counts up to and including the first NUL within the capacity.
 * Async-signal-safe.
 */
int	miso__param_filled(const struct miso__conf_func *fn, size_t i,
	    const struct miso_eval_env *env, size_t capacity, size_t *bytes);

/*
 * What a call that fails under the 'fail' policy returns: the function's
 * 'fail' value as its return type holds it (as C converts it: -1 for an
 * unsigned type is its maximum), or else the built-in one: -1 for signed
 * integers, 0 for unsigned ones, NaN for floating point, NULL for
 * pointers. Nothing for void and structs (set is then 0).
 */
struct miso__conf_failval {
	enum miso__conf_kind	 kind;	/* of the return type */
	size_t			 size;
	int			 set;	/* configured, not built in */
	int64_t			 sval;	/* MISO__K_SINT */
	uint64_t		 bits;	/* integers and pointers, zero-extended */
	double			 d;	/* MISO__K_FLOAT */
};
void	miso__conf_fail_value(const struct miso__conf_func *fn,
	    struct miso__conf_failval *v);

/* Writes v as C would print it ("-1", "NaN", "NULL"), as snprintf(). */
int	miso__conf_fail_format(const struct miso__conf_failval *v, char *buf,
	    size_t size);

/*
 * Writes e as the text of the language into buf, as snprintf() does:
 * returns the length it needed, or a negative errno.
 */
int	miso__expr_format(const struct miso_expr *e,
	    const struct miso__conf_func *fn, char *buf, size_t size);

#endif
