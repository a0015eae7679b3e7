/*
 * Private declarations of the miso command: its subcommands, the ELF
 * reader and library search that 'miso check' uses, and its report.
 */
#ifndef MISO_TOOLS_H
#define MISO_TOOLS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gelf.h>

struct miso_conf;
struct miso__conf_func;

/* Exit statuses (miso(1)). */
#define MISO__EXIT_OK		0
#define MISO__EXIT_WARN		1
#define MISO__EXIT_USAGE	2	/* also any error: no report */
#define MISO__EXIT_ERROR	2
#define MISO__EXIT_NOEXEC	127

/* The subcommands (run.c, check.c, explain.c); argv[0] is the command. */
int	miso__cmd_run(int argc, char **argv);
int	miso__cmd_check(int argc, char **argv);
int	miso__cmd_explain(int argc, char **argv);
int	miso__cmd_gen(int argc, char **argv);

/*
 * suspect.c: warns on fp of the functions the configuration declares
 * itself that a pack refuses or that take a non-const handle passed as
 * it is; returns 1 if it warned.
 */
int	miso__suspect(const struct miso_conf *conf, FILE *fp);

/* miso.c: prints the usage of command (NULL: all) to fp. */
void	miso__usage(FILE *fp, const char *command);
/* Prints the usage to stderr and exits 2. */
void	miso__usage_exit(const char *command) __attribute__((noreturn));
/* Recognises --help; prints the usage and exits 0. */
/* Closes stdout, reporting a failed write; returns status or 1. */
int	miso__finish(int status);

/*
 * conf.c: loads the file named with -c, or the one miso__conf_find()
 * finds. Prints the parser's diagnostics and exits 2 on failure.
 */
struct miso_conf	*miso__tool_conf(const char *path);
/* Prints diag (or "WHAT: cannot load") and exits 2. */
struct miso__conf_diag;
_Noreturn void	 miso__conf_die(struct miso__conf_diag *diag,
		    const char *what);

/*
 * which.c: the file that execvp() would run for prog, malloc'd, or NULL
 * with errno set.
 */
char	*miso__which(const char *prog);

/* xalloc.c: allocation that exits with a message when memory runs out. */
void	*miso__xcalloc(size_t n, size_t size);
void	*miso__xrealloc(void *p, size_t n, size_t size);
char	*miso__xstrdup(const char *s);
char	*miso__xasprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
char	*miso__xvasprintf(const char *fmt, va_list)
	    __attribute__((format(printf, 1, 0)));

/*
 * escape.c: s with control characters, backslashes and bytes that are not
 * printable UTF-8 written as C escapes (\n, \033), for text output. The
 * result stays valid until eight more calls.
 */
const char	*miso__esc(const char *s);
/* The length of a printable UTF-8 sequence at p, or 0. */
size_t		 miso__utf8_len(const unsigned char *p);

/* One entry of .dynsym, with its version. */
struct miso__dsym {
	const char	*name;
	const char	*version;	/* NULL: none */
	int		 hidden_ver;	/* sym@VER rather than sym@@VER */
	int		 defined;
	unsigned char	 bind, type, vis;
	GElf_Addr	 value;
};

struct miso__rel {
	size_t		 sym;	/* index in .dynsym */
	unsigned	 type;	/* R_X86_64_*, R_AARCH64_* */
};

/* A loaded (or to-be-loaded) object, as the dynamic loader would see it. */
struct miso__obj {
	char			*name;		/* as needed, or as given */
	char			*path;		/* where it was found */
	char			*origin;	/* for $ORIGIN */
	struct miso__obj	*loader;	/* the object that needed it */
	int			 fd;
	Elf			*elf;
	int			 is_interp;
	int			 by_config;	/* a [library] not needed */
	char			*interp;	/* PT_INTERP, or NULL */
	const char		*soname, *rpath, *runpath;
	size_t			 nneeded;
	const char		**needed;
	int			 symbolic;	/* DT_SYMBOLIC/DF_SYMBOLIC */
	int			 nodeflib;	/* DF_1_NODEFLIB */
	int			 has_dynamic;
	uint64_t		 size;		/* of the file, when opened */
	const char		*why;		/* what is malformed */
	size_t			 nsyms;
	struct miso__dsym	*syms;
	size_t			 nrels;
	struct miso__rel	*rels;
	struct miso__obj	*next;		/* load order */
};

/* elfobj.c */
int	miso__obj_open(const char *path, struct miso__obj **out);
const char	*miso__obj_strerror(int r);
void	miso__obj_free(struct miso__obj *);
const struct miso__dsym	*miso__obj_def(const struct miso__obj *,
	    const char *name);
int	miso__obj_hidden(const struct miso__obj *, const char *name);
size_t	miso__obj_direct_calls(const struct miso__obj *, GElf_Addr to);

/* ldcache.c: the path of soname in /etc/ld.so.cache, malloc'd, or NULL. */
char	*miso__ldcache_lookup(const char *soname);

/*
 * ldsearch.c: loads program and its dependencies in the loader's order.
 * Names that are found nowhere are added to *missing as
 * "name\tneeded-by\twhy", why empty or the file found but unusable.
 */
struct miso__load {
	struct miso__obj	*first;		/* the program */
	size_t			 nmissing;
	char			**missing;
	char			*interp_why;	/* PT_INTERP unusable */
};

/* Where ld.so.cache (if miso__ld_cache) and then the defaults are. */
extern const char *const	*miso__ld_dirs;
extern int			 miso__ld_cache;

int	miso__load_program(const char *path, struct miso__load *);
void	miso__load_free(struct miso__load *);
char	*miso__find_library(const char *name, struct miso__obj *loader,
	    struct miso__obj *exe, char **why);

/* proto.c: compares fn with the DWARF of obj; NULL: matches or unknown. */
struct miso__proto {
	int	 found;		/* obj has DWARF for the function */
	int	 variadic;
	size_t	 nmismatch;
	char	*mismatch[8];
};

void	miso__proto_check(const struct miso__obj *,
	    const struct miso__conf_func *, struct miso__proto *);
void	miso__proto_free(struct miso__proto *);

/* json.c: a streaming JSON writer that escapes strings. */
struct miso__json {
	FILE	*fp;
	int	 depth;
	int	 first[32];
	int	 after_key;
};

void	miso__json_begin(struct miso__json *, FILE *);
void	miso__json_obj(struct miso__json *, const char *key);
void	miso__json_arr(struct miso__json *, const char *key);
void	miso__json_end(struct miso__json *, int close);
void	miso__json_str(struct miso__json *, const char *key, const char *);
void	miso__json_int(struct miso__json *, const char *key, long long);
void	miso__json_bool(struct miso__json *, const char *key, int);
void	miso__json_string(FILE *, const char *);

#endif
