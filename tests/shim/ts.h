/*
 * libts: one function per kind of annotation of the configuration
 * language, for tests/shim/annot.sh.  A plain library that knows nothing
 * of miso; ts.conf describes its functions to the shim.
 */
#ifndef TS_H
#define TS_H

#include <stddef.h>

struct ts_rec {
	char			tag;
	short			s;
	int			i;
	long			l;
	float			f;
	double			d;
	char			name[12];
	unsigned char		flags[3];
	unsigned long long	u;
};

struct ts_pt {			/* 8 bytes, passed in one register */
	int	x;
	float	y;
};

struct ts_pair {		/* 16 bytes: one integer, one SSE register */
	long	a;
	double	b;
};

int		 ts_out(int a, int *q, long *r);
long		 ts_inout(long *acc, int add);
void		 ts_fill(unsigned char *buf, size_t n, int seed);
void		 ts_reverse(int *arr, size_t n);
int		 ts_read(char *buf, size_t cap, int want);
int		 ts_scribble(char *buf, size_t cap, int fill);
int		 ts_fmt(char *buf, size_t cap, size_t *len, int v);
int		 ts_getname(char *buf, size_t size);
int		 ts_dupname(int id, char **out);
char		*ts_upper(const char *s);
const char	*ts_color(int i);
char		*ts_label(int n);
int		*ts_table(int n);
double		*ts_series(int n);
int		 ts_rec_make(int k, struct ts_rec *r);
int		 ts_rec_update(struct ts_rec *r, int k);
struct ts_pt	 ts_pt_scale(struct ts_pt p, double k);
struct ts_pair	 ts_pair_swap(struct ts_pair p);
long		 ts_pt_dot(struct ts_pt a, struct ts_pt b);
double		 ts_mix(float a, double b, int c, float d);
float		 ts_fhalf(float x, float y);
int		 ts_apply(int *arr, size_t n, int (*fn)(int));
int		 ts_seterrno(int e);
int		 ts_keeperrno(int x);
int		 ts_crash(int how);
double		 ts_dcrash(double x);
int		 ts_hang(int ms);
int		 ts_exit(int code);
int		 ts_crash_raise(int x);
int		 ts_crash_abort(int x);
size_t		 ts_leak(size_t n);
int		 ts_square(int x, int *out);
int		 ts_opt(int x, int *maybe);
signed char	 ts_s8(int x);
unsigned char	 ts_u8(unsigned x);
short		 ts_s16(short x);
unsigned short	 ts_u16(int x);
_Bool		 ts_even(long x);
unsigned long long ts_u64(unsigned long long x);
double		 ts_many(int a, long b, short c, char d, int e, long f, int g,
		    long h, double d1, float f2, double d3, float f4, double d5,
		    float f6, double d7, float f8, double d9, float f10);
void		 ts_say(const char *s);
int		 ts_digits(const char *s, int **vals);
int		 ts_sortsum(int *arr, size_t n);
int		 ts_nonul(char *buf, size_t size);
size_t		 ts_trim(char *s, size_t n);
int		 ts_hang_abort(int ms);
int		 ts_exit_raise(int code);
int		 ts_two_in(const char *a, const char *b, size_t n);
int		 ts_kill_parent(int x);

#endif
