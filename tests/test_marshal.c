/*
 * The shim's reply, end to end but without preloading: a configured
 * prototype, a real function of this program run in a child by miso_call,
 * and the checks and copies the caller side makes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "../shim/shim.h"

/* The functions "isolated" here. */
ssize_t t_fill(void *buf, size_t count, ssize_t claim);
int t_pair(int *a, long *b);
int t_name(char *out, size_t size);
int t_dup(char **out, const char *s);
char *t_static(int i);
char *t_fresh(int i);
double t_scale(double x, float k);

ssize_t
t_fill(void *buf, size_t count, ssize_t claim)
{
	memset(buf, 'x', count);
	errno = EAGAIN;
	return claim;
}

int
t_pair(int *a, long *b)
{
	*a += 1;
	*b = 77;
	return 5;
}

int
t_name(char *out, size_t size)
{
	snprintf(out, size, "name");
	return 0;
}

int
t_dup(char **out, const char *s)
{
	*out = strdup(s);
	return 0;
}

static char table[2][8] = { "zero", "one" };

char *
t_static(int i)
{
	if (i == 1)
		strcpy(table[1], "ONE");  /* changed in the child only */
	return table[i];
}

char *
t_fresh(int i)
{
	char *p = malloc(16);

	snprintf(p, 16, "fresh-%d", i);
	return p;
}

double
t_scale(double x, float k)
{
	return x * k;
}

static const char conf_text[] =
    "ssize_t t_fill(out void *buf[count -> retval], size_t count, ssize_t claim);\n"
    "int t_pair(inout int *a, out long *b);\n"
    "int t_name(out char *out[size -> cstr], size_t size);\n"
    "int t_dup(out alloc cstr char **out, const char *s);\n"
    "cstr char *t_static(int i);\n"
    "alloc cstr char *t_fresh(int i);\n"
    "double t_scale(double x, float k);\n";

static struct miso_conf *conf;

struct job {
	struct miso__fn *f;
	void *real;
	void **args;
	struct miso__plan *plan;
};

static void
child(void *ctx, struct miso_writer *w)
{
	struct job *j = ctx;

	miso__child_run(j->f, j->real, j->args, j->plan, w);
}

/* Runs name(args) isolated; returns what miso__commit returned. */
static int
isolated(const char *name, void *real, void **args, void *ret, int *err)
{
	struct miso__fn f;
	struct miso__plan plan;
	struct miso_result res;
	struct job j = { &f, real, args, &plan };
	char why[128];
	int r;

	memset(&f, 0, sizeof f);
	f.cf = miso__conf_lookup(conf, name);
	assert_non_null(f.cf);
	assert_int_equal(miso__ffi_prepare(&f, why, sizeof why), 0);
	assert_int_equal(miso__plan_call(&f, args, &plan), 0);
	assert_int_equal(miso_call(child, &j, NULL, &res), 0);
	r = miso__commit(&f, args, &plan, res.data, res.len, ret, err);
	miso_result_free(&res);
	free(f.atypes);
	return r;
}

static void
test_marshal_fill_copies_only_filled_part(void **state)
{
	unsigned char buf[16];
	void *p = buf;
	size_t count = 16;
	ssize_t claim = 5;
	void *args[] = { &p, &count, &claim };
	ffi_sarg ret = 0;
	int err = 0;

	(void)state;
	memset(buf, '.', sizeof buf);
	assert_int_equal(isolated("t_fill", (void *)t_fill, args, &ret, &err),
	    0);
	assert_int_equal(ret, 5);
	assert_int_equal(err, EAGAIN);
	assert_memory_equal(buf, "xxxxx...........", 16);
}

static void
test_marshal_overfill_is_refused_and_writes_nothing(void **state)
{
	unsigned char buf[16];
	void *p = buf;
	size_t count = 8;
	ssize_t claim = 9;
	void *args[] = { &p, &count, &claim };
	ffi_sarg ret = 1234;
	int err = 0;

	(void)state;
	memset(buf, '.', sizeof buf);
	assert_int_equal(isolated("t_fill", (void *)t_fill, args, &ret, &err),
	    -EOVERFLOW);
	assert_int_equal(ret, 1234);
	assert_memory_equal(buf, "................", 16);
	claim = -1;  /* an error return: nothing filled */
	assert_int_equal(isolated("t_fill", (void *)t_fill, args, &ret, &err),
	    0);
	assert_int_equal(ret, -1);
	assert_memory_equal(buf, "................", 16);
}

static void
test_marshal_inout_and_out(void **state)
{
	int a = 41;
	long b = 0;
	int *pa = &a;
	long *pb = &b;
	void *args[] = { &pa, &pb };
	ffi_sarg ret = 0;
	int err;

	(void)state;
	assert_int_equal(isolated("t_pair", (void *)t_pair, args, &ret, &err),
	    0);
	assert_int_equal(a, 42);
	assert_int_equal(b, 77);
	assert_int_equal(ret, 5);
}

static void
test_marshal_cstr_and_alloc(void **state)
{
	char name[16], *out = NULL, *pn = name, **po = &out;
	const char *s = "copied";
	size_t size = sizeof name;
	void *a1[] = { &pn, &size }, *a2[] = { &po, &s };
	ffi_sarg ret;
	int err;

	(void)state;
	memset(name, '#', sizeof name);
	assert_int_equal(isolated("t_name", (void *)t_name, a1, &ret, &err), 0);
	assert_memory_equal(name, "name\0###########", 16);
	assert_int_equal(isolated("t_dup", (void *)t_dup, a2, &ret, &err), 0);
	assert_non_null(out);
	assert_string_equal(out, "copied");
	free(out);
}

static void
test_marshal_returned_strings(void **state)
{
	int i = 0;
	void *args[] = { &i };
	char *ret = NULL;
	int err;

	(void)state;
	assert_int_equal(isolated("t_static", (void *)t_static, args, &ret,
	    &err), 0);
	assert_ptr_equal(ret, table[0]);
	i = 1;
	assert_int_equal(isolated("t_static", (void *)t_static, args, &ret,
	    &err), 0);
	assert_string_equal(table[1], "ONE");  /* copied back in place */
	assert_int_equal(isolated("t_fresh", (void *)t_fresh, args, &ret,
	    &err), 0);
	assert_string_equal(ret, "fresh-1");
	free(ret);
}

static void
test_marshal_child_only_memory_is_efault(void **state)
{
	struct miso__fn f;
	int i = 3;
	void *args[] = { &i };
	char *ret = NULL;
	int err;

	(void)state;
	/* t_fresh's string exists only in the child: as 'cstr' it has no
	 * place in the caller to go back to. */
	memset(&f, 0, sizeof f);
	assert_int_equal(isolated("t_static", (void *)t_fresh, args, &ret,
	    &err), -EFAULT);
	assert_null(ret);
}

static void
test_marshal_floating_point(void **state)
{
	double x = 1.5, ret = 0;
	float k = 4.0f;
	void *args[] = { &x, &k };
	int err;

	(void)state;
	assert_int_equal(isolated("t_scale", (void *)t_scale, args, &ret,
	    &err), 0);
	assert_true(ret == 6.0);
}

static void
test_marshal_bad_replies_are_refused(void **state)
{
	struct miso__fn f;
	struct miso__plan plan;
	unsigned char reply[64];
	unsigned char buf[16];
	void *p = buf;
	size_t count = 16;
	ssize_t claim = 4;
	void *args[] = { &p, &count, &claim };
	uint64_t len;
	ffi_sarg ret = 9;
	char why[64];
	int err, size;

	(void)state;
	memset(&f, 0, sizeof f);
	f.cf = miso__conf_lookup(conf, "t_fill");
	assert_int_equal(miso__ffi_prepare(&f, why, sizeof why), 0);
	assert_int_equal(miso__plan_call(&f, args, &plan), 0);
	memset(reply, 0, sizeof reply);
	memset(buf, '.', sizeof buf);
	/* Too short for the return value and errno. */
	assert_int_equal(miso__commit(&f, args, &plan, reply, 4, &ret, &err),
	    MISO_EBADREPLY);
	/* A region longer than the buffer the caller has. */
	len = 17;
	memcpy(reply + 12, &len, 8);
	size = 12 + 8 + 17;
	assert_int_equal(miso__commit(&f, args, &plan, reply, (size_t)size,
	    &ret, &err), MISO_EBADREPLY);
	/* A region that claims more bytes than were sent. */
	len = 8;
	memcpy(reply + 12, &len, 8);
	assert_int_equal(miso__commit(&f, args, &plan, reply, 12 + 8 + 4,
	    &ret, &err), MISO_EBADREPLY);
	/* Trailing garbage. */
	len = 2;
	memcpy(reply + 12, &len, 8);
	assert_int_equal(miso__commit(&f, args, &plan, reply, 12 + 8 + 3,
	    &ret, &err), MISO_EBADREPLY);
	assert_int_equal(ret, 9);
	assert_memory_equal(buf, "................", 16);
	free(f.atypes);
}

/*
 * A child that dies at any byte of its reply: every prefix of a valid
 * reply is refused, and the caller's memory is as it was.
 */
static void
test_marshal_truncated_replies_write_nothing(void **state)
{
	struct miso__fn f;
	struct miso__plan plan;
	struct miso_result res;
	char name[16], want[16], *pn = name;
	size_t size = sizeof name, cut;
	void *args[] = { &pn, &size };
	struct job j = { &f, (void *)t_name, args, &plan };
	ffi_sarg ret = 7;
	char why[64];
	int err;

	(void)state;
	memset(&f, 0, sizeof f);
	f.cf = miso__conf_lookup(conf, "t_name");
	assert_int_equal(miso__ffi_prepare(&f, why, sizeof why), 0);
	assert_int_equal(miso__plan_call(&f, args, &plan), 0);
	assert_int_equal(miso_call(child, &j, NULL, &res), 0);
	memset(name, '#', sizeof name);
	memcpy(want, name, sizeof want);
	for (cut = 0; cut < res.len; cut++) {
		assert_int_not_equal(miso__commit(&f, args, &plan, res.data,
		    cut, &ret, &err), 0);
		assert_memory_equal(name, want, sizeof name);
		assert_int_equal(ret, 7);
	}
	assert_int_equal(miso__commit(&f, args, &plan, res.data, res.len, &ret,
	    &err), 0);
	assert_string_equal(name, "name");
	miso_result_free(&res);
	free(f.atypes);
}

static int
setup(void **state)
{
	struct miso__conf_diag diag;
	int r;

	(void)state;
	r = miso__conf_parse("test.conf", conf_text, sizeof conf_text - 1,
	    &conf, &diag);
	if (r != 0)
		fprintf(stderr, "%s", diag.text);
	miso__conf_diag_free(&diag);
	return r;
}

static int
teardown(void **state)
{
	(void)state;
	miso__conf_free(conf);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marshal_fill_copies_only_filled_part),
		cmocka_unit_test(test_marshal_overfill_is_refused_and_writes_nothing),
		cmocka_unit_test(test_marshal_inout_and_out),
		cmocka_unit_test(test_marshal_cstr_and_alloc),
		cmocka_unit_test(test_marshal_returned_strings),
		cmocka_unit_test(test_marshal_child_only_memory_is_efault),
		cmocka_unit_test(test_marshal_floating_point),
		cmocka_unit_test(test_marshal_bad_replies_are_refused),
		cmocka_unit_test(test_marshal_truncated_replies_write_nothing),
	};

	return cmocka_run_group_tests_name("marshal", tests, setup, teardown);
}
