/*
 * Calls every entry of packs/libc.conf that is not refused and prints
 * what each gives back (return values, errno, the out-parameters' fields
 * that do not change from one run to the next): the output must be the
 * same with the pack isolated and without.  Its argument is a directory
 * that holds a file "f" of a few hundred bytes and a symbolic link "l" to
 * it (tests/packs/packs.sh makes them).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void
show(const char *name, long long r)
{
	printf("%s = %lld errno=%d\n", name, r, r < 0 ? errno : 0);
	errno = 0;
}

static void
strings(void)
{
	static const char *w[] = { "Äpfel", "apfel", "Zebra", "zebra", "a-b",
	    "ab", "file10", "file9", "" };
	char buf[64], tiny[4];
	struct tm tm;
	time_t t = 1700000000;
	size_t i, j, n;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		for (j = 0; j < sizeof(w) / sizeof(w[0]); j++) {
			printf("strcoll(%s,%s) %d\n", w[i], w[j],
			    strcoll(w[i], w[j]) > 0 ? 1 : strcoll(w[i],
			    w[j]) < 0 ? -1 : 0);
			printf("strcasecmp %d strncasecmp %d strverscmp %d\n",
			    strcasecmp(w[i], w[j]) > 0,
			    strncasecmp(w[i], w[j], 2) > 0,
			    strverscmp(w[i], w[j]) > 0);
		}
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		n = strxfrm(buf, w[i], sizeof(buf));
		printf("strxfrm(%s) %zu:", w[i], n);
		for (j = 0; j <= n && j < sizeof(buf); j++)
			printf(" %02x", (unsigned char)buf[j]);
		printf("\n");
		printf("strxfrm(NULL, %s, 0) %zu\n", w[i],
		    strxfrm(NULL, w[i], 0));
		memset(tiny, 'x', sizeof(tiny));
		n = strxfrm(tiny, w[i], sizeof(tiny));
		printf("strxfrm(tiny) %zu\n", n);
	}
	gmtime_r(&t, &tm);
	memset(buf, 0, sizeof(buf));
	n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %a %b %j", &tm);
	printf("strftime %zu [%s]\n", n, buf);
	n = strftime(tiny, sizeof(tiny), "%Y-%m-%d", &tm);
	printf("strftime tiny %zu\n", n);
	show("fnmatch *.c", fnmatch("*.c", "main.c", 0));
	show("fnmatch [a-c]?", fnmatch("[a-c]?", "dz", 0));
	show("fnmatch path", fnmatch("a/*", "a/b/c", FNM_PATHNAME));
}

static void
regex(void)
{
	regmatch_t m[4];
	regex_t re;
	int r;

	if (regcomp(&re, "([a-z]+)-([0-9]+)", REG_EXTENDED) != 0)
		exit(2);
	memset(m, 0xff, sizeof(m));
	r = regexec(&re, "xx abc-123 yy", 4, m, 0);
	printf("regexec %d: %d-%d %d-%d %d-%d %d-%d\n", r, (int)m[0].rm_so,
	    (int)m[0].rm_eo, (int)m[1].rm_so, (int)m[1].rm_eo,
	    (int)m[2].rm_so, (int)m[2].rm_eo, (int)m[3].rm_so,
	    (int)m[3].rm_eo);
	printf("regexec no match %d\n", regexec(&re, "nothing", 4, m, 0));
	regfree(&re);
}

static void
show_stat(const char *name, int r, const struct stat *st)
{
	printf("%s = %d errno=%d ino=%llu mode=%o nlink=%lu size=%lld\n",
	    name, r, r < 0 ? errno : 0, (unsigned long long)st->st_ino,
	    (unsigned)st->st_mode, (unsigned long)st->st_nlink,
	    (long long)st->st_size);
	errno = 0;
}

static void
files(const char *dir)
{
	char f[PATH_MAX], l[PATH_MAX], buf[PATH_MAX], small[3];
	struct statx sx;
	struct statfs sfs;
	struct statvfs svfs;
	struct stat st;
	ssize_t n;
	int fd, dfd;

	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(l, sizeof(l), "%s/l", dir);
	memset(&st, 0, sizeof(st));
	show_stat("stat f", stat(f, &st), &st);
	show_stat("stat l", stat(l, &st), &st);
	show_stat("lstat l", lstat(l, &st), &st);
	show_stat("stat none", stat("/nonexistent/x", &st), &st);
	if ((fd = open(f, O_RDONLY)) == -1 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		exit(2);
	show_stat("fstat", fstat(fd, &st), &st);
	show_stat("fstatat l", fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW),
	    &st);
	memset(&sx, 0, sizeof(sx));
	show("statx", statx(dfd, "f", 0, STATX_BASIC_STATS, &sx));
	printf("  mask=%x mode=%o ino=%llu size=%llu nlink=%u\n",
	    sx.stx_mask & STATX_BASIC_STATS, sx.stx_mode,
	    (unsigned long long)sx.stx_ino, (unsigned long long)sx.stx_size,
	    sx.stx_nlink);
	show("statx none", statx(dfd, "none", 0, STATX_BASIC_STATS, &sx));
	show("statfs", statfs(dir, &sfs));
	printf("  type=%lx bsize=%ld namelen=%ld\n", (long)sfs.f_type,
	    (long)sfs.f_bsize, (long)sfs.f_namelen);
	show("statvfs", statvfs(dir, &svfs));
	printf("  bsize=%lu namemax=%lu\n", svfs.f_bsize, svfs.f_namemax);
	show("access f R_OK", access(f, R_OK));
	show("access none", access("/nonexistent/x", F_OK));
	memset(buf, 0, sizeof(buf));
	n = readlink(l, buf, sizeof(buf));
	printf("readlink %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);
	show("readlink f", readlink(f, buf, sizeof(buf)));
	n = readlink(l, small, sizeof(small));
	printf("readlink small %zd [%.*s]\n", n, (int)n, small);
	n = readlinkat(dfd, "l", buf, sizeof(buf));
	printf("readlinkat %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);
	n = read(fd, buf, 10);
	printf("read %zd [%.*s]\n", n, (int)n, buf);
	n = read(fd, buf, 5);
	printf("read again %zd [%.*s]\n", n, (int)n, buf);
	n = pread(fd, buf, 8, 100);
	printf("pread %zd [%.*s]\n", n, (int)n, buf);
	show("read bad fd", read(-1, buf, 1));
	close(fd);
	close(dfd);
}

static void
names(void)
{
	unsigned char a4[4], a6[16];
	char s[INET6_ADDRSTRLEN], tiny[4];
	struct utsname u;
	char host[256];
	const char *r;

	memset(a4, 0, sizeof(a4));
	show("inet_pton 4", inet_pton(AF_INET, "192.0.2.33", a4));
	printf("  %u.%u.%u.%u\n", a4[0], a4[1], a4[2], a4[3]);
	show("inet_pton 6", inet_pton(AF_INET6, "2001:db8::ff00:42:8329",
	    a6));
	printf("  %02x%02x %02x%02x\n", a6[0], a6[1], a6[14], a6[15]);
	show("inet_pton bad", inet_pton(AF_INET, "300.1.1.1", a4));
	r = inet_ntop(AF_INET6, a6, s, sizeof(s));
	printf("inet_ntop %s [%s]\n", r == s ? "buf" : "?", s);
	r = inet_ntop(AF_INET, a4, s, sizeof(s));
	printf("inet_ntop %s [%s]\n", r == s ? "buf" : "?", s);
	r = inet_ntop(AF_INET6, a6, tiny, sizeof(tiny));
	printf("inet_ntop tiny %s errno=%d\n", r == NULL ? "NULL" : "?",
	    errno);
	errno = 0;
	show("uname", uname(&u));
	printf("  %s %s\n", u.sysname, u.machine);
	show("gethostname", gethostname(host, sizeof(host)));
	printf("  %s\n", host);
}

int
main(int argc, char **argv)
{
	if (argc != 2 || setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 2;
	strings();
	regex();
	files(argv[1]);
	names();
	return fflush(stdout) == 0 ? 0 : 1;
}
