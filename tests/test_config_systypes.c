/*
 * The generated table of system structs, checked against sizeof and
 * _Alignof as this file sees them, compiled with the real headers; and
 * the scalars, through the parser.
 */
#define _GNU_SOURCE 1
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <wchar.h>

#include <cmocka.h>

#include "config.h"

static void
check(const char *decl, size_t size, size_t align)
{
	char text[256];
	struct miso_conf *c;
	const struct miso__conf_type *t;

	snprintf(text, sizeof(text), "int f(out %s *p);", decl);
	if (miso__conf_parse("t.conf", text, strlen(text), &c, NULL) != 0)
		fail_msg("%s is not known", decl);
	t = c->funcs[0].params[0].type->pointee;
	if (t->size != size || t->align != align)
		fail_msg("%s: %zu/%zu, want %zu/%zu", decl, t->size, t->align,
		    size, align);
	miso__conf_free(c);
}

#define CHECK(t)	check(#t, sizeof(t), _Alignof(t))

static void
test_systypes_match_headers(void **state)
{
	CHECK(struct stat);
	CHECK(struct statx);
	CHECK(struct statvfs);
	CHECK(struct utsname);
	CHECK(struct timespec);
	CHECK(struct timeval);
	CHECK(struct tm);
	CHECK(struct rusage);
	CHECK(struct rlimit);
	CHECK(struct sockaddr);
	CHECK(struct sockaddr_storage);
	CHECK(struct sockaddr_in);
	CHECK(struct sockaddr_in6);
	CHECK(struct iovec);
	CHECK(struct pollfd);
	CHECK(struct epoll_event);
	CHECK(struct sigaction);
	CHECK(struct termios);
	CHECK(struct dirent);
	CHECK(struct passwd);
	CHECK(mbstate_t);
	CHECK(sigset_t);
	CHECK(fd_set);
	CHECK(jmp_buf);
}

static void
test_scalars_match_compiler(void **state)
{
	CHECK(char);
	CHECK(short);
	CHECK(int);
	CHECK(long);
	CHECK(long long);
	CHECK(unsigned long long);
	CHECK(_Bool);
	CHECK(float);
	CHECK(double);
	CHECK(size_t);
	CHECK(ssize_t);
	CHECK(off_t);
	CHECK(pid_t);
	CHECK(uid_t);
	CHECK(mode_t);
	CHECK(time_t);
	CHECK(intptr_t);
	CHECK(socklen_t);
	CHECK(wchar_t);
	CHECK(wint_t);
	CHECK(uint16_t);
	CHECK(int64_t);
}

static void
test_systypes_are_opaque_layouts(void **state)
{
	const char *text = "int f(out struct stat *st);";
	struct miso_conf *c;
	const struct miso__conf_type *t;

	assert_int_equal(miso__conf_parse("t.conf", text, strlen(text), &c,
	    NULL), 0);
	t = c->funcs[0].params[0].type->pointee;
	assert_int_equal(t->kind, MISO__K_STRUCT);
	assert_true(t->opaque_layout);
	assert_int_equal(t->nfields, 0);
	assert_string_equal(t->name, "struct stat");
	miso__conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systypes_match_headers),
		cmocka_unit_test(test_scalars_match_compiler),
		cmocka_unit_test(test_systypes_are_opaque_layouts),
	};

	return cmocka_run_group_tests_name("config_systypes", tests, NULL,
	    NULL);
}
