/*
 * libtg: a library written the way C libraries usually are, for the
 * tests of miso gen (tests/gen/gen.sh).
 */
#ifndef TG_H
#define TG_H

#include <stddef.h>
#include <stdint.h>

struct tg_point {
	int	x, y;
	double	w;
};

typedef struct tg_ctx tg_ctx;		/* a handle: its layout is private */
typedef unsigned char tg_byte;

int		 tg_sum(const int *v, size_t n);
double		 tg_norm(const struct tg_point *p);
void		 tg_move(struct tg_point *p, int dx, int dy);
int		 tg_fill(char *buf, size_t len, int id);
int		 tg_pack(tg_byte *out, size_t *out_len, const tg_byte *in,
		    size_t in_len);
const char	*tg_name(int code);
char		*tg_dup(const char *s);
uint32_t	 tg_hash(const char *s);
int		 tg_divmod(int a, int b, int *quot, int *rem);
void		 tg_sort(int *v, size_t count,
		    int (*cmp)(const void *, const void *));
int		 tg_crash(int how);
int		 tg_cmp(const tg_byte *a, const tg_byte *b, size_t n);
char		*tg_find(const char *s, int c);

tg_ctx		*tg_open(const char *name);
int		 tg_count(tg_ctx *c);
int		 tg_printf(const char *fmt, ...);
char		*tg_word(char *s);

#endif
