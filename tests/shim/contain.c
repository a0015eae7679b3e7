/*
 * contain: what isolation must contain, measured by the program itself.
 * A plain program; tests/shim/contain.sh runs it under the shim with
 * tests/shim/contain.conf.
 *
 *	contain leak N SIZE	N calls of a function that leaks SIZE bytes;
 *				prints how much the resident size grew
 *	contain mixed N		N calls that succeed, crash, exit or hang;
 *				prints the outcomes and the open descriptors
 *				and children before and after
 *	contain threads T N	T threads making N calls each at once, and
 *				a crashing call every 50
 *	contain reaper N	N calls, a tenth of them crashing, in a
 *				program whose SIGCHLD handler reaps children
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "ts.h"

static unsigned long
rss_kib(void)
{
	unsigned long size, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
}

/* Open descriptors, not counting the one that reads the directory. */
static int
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
	return n - 1;
}

/*
 * Children of every thread, from /proc/self/task/TID/children, and how
 * many of them are zombies.
 */
static int
count_children(int *zombies)
{
	glob_t g;
	size_t i;
	int n = 0, pid;
	char path[64], line[512], state;
	FILE *f, *s;

	*zombies = 0;
	if (glob("/proc/self/task/*/children", 0, NULL, &g) != 0)
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		if ((f = fopen(g.gl_pathv[i], "r")) == NULL)
			continue;
		while (fscanf(f, "%d", &pid) == 1) {
			n++;
			snprintf(path, sizeof path, "/proc/%d/stat", pid);
			if ((s = fopen(path, "r")) == NULL)
				continue;
			if (fgets(line, sizeof line, s) != NULL &&
			    sscanf(strrchr(line, ')') + 1, " %c", &state) == 1 &&
			    state == 'Z')
				(*zombies)++;
			fclose(s);
		}
		fclose(f);
	}
	globfree(&g);
	return n;
}

static int
leak(long n, long size)
{
	unsigned long before, after;
	long i, bad = 0;

	ts_leak((size_t)size);		/* the first call sets things up */
	before = rss_kib();
	for (i = 0; i < n; i++)
		if (ts_leak((size_t)size) != (size_t)size)
			bad++;
	after = rss_kib();
	printf("leak: %ld calls leaking %ld bytes: RSS %lu -> %lu KiB, "
	    "grew %ld KiB, %ld wrong results\n", n, size, before, after,
	    (long)after - (long)before, bad);
	return bad != 0;
}

static int
mixed(long n)
{
	long i, ok = 0, crashed = 0, exited = 0, hung = 0, wrong = 0;
	int fds0, fds1, ch0, ch1, z0, z1, r, out;

	ts_square(1, &out);
	fds0 = count_fds();
	ch0 = count_children(&z0);
	for (i = 0; i < n; i++) {
		errno = 0;
		if (i % 1000 == 13) {
			r = ts_hang(-1);
			hung += r == -2 && errno == ETIMEDOUT;
			wrong += r != -2 || errno != ETIMEDOUT;
		} else if (i % 500 == 11) {
			r = ts_exit(2);
			exited += r == -3 && errno == ECHILD;
			wrong += r != -3 || errno != ECHILD;
		} else if (i % 100 == 7) {
			r = ts_crash(1);
			crashed += r == -7 && errno == ENOTRECOVERABLE;
			wrong += r != -7 || errno != ENOTRECOVERABLE;
		} else {
			out = -1;
			r = ts_square((int)i, &out);
			ok += r == (int)i && out == (int)(i * i);
			wrong += r != (int)i || out != (int)(i * i);
		}
	}
	fds1 = count_fds();
	ch1 = count_children(&z1);
	printf("mixed: %ld calls: %ld ok, %ld crashed, %ld exited, %ld timed "
	    "out, %ld wrong\n", n, ok, crashed, exited, hung, wrong);
	printf("mixed: descriptors %d -> %d, children %d -> %d, zombies "
	    "%d -> %d\n", fds0, fds1, ch0, ch1, z0, z1);
	return wrong != 0;
}

struct job {
	int	id;
	long	n;
	long	wrong;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	long i, r2;
	int x, q, r, sq;

	for (i = 0; i < j->n; i++) {
		x = j->id * 100000 + (int)i;
		q = -1;
		r2 = -1;
		r = ts_out(x, &q, &r2);
		if (r != x % 7 || q != x / 7 || r2 != (long)x * 1000003L)
			j->wrong++;
		sq = -1;
		if (ts_square(x % 40000, &sq) != x % 40000 ||
		    sq != (x % 40000) * (x % 40000))
			j->wrong++;
		if (i % 50 == 25) {
			errno = 0;
			r = ts_crash(1);
			if (r != -7 || errno != ENOTRECOVERABLE)
				j->wrong++;
		}
	}
	return NULL;
}

static int
threads(int t, long n)
{
	pthread_t tid[64];
	struct job jobs[64];
	long wrong = 0;
	int i;

	if (t > 64)
		t = 64;
	for (i = 0; i < t; i++) {
		jobs[i].id = i + 1;
		jobs[i].n = n;
		jobs[i].wrong = 0;
		if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0) {
			printf("threads: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < t; i++) {
		pthread_join(tid[i], NULL);
		wrong += jobs[i].wrong;
	}
	printf("threads: %d threads x %ld x 2 calls and %ld crashes, %ld wrong "
	    "results\n", t, n, (n + 24) / 50, wrong);
	return wrong != 0;
}

static volatile sig_atomic_t reaped;

/* A program that reaps every child it is told about, as daemons do. */
static void
on_sigchld(int sig)
{
	int saved = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		reaped++;
	errno = saved;
}

static int
reaper(long n)
{
	struct sigaction sa;
	long i, wrong = 0;
	int r, out;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; i < n; i++) {
		errno = 0;
		if (i % 10 == 3) {
			r = ts_crash(1);
			wrong += r != -7 || errno != ENOTRECOVERABLE;
		} else {
			r = ts_square((int)i, &out);
			wrong += r != (int)i || out != (int)(i * i);
		}
	}
	printf("reaper: %ld calls with a SIGCHLD handler reaping, %ld wrong "
	    "results\n", n, wrong);
	return wrong != 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "leak") == 0)
		return leak(atol(argv[2]), atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "mixed") == 0)
		return mixed(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "reaper") == 0)
		return reaper(atol(argv[2]));
	if (argc == 4 && strcmp(argv[1], "threads") == 0)
		return threads(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr, "usage: contain leak N SIZE | mixed N | threads T N\n");
	return 2;
}
