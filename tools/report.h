/*
 * What 'miso check' found: built by analyze.c, printed as text by
 * report.c or as JSON by report_json.c, so that both say the same.
 */
#ifndef MISO_TOOLS_REPORT_H
#define MISO_TOOLS_REPORT_H

#include "tools.h"

enum miso__sev {
	MISO__NOTE,
	MISO__WARNING,
	MISO__ERROR
};

struct miso__finding {
	enum miso__sev	 sev;
	char		*text;
};

/* Relocation kinds; the first three are those the shim rebinds. */
#define MISO__R_JUMP_SLOT	0x1
#define MISO__R_GLOB_DAT	0x2
#define MISO__R_64		0x4
#define MISO__R_OTHER		0x8
#define MISO__R_REBOUND		0x7

struct miso__import {
	const struct miso__obj	*obj;
	unsigned		 kinds;		/* MISO__R_* */
	unsigned		 other;		/* a relocation type not rebound */
	const char		*version;	/* the version it asks for */
};

struct miso__fnreport {
	const struct miso__conf_func	*fn;
	const char			*verdict;
	size_t				 nimports;
	struct miso__import		*imports;
	const struct miso__obj		*def;
	size_t				 nversions;
	char				**versions;
	size_t				 nreasons;
	char				**reasons;
	struct miso__proto		 proto;
	int				 proto_checked;
};

struct miso__report {
	const char		*program;
	const char		*config;
	int			 is_static, setuid;
	struct miso__load	 load;
	size_t			 nfns;
	struct miso__fnreport	*fns;
	size_t			 nfindings;
	struct miso__finding	*findings;
	int			 status;	/* the exit status */
};

/* analyze.c */
void	miso__analyze(struct miso__report *, const struct miso_conf *);
void	miso__add_finding(struct miso__report *, enum miso__sev,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	miso__report_free(struct miso__report *);

/* The name of an object as printed: relative to the program's directory. */
const char	*miso__obj_shown(const struct miso__report *,
	    const struct miso__obj *, char *buf, size_t size);
const char	*miso__rel_name(unsigned kind, unsigned other);

/* report.c, report_json.c */
void	miso__report_text(const struct miso__report *, FILE *);
void	miso__report_json(const struct miso__report *, FILE *);

#endif
