/*
 * tsprog: calls every function of libts (and libc's qsort) and prints
 * what came back, byte for byte: buffers are dumped in hex, with the
 * bytes around what the function was meant to fill, which must stay as
 * they were.  A plain program that knows nothing of miso.
 *
 *	tsprog common		every case that must print the same with or
 *				without the shim
 *	tsprog CASE		one of the cases where the shim changes the
 *				outcome, or may: errno, crash, hang,
 *				crashes, hangabort, exit, stalelen, overflow,
 *				scribble, raise, exitraise, abort
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ts.h"

static void
dump(const char *label, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	printf("%s:", label);
	for (i = 0; i < n; i++)
		printf("%s%02x", i % 16 == 0 && i > 0 ? "\n   " : " ", b[i]);
	printf("\n");
}

static int
triple(int x)
{
	return 3 * x - 1;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
cmp_pt(const void *a, const void *b)
{
	const struct ts_pt *p = a, *q = b;

	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return (p->x > q->x) - (p->x < q->x);
}

static void
print_rec(const char *label, const struct ts_rec *r)
{
	printf("%s: tag %c s %d i %d l %ld f %a d %a name \"%s\" "
	    "flags %02x %02x %02x u %llx\n", label, r->tag, r->s, r->i, r->l,
	    (double)r->f, r->d, r->name, r->flags[0], r->flags[1], r->flags[2],
	    r->u);
	dump("  bytes", r, sizeof *r);
}

/*
 * 70,000 bytes, past what travels with the reply header: only the sum and
 * the guard bytes are printed.
 */
static void
big_buffer(void)
{
	size_t n = 70000, i;
	unsigned char *b = malloc(n + 64);
	unsigned long sum = 0;
	int guards = 1;

	memset(b, 0xa5, n + 64);
	ts_fill(b + 32, n, 11);
	for (i = 0; i < n + 64; i++) {
		sum = sum * 31 + b[i];
		if ((i < 32 || i >= n + 32) && b[i] != 0xa5)
			guards = 0;
	}
	printf("[n] out, %zu bytes: sum %lx, guards %s\n", n, sum,
	    guards ? "intact" : "CHANGED");
	free(b);
}

static void
scalars_and_buffers(void)
{
	unsigned char ub[24];
	char cb[40];
	int ints[7] = { 5, -3, 17, 0, 42, 8, -9 }, q, i;
	long r, acc = 11;
	size_t len = 999;

	memset(&r, 0xee, sizeof r);
	q = -1;
	i = ts_out(100, &q, &r);
	printf("out: ret %d q %d r %ld\n", i, q, r);
	q = -1;
	i = ts_opt(21, &q);
	printf("optional out: ret %d q %d\n", i, q);
	i = ts_opt(22, NULL);
	printf("optional out, NULL: ret %d\n", i);
	r = ts_inout(&acc, 4);
	printf("inout: ret %ld acc %ld\n", r, acc);
	r = ts_inout(&acc, -100);
	printf("inout: ret %ld acc %ld\n", r, acc);

	memset(ub, 0xa5, sizeof ub);
	ts_fill(ub + 4, 16, 3);
	dump("[n] out, 4 guard bytes each side", ub, sizeof ub);
	big_buffer();
	ts_reverse(ints + 1, 5);
	dump("[n] inout ints, guard each side", ints, sizeof ints);

	memset(cb, '.', sizeof cb);
	i = ts_read(cb, 32, 10);
	printf("[cap -> retval]: ret %d\n", i);
	dump("  buf", cb, sizeof cb);
	i = ts_read(cb, 32, 0);
	printf("[cap -> retval] empty: ret %d\n", i);
	dump("  buf", cb, sizeof cb);

	errno = 0;
	i = ts_read(cb, 32, -1);
	printf("[cap -> retval] failed: ret %d errno %d\n", i, errno);
	dump("  buf", cb, sizeof cb);

	memset(cb, '.', sizeof cb);
	i = ts_fmt(cb, 30, &len, 48879);
	printf("[cap -> *len]: ret %d len %zu\n", i, len);
	dump("  buf", cb, sizeof cb);

	memset(cb, '.', sizeof cb);
	i = ts_getname(cb, sizeof cb - 4);
	printf("[size -> cstr]: ret %d \"%s\"\n", i, cb);
	dump("  buf", cb, sizeof cb);
	errno = 0;
	i = ts_getname(cb, 8);
	printf("[size -> cstr] too small: ret %d errno %d\n", i, errno);
	memset(cb, '.', sizeof cb);
	errno = 0;
	i = ts_nonul(cb, 10);
	printf("[size -> cstr] without a NUL: ret %d errno %d\n", i, errno);
	dump("  buf", cb, sizeof cb);
	memset(cb, '.', sizeof cb);
	memcpy(cb, " a b  c d ", 11);
	len = ts_trim(cb, 20);
	printf("inout [n -> cstr]: ret %zu \"%s\"\n", len, cb);
	dump("  buf", cb, sizeof cb);
}

static void
strings(void)
{
	char *s = (char *)"untouched", *u;
	const char *c;
	double *d;
	int i, *t;

	i = ts_dupname(7, &s);
	printf("out alloc cstr: ret %d \"%s\"\n", i, s);
	free(s);
	i = ts_dupname(12, &s);
	printf("out alloc cstr: ret %d \"%s\"\n", i, s);
	free(s);

	i = ts_digits("a1b22c333", &t);
	printf("out alloc [retval]: ret %d:", i);
	while (i-- > 0)
		printf(" %d", t[5 - i]);
	printf("\n");
	free(t);

	u = ts_upper("Hello, miso 42!");
	printf("alloc cstr return: \"%s\"\n", u);
	free(u);

	for (i = 0; i < 4; i++) {
		c = ts_color(i);
		printf("cstr return %d: \"%s\"\n", i, c);
	}
	c = ts_label(31);
	printf("cstr return, static buffer: \"%s\"\n", c);
	c = ts_label(4096);
	printf("cstr return, static buffer: \"%s\"\n", c);

	t = ts_table(5);
	printf("[n] return: %d %d %d %d %d\n", t[0], t[1], t[2], t[3], t[4]);
	t = ts_table(3);
	dump("[n] return, 3 filled then 3 from before", t, 6 * sizeof *t);

	d = ts_series(4);
	printf("alloc [n] return: %a %a %a %a\n", d[0], d[1], d[2], d[3]);
	free(d);
}

static void
structs_and_floats(void)
{
	struct ts_rec rec;
	struct ts_pt pt = { 7, 2.5f }, pt2;
	struct ts_pair pr = { -12, 99.75 };
	int i;

	memset(&rec, 0xcc, sizeof rec);	/* padding too */
	i = ts_rec_make(9, &rec);
	printf("struct out: ret %d\n", i);
	print_rec("  rec", &rec);
	i = ts_rec_update(&rec, 5);
	printf("struct inout: ret %d\n", i);
	print_rec("  rec", &rec);

	pt2 = ts_pt_scale(pt, -1.5);
	printf("struct by value (8 bytes): %d %a\n", pt2.x, (double)pt2.y);
	pr = ts_pair_swap(pr);
	printf("struct by value (16 bytes): %ld %a\n", pr.a, pr.b);
	printf("two structs by value: %ld\n", ts_pt_dot(pt, pt2));

	printf("float, double, int, float -> double: %a\n",
	    ts_mix(1.5f, -2.25, 7, 0.1f));
	printf("float, float -> float: %a\n", (double)ts_fhalf(1.0f, 0.2f));
	printf("narrow returns: %d %u %d %u %d %d %llx\n", ts_s8(77),
	    ts_u8(200), ts_s16(-32768), ts_u16(10000), ts_even(-4),
	    ts_even(7), ts_u64(0x0123456789abcdefULL));
	printf("18 arguments: %a\n", ts_many(1, -2, -3, 'x', 5, 6L << 40,
	    -7, 8, 0.5, 1.5f, -2.5, 3.25f, 1e300, -1e-30f, 7.0, 8.0f, 9.0,
	    10.0f));
}

static void
callbacks(void)
{
	int a[6] = { 1, 2, 3, 4, 5, 6 }, s;
	int v[9] = { 9, -1, 4, 4, 100, 0, -50, 7, 3 };
	struct ts_pt p[5] = { { 1, 2.0f }, { 2, -1.0f }, { 3, 2.0f },
	    { 4, 0.5f }, { 0, 2.0f } };
	int i;

	s = ts_apply(a + 1, 4, triple);
	printf("function pointer: sum %d\n", s);
	dump("  array, guard each side", a, sizeof a);
	qsort(v, 9, sizeof v[0], cmp_int);
	dump("qsort ints", v, sizeof v);
	i = ts_sortsum(v, 9);
	printf("qsort inside an isolated function: %d\n", i);
	dump("  ints", v, sizeof v);
	qsort(p, 5, sizeof p[0], cmp_pt);
	printf("qsort structs:");
	for (i = 0; i < 5; i++)
		printf(" (%d %g)", p[i].x, (double)p[i].y);
	printf("\n");
}

/* The function writes to stdout between the caller's writes. */
static void
stdio(void)
{
	printf("stdio: before, ");
	ts_say("inside, ");
	printf("after\n");
	ts_say("a line from inside\n");
}

/*
 * Calls made other ways than through the PLT: a pointer taken by the
 * program, and dlsym.
 */
static void
indirect(void)
{
	int (*fp)(int, int *, long *) = ts_out;
	int (*dp)(int, int *);
	void *h;
	long r = 0;
	int q = 0, i;

	i = fp(200, &q, &r);
	printf("through a function pointer: ret %d q %d r %ld\n", i, q, r);
	if ((h = dlopen("libts.so", RTLD_NOW)) == NULL ||
	    (dp = (int (*)(int, int *))dlsym(h, "ts_square")) == NULL) {
		printf("dlopen/dlsym failed: %s\n", dlerror());
		return;
	}
	q = 0;
	i = dp(12, &q);
	printf("through dlsym: ret %d out %d\n", i, q);
	dlclose(h);
}

static void
errnos(void)
{
	int i;

	errno = 0;
	i = ts_seterrno(ENOENT);
	printf("errno set: ret %d errno %d\n", i, errno);
	errno = 77;
	i = ts_seterrno(0);
	printf("errno cleared by the function: ret %d errno %d\n", i, errno);
}

/* A function that succeeds without touching errno leaves it as it was. */
static void
errno_kept(void)
{
	int i;

	errno = EDOM;
	i = ts_keeperrno(41);
	printf("errno left alone by the function: ret %d errno %d\n", i,
	    errno);
	errno = EDOM;
	i = ts_crash(0);
	printf("no crash: ret %d errno %d\n", i, errno);
}

/* Prints how many children the process has, and how many are zombies. */
static void
children(const char *label)
{
	char path[64], state;
	FILE *f, *g;
	long pid;
	int n = 0, z = 0;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children",
	    (long)getpid(), (long)getpid());
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fscanf(f, "%ld", &pid) == 1) {
		n++;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((g = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(g, "%*d (%*[^)]) %c", &state) == 1 && state == 'Z')
			z++;
		fclose(g);
	}
	fclose(f);
	printf("%s: %d children, %d zombies\n", label, n, z);
}

static double elapsed_ms(const struct timespec *t0);

static void *
long_call(void *arg)
{
	*(int *)arg = ts_hang(3000);
	return NULL;
}

/*
 * One worker, busy for 3 s with another thread's call: a call made a
 * second later waits queue_timeout for it, then fails, not run; the
 * busy call is not killed for it.
 */
static void
queue(void)
{
	struct timespec second = { 1, 0 }, t0;
	pthread_t t;
	int busy = 0, r, e;

	if (pthread_create(&t, NULL, long_call, &busy) != 0)
		return;
	nanosleep(&second, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	r = ts_hang(1);
	e = errno;
	printf("queue: ret %d errno %d, %s 1.5 s\n", r, e,
	    elapsed_ms(&t0) < 1500 ? "under" : "over");
	pthread_join(t, NULL);
	printf("busy call: ret %d\n", busy);
	printf("after: ret %d\n", ts_hang(1));
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "common";
	struct timespec t0;
	char region[48];
	size_t len;
	double d;
	int i, r, e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(what, "common") == 0) {
		scalars_and_buffers();
		strings();
		structs_and_floats();
		callbacks();
		stdio();
		indirect();
		errnos();
	} else if (strcmp(what, "errno") == 0) {
		errno_kept();
	} else if (strcmp(what, "crash") == 0) {
		for (i = 1; i <= 4; i++) {
			errno = 0;
			r = ts_crash(i);
			e = errno;
			printf("crash %d: ret %d errno %d\n", i, r, e);
		}
		errno = 0;
		d = ts_dcrash(-1.0);
		e = errno;
		printf("crash in a double function: ret %a errno %d\n", d, e);
		printf("no crash: ret %d\n", ts_crash(0));
	} else if (strcmp(what, "crashes") == 0) {
		/* 50 crashes alike, one of another kind, 20 alike again. */
		for (i = 0; i < 71; i++)
			r = ts_crash(i == 50 ? 2 : 1);
	} else if (strcmp(what, "hang") == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		errno = 0;
		i = ts_hang(-1);
		printf("hang: ret %d errno %d, %s 2 s\n", i, errno,
		    elapsed_ms(&t0) < 2000 ? "under" : "over");
		printf("no hang: ret %d\n", ts_hang(1));
	} else if (strcmp(what, "hangabort") == 0) {
		printf("hang, on_timeout = abort: ret %d\n", ts_hang_abort(-1));
	} else if (strcmp(what, "exit") == 0) {
		errno = 0;
		i = ts_exit(3);
		printf("exit: ret %d errno %d\n", i, errno);
	} else if (strcmp(what, "stalelen") == 0) {
		/*
		 * The function fails and leaves *len as it was: 7, more than
		 * the capacity of 4.
		 */
		len = 7;
		errno = 0;
		i = ts_fmt(region, 4, &len, 1);
		e = errno;
		printf("[cap -> *len] too small: ret %d errno %d len %zu\n", i,
		    e, len);
	} else if (strcmp(what, "overflow") == 0) {
		/* Declared capacity 16; the function writes and claims 24. */
		memset(region, '.', sizeof region);
		errno = 0;
		i = ts_read(region + 8, 16, 24);
		printf("overflow: ret %d errno %d\n", i, errno);
		dump("  region", region, sizeof region);
	} else if (strcmp(what, "scribble") == 0) {
		memset(region, '.', sizeof region);
		i = ts_scribble(region + 8, 24, 5);
		printf("scribble: ret %d\n", i);
		dump("  region", region, sizeof region);
	} else if (strcmp(what, "raise") == 0) {
		printf("raise: ret %d\n", ts_crash_raise(1));
	} else if (strcmp(what, "exitraise") == 0) {
		printf("exit, on_crash = raise: ret %d\n", ts_exit_raise(5));
	} else if (strcmp(what, "abort") == 0) {
		printf("abort: ret %d\n", ts_crash_abort(1));
	} else if (strcmp(what, "queue") == 0) {
		queue();
	} else if (strcmp(what, "twoin") == 0) {
		/* Sizes whose sum does not fit: refused, never run. */
		errno = 0;
		r = ts_two_in("abc", "abd", (size_t)INT64_MAX);
		e = errno;
		printf("two_in, n = INT64_MAX: ret %d errno %d\n", r, e);
		printf("two_in, n = 3: ret %d\n", ts_two_in("abc", "abd", 3));
	} else if (strcmp(what, "hugecap") == 0) {
		/* A capacity too large to copy back: refused, never run. */
		memset(region, '.', sizeof region);
		errno = 0;
		ts_fill((unsigned char *)region, SIZE_MAX / 2, 1);
		e = errno;
		printf("fill, n = SIZE_MAX / 2: errno %d\n", e);
		ts_fill((unsigned char *)region, 4, 1);
		dump("  region", region, 8);
	} else if (strcmp(what, "killparent") == 0) {
		for (i = 1; i <= 2; i++) {
			errno = 0;
			r = ts_kill_parent(i);
			e = errno;
			printf("kill parent %d: ret %d errno %d\n", i, r, e);
			r = ts_square(i + 6, &e);
			printf("square %d: ret %d out %d\n", i + 6, r, e);
		}
		children("kill parent");
	} else {
		fprintf(stderr, "tsprog: unknown case '%s'\n", what);
		return 2;
	}
	printf("%s: done\n", what);
	return 0;
}
