#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static int
count_words(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0;
	long v;

	if (f == NULL)
		return 0;
	while (fscanf(f, "%ld", &v) == 1)
		n++;
	fclose(f);
	return n;
}

int
count_children(void)
{
	char path[300];
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/children",
		    e->d_name);
		n += count_words(path);
	}
	closedir(d);
	return n;
}

size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, rss = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (size_t)sysconf(_SC_PAGESIZE);
}

int
slow_tool(void)
{
#ifdef MISO_SANITIZED
	return 1;
#else
	return getenv("MISO_UNDER_VALGRIND") != NULL || emulated();
#endif
}

int
emulated(void)
{
	return getenv("MISO_UNDER_EMULATOR") != NULL;
}

int
as_limit_works(void)
{
	struct rlimit rl = { 64 << 20, 64 << 20 };
	pid_t pid;
	int st;

	if ((pid = fork()) == 0)
		_exit(setrlimit(RLIMIT_AS, &rl) == 0 &&
		    getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == 64 << 20 ?
		    0 : 1);
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int
clone_works(void)
{
	pid_t pid = (pid_t)syscall(SYS_clone, 0, NULL, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, NULL, __WCLONE) == pid;
}

int
wait_gone(pid_t pid, int ms)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < ms; i++) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}
