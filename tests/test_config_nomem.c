/*
 * Out of memory at every allocation in turn: parsing, formatting and
 * loading fail with -ENOMEM (or NULL) and leak nothing.  malloc, calloc
 * and realloc are wrapped at link time (-Wl,--wrap).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);

static long countdown = -1;	/* allocations left; -1: never fail */

static int
fails(void)
{
	if (countdown < 0)
		return 0;
	return countdown-- == 0;
}

void *
__wrap_malloc(size_t n)
{
	return fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return fails() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fails() ? NULL : __real_realloc(p, n);
}

static const char text[] =
    "struct point { int x; int y; double w; };\n"
    "typedef struct point point_t;\n"
    "[defaults]\ntimeout = 5s\n"
    "[library libz.so.1]\n"
    "int compress2(out unsigned char *dest[*destLen -> *destLen], "
    "inout unsigned long *destLen, const unsigned char *source, "
    "unsigned long sourceLen, int level);\n    fail = -4\n"
    "void qsort(inout void *base[nmemb * size], size_t nmemb, size_t size, "
    "int (*compar)(const void *, const void *));\n"
    "int centroid(const point_t *pts[n], size_t n, out point_t *c);\n";

static const char bad[] = "int f(char *p);\nchar *g(void);\n";

static void
test_nomem_parse_fails_cleanly(void **state)
{
	struct miso_conf *c;
	struct miso__conf_diag d;
	long i;
	int rc;

	for (i = 0;; i++) {
		countdown = i;
		rc = miso__conf_parse("t.conf", text, strlen(text), &c, &d);
		countdown = -1;
		miso__conf_diag_free(&d);
		if (rc == 0)
			break;
		assert_int_equal(rc, -ENOMEM);
		assert_null(c);
	}
	assert_true(i > 0);
	miso__conf_free(c);
	for (i = 0; i < 20; i++) {
		countdown = i;
		rc = miso__conf_parse("t.conf", bad, strlen(bad), &c, &d);
		countdown = -1;
		assert_true(rc == -EINVAL || rc == -ENOMEM);
		miso__conf_diag_free(&d);
	}
}

static void
test_nomem_format_returns_null(void **state)
{
	struct miso_conf *c;
	char *s;
	long i;

	assert_int_equal(miso__conf_parse("t.conf", text, strlen(text), &c,
	    NULL), 0);
	for (i = 0;; i++) {
		countdown = i;
		s = miso__conf_format(c);
		countdown = -1;
		if (s != NULL)
			break;
	}
	assert_true(i > 0);
	free(s);
	miso__conf_free(c);
}

static void
test_nomem_load(void **state)
{
	char path[] = "/tmp/miso-nomem-XXXXXX";
	struct miso_conf *c;
	struct miso__conf_diag d;
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	countdown = 0;
	rc = miso__conf_load(path, &c, &d);
	countdown = -1;
	assert_int_equal(rc, -ENOMEM);
	assert_non_null(strstr(d.text, "cannot read"));
	miso__conf_diag_free(&d);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nomem_parse_fails_cleanly),
		cmocka_unit_test(test_nomem_format_returns_null),
		cmocka_unit_test(test_nomem_load),
	};

	return cmocka_run_group_tests_name("config_nomem", tests, NULL, NULL);
}
