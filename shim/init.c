/*
 * libmiso.so's constructor: read the configuration, make one libffi
 * closure per configured function (all of them now, before any fork),
 * and rebind every call to those functions in the loaded objects.
 *
 * A configuration that cannot be used stops the program before main with
 * one message and exit status 127: running a program that was meant to
 * be isolated without isolation is the unsafe choice. MISO_ON_ERROR=warn
 * turns that into a warning and leaves the program untouched;
 * MISO_DISABLE=1 leaves it untouched without reading anything.
 */
#define _GNU_SOURCE
#include <sys/auxv.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/*
 * The model lives as long as the process: the hooks point into it. Its
 * arena is held here too, so that memory checkers see where it starts.
 */
static struct miso_conf *volatile config;
static void *volatile config_arena;

static int
only_warn(void)
{
	const char *s = secure_getenv("MISO_ON_ERROR");

	return s != NULL && strcmp(s, "warn") == 0;
}

/* Writes text to stderr, "miso: " before each diagnostic line. */
static void
write_diag(const char *text)
{
	const char *line, *end = text;
	size_t n;

	for (line = text; *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		n = (size_t)(end - line);
		if ((memmem(line, n, ": error: ", 9) != NULL ||
		    memmem(line, n, ": note: ", 8) != NULL ||
		    line == text) && write(2, "miso: ", 6) < 0)
			return;
		if (write(2, line, n) < 0)
			return;
	}
	if (end == text || end[-1] != '\n')
		if (write(2, "\n", 1) < 0)
			return;
}

/* Reports a configuration that cannot be used, and stops (or not). */
static int
unusable(const char *text)
{
	write_diag(text);
	if (!only_warn())
		_exit(127);
	miso__log(MISO__LOG_WARN, "continuing without isolation "
	    "(MISO_ON_ERROR=warn)");
	return -1;
}

static int
unusable_fn(const struct miso__conf_func *cf, const char *why)
{
	char line[1024];

	snprintf(line, sizeof line, "%s:%d:%d: error: %s: %s", cf->file,
	    cf->line, cf->col, cf->name, why);
	return unusable(line);
}

/*
 * Whoever can write the configuration, or a [library] file it names,
 * chooses code that runs in this process: both must be root's or the
 * user's alone (miso__conf_trusted, after sudo and OpenSSH), root's in a
 * setuid or setgid program, where the environment does not count either
 * (the search then finds /etc/miso.conf at most).
 */
static int
trusted(const char *path, int secure)
{
	char why[PATH_MAX + 200], line[2 * PATH_MAX + 300];

	if (miso__conf_trusted(path, secure, why, sizeof why))
		return 1;
	snprintf(line, sizeof line, "%s: configuration refused: %s", path,
	    why);
	unusable(line);
	return 0;
}

/* A [library] given by path must be as safe as the file that names it. */
static int
libraries_trusted(const struct miso_conf *conf, int secure)
{
	char why[PATH_MAX + 200], line[PATH_MAX + 300];
	size_t i;

	for (i = 0; i < conf->nfuncs; i++) {
		const char *lib = conf->funcs[i].library;

		if (miso__library_trusted(lib, secure, why, sizeof why))
			continue;
		snprintf(line, sizeof line, "[library %s] refused: %s", lib,
		    why);
		unusable_fn(&conf->funcs[i], line);
		return 0;
	}
	return 1;
}

/*
 * With MISO_ISOLATE, the file is $MISO_CONFIG or none: the usual search
 * would add a file the user did not name to what 'miso run -i' asked for.
 */
static const char *
isolate_file(char *buf, size_t size)
{
	const char *s = secure_getenv("MISO_CONFIG");

	if (s == NULL || *s == '\0' || strlen(s) >= size)
		return NULL;
	memcpy(buf, s, strlen(s) + 1);
	return buf;
}

/*
 * MISO_ISOLATE names functions to isolate with the packs' declarations
 * (miso run -i sets it), MISO_ISOLATE_MODE=worker puts them in workers;
 * with a configuration file too, the file wins for what it declares.
 */
static int
load(struct miso_conf **conf)
{
	struct miso__conf_isolate iso = { NULL, "MISO_ISOLATE", 0 };
	const char *mode = secure_getenv("MISO_ISOLATE_MODE");
	struct miso__conf_diag diag;
	char path[4096], line[4200];
	const char *found;
	int r, secure = getauxval(AT_SECURE) != 0;

	iso.names = secure_getenv("MISO_ISOLATE");
	if (iso.names != NULL && *iso.names == '\0')
		iso.names = NULL;
	iso.worker = mode != NULL && strcmp(mode, "worker") == 0;
	found = iso.names != NULL ? isolate_file(path, sizeof path) :
	    miso__conf_find(path, sizeof path);
	if (found == NULL)
		snprintf(path, sizeof path, "MISO_ISOLATE");
	if (found == NULL && iso.names == NULL)
		return unusable("no configuration: set MISO_CONFIG, or write "
		    "~/.config/miso/miso.conf or /etc/miso.conf");
	r = miso__conf_load_isolate(found, &iso, conf, &diag);
	if (r != 0) {
		if (diag.text != NULL && *diag.text != '\0')
			snprintf(line, sizeof line, "%s", diag.text);
		else
			snprintf(line, sizeof line, "%s: %s", path,
			    strerror(-r));
		miso__conf_diag_free(&diag);
		return unusable(line);
	}
	miso__conf_diag_free(&diag);
	/* Read first, so that a file that cannot be read says so; used after. */
	if ((found != NULL && !trusted(path, secure)) ||
	    !libraries_trusted(*conf, secure)) {
		miso__conf_free(*conf);
		*conf = NULL;
		return -1;
	}
	return 0;
}

static int
make_entry(struct miso__fn *f, struct miso__hook *h, size_t i)
{
	char why[256];
	void *code;

	if (miso__ffi_prepare(f, why, sizeof why) != 0)
		return unusable_fn(f->cf, why);
	f->closure = ffi_closure_alloc(sizeof(ffi_closure), &code);
	if (f->closure == NULL || ffi_prep_closure_loc(f->closure, &f->cif,
	    miso__entry, f, code) != FFI_OK)
		return unusable_fn(f->cf, "libffi cannot make a closure");
	h->name = f->cf->name;
	h->version = f->cf->version;
	h->library = f->cf->library;
	h->entry = (void *)(miso__stub_base + MISO__STUB_SIZE * i);
	miso__stubs[i].closure = code;
	miso__stubs[i].realp = &h->real;
	f->hook = h;
	return 0;
}

/*
 * Warns of a configured function that no loaded object defines, most
 * likely a misspelt name. The environment passes the configuration on to
 * every program the program runs (a shell script's sed, valgrind's
 * wrapper), where none of the functions exists: there it is no mistake,
 * and only info says so. So the warning needs a sign that this is the
 * program meant: another configured function found, or a name one edit
 * away from an exported one.
 */
static void
report_missing(const struct miso__hook *h, size_t found)
{
	char near[256];
	const char *s = miso__nearest_function(h->name, near, sizeof near);
	int meant = found > 0 ||
	    (s != NULL && miso__edit_distance(h->name, s) <= 1);

	if (s != NULL)
		miso__log(meant ? MISO__LOG_WARN : MISO__LOG_INFO, "%s: no "
		    "loaded object defines it (did you mean %s?); not isolated "
		    "unless a library loaded later defines it", h->name, s);
	else
		miso__log(meant ? MISO__LOG_WARN : MISO__LOG_INFO, "%s: no "
		    "loaded object defines it; not isolated unless a library "
		    "loaded later defines it", h->name);
}

/* How many configured functions are defined: those are isolated. */
static size_t
count_found(const struct miso__hook *h, size_t n)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++)
		if (atomic_load(&h[i].real) != NULL)
			found++;
	for (i = 0; i < n; i++)
		if (atomic_load(&h[i].real) == NULL)
			report_missing(&h[i], found);
	return found;
}

static void
pool_opts(const struct miso__conf_policy *pol, struct miso_pool_opts *po)
{
	memset(po, 0, sizeof *po);
	po->workers = pol->workers;
	po->max_calls = pol->max_calls;
	po->max_rss = pol->max_rss;
	po->max_age_ms = pol->max_age_ms;
	po->jitter = pol->jitter;
	po->mem_limit = pol->mem_limit;
	po->acquire_timeout_ms = pol->queue_timeout_ms;
}

/* An earlier worker-mode function whose workers are set up the same. */
static struct miso_pool *
same_pool(const struct miso__fn *fns, size_t i)
{
	struct miso_pool_opts a, b;
	size_t j;

	pool_opts(&fns[i].cf->pol, &a);
	for (j = 0; j < i; j++) {
		if (fns[j].pool == NULL)
			continue;
		pool_opts(&fns[j].cf->pol, &b);
		if (memcmp(&a, &b, sizeof a) == 0)
			return fns[j].pool;
	}
	return NULL;
}

/*
 * Starts the pools of the worker-mode functions: one per set of worker
 * settings, shared by the functions that have it (a request names its
 * function). Returns 0, or a negative errno with the reason in why and
 * the function's index in *failed.
 */
static int
pools_start(struct miso__fn *fns, size_t n, char *why, size_t size,
    size_t *failed)
{
	struct miso_pool_opts po;
	size_t i;
	int r;

	miso__fns = fns;
	miso__nfns = n;
	for (i = 0; i < n; i++) {
		if (fns[i].cf->pol.mode != MISO__MODE_WORKER)
			continue;
		if ((fns[i].pool = same_pool(fns, i)) != NULL)
			continue;
		pool_opts(&fns[i].cf->pol, &po);
		if ((r = miso_pool_new(&po, &fns[i].pool)) != 0) {
			snprintf(why, size, "cannot start its workers: %s",
			    strerror(-r));
			*failed = i;
			return r;
		}
	}
	return 0;
}

__attribute__((constructor)) static void
miso_shim_init(void)
{
	const char *off = secure_getenv("MISO_DISABLE");
	struct miso_conf *conf;
	struct miso__hook *hooks;
	struct miso__fn *fns;
	char why[256];
	size_t i, n, found, failed = 0;
	int r;

	if (off != NULL && strcmp(off, "1") == 0)
		return;
	miso__log_init();
	if (load(&conf) != 0)
		return;
	config = conf;
	config_arena = conf->arena;
	n = conf->nfuncs;
	if (n > MISO__MAX_FNS) {
		unusable("more than 256 functions configured");
		return;
	}
	fns = calloc(n + 1, sizeof *fns);
	hooks = calloc(n + 1, sizeof *hooks);
	if (fns == NULL || hooks == NULL) {
		unusable("out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		fns[i].cf = &conf->funcs[i];
		if (make_entry(&fns[i], &hooks[i], i) != 0)
			return;
	}
	miso__stats_init(fns, n);
	miso__defaults_set = conf->defaults.set;
	miso__ready = 1;
	if ((r = miso__rebind_init(hooks, n)) != 0)
		miso__log(MISO__LOG_ERROR, "rebinding: %s; some calls may not "
		    "be isolated", strerror(-r));
	/* Workers are copies of the program as it is now, reals resolved. */
	if (pools_start(fns, n, why, sizeof why, &failed) != 0) {
		miso__ready = 0;
		unusable_fn(fns[failed].cf, why);
		return;
	}
	found = count_found(hooks, n);
	if (found == n)
		miso__log(MISO__LOG_INFO, "isolating %zu function%s from %s", n,
		    n == 1 ? "" : "s", conf->file);
	else
		miso__log(MISO__LOG_INFO, "isolating %zu of the %zu functions "
		    "of %s (%zu not defined)", found, n, conf->file, n - found);
}
