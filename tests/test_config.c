/*
 * The configuration language: table-driven cases of valid text (checked
 * through a description of the model) and invalid text (checked by the
 * exact first message and its line:col), the canonical round trip, the
 * diagnostics' form, the limits, and loading files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* A description of the model, independent of miso__conf_format(). */
struct desc {
	char	s[8192];
	size_t	n;
};

static void
put(struct desc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (d->n < sizeof(d->s))
		d->n += (size_t)vsnprintf(d->s + d->n, sizeof(d->s) - d->n,
		    fmt, ap);
	va_end(ap);
}

static void
expr(struct desc *d, const struct miso_expr *e)
{
	static const char *const ops[] = { "", "", "", "", "", "+", "-", "*" };

	switch (e->op) {
	case MISO__E_INT:	put(d, "#%" PRId64, e->value); break;
	case MISO__E_SIZEOF:	put(d, "sz%" PRId64, e->value); break;
	case MISO__E_PARAM:	put(d, "$%d", e->param); break;
	case MISO__E_DEREF:	put(d, "*$%d", e->param); break;
	case MISO__E_RETVAL:	put(d, "R"); break;
	case MISO__E_CSTR:	put(d, "C"); break;
	default:
		put(d, "(%s ", ops[e->op]);
		expr(d, e->l);
		put(d, " ");
		expr(d, e->r);
		put(d, ")");
	}
}

static void
type(struct desc *d, const struct miso__conf_type *t)
{
	size_t i;

	put(d, "T %s=%zu/%zu", t->name, t->size, t->align);
	if (t->incomplete)
		put(d, " incomplete");
	for (i = 0; i < t->nfields; i++)
		put(d, " %s@%zu", t->fields[i].name, t->fields[i].offset);
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].count != 1)
			put(d, " %s*%zu", t->fields[i].name,
			    t->fields[i].count);
	put(d, "\n");
}

static void
policy(struct desc *d, const struct miso__conf_policy *p)
{
	put(d, " {t=%" PRIu64 " m=%" PRIu64 " c=%d to=%d e=%d", p->timeout_ms,
	    p->mem_limit, p->on_crash, p->on_timeout, p->err);
	if (p->has_fail)
		put(d, " fail=%" PRId64 "/%g", p->fail_int, p->fail_float);
	put(d, " mode=%d w=%u mc=%" PRIu64 " rss=%" PRIu64 " age=%" PRIu64
	    " j=%u", p->mode, p->workers, p->max_calls, p->max_rss,
	    p->max_age_ms, p->jitter);
	if (p->queue_timeout_ms != 0)
		put(d, " qt=%" PRIu64, p->queue_timeout_ms);
	put(d, " set=%#x}", p->set);
}

static void
param(struct desc *d, const struct miso__conf_param *q)
{
	static const char *const dirs[] = { "v", "i", "o", "io" };

	put(d, "%s%s%s%s %s %s", dirs[q->dir], q->alloc ? "+a" : "",
	    q->cstr ? "+c" : "", q->opaque ? "+o" : "", q->type->name,
	    q->name != NULL ? q->name : "-");
	if (q->type->kind == MISO__K_POINTER && q->type->pointee != NULL)
		put(d, "/%zu", q->type->pointee->size);
	if (q->cap != NULL) {
		put(d, "[");
		expr(d, q->cap);
		if (q->fill != NULL) {
			put(d, "->");
			expr(d, q->fill);
		}
		put(d, "]");
	} else if (q->fill != NULL) {
		put(d, "[->");
		expr(d, q->fill);
		put(d, "]");
	}
}

static void
describe(struct desc *d, const struct miso_conf *c)
{
	static const char *const how[] = { "value", "void", "opaque", "cstr",
	    "alloc-cstr", "buffer", "alloc-buffer" };
	size_t i, j;

	d->n = 0;
	d->s[0] = '\0';
	for (i = 0; i < c->ntypes; i++)
		type(d, c->types[i]);
	put(d, "D");
	policy(d, &c->defaults);
	put(d, "\n");
	for (i = 0; i < c->nfuncs; i++) {
		const struct miso__conf_func *f = &c->funcs[i];

		put(d, "F %s: %s/%zu %s", f->name, f->ret->name, f->ret->size,
		    how[f->ret_how]);
		if (f->ret_size != NULL) {
			put(d, "[");
			expr(d, f->ret_size);
			put(d, "]");
		}
		put(d, " (");
		for (j = 0; j < f->nparams; j++) {
			if (j > 0)
				put(d, ", ");
			param(d, &f->params[j]);
		}
		put(d, ")");
		if (f->library != NULL)
			put(d, " lib=%s", f->library);
		if (f->version != NULL)
			put(d, " ver=%s", f->version);
		policy(d, &f->pol);
		put(d, " @%d:%d\n", f->line, f->col);
	}
}

/* Deep equality of two models, for the round trip. */
static int
same_type(const struct miso__conf_type *a, const struct miso__conf_type *b,
    int depth)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (depth > 16)
		return 1;
	if (a->kind != b->kind || a->size != b->size || a->align != b->align ||
	    strcmp(a->name, b->name) != 0 ||
	    a->pointee_const != b->pointee_const ||
	    a->nfields != b->nfields || a->opaque_layout != b->opaque_layout ||
	    a->incomplete != b->incomplete ||
	    !same_type(a->pointee, b->pointee, depth + 1) ||
	    (a->alias == NULL) != (b->alias == NULL))
		return 0;
	for (i = 0; i < a->nfields; i++)
		if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
		    a->fields[i].offset != b->fields[i].offset ||
		    a->fields[i].count != b->fields[i].count ||
		    !same_type(a->fields[i].type, b->fields[i].type, depth + 1))
			return 0;
	return 1;
}

static int
same_expr(const struct miso_expr *a, const struct miso_expr *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->op == b->op && a->value == b->value &&
	    (a->op != MISO__E_PARAM && a->op != MISO__E_DEREF ?
	    1 : a->param == b->param) &&
	    same_expr(a->l, b->l) && same_expr(a->r, b->r);
}

static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int
same_policy(const struct miso__conf_policy *a, const struct miso__conf_policy *b)
{
	return a->timeout_ms == b->timeout_ms && a->mem_limit == b->mem_limit &&
	    a->on_crash == b->on_crash && a->on_timeout == b->on_timeout &&
	    a->err == b->err && a->has_fail == b->has_fail &&
	    a->fail_int == b->fail_int && a->fail_float == b->fail_float &&
	    a->mode == b->mode && a->workers == b->workers &&
	    a->max_calls == b->max_calls && a->max_rss == b->max_rss &&
	    a->max_age_ms == b->max_age_ms && a->jitter == b->jitter &&
	    a->queue_timeout_ms == b->queue_timeout_ms && a->set == b->set;
}

static int
same_func(const struct miso__conf_func *a, const struct miso__conf_func *b)
{
	size_t i;

	if (strcmp(a->name, b->name) != 0 ||
	    !same_str(a->library, b->library) ||
	    !same_str(a->version, b->version) || a->ret_how != b->ret_how ||
	    !same_type(a->ret, b->ret, 0) ||
	    !same_expr(a->ret_size, b->ret_size) ||
	    a->nparams != b->nparams || !same_policy(&a->pol, &b->pol))
		return 0;
	for (i = 0; i < a->nparams; i++) {
		const struct miso__conf_param *p = &a->params[i];
		const struct miso__conf_param *q = &b->params[i];

		if (!same_str(p->name, q->name) ||
		    !same_type(p->type, q->type, 0) ||
		    p->dir != q->dir || !same_expr(p->cap, q->cap) ||
		    !same_expr(p->fill, q->fill) || p->alloc != q->alloc ||
		    p->cstr != q->cstr || p->opaque != q->opaque)
			return 0;
	}
	return 1;
}

static int
same_conf(const struct miso_conf *a, const struct miso_conf *b)
{
	size_t i;

	if (a->nfuncs != b->nfuncs || a->ntypes != b->ntypes ||
	    !same_policy(&a->defaults, &b->defaults))
		return 0;
	for (i = 0; i < a->ntypes; i++)
		if (!same_type(a->types[i], b->types[i], 0))
			return 0;
	for (i = 0; i < a->nfuncs; i++)
		if (!same_func(&a->funcs[i], &b->funcs[i]))
			return 0;
	return 1;
}

static struct miso_conf *
parse_ok(const char *text)
{
	struct miso_conf *c = NULL;
	struct miso__conf_diag d;
	int rc = miso__conf_parse("t.conf", text, strlen(text), &c, &d);

	if (rc != 0)
		fprintf(stderr, "unexpected errors in:\n%s\n%s", text, d.text);
	assert_int_equal(rc, 0);
	assert_int_equal(d.nerrors, 0);
	miso__conf_diag_free(&d);
	return c;
}

/* parse(format(parse(x))) == parse(x), and format is a fixed point. */
static void
round_trip(const struct miso_conf *c)
{
	struct miso_conf *c2;
	char *s = miso__conf_format(c), *s2;

	assert_non_null(s);
	c2 = parse_ok(s);
	if (!same_conf(c, c2))
		fprintf(stderr, "round trip differs:\n%s", s);
	assert_true(same_conf(c, c2));
	s2 = miso__conf_format(c2);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	miso__conf_free(c2);
}

struct valid {
	const char	*text;
	const char	*want[4];	/* substrings of the description */
};

#define P4	"int f(int a, int b, size_t n, out int *x);"

/*
 * The size of struct stat, as the table measured from the system's
 * headers gives it (test_config_systypes checks the table itself).
 */
#if defined(__x86_64__)
#define STAT_SIZE	144
#elif defined(__aarch64__)
#define STAT_SIZE	128
#endif
_Static_assert(sizeof(struct stat) == STAT_SIZE, "STAT_SIZE");
#define STR(x)	STR_(x)
#define STR_(x)	#x

static const struct valid valid_cases[] = {
	{ "", { "D {t=0 m=0 c=0 to=0 e=5 mode=0 w=1 mc=0 rss=0 age=0 j=0 "
	    "set=0}\n" } },
	{ "# only a comment\n\n   # another\n", { "D {t=0" } },
	{ "[defaults]\n", { "set=0}\n" } },
	{ "[defaults]\ntimeout = 5s\nmem_limit = 1G\non_crash = raise\n"
	    "on_timeout = abort\nerrno = ENOMEM\n",
	    { "D {t=5000 m=1073741824 c=2 to=1 e=12 " } },
	{ "[defaults]\ntimeout = 250ms\nmem_limit = 64M\n",
	    { "t=250 m=67108864" } },
	{ "[defaults]\ntimeout = 2m\nmem_limit = 512K\n", { "t=120000 m=524288" } },
	{ "[defaults]\ntimeout = 0\n", { "D {t=0 ", "set=0x1}" } },
	{ "[defaults]\nerrno = 28\n", { "e=28" } },
	{ "[defaults]\nmode = worker\nworkers = 4\nmax_calls = 1000\n"
	    "max_rss = 256M\nmax_age = 10m\njitter = 10%\n",
	    { "mode=1 w=4 mc=1000 rss=268435456 age=600000 j=10" } },
	{ "int f(int x);", { "F f: int/4 value (v int x) {t=0" } },
	{ "void f(void);", { "F f: void/0 void () " } },
	{ "void f();", { "F f: void/0 void () " } },
	{ "unsigned long long f(signed char a, unsigned short b, long int c);",
	    { "F f: unsigned long long/8 value (v signed char a, "
	    "v unsigned short b, v long c)" } },
	{ "_Bool f(bool a, float b, double c, char d);",
	    { "F f: _Bool/1 value (v _Bool a, v float b, v double c, "
	    "v char d)" } },
	{ "int64_t f(uint8_t a, int16_t b, uint32_t c, ssize_t d, off_t e, "
	    "pid_t g, uid_t h, gid_t i, mode_t j, time_t k, intptr_t l, "
	    "uintptr_t m, socklen_t n, wchar_t o, wint_t p);",
	    { "F f: int64_t/8", "v off_t e", "v socklen_t n", "v wint_t p" } },
	{ "int f(const char *s);", { "(i+c const char * s/1)" } },
	{ "int f(char const *s);", { "(i+c const char * s/1)" } },
	{ "int f(in cstr const char *s);", { "(i+c const char * s/1)" } },
	{ "int f(in char *s);", { "(i char * s/1)" } },
	{ "int f(const unsigned char *s);",
	    { "(i const unsigned char * s/1)" } },
	{ "int f(out int *p);", { "(o int * p/4)" } },
	{ "int f(inout long *p);", { "(io long * p/8)" } },
	{ "int f(out char *buf[n], size_t n);", { "(o char * buf/1[$1], " } },
	{ "int compress2(out unsigned char *dest[*destLen -> *destLen], "
	    "inout unsigned long *destLen, const unsigned char *source, "
	    "unsigned long sourceLen, int level);\n    fail = -4\n",
	    { "(o unsigned char * dest/1[*$1->*$1], io unsigned long * "
	    "destLen/8, i const unsigned char * source/1, v unsigned long "
	    "sourceLen, v int level)", "fail=-4/0", "set=0x20}" } },
	{ "ssize_t read(int fd, out void *buf[count -> retval], size_t count);"
	    "\n\tfail = -1\n\terrno = EIO\n",
	    { "(v int fd, o void * buf/0[$2->R], v size_t count)",
	    "e=5 fail=-1/0", "set=0x30}" } },
	{ "alloc cstr char *strdup(const char *s);",
	    { "F strdup: char */8 alloc-cstr (i+c const char * s/1)" } },
	{ "cstr char *strerror(int errnum);", { "F strerror: char */8 cstr" } },
	{ "opaque char *getcwd(out char *buf[size -> cstr], size_t size);\n"
	    "    version = GLIBC_2.2.5\n",
	    { "F getcwd: char */8 opaque (o+c char * buf/1[$1->C], "
	    "v size_t size) ver=GLIBC_2.2.5" } },
	{ "void qsort(inout void *base[nmemb * size], size_t nmemb, "
	    "size_t size, int (*compar)(const void *, const void *));",
	    { "(io void * base/0[(* $1 $2)], v size_t nmemb, v size_t size, "
	    "v int (*)(const void *, const void *) compar)" } },
	{ "int stat(const char *path, out struct stat *st);",
	    { "o struct stat * st/" STR(STAT_SIZE) } },
	{ "struct point { int x; int y; double w; };\n"
	    "typedef struct point point_t;\n"
	    "int centroid(const point_t *pts[n], size_t n, out point_t *c);",
	    { "T struct point=16/8 x@0 y@4 w@8\nT point_t=16/8",
	    "(i const point_t * pts/16[$1], v size_t n, o point_t * c/16)" } },
	{ "struct s { char c; double d; short h; };",
	    { "T struct s=24/8 c@0 d@8 h@16" } },
	{ "struct s { char c[3]; int i; char name[16]; long l; };",
	    { "T struct s=32/8 c@0 i@4 name@8 l@24 c*3 name*16" } },
	{ "struct in { char c; short s; };\nstruct out { char a; struct in b; "
	    "char z; };", { "T struct in=4/2 c@0 s@2",
	    "T struct out=8/2 a@0 b@2 z@6" } },
	{ "struct m { int a[2][3]; char c; };", { "T struct m=28/4 a@0 c@24 "
	    "a*6" } },
	{ "struct node { int v; struct node *next; };",
	    { "T struct node=16/8 v@0 next@8" } },
	{ "struct fwd;\nint f(opaque struct fwd *p);",
	    { "T struct fwd=0/1 incomplete", "(v+o struct fwd * p/0)" } },
	{ "typedef struct node node_t;\nstruct node { int a; long b; };\n"
	    "int f(out node_t *n);", { "(o node_t * n/16)" } },
	{ "typedef struct pair { int a, b; } pair_t;\npair_t swap(pair_t p);",
	    { "T struct pair=8/4 a@0 b@4\nT pair_t=8/4",
	    "F swap: pair_t/8 value (v pair_t p)" } },
	{ "typedef unsigned long ulong;\nulong f(ulong x);",
	    { "T ulong=8/8", "F f: ulong/8 value (v ulong x)" } },
	{ "typedef int (*cmp_t)(const void *, const void *);\n"
	    "void s(inout void *b[n], size_t n, cmp_t c);",
	    { "v cmp_t c" } },
	{ "enum color { RED, GREEN = 2 };\nint f(enum color c);",
	    { "(v enum color c)" } },
	{ "opaque FILE *fopen(const char *path, const char *mode);\n"
	    "int fclose(opaque FILE *fp);",
	    { "F fopen: FILE */8 opaque", "(v+o FILE * fp/0)" } },
	{ "int vprintf(const char *fmt, va_list ap);", { "v+o va_list ap" } },
	{ "alloc void *f(size_t n)[n];", { "F f: void */8 alloc-buffer[$0] " } },
	{ "int *f(int n)[n * 2];", { "F f: int */8 buffer[(* $0 #2)] " } },
	{ "int f(out alloc cstr char **p);", { "(o+a+c char ** p/8)" } },
	{ "int scandir(const char *d, out alloc int **list[retval]);",
	    { "(i+c const char * d/1, o+a int ** list/8[R])" } },
	{ "int f(out char *b[(n + 1) * 2 - sizeof(int)], size_t n);",
	    { "[(- (* (+ $1 #1) #2) sz4)]" } },
	{ "int f(out char *b[n - (n - 1)], size_t n);",
	    { "[(- $1 (- $1 #1))]" } },
	{ "int f(out char *b[0x10]);", { "[#16]" } },
	{ "int f(out char *b[n], int (*cb)(int, char *), int n);",
	    { "v int (*)(int, char *) cb" } },
	{ "int f(out cstr char *b[n], int n);", { "(o+c char * b/1[$1->C]" } },
	{ "int f(const char *const *argv);",
	    { "(i const char *const * argv/8)" } },
	{ "int f(out char **end);", { "(o char ** end/8)" } },
	{ "int f(out struct timespec *ts, out sigset_t *set);",
	    { "o struct timespec * ts/16", "o sigset_t * set/128" } },
	{ "[library libz.so.1]\nint a(void);\n[library libm.so.6]\n"
	    "double b(double x);\n[library libz.so.1]\nint c(void);\n"
	    "[defaults]\nint d(void);\n",
	    { "F d: int/4", "F a: int/4 value () lib=libz.so.1",
	    "F c: int/4 value () lib=libz.so.1", "F b: double/8 value "
	    "(v double x) lib=libm.so.6" } },
	{ "[defaults]\nfail = -1\nopaque char *p(void);\nunsigned u(void);\n",
	    { "F p: char */8 opaque () {t=0 m=0 c=0 to=0 e=5 mode",
	    "F u: unsigned int/4 value () {t=0 m=0 c=0 to=0 e=5 mode" } },
	{ "[defaults]\ntimeout = 5s\nfail = -1\nint f(void);\n"
	    "double g(void);\nvoid h(void);\n",
	    { "F f: int/4 value () {t=5000 m=0 c=0 to=0 e=5 fail=-1/0",
	    "F g: double/8 value () {t=5000 m=0 c=0 to=0 e=5 fail=0/-1",
	    "F h: void/0 void () {t=5000 m=0 c=0 to=0 e=5 mode" } },
	{ "[defaults]\ntimeout = 5s\nint f(void);\n    timeout = 100ms\n"
	    "    on_crash = abort\n", { "F f: int/4 value () {t=100 m=0 c=1 "
	    "to=0 e=5 mode=0 w=1 mc=0 rss=0 age=0 j=0 set=0x5}" } },
	{ "double f(void);\n  fail = 1.5\n", { "fail=0/1.5" } },
	{ "opaque void *f(void);\n  fail = NULL\n", { "fail=0/0" } },
	{ "unsigned char f(void);\n  fail = 255\n", { "fail=255/0" } },
	/* -1 for an unsigned type is its maximum, as C converts it. */
	{ "unsigned char f(void);\n  fail = -1\n", { "fail=255/0" } },
	{ "unsigned f(void);\n  fail = -1\n", { "fail=4294967295/0" } },
	{ "size_t f(void);\n  fail = -1\n", { "fail=-1/0" } },
	{ "size_t f(void);\n  fail = 0xffffffffffffffff\n", { "fail=-1/0" } },
	{ "unsigned long long f(void);\n  fail = 18446744073709551614\n",
	    { "fail=-2/0" } },
	{ "long f(void);\n  fail = -9223372036854775808\n",
	    { "fail=-9223372036854775808/0" } },
	{ "int f(out char *b[5 - 2 * 2]);\n", { "[(- #5 (* #2 #2))]" } },
	{ "int f(out char *b[n - 5], int n);\n", { "[(- $1 #5)]" } },
	{ "int f(out int *b[2305843009213693951]);\n",
	    { "[#2305843009213693951]" } },
	{ "int f(void);\n  mode = worker\n  workers = 2\n  jitter = 5\n",
	    { "mode=1 w=2" , "j=5 set=0x8c0}" } },
	{ "[defaults]\nqueue_timeout = 2s\nint f(void);\n  mode = worker\n"
	    "int g(void);\n  mode = worker\n  queue_timeout = 250ms\n",
	    { "D {t=0 m=0 c=0 to=0 e=5 mode=0 w=1 mc=0 rss=0 age=0 j=0 "
	    "qt=2000 set=0x2000}", "F f: int/4 value () {t=0 m=0 c=0 to=0 e=5 "
	    "mode=1 w=1 mc=0 rss=0 age=0 j=0 qt=2000 set=0x40}",
	    "qt=250 set=0x2040}" } },
	{ "int f(void);\n  errno = 0\n", { "e=0 " } },
	{ "int\nf(\n  int a,\n  int b\n)\n;\n", { "F f: int/4 value (v int a, "
	    "v int b) {", "@2:1\n" } },
	{ "int f(int);\nint g(const char *, out int *);",
	    { "(v int -)", "(i+c const char * -/1, o int * -/4)" } },
	{ P4, { "(v int a, v int b, v size_t n, o int * x/4)" } },
	{ "typedef struct stat stat_t;\nint f(out stat_t *s);",
	    { "T stat_t=", "(o stat_t * s/" } },
	{ "typedef struct nd *ndp;\nstruct nd { int a; };\n"
	    "int g(out struct nd *x, opaque ndp y);",
	    { "T struct nd=4/4 a@0\nT ndp=8/8\n", "(o struct nd * x/4, "
	    "v+o ndp y/4)" } },
};

static void
test_config_valid_cases(void **state)
{
	struct desc d;
	size_t i, j;

	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		const struct valid *v = &valid_cases[i];
		struct miso_conf *c = parse_ok(v->text);

		describe(&d, c);
		for (j = 0; j < 4 && v->want[j] != NULL; j++)
			if (strstr(d.s, v->want[j]) == NULL) {
				fprintf(stderr, "case %zu: %s\nwant: %s\n"
				    "got:\n%s", i, v->text, v->want[j], d.s);
				fail();
			}
		round_trip(c);
		miso__conf_free(c);
	}
}

struct invalid {
	const char	*text;
	int		 line, col;
	const char	*msg;
};

static const struct invalid invalid_cases[] = {
	{ "int f(const void *p, size_t n);\n    mode = worker", 1, 5,
	    "'f' runs in a worker, which does not share the caller's memory: "
	    "give 'p' a size ('[EXPR]' or 'cstr') or pass it as it is with "
	    "'opaque'" },
	{ "[defaults]\nmode = worker\nint f(const void *p);", 3, 5,
	    "'f' runs in a worker, which does not share the caller's memory: "
	    "give 'p' a size ('[EXPR]' or 'cstr') or pass it as it is with "
	    "'opaque'" },
	{ "int f(char *p);", 1, 13, "'p' points to data that is not const: "
	    "say whether the function reads it ('in'), writes it ('out') or "
	    "both ('inout')" },
	{ "int f(out void *b);", 1, 17, "the size of 'b' is unknown: give it in "
	    "bytes, as in 'out void *b[n]'" },
	{ "char *f(void);", 1, 7, "'f' returns a pointer: say what it points "
	    "to" },
	{ "int printf(const char *fmt, ...);", 1, 29, "variadic functions "
	    "cannot be isolated: the types of their arguments are unknown" },
	{ "long double f(void);", 1, 1, "'long double' cannot be passed: libffi "
	    "and the ABI disagree on it across platforms" },
	{ "struct big { long a, b, c; };\nint f(struct big b);", 2, 18,
	    "'struct big' is passed by value and larger than 16 bytes (24); "
	    "pass a pointer to it" },
	{ "struct big { long a, b, c; };\nstruct big f(void);", 2, 12,
	    "'struct big' is returned by value and larger than 16 bytes (24), "
	    "which is not supported" },
	{ "int f(struct stat st);", 1, 19, "'struct stat' is known only by its "
	    "size, so it cannot be passed by value; pass a pointer to it" },
	{ "int f(FILE *fp);", 1, 7, "unknown type 'FILE'" },
	{ "int f(const struct nope *p);", 1, 20, "unknown type 'struct nope'" },
	{ "int f(out char *b[n]);", 1, 19, "'f' has no parameter named 'n'" },
	{ "int f(in char *b[n -> n], int n);", 1, 16, "'->' says how much comes "
	    "back, but an 'in' parameter sends nothing back" },
	{ "void f(out char *b[4 -> retval]);", 1, 25, "'retval' in a function "
	    "that returns void" },
	{ "int f(out char *b[retval]);", 1, 19, "'retval' is not known before "
	    "the call; use it after '->'" },
	{ "opaque void *f(out char *b[4 -> retval]);", 1, 33, "'retval' must be "
	    "an integer here" },
	{ "int f(out char *b[4 -> cstr + 1]);", 1, 24, "'cstr' stands alone "
	    "after '->'" },
	{ "int f(out char *b[p], char *p);", 1, 19, "'p' is a pointer; use '*p' "
	    "for the integer it points to" },
	{ "int f(out char *b[*n], int n);", 1, 19, "'*n' needs a pointer to an "
	    "integer" },
	{ "int f(out int x);", 1, 15, "'out' needs a pointer; 'x' is not one" },
	{ "int f(int x[4]);", 1, 11, "'[...]' gives the size of what a pointer "
	    "points to; 'x' is not a pointer" },
	{ "int f(int a, int a);", 1, 18, "duplicate parameter 'a'" },
	{ "int f(void);\nint f(int x);", 2, 5, "duplicate declaration of 'f'" },
	{ "[defaults]\ntimeout = 5x\n", 2, 12, "unknown unit 'x' for 'timeout': "
	    "use ms, s or m" },
	{ "[defaults]\ntimeout = 5\n", 2, 12, "'timeout' needs a unit: "
	    "ms, s or m" },
	{ "[defaults]\nmem_limit = 1Q\n", 2, 14, "unknown unit 'Q' for "
	    "'mem_limit': use K, M or G" },
	{ "[defaults]\nerrno = EFOO\n", 2, 9, "unknown errno name 'EFOO' for "
	    "'errno'" },
	{ "[defaults]\ntimeout = x5s\n", 2, 11, "bad number 'x5s' for "
	    "'timeout'" },
	{ "[defaults]\non_crash = explode\n", 2, 12, "expected fail, abort or "
	    "raise, not 'explode' for 'on_crash'" },
	{ "[defaults]\non_timeout = raise\n", 2, 14, "expected fail or abort, "
	    "not 'raise' for 'on_timeout'" },
	{ "[defaults]\ncolour = blue\n", 2, 1, "unknown setting 'colour'" },
	{ "[defaults]\ntimeout = 1s\ntimeout = 2s\n", 3, 1, "'timeout' is set "
	    "twice" },
	{ "[defaults]\nversion = GLIBC_2.2.5\n", 2, 11, "'version' belongs "
	    "under a function, not in [defaults]" },
	{ "[defaults]\nmode = thread\n", 2, 8, "expected fork or worker, not "
	    "'thread' for 'mode'" },
	{ "[defaults]\nworkers = 0\n", 2, 11, "out of range: '0' for "
	    "'workers'" },
	{ "[defaults]\njitter = 101%\n", 2, 10, "out of range: '101' for "
	    "'jitter'" },
	{ "[sections]\n", 1, 1, "unknown section '[sections]'" },
	{ "[defaults\n", 1, 1, "expected ']' to end the section" },
	{ "[defaults] x\n", 1, 12, "unexpected text after the section name" },
	{ "timeout = 1s\n", 1, 1, "a setting belongs in [defaults] or, "
	    "indented, under a function" },
	{ "int f(void);\ntimeout = 1s\n", 2, 1, "indent the settings of 'f' "
	    "under it" },
	{ "void f(void);\n    fail = 1\n", 2, 12, "'fail' needs a function that "
	    "returns a scalar or a pointer; 'f' does not" },
	{ "unsigned char f(void);\n    fail = 256\n", 2, 12, "out of range of "
	    "the return type: '256' for 'fail'" },
	{ "unsigned f(void);\n    fail = 4294967296\n", 2, 12, "out of range "
	    "of the return type: '4294967296' for 'fail'" },
	{ "unsigned f(void);\n    fail = -2\n", 2, 12, "out of range of the "
	    "return type: '-2' for 'fail'" },
	{ "size_t f(void);\n    fail = 0x10000000000000000\n", 2, 12, "bad "
	    "number '0x10000000000000000' for 'fail'" },
	{ "long f(void);\n    fail = 9223372036854775808\n", 2, 12, "out of "
	    "range of the return type: '9223372036854775808' for 'fail'" },
	{ "int f(void);\n    fail = --1\n", 2, 12, "bad number '--1' for "
	    "'fail'" },
	{ "int f(out char *b[0 - 5]);", 1, 19, "the size expression is "
	    "negative (-5)" },
	{ "int f(out char *b[4294967296 * 4294967296]);", 1, 19, "the size "
	    "expression overflows 64 bits" },
	{ "int f(out char *b[n * (4294967296 * 4294967296)], int n);", 1, 24,
	    "the size expression overflows 64 bits" },
	{ "int f(out char *b[n -> 1 - 2], int n);", 1, 24, "the size "
	    "expression is negative (-1)" },
	{ "int *f(void)[0 - 1];", 1, 14, "the size expression is negative "
	    "(-1)" },
	{ "int f(out int *b[2305843009213693952]);", 1, 18, "a capacity of "
	    "2305843009213693952 elements of 4 bytes is larger than any "
	    "object can be" },
	{ "int f(void);\n    fail = 1.5\n", 2, 12, "bad number '1.5' for "
	    "'fail'" },
	{ "int f(out char *b[12abc]);", 1, 19, "bad number '12abc'" },
	{ "int f(out char *b[99999999999999999999]);", 1, 19, "number "
	    "'99999999999999999999' is too large" },
	{ "int f(void)\nint g(void);", 1, 12, "expected ';' after the "
	    "declaration of 'f'" },
	{ "int f(void) int g(void);", 1, 13, "expected ';' after the "
	    "declaration of 'f'" },
	{ "int f(int x) @", 1, 14, "stray '@'" },
	{ "int f(out alloc char *p);", 1, 23, "'alloc' needs a pointer to a "
	    "pointer, as in 'out alloc T **p[n]'" },
	{ "int f(alloc char **p);", 1, 20, "'alloc' needs 'out': the function "
	    "stores a fresh allocation through the pointer" },
	{ "int f(out alloc void **p);", 1, 24, "the size of the allocation is "
	    "unknown; give it, as in 'out alloc void **p[n]'" },
	{ "alloc char *f(void);", 1, 13, "'alloc' needs 'cstr' or the size of "
	    "the allocation after the parameters" },
	{ "cstr int *f(void);", 1, 11, "'cstr' needs a pointer to char" },
	{ "cstr int f(void);", 1, 10, "'f' does not return a pointer; drop "
	    "'alloc', 'cstr', 'opaque' and the size" },
	{ "int f(opaque char *p[4]);", 1, 20, "an 'opaque' pointer is passed as "
	    "it is; it takes no direction, 'cstr' or size" },
	{ "int f(in out char *p);", 1, 10, "'out' repeats or contradicts what "
	    "comes before it" },
	{ "int f(out cstr int *p[4]);", 1, 21, "'cstr' needs a pointer to char" },
	{ "int f(out cstr char *p);", 1, 22, "give the capacity of the string, "
	    "as in 'out char *p[size]'" },
	{ "int f(int retval);", 1, 11, "'retval' is reserved in size "
	    "expressions; rename the parameter" },
	{ "int f(union u *p);", 1, 7, "unions are not supported; pass a pointer "
	    "to one with 'opaque', or as bytes ('void *p[n]')" },
	{ "struct s { int a : 3; };", 1, 16, "bit-fields are not supported" },
	{ "struct s { struct s inner; };", 1, 21, "field 'inner' has incomplete "
	    "type 'struct s'" },
	{ "struct s { int a; };\nstruct s { int b; };", 2, 8, "redefinition "
	    "of 'struct s'" },
	{ "typedef int myint;\ntypedef long myint;", 2, 14, "redefinition of "
	    "'myint'" },
	{ "typedef int size_t;", 1, 13, "redefinition of 'size_t'" },
	{ "struct { int a; } x;", 1, 8, "anonymous structs are not supported; "
	    "give it a tag" },
	{ "struct e { };", 1, 8, "'struct e' has no fields" },
	{ "struct a { char c[0]; };", 1, 19, "array length must be a positive "
	    "integer" },
	{ "int f(out char *b[sizeof(struct nope)]);", 1, 33, "unknown type "
	    "'struct nope'" },
	{ "int f(out char *b[sizeof(void)]);", 1, 19, "sizeof of incomplete "
	    "type 'void'" },
	{ "unsigned signed f(void);", 1, 1, "invalid combination of type "
	    "specifiers" },
	{ "int f(void x);", 1, 12, "a parameter cannot have type void" },
	{ "int f(out char *b[4 + ]);", 1, 23, "expected an expression" },
	{ "int f(out char *b[(4]);", 1, 21, "expected ')' in the expression "
	    "before ']'" },
	{ "int (*fp)(void);", 1, 16, "expected '(' before the parameters before "
	    "';'" },
	{ "int f(void);\n  timeout = 1s\n  timeout = 2s\n", 3, 3, "'timeout' is "
	    "set twice" },
	{ "struct big { long a, char; };", 1, 22, "expected a field name" },
};

static void
test_config_invalid_cases(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]);
	    i++) {
		const struct invalid *v = &invalid_cases[i];
		struct miso_conf *c = (struct miso_conf *)&c;
		struct miso__conf_diag d;
		int rc;

		rc = miso__conf_parse("t.conf", v->text, strlen(v->text), &c,
		    &d);
		if (rc != -EINVAL || d.line != v->line || d.col != v->col ||
		    strcmp(d.msg, v->msg) != 0) {
			fprintf(stderr, "case %zu: %s\nwant %d:%d: %s\ngot "
			    "(rc %d):\n%s", i, v->text, v->line, v->col,
			    v->msg, rc, d.text);
			fail();
		}
		assert_null(c);
		assert_true(d.nerrors >= 1);
		miso__conf_diag_free(&d);
	}
}

/* The example of the language reference, as a whole. */
/*
 * What a failed call returns comes from one function, which the shim
 * stores and 'miso explain' prints: the built-in values by type, and a
 * configured one as the return type holds it.
 */
static void
test_config_fail_value_one_source(void **state)
{
	static const struct {
		const char *name, *text;
		int set;
	} want[] = {
		{ "a", "-1", 0 }, { "b", "0", 0 }, { "c", "NaN", 0 },
		{ "d", "NaN", 0 }, { "e", "NULL", 0 },
		{ "f", "18446744073709551615", 1 }, { "g", "255", 1 },
		{ "h", "-7", 1 }, { "i", "0.25", 1 },
		{ "j", "(void *)0xffffffffffffffff", 1 }, { "k", "", 0 },
	};
	struct miso_conf *c = parse_ok("int a(void);\nunsigned b(void);\n"
	    "double c(void);\nfloat d(void);\nopaque void *e(void);\n"
	    "size_t f(void);\n  fail = -1\nunsigned char g(void);\n"
	    "  fail = 0xff\nshort h(void);\n  fail = -7\n"
	    "float i(void);\n  fail = 0.25\nopaque char *j(void);\n"
	    "  fail = -1\nvoid k(void);\n");
	struct miso__conf_failval v;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		miso__conf_fail_value(miso__conf_lookup(c, want[i].name), &v);
		miso__conf_fail_format(&v, buf, sizeof buf);
		assert_string_equal(buf, want[i].text);
		assert_int_equal(v.set, want[i].set);
	}
	miso__conf_fail_value(miso__conf_lookup(c, "f"), &v);
	assert_true(v.bits == UINT64_MAX);
	miso__conf_fail_value(miso__conf_lookup(c, "a"), &v);
	assert_int_equal(v.sval, -1);
	assert_true(v.bits == 0xffffffffu);
	miso__conf_free(c);
}

static void
test_config_reference_example(void **state)
{
	struct miso_conf *c = parse_ok(
	    "# miso.conf — comments run from '#' to the end of the line\n"
	    "[defaults]                       # settings for every function below (optional)\n"
	    "timeout = 5s                     # 0 = none; units ms, s, m\n"
	    "mem_limit = 1G                   # the child's memory cap; units K, M, G\n"
	    "on_crash = fail                  # fail | abort | raise\n"
	    "on_timeout = fail                # fail | abort\n"
	    "errno = EIO                      # errno set by 'fail' (a symbolic name or a number)\n"
	    "\n"
	    "[library libz.so.1]              # optional: take the real functions below from this object\n"
	    "                                 # (default: the next definition after the shim, as dlsym(RTLD_NEXT))\n"
	    "\n"
	    "int compress2(out unsigned char *dest[*destLen -> *destLen], inout unsigned long *destLen,\n"
	    "              const unsigned char *source, unsigned long sourceLen, int level);\n"
	    "    fail = -4                    # returned when the isolated call crashes or times out (Z_MEM_ERROR)\n"
	    "    timeout = 2s\n"
	    "\n"
	    "ssize_t read(int fd, out void *buf[count -> retval], size_t count);\n"
	    "    fail = -1\n"
	    "    errno = EIO\n"
	    "alloc cstr char *strdup(const char *s);\n"
	    "cstr char *strerror(int errnum);                 # a string in memory that existed before the call\n"
	    "opaque char *getcwd(out char *buf[size -> cstr], size_t size);   # returns buf or NULL\n"
	    "    version = GLIBC_2.2.5\n"
	    "void qsort(inout void *base[nmemb * size], size_t nmemb, size_t size,\n"
	    "           int (*compar)(const void *, const void *));\n"
	    "int stat(const char *path, out struct stat *st);\n"
	    "struct point { int x; int y; double w; };\n"
	    "typedef struct point point_t;\n"
	    "int centroid(const point_t *pts[n], size_t n, out point_t *c);\n");
	const struct miso__conf_func *f;

	assert_int_equal(c->nfuncs, 8);
	assert_int_equal(c->ntypes, 2);
	assert_int_equal(c->defaults.timeout_ms, 5000);
	assert_int_equal(c->defaults.mem_limit, 1 << 30);
	f = miso__conf_lookup(c, "compress2");
	assert_string_equal(f->library, "libz.so.1");
	assert_int_equal(f->pol.timeout_ms, 2000);
	assert_int_equal(f->pol.mem_limit, 1 << 30);
	assert_int_equal(f->pol.fail_int, -4);
	assert_int_equal(f->params[0].dir, MISO__DIR_OUT);
	assert_int_equal(f->params[0].cap->op, MISO__E_DEREF);
	assert_int_equal(f->params[0].cap->param, 1);
	assert_int_equal(f->params[1].dir, MISO__DIR_INOUT);
	assert_int_equal(f->params[2].dir, MISO__DIR_IN);
	f = miso__conf_lookup(c, "getcwd");
	assert_int_equal(f->ret_how, MISO__RET_OPAQUE);
	assert_string_equal(f->version, "GLIBC_2.2.5");
	assert_int_equal(f->params[0].fill->op, MISO__E_CSTR);
	f = miso__conf_lookup(c, "centroid");
	assert_int_equal(f->params[0].type->pointee->size, 16);
	assert_int_equal(f->line, 29);
	assert_int_equal(f->col, 5);
	round_trip(c);
	miso__conf_free(c);
}

static void
test_config_diag_is_compiler_style(void **state)
{
	const char *text = "int ok(void);\n\tint f(char *p);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_string_equal(d.text, "x.conf:2:14: error: 'p' points to data "
	    "that is not const: say whether the function reads it ('in'), "
	    "writes it ('out') or both ('inout')\n"
	    "\tint f(char *p);\n"
	    "\t            ^\n");
	miso__conf_diag_free(&d);
}

/*
 * Something missing at the end of a line is reported there, with that
 * line, as a compiler does; the next line is then read as what it is.
 */
static void
test_config_missing_at_end_of_line(void **state)
{
	const char *text = "int f(const char *s)\nint g(void);\n"
	    "int h(int a\nfail = -1\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_string_equal(d.text,
	    "x.conf:1:21: error: expected ';' after the declaration of 'f'\n"
	    "int f(const char *s)\n"
	    "                    ^\n"
	    "x.conf:3:12: error: expected ')' after the parameters before "
	    "'fail'\n"
	    "int h(int a\n"
	    "           ^\n"
	    "x.conf:4:1: error: a setting belongs in [defaults] or, indented, "
	    "under a function\n"
	    "fail = -1\n"
	    "^\n");
	assert_int_equal(d.nerrors, 3);
	miso__conf_diag_free(&d);
}

/* After a declaration with errors, a setting out of place is reported. */
static void
test_config_setting_after_bad_declaration(void **state)
{
	const char *text = "int f(const char *s)\nfail = -1\n"
	    "int g(nosuch *p);\nfail = -1\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_non_null(strstr(d.text, "x.conf:2:1: error: indent the "
	    "settings of 'f' under it\nfail = -1\n^\n"));
	assert_non_null(strstr(d.text, "x.conf:4:1: error: a setting belongs "
	    "in [defaults] or, indented, under a function\nfail = -1\n^\n"));
	assert_int_equal(d.nerrors, 4);
	miso__conf_diag_free(&d);
}

/* A note at the place of its error does not show the line again. */
static void
test_config_note_at_same_place(void **state)
{
	const char *text = "int f(void);\n    fial = -1\nint g(FILE *fp);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_string_equal(d.text,
	    "x.conf:2:5: error: unknown setting 'fial'\n"
	    "    fial = -1\n"
	    "    ^\n"
	    "x.conf:2:5: note: did you mean 'fail'?\n"
	    "x.conf:3:7: error: unknown type 'FILE'\n"
	    "int g(FILE *fp);\n"
	    "      ^\n"
	    "x.conf:3:7: note: declare it with 'struct FILE { ... };' or a "
	    "typedef, or pass the pointer as it is with 'opaque'\n");
	miso__conf_diag_free(&d);
}

/* A misspelt parameter in a size gets the nearest parameter's name. */
static void
test_config_suggests_parameter(void **state)
{
	const char *text = "int f(out char *buf[lne], size_t len);\n"
	    "int g(out char *buf[*nn -> *n], inout size_t *n);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_string_equal(d.text,
	    "x.conf:1:21: error: 'f' has no parameter named 'lne'\n"
	    "int f(out char *buf[lne], size_t len);\n"
	    "                    ^\n"
	    "x.conf:1:21: note: did you mean 'len'?\n"
	    "x.conf:2:21: error: 'g' has no parameter named 'nn'\n"
	    "int g(out char *buf[*nn -> *n], inout size_t *n);\n"
	    "                    ^\n"
	    "x.conf:2:21: note: did you mean 'n'?\n");
	miso__conf_diag_free(&d);
}

static void
test_config_unknown_type_has_hint(void **state)
{
	const char *text = "int f(FILE *fp);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_non_null(strstr(d.text, "x.conf:1:7: note: declare it with "
	    "'struct FILE { ... };' or a typedef, or pass the pointer as it is "
	    "with 'opaque'\n"));
	assert_int_equal(d.nerrors, 1);
	miso__conf_diag_free(&d);
}

/* Every error is reported, not only the first: recovery works. */
static void
test_config_reports_all_errors(void **state)
{
	const char *text =
	    "int a(char *p);\n"
	    "int b(void);\n"
	    "char *c(void);\n"
	    "int d(out void *v\n"
	    "int e(void);\n"
	    "[defaults]\n"
	    "timeout = 5q\n"
	    "errno = ENOPE\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_int_equal(d.nerrors, 5);
	assert_non_null(strstr(d.text, "x.conf:1:13: error:"));
	assert_non_null(strstr(d.text, "x.conf:3:7: error:"));
	assert_non_null(strstr(d.text, "x.conf:4:18: error: expected ')'"));
	assert_non_null(strstr(d.text, "x.conf:7:12: error:"));
	assert_non_null(strstr(d.text, "x.conf:8:9: error:"));
	miso__conf_diag_free(&d);
}

static void
test_config_suggests_spellings(void **state)
{
	const char *text = "[defaults]\ntimout = 1s\nint f(sizet n);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_non_null(strstr(d.text, "x.conf:2:1: note: did you mean "
	    "'timeout'?\n"));
	assert_non_null(strstr(d.text, "x.conf:3:7: note: did you mean "
	    "'size_t'?\n"));
	miso__conf_diag_free(&d);
}

static void
test_config_too_many_errors(void **state)
{
	char text[2048] = "";
	struct miso_conf *c;
	struct miso__conf_diag d;
	int i;

	for (i = 0; i < 30; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "int f%d(char *p);\n", i);
	assert_int_equal(miso__conf_parse("x.conf", text, strlen(text), &c, &d),
	    -EINVAL);
	assert_int_equal(d.nerrors, 20);
	assert_non_null(strstr(d.text, "x.conf: too many errors; stopping\n"));
	miso__conf_diag_free(&d);
}

static void
expect_error(const char *text, size_t len, const char *msg)
{
	struct miso_conf *c;
	struct miso__conf_diag d;

	assert_int_equal(miso__conf_parse("x.conf", text, len, &c, &d),
	    -EINVAL);
	if (strstr(d.msg, msg) == NULL)
		fprintf(stderr, "want %s\ngot %s\n", msg, d.text);
	assert_non_null(strstr(d.msg, msg));
	miso__conf_diag_free(&d);
}

static void
test_config_limits_are_errors(void **state)
{
	size_t big = 1024 * 1024 + 1, i;
	char *s = malloc(big + 1);
	char deep[200], params[2048] = "int f(";

	assert_non_null(s);
	memset(s, '#', big);
	expect_error(s, big, "file too large");
	memset(s, ' ', 5000);
	memcpy(s + 5000, "int f(void);", 13);
	expect_error(s, 5012, "line too long (5012 bytes; the limit is 4096)");
	for (i = 0; i < 60; i++)
		s[i] = '*';
	memcpy(s, "int f(const char ", 17);
	memcpy(s + 60, "p);", 4);
	expect_error(s, strlen(s), "too many '*'");
	free(s);
	strcpy(deep, "int f(out char *b[");
	for (i = 0; i < 40; i++)
		strcat(deep, "(");
	strcat(deep, "1");
	for (i = 0; i < 40; i++)
		strcat(deep, ")");
	strcat(deep, "]);");
	expect_error(deep, strlen(deep), "expression nested too deeply");
	for (i = 0; i < 70; i++)
		snprintf(params + strlen(params), sizeof(params) -
		    strlen(params), "%sint a%zu", i > 0 ? ", " : "", i);
	strcat(params, ");");
	expect_error(params, strlen(params), "too many parameters (the limit "
	    "is 64)");
	expect_error("int f(int x);\0", 14, "stray byte 0x00");
	strcpy(deep, "");
	for (i = 0; i < 10; i++)
		snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep),
		    "struct s%zu { ", i);
	expect_error(deep, strlen(deep), "structs nested too deeply");
	s = malloc(4100 * 20);
	assert_non_null(s);
	for (i = 0, s[0] = '\0'; i < 4097; i++)
		sprintf(s + strlen(s), "int f%zu(void);\n", i);
	expect_error(s, strlen(s), "too many functions (the limit is 4096)");
	free(s);
}

static void
test_config_without_diag(void **state)
{
	struct miso_conf *c;

	assert_int_equal(miso__conf_parse(NULL, "int f(char *);", 14, &c, NULL),
	    -EINVAL);
	assert_null(c);
	assert_int_equal(miso__conf_parse(NULL, NULL, 0, &c, NULL), 0);
	assert_int_equal(c->nfuncs, 0);
	miso__conf_free(c);
	miso__conf_free(NULL);
	miso__conf_diag_free(NULL);
}

static void
test_config_lookup_and_order(void **state)
{
	struct miso_conf *c = parse_ok("[library libz.so.1]\nint a(void);\n"
	    "[defaults]\nint b(void);\n");

	assert_int_equal(c->nfuncs, 2);
	assert_string_equal(c->funcs[0].name, "b");
	assert_null(c->funcs[0].library);
	assert_string_equal(c->funcs[1].library, "libz.so.1");
	assert_ptr_equal(miso__conf_lookup(c, "a"), &c->funcs[1]);
	assert_null(miso__conf_lookup(c, "zz"));
	assert_string_equal(c->funcs[1].file, "t.conf");
	miso__conf_free(c);
}

static void
test_config_expr_format(void **state)
{
	struct miso_conf *c = parse_ok("int f(out char *b[(n + 1) * 2 - "
	    "sizeof(struct timespec)], size_t n);");
	char buf[64];
	int n;

	n = miso__expr_format(c->funcs[0].params[0].cap, &c->funcs[0], buf,
	    sizeof(buf));
	assert_string_equal(buf, "(n + 1) * 2 - sizeof(struct timespec)");
	assert_int_equal(n, (int)strlen(buf));
	n = miso__expr_format(c->funcs[0].params[0].cap, &c->funcs[0], buf, 5);
	assert_string_equal(buf, "(n +");
	assert_int_equal(n, 37);
	miso__conf_free(c);
}

static void
test_config_load_reads_a_file(void **state)
{
	char path[] = "/tmp/miso-test-XXXXXX";
	const char *text = "int f(out int *p);\n";
	struct miso_conf *c;
	struct miso__conf_diag d;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(miso__conf_load(path, &c, &d), 0);
	assert_int_equal(c->nfuncs, 1);
	assert_string_equal(c->funcs[0].file, path);
	miso__conf_free(c);
	miso__conf_diag_free(&d);
	unlink(path);
	assert_int_equal(miso__conf_load(path, &c, &d), -ENOENT);
	assert_null(c);
	assert_int_equal(d.nerrors, 1);
	assert_non_null(strstr(d.text, path));
	assert_non_null(strstr(d.text, ": error: cannot read: "));
	assert_null(strchr(d.text, '\n') + 1 == NULL ? NULL :
	    strchr(strchr(d.text, '\n') + 1, '\n'));
	miso__conf_diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_valid_cases),
		cmocka_unit_test(test_config_invalid_cases),
		cmocka_unit_test(test_config_reference_example),
		cmocka_unit_test(test_config_fail_value_one_source),
		cmocka_unit_test(test_config_diag_is_compiler_style),
		cmocka_unit_test(test_config_unknown_type_has_hint),
		cmocka_unit_test(test_config_reports_all_errors),
		cmocka_unit_test(test_config_suggests_spellings),
		cmocka_unit_test(test_config_missing_at_end_of_line),
		cmocka_unit_test(test_config_setting_after_bad_declaration),
		cmocka_unit_test(test_config_note_at_same_place),
		cmocka_unit_test(test_config_suggests_parameter),
		cmocka_unit_test(test_config_too_many_errors),
		cmocka_unit_test(test_config_limits_are_errors),
		cmocka_unit_test(test_config_without_diag),
		cmocka_unit_test(test_config_lookup_and_order),
		cmocka_unit_test(test_config_expr_format),
		cmocka_unit_test(test_config_load_reads_a_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
