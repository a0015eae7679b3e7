/*
 * libts: functions with every shape of argument and result the shim must
 * carry across, and every way a function can go wrong.  Each one is
 * deterministic, so that a run with the shim can be compared byte for byte
 * with one without.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ts.h"

int
ts_out(int a, int *q, long *r)
{
	*q = a / 7;
	*r = (long)a * 1000003L;
	return a % 7;
}

long
ts_inout(long *acc, int add)
{
	long old = *acc;

	*acc = old * 3 + add;
	return old;
}

void
ts_fill(unsigned char *buf, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed + i * 17);
}

void
ts_reverse(int *arr, size_t n)
{
	size_t i;
	int t;

	for (i = 0; i < n / 2; i++) {
		t = arr[i];
		arr[i] = arr[n - 1 - i];
		arr[n - 1 - i] = t;
	}
}

/*
 * Writes want bytes, and returns want, even when want is larger than cap:
 * the bug the shim must catch.
 */
int
ts_read(char *buf, size_t cap, int want)
{
	int i;

	if (want < 0) {
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < want; i++)
		buf[i] = (char)('a' + i % 26);
	return want;
}

/* Fills all of buf, but says only fill bytes are meaningful. */
int
ts_scribble(char *buf, size_t cap, int fill)
{
	memset(buf, 'Z', cap);
	memset(buf, 'f', (size_t)fill);
	return fill;
}

int
ts_fmt(char *buf, size_t cap, size_t *len, int v)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "value=%d;hex=%x", v, (unsigned)v);

	if ((size_t)n > cap) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(buf, tmp, (size_t)n);
	*len = (size_t)n;
	return 0;
}

int
ts_getname(char *buf, size_t size)
{
	static const char name[] = "ts-host.example";

	if (size < sizeof name) {
		errno = ERANGE;
		return -1;
	}
	memcpy(buf, name, sizeof name);
	return 0;
}

int
ts_dupname(int id, char **out)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "name-%d-%s", id, id % 2 ? "odd" : "even");
	*out = strdup(tmp);
	return *out == NULL ? -1 : (int)strlen(tmp);
}

char *
ts_upper(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	return d;
}

const char *
ts_color(int i)
{
	static const char *const colors[] = { "red", "green", "blue" };

	return colors[i % 3];
}

/* Returns a static buffer that this call writes, as strerror may. */
char *
ts_label(int n)
{
	static char label[32];

	snprintf(label, sizeof label, "label #%d", n);
	return label;
}

/* Fills the first n entries of a static table and returns it. */
int *
ts_table(int n)
{
	static int table[16];
	int i;

	for (i = 0; i < n && i < 16; i++)
		table[i] = i * i + n;
	return table;
}

double *
ts_series(int n)
{
	double *s = malloc((size_t)n * sizeof *s);
	int i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = 1.0 / (i + 1) + n;
	return s;
}

int
ts_rec_make(int k, struct ts_rec *r)
{
	r->tag = (char)('A' + k % 26);
	r->s = (short)(-k * 3);
	r->i = k * 1000;
	r->l = -(long)k * 100000007L;
	r->f = (float)k / 8.0f;
	r->d = k * 3.25;
	snprintf(r->name, sizeof r->name, "rec%d", k);
	r->flags[0] = (unsigned char)k;
	r->flags[1] = (unsigned char)(k * 2);
	r->flags[2] = 0xff;
	r->u = 0x0123456789abcdefULL ^ (unsigned long long)k;
	return k * 2;
}

int
ts_rec_update(struct ts_rec *r, int k)
{
	r->s += (short)k;
	r->i *= 2;
	r->d /= 2;
	r->name[0] = 'R';
	r->flags[1] ^= 0x55;
	r->u += (unsigned long long)k;
	return r->i + r->s;
}

struct ts_pt
ts_pt_scale(struct ts_pt p, double k)
{
	struct ts_pt q = { (int)(p.x * k), (float)(p.y * k) };

	return q;
}

struct ts_pair
ts_pair_swap(struct ts_pair p)
{
	struct ts_pair q = { (long)p.b, (double)p.a + 0.5 };

	return q;
}

long
ts_pt_dot(struct ts_pt a, struct ts_pt b)
{
	return (long)a.x * b.x + (long)(a.y * b.y);
}

double
ts_mix(float a, double b, int c, float d)
{
	return a * b + c - d / 3;
}

float
ts_fhalf(float x, float y)
{
	return (x + y) / 2;
}

int
ts_apply(int *arr, size_t n, int (*fn)(int))
{
	size_t i;
	int sum = 0;

	for (i = 0; i < n; i++) {
		arr[i] = fn(arr[i]);
		sum += arr[i];
	}
	return sum;
}

int
ts_seterrno(int e)
{
	errno = e;
	return e != 0 ? -1 : 0;
}

int
ts_keeperrno(int x)
{
	return x + 1;
}

/* Where a table should have been set up; the bug is that it never is. */
static int *volatile nowhere;
static volatile int zero;

int
ts_crash(int how)
{
	switch (how) {
	case 1:
		return nowhere[how];		/* SIGSEGV */
	case 2:
		abort();			/* SIGABRT */
	case 3:
		/* A division by zero traps on x86-64 only (AArch64 gives 0). */
		raise(SIGFPE);
		return how / zero;
	case 4:
		raise(SIGBUS);
		return -1;
	}
	return 0;
}

double
ts_dcrash(double x)
{
	return x < 0 ? nowhere[1] : x * 2;
}

int
ts_hang(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (ms < 0)
		for (;;)
			pause();
	nanosleep(&ts, NULL);
	return ms;
}

int
ts_exit(int code)
{
	exit(code);
}

int
ts_crash_raise(int x)
{
	return nowhere[x];
}

int
ts_crash_abort(int x)
{
	return nowhere[x];
}

/*
 * Leaks n bytes, every page of them resident.  The pointer is kept where
 * the compiler must store it, or it would drop the malloc and memset.
 */
static void *volatile last_leak;

size_t
ts_leak(size_t n)
{
	char *p = malloc(n);

	if (p == NULL)
		return 0;
	memset(p, 0x6b, n);
	last_leak = p;
	return n;
}

int
ts_square(int x, int *out)
{
	*out = x * x;
	return x;
}

/* An optional out-parameter: NULL means the caller does not want it. */
int
ts_opt(int x, int *maybe)
{
	if (maybe != NULL)
		*maybe = x * 2;
	return x;
}

signed char
ts_s8(int x)
{
	return (signed char)(x - 200);
}

unsigned char
ts_u8(unsigned x)
{
	return (unsigned char)(x * 3);
}

short
ts_s16(short x)
{
	return (short)(-x - 1);
}

unsigned short
ts_u16(int x)
{
	return (unsigned short)(x * 7);
}

_Bool
ts_even(long x)
{
	return x % 2 == 0;
}

unsigned long long
ts_u64(unsigned long long x)
{
	return ~x ^ 0x8000000000000001ULL;
}

/* More arguments than registers: the last ones go on the stack. */
double
ts_many(int a, long b, short c, char d, int e, long f, int g, long h,
    double d1, float f2, double d3, float f4, double d5, float f6, double d7,
    float f8, double d9, float f10)
{
	return a + 2.0 * b + 3.0 * c + 4.0 * d + 5.0 * e + 6.0 * f + 7.0 * g +
	    8.0 * h + d1 / 2 + f2 / 3 + d3 / 4 + f4 / 5 + d5 / 6 + f6 / 7 +
	    d7 / 8 + f8 / 9 + d9 / 10 + f10 / 11;
}

/* Writes to the caller's stdout, without a newline. */
void
ts_say(const char *s)
{
	printf("%s", s);
}

/* The digits of s as a fresh array of ints; returns how many. */
int
ts_digits(const char *s, int **vals)
{
	int n = 0, *v = malloc(strlen(s) * sizeof *v + 1);

	for (; v != NULL && *s != '\0'; s++)
		if (*s >= '0' && *s <= '9')
			v[n++] = *s - '0';
	*vals = v;
	return n;
}

static int
cmp_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

/*
 * Sorts arr in decreasing order with qsort, which the shim may isolate
 * too: a call isolated inside an isolated call.  Returns the sum of the
 * three largest.
 */
int
ts_sortsum(int *arr, size_t n)
{
	qsort(arr, n, sizeof *arr, cmp_desc);
	return n >= 3 ? arr[0] + arr[1] + arr[2] : 0;
}

/* Fills all of buf with no NUL, as a truncating gethostname may. */
int
ts_nonul(char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		buf[i] = (char)('A' + i % 26);
	errno = ENAMETOOLONG;
	return -1;
}

/* Removes the spaces of the string s, in place; returns its new length. */
size_t
ts_trim(char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && s[i] != '\0'; i++)
		if (s[i] != ' ')
			s[j++] = s[i];
	if (j < n)
		s[j] = '\0';
	return j;
}

int
ts_hang_abort(int ms)
{
	return ts_hang(ms);
}

int
ts_exit_raise(int code)
{
	exit(code);
}

/* Compares two buffers of n bytes (memcmp stops at the first difference). */
int
ts_two_in(const char *a, const char *b, size_t n)
{
	int r = memcmp(a, b, n);

	return (r > 0) - (r < 0);
}

/*
 * Kills the process's parent, then waits to be killed too: in a worker,
 * the parent is the zygote, whose death takes its workers with it.
 */
int
ts_kill_parent(int x)
{
	kill(getppid(), SIGKILL);
	for (;;)
		pause();
	return x;
}
