/*
 * miso gen: the prototypes it reads (from DWARF, for a library or for a
 * header compiled into a probe) and the declarations it writes.
 */
#ifndef MISO_GEN_H
#define MISO_GEN_H

#include <stddef.h>

enum miso__gkind {
	MISO__G_VOID,
	MISO__G_SINT,
	MISO__G_UINT,
	MISO__G_FLOAT,
	MISO__G_PTR,
	MISO__G_FUNC,		/* a function (what a pointer points to) */
	MISO__G_STRUCT,
	MISO__G_OTHER		/* unions, long double, ...: why says what */
};

struct miso__gtype {
	enum miso__gkind	 kind;
	size_t			 size;
	int			 is_const;
	const char		*spell;	/* as the configuration writes it */
	const struct miso__gtype *to;	/* MISO__G_PTR; NULL for void */
	/* MISO__G_STRUCT */
	int			 layout;	/* 'def' or a system struct */
	int			 ptr_fields;	/* it holds pointers */
	const char		*def;		/* "struct x { ... };" or NULL */
	const char		*why;		/* MISO__G_OTHER */
};

struct miso__gparam {
	const char			*name;	/* NULL if unnamed */
	const struct miso__gtype	*type;
};

struct miso__gfunc {
	const char			*name;
	const struct miso__gtype	*ret;
	size_t				 nparams;
	struct miso__gparam		*params;
	int				 variadic;
	struct miso__gfunc		*next;
};

/*
 * gen_dwarf.c: the external functions that the DWARF of the ELF file at
 * path describes (or its separate debug file, found by build-id under
 * /usr/lib/debug), definitions before declarations. Returns 0, or -1 with
 * a message in why.
 */
/* The function of list called name, or NULL. */
struct miso__gfunc	*miso__gfunc_find(struct miso__gfunc *list,
	    const char *name);
int	miso__gen_dwarf(const char *path, struct miso__gfunc **out,
	    char *why, size_t size);

/*
 * gen_rules.c: the declaration of fn with the annotations that the rules
 * of docs/config.md infer, as text (malloc'd), each uncertain guess on a
 * '# guessed:' line before it; or, for a function that cannot be made
 * safe, the reason in *why (malloc'd) and NULL. The definitions of the
 * structs it needs are added to *defs (a list of lines, malloc'd).
 */
char	*miso__gen_decl(const struct miso__gfunc *fn, char **why);
char	*miso__gen_plain(const struct miso__gfunc *fn);
extern size_t	  miso__gen_ndefs;
extern char	**miso__gen_defs;

/* gen_hdr.c: parameter names from a header's text, for the probe. */
struct miso__hdecl {
	char		*name;
	size_t		 nparams;
	char		**pnames;	/* NULL entries: unnamed */
	struct miso__hdecl *next;
};

int	miso__gen_header(const char *header, char *const *incs, size_t ninc,
	    char *const *names, size_t nnames, struct miso__hdecl **out,
	    char **probe, char *why, size_t size);

#endif
