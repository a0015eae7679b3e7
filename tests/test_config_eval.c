/*
 * Size expressions evaluated on real argument arrays, as the shim builds
 * them for libffi: args[i] points at argument i.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "config.h"

static struct miso_conf *
parse(const char *text)
{
	struct miso_conf *c;

	assert_int_equal(miso__conf_parse("t.conf", text, strlen(text), &c,
	    NULL), 0);
	return c;
}

static void
test_eval_compress2_before_and_after(void **state)
{
	struct miso_conf *c = parse("int compress2(out unsigned char "
	    "*dest[*destLen -> *destLen], inout unsigned long *destLen, "
	    "const unsigned char *source, unsigned long sourceLen, "
	    "int level);");
	const struct miso__conf_func *fn = &c->funcs[0];
	unsigned char dest[100], *destp = dest;
	unsigned long len = sizeof(dest), *lenp = &len;
	const unsigned char *src = (const unsigned char *)"x";
	unsigned long srclen = 1;
	int level = 9, ret = 0;
	void *args[] = { &destp, &lenp, &src, &srclen, &level };
	struct miso_eval_env env = { fn, args, NULL, 0 };
	size_t cap, filled;
	int64_t v;

	assert_int_equal(miso__param_capacity(fn, 0, &env, &cap), 0);
	assert_int_equal(cap, 100);
	assert_int_equal(miso__param_capacity(fn, 1, &env, &cap), 0);
	assert_int_equal(cap, sizeof(unsigned long));
	len = 42;	/* what compress2 does */
	env.after = 1;
	env.retval = &ret;
	assert_int_equal(miso__param_filled(fn, 0, &env, 100, &filled), 0);
	assert_int_equal(filled, 42);
	assert_int_equal(miso__expr_eval(fn->params[0].fill, &env, &v), 0);
	assert_int_equal(v, 42);
	len = 1000;	/* a lie: never past the capacity */
	assert_int_equal(miso__param_filled(fn, 0, &env, 100, &filled), 0);
	assert_int_equal(filled, 100);
	miso__conf_free(c);
}

static void
test_eval_read_retval(void **state)
{
	struct miso_conf *c = parse("ssize_t read(int fd, out void "
	    "*buf[count -> retval], size_t count);");
	const struct miso__conf_func *fn = &c->funcs[0];
	char buf[64], *bufp = buf;
	int fd = 0;
	size_t count = sizeof(buf), cap, filled;
	ssize_t ret = -1;
	void *args[] = { &fd, &bufp, &count };
	struct miso_eval_env env = { fn, args, NULL, 0 };
	int64_t v;

	assert_int_equal(miso__param_capacity(fn, 1, &env, &cap), 0);
	assert_int_equal(cap, 64);
	assert_int_equal(miso__expr_eval(fn->params[1].fill, &env, &v),
	    -EINVAL);	/* retval before the call */
	env.after = 1;
	env.retval = &ret;
	assert_int_equal(miso__expr_eval(fn->params[1].fill, &env, &v),
	    -ERANGE);
	assert_int_equal(miso__param_filled(fn, 1, &env, cap, &filled), 0);
	assert_int_equal(filled, 0);	/* -1: nothing was read */
	ret = 10;
	assert_int_equal(miso__param_filled(fn, 1, &env, cap, &filled), 0);
	assert_int_equal(filled, 10);
	miso__conf_free(c);
}

static void
test_eval_deref_widths_and_signs(void **state)
{
	struct miso_conf *c = parse("int f(out char *a[*s + 10], "
	    "inout short *s, out char *b[*u], inout unsigned char *u, "
	    "out char *d[*q], inout uint64_t *q, out char *e[*i8 + 0], "
	    "inout int8_t *i8);");
	const struct miso__conf_func *fn = &c->funcs[0];
	char buf[8], *bp = buf;
	short s = -3, *sp = &s;
	unsigned char u = 255, *up = &u;
	uint64_t q = UINT64_MAX, *qp = &q;
	int8_t i8 = -1, *i8p = &i8;
	void *args[] = { &bp, &sp, &bp, &up, &bp, &qp, &bp, &i8p };
	struct miso_eval_env env = { fn, args, NULL, 0 };
	int64_t v;

	assert_int_equal(miso__expr_eval(fn->params[0].cap, &env, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(miso__expr_eval(fn->params[2].cap, &env, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(miso__expr_eval(fn->params[4].cap, &env, &v),
	    -EOVERFLOW);
	assert_int_equal(miso__expr_eval(fn->params[6].cap, &env, &v),
	    -ERANGE);
	s = -20;
	assert_int_equal(miso__expr_eval(fn->params[0].cap, &env, &v),
	    -ERANGE);
	sp = NULL;
	assert_int_equal(miso__expr_eval(fn->params[0].cap, &env, &v),
	    -EFAULT);
	miso__conf_free(c);
}

static void
test_eval_overflow(void **state)
{
	struct miso_conf *c = parse("int f(out int *b[n * m], size_t n, "
	    "size_t m, out char *d[n - m]);");
	const struct miso__conf_func *fn = &c->funcs[0];
	int *bp = NULL;
	char *dp = NULL;
	size_t n = (size_t)1 << 40, m = (size_t)1 << 30, bytes;
	void *args[] = { &bp, &n, &m, &dp };
	struct miso_eval_env env = { fn, args, NULL, 0 };
	int64_t v;

	assert_int_equal(miso__expr_eval(fn->params[0].cap, &env, &v),
	    -EOVERFLOW);
	m = (size_t)1 << 21;
	assert_int_equal(miso__expr_eval(fn->params[0].cap, &env, &v), 0);
	assert_int_equal(v, INT64_C(1) << 61);
	/* Elements of 4 bytes: 2^63 bytes do not fit. */
	assert_int_equal(miso__param_capacity(fn, 0, &env, &bytes),
	    -EOVERFLOW);
	m = 1;
	assert_int_equal(miso__param_capacity(fn, 0, &env, &bytes), 0);
	assert_int_equal(bytes, n * 4);
	n = 1;
	m = 2;
	assert_int_equal(miso__param_capacity(fn, 3, &env, &bytes), -ERANGE);
	miso__conf_free(c);
}

static void
test_eval_cstr_fill(void **state)
{
	struct miso_conf *c = parse("opaque char *getcwd(out char "
	    "*buf[size -> cstr], size_t size);");
	const struct miso__conf_func *fn = &c->funcs[0];
	char buf[10] = "abc", *bp = buf;
	size_t size = sizeof(buf), filled;
	void *args[] = { &bp, &size };
	struct miso_eval_env env = { fn, args, NULL, 1 };

	assert_int_equal(miso__param_filled(fn, 0, &env, 10, &filled), 0);
	assert_int_equal(filled, 4);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(miso__param_filled(fn, 0, &env, 10, &filled), 0);
	assert_int_equal(filled, 10);
	bp = NULL;
	assert_int_equal(miso__param_filled(fn, 0, &env, 10, &filled),
	    -EFAULT);
	miso__conf_free(c);
}

static void
test_eval_sizeof_alloc_and_whole(void **state)
{
	struct miso_conf *c = parse(
	    "struct point { int x; int y; double w; };\n"
	    "int f(inout void *b[n * sizeof(struct point)], size_t n, "
	    "out alloc struct point **pts[retval], out alloc cstr char **s, "
	    "inout struct point *one);");
	const struct miso__conf_func *fn = &c->funcs[0];
	void *b = NULL;
	size_t n = 3, bytes;
	void *pts = NULL, *s = NULL, *one = NULL;
	int ret = 5;
	void *args[] = { &b, &n, &pts, &s, &one };
	struct miso_eval_env env = { fn, args, NULL, 0 };

	assert_int_equal(miso__param_capacity(fn, 0, &env, &bytes), 0);
	assert_int_equal(bytes, 48);
	assert_int_equal(miso__param_filled(fn, 0, &env, 48, &bytes), 0);
	assert_int_equal(bytes, 48);	/* no '->': all of it */
	assert_int_equal(miso__param_capacity(fn, 2, &env, &bytes), -EINVAL);
	env.after = 1;
	env.retval = &ret;
	assert_int_equal(miso__param_capacity(fn, 2, &env, &bytes), 0);
	assert_int_equal(bytes, 5 * 16);
	assert_int_equal(miso__param_capacity(fn, 3, &env, &bytes), -EINVAL);
	assert_int_equal(miso__param_capacity(fn, 4, &env, &bytes), 0);
	assert_int_equal(bytes, 16);
	assert_int_equal(miso__param_capacity(fn, 1, &env, &bytes), -EINVAL);
	assert_int_equal(miso__param_capacity(fn, 9, &env, &bytes), -EINVAL);
	miso__conf_free(c);
}

static void
test_eval_return_buffer(void **state)
{
	struct miso_conf *c = parse("alloc int *f(size_t n)[n + 1];");
	const struct miso__conf_func *fn = &c->funcs[0];
	size_t n = 7;
	void *args[] = { &n };
	struct miso_eval_env env = { fn, args, NULL, 1 };
	int64_t v;

	assert_int_equal(miso__expr_eval(fn->ret_size, &env, &v), 0);
	assert_int_equal(v, 8);
	miso__conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_compress2_before_and_after),
		cmocka_unit_test(test_eval_read_retval),
		cmocka_unit_test(test_eval_deref_widths_and_signs),
		cmocka_unit_test(test_eval_overflow),
		cmocka_unit_test(test_eval_cstr_fill),
		cmocka_unit_test(test_eval_sizeof_alloc_and_whole),
		cmocka_unit_test(test_eval_return_buffer),
	};

	return cmocka_run_group_tests_name("config_eval", tests, NULL, NULL);
}
