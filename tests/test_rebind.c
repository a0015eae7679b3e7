/*
 * Unit tests of shim/rebind.c and shim/dl.c, linked into this program:
 * the program is then "libmiso.so" (never patched), and libtf.so and
 * libmid.so (tests/rebind) are the objects rebound.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../shim/rebind.h"

typedef long fn(long, long);

long	tfunc_add(long, long);
long	tfunc_twice(long);

int	__real_mprotect(void *, size_t, int);
int	__wrap_mprotect(void *, size_t, int);

static atomic_int mprotect_fails;
static atomic_long calls;

static long add_hook(long, long);
static long mul_hook(long, long);

static struct miso__hook hooks[] = {
	{ .name = "tfunc_add", .entry = (void *)add_hook },
	{ .name = "tfunc_mul", .library = "libtf.so", .entry = (void *)mul_hook },
	{ .name = "no_such_function", .entry = (void *)add_hook },
};

int
__wrap_mprotect(void *addr, size_t len, int prot)
{
	if (atomic_load(&mprotect_fails)) {
		errno = EPERM;
		return -1;
	}
	return __real_mprotect(addr, len, prot);
}

static long
add_hook(long a, long b)
{
	fn *real = (fn *)atomic_load(&hooks[0].real);

	atomic_fetch_add(&calls, 1);
	return real(a, b) + 1000;
}

static long
mul_hook(long a, long b)
{
	fn *real = (fn *)atomic_load(&hooks[1].real);

	atomic_fetch_add(&calls, 1);
	return real(a, b) + 1000;
}

static int
setup(void **state)
{
	return miso__rebind_init(hooks, sizeof(hooks) / sizeof(hooks[0]));
}

static void
test_rebind_init_twice_is_busy(void **state)
{
	assert_int_equal(miso__rebind_init(hooks, 1), -EBUSY);
}

static void
test_rebind_reals_resolved(void **state)
{
	void *h = miso__real_dlopen("libtf.so", RTLD_LAZY | RTLD_NOLOAD);

	assert_non_null(h);
	assert_ptr_equal(atomic_load(&hooks[0].real),
	    miso__real_dlsym(h, "tfunc_add"));
	assert_ptr_equal(atomic_load(&hooks[1].real),
	    miso__real_dlsym(h, "tfunc_mul"));
	assert_null(atomic_load(&hooks[2].real));
	dlclose(h);
}

static void
test_rebind_self_is_not_patched(void **state)
{
	long before = atomic_load(&calls);

	assert_int_equal(tfunc_add(2, 3), 5);
	assert_int_equal(atomic_load(&calls), before);
}

static void
test_rebind_library_internal_call_is_hooked(void **state)
{
	long before = atomic_load(&calls);

	assert_int_equal(tfunc_twice(4), 1008);
	assert_int_equal(atomic_load(&calls), before + 1);
}

static void
test_rebind_scan_is_idempotent(void **state)
{
	long before = atomic_load(&calls);

	assert_int_equal(miso__rebind_scan(), 0);
	assert_int_equal(miso__rebind_scan(), 0);
	assert_int_equal(tfunc_twice(4), 1008);
	assert_int_equal(atomic_load(&calls), before + 1);
}

static void
test_dlsym_default_returns_entry(void **state)
{
	void *real = miso__real_dlvsym(RTLD_DEFAULT, "tfunc_add", "ANY");

	/*
	 * Whether glibc accepts an unversioned definition for a versioned
	 * lookup depends on the object having a DT_VERSYM at all: only the
	 * mapping to the entry is ours.
	 */
	assert_ptr_equal(dlvsym(RTLD_DEFAULT, "tfunc_add", "ANY"),
	    real == NULL ? NULL : (void *)add_hook);
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "tfunc_add"), (void *)add_hook);
}

static void
test_dlsym_next_is_real(void **state)
{
	assert_ptr_equal(dlsym(RTLD_NEXT, "tfunc_add"),
	    atomic_load(&hooks[0].real));
}

static void
test_dlsym_unhooked_name_passes_through(void **state)
{
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "tfunc_sub"),
	    miso__real_dlsym(RTLD_DEFAULT, "tfunc_sub"));
	assert_null(dlsym(RTLD_DEFAULT, "no_such_symbol_at_all"));
	assert_non_null(dlerror());
}

/* libmid.so is found only through this program's RUNPATH. */
static void
test_dlopen_rebinds_before_returning(void **state)
{
	void *h = dlopen("libmid.so", RTLD_NOW | RTLD_LOCAL);
	fn *call, *next;

	assert_non_null(h);
	call = (fn *)dlsym(h, "mid_call");
	next = (fn *)dlsym(h, "mid_next");
	assert_int_equal(call(2, 3), 1005);
	assert_int_equal(next(2, 3), 5);
	assert_ptr_equal(dlopen("libmid.so", RTLD_NOW | RTLD_LOCAL), h);
	assert_int_equal(call(2, 3), 1005);
	dlclose(h);
	dlclose(h);
}

static void
test_dlopen_missing_fails(void **state)
{
	assert_null(dlopen("libno-such-library.so", RTLD_NOW));
	assert_non_null(dlerror());
}

/* A full-RELRO object whose slot cannot be made writable. */
static void
test_rebind_scan_reports_mprotect_failure(void **state)
{
	void *h = miso__real_dlopen("libmid.so", RTLD_NOW | RTLD_LOCAL);
	fn *call;

	assert_non_null(h);
	call = (fn *)miso__real_dlsym(h, "mid_call");
	assert_int_equal(call(2, 3), 5);
	atomic_store(&mprotect_fails, 1);
	assert_int_equal(miso__rebind_scan(), -EPERM);
	atomic_store(&mprotect_fails, 0);
	assert_int_equal(call(2, 3), 5);
	dlclose(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebind_init_twice_is_busy),
		cmocka_unit_test(test_rebind_reals_resolved),
		cmocka_unit_test(test_rebind_self_is_not_patched),
		cmocka_unit_test(test_rebind_library_internal_call_is_hooked),
		cmocka_unit_test(test_rebind_scan_is_idempotent),
		cmocka_unit_test(test_dlsym_default_returns_entry),
		cmocka_unit_test(test_dlsym_next_is_real),
		cmocka_unit_test(test_dlsym_unhooked_name_passes_through),
		cmocka_unit_test(test_dlopen_rebinds_before_returning),
		cmocka_unit_test(test_dlopen_missing_fails),
		cmocka_unit_test(test_rebind_scan_reports_mprotect_failure),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
