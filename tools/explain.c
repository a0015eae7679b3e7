/*
 * miso explain: the configuration as the shim will use it, every setting
 * resolved, every size computed for this platform.
 */
#define _GNU_SOURCE
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "tools.h"

static const char *
kind_name(const struct miso__conf_type *t)
{
	static const char *const names[] = { "void", "signed integer",
	    "unsigned integer", "floating point", "pointer",
	    "function pointer", "struct" };

	return names[t->kind];
}

static void
type_line(const struct miso__conf_type *t)
{
	if (t->incomplete)
		printf("%s (%s, incomplete: no size)", t->name, kind_name(t));
	else if (t->kind == MISO__K_VOID)
		printf("void");
	else
		printf("%s (%s, %zu byte%s)", t->name, kind_name(t), t->size,
		    t->size == 1 ? "" : "s");
}

static void
duration(const char *key, uint64_t ms)
{
	if (ms == 0)
		printf("%s none", key);
	else
		printf("%s %" PRIu64 " ms", key, ms);
}

/* Bytes, with the binary unit when it is exact: "1073741824 (1G)". */
static void
bytes(const char *key, uint64_t n)
{
	static const char units[] = "TGMK";
	int i;

	if (n == 0) {
		printf("%s none", key);
		return;
	}
	printf("%s %" PRIu64, key, n);
	for (i = 0; i < 4; i++)
		if (n % (1ULL << (40 - 10 * i)) == 0) {
			printf(" (%" PRIu64 "%c)", n >> (40 - 10 * i),
			    units[i]);
			return;
		}
}

static const char *
on_name(enum miso__conf_on on)
{
	return on == MISO__ON_ABORT ? "abort" : on == MISO__ON_RAISE ? "raise" :
	    "fail";
}

static void
policy(const struct miso__conf_policy *p)
{
	const char *e = p->err != 0 ? strerrorname_np(p->err) : NULL;

	fputs("\tpolicy: ", stdout);
	duration("timeout", p->timeout_ms);
	bytes(", mem_limit", p->mem_limit);
	printf(", on_crash %s, on_timeout %s, errno ", on_name(p->on_crash),
	    on_name(p->on_timeout));
	if (e != NULL)
		printf("%s", e);
	else
		printf("%d%s", p->err, p->err == 0 ? " (unchanged)" : "");
	printf(", mode %s\n", p->mode == MISO__MODE_WORKER ? "worker" : "fork");
	if (p->mode != MISO__MODE_WORKER)
		return;
	printf("\tworkers: %u, max_calls %" PRIu64, p->workers, p->max_calls);
	bytes(", max_rss", p->max_rss);
	duration(", max_age", p->max_age_ms);
	printf(", jitter %u%%", p->jitter);
	duration(", queue_timeout", p->queue_timeout_ms);
	printf("\n");
}

static void
expr(const char *label, const struct miso_expr *e,
    const struct miso__conf_func *fn)
{
	char buf[512];

	if (miso__expr_format(e, fn, buf, sizeof buf) < 0)
		err(MISO__EXIT_ERROR, NULL);
	printf("%s%s", label, buf);
}

static void
param(const struct miso__conf_func *fn, size_t i)
{
	static const char *const dirs[] = { "by value", "in", "out",
	    "inout" };
	const struct miso__conf_param *q = &fn->params[i];
	const struct miso__conf_type *to = q->type->pointee;
	size_t elem = to == NULL ? 0 : to->kind == MISO__K_VOID ? 1 : to->size;

	printf("\tparameter %zu %s: ", i + 1, q->name != NULL ? q->name :
	    "(unnamed)");
	type_line(q->type);
	printf("; %s%s%s\n", q->opaque ? "opaque, passed as is" :
	    dirs[q->dir], q->alloc ? ", a fresh allocation" : "",
	    q->cstr ? ", a string" : "");
	if (q->opaque || q->dir == MISO__DIR_VALUE || to == NULL)
		return;
	if (q->cstr && q->cap == NULL && !q->alloc)
		printf("\t\tcapacity: the string and its NUL\n");
	else {
		if (q->cap != NULL)
			expr("\t\tcapacity: [", q->cap, fn);
		else
			printf("\t\tcapacity: [1");
		printf("] x %zu byte%s\n", elem, elem == 1 ? "" : "s");
	}
	if (q->dir == MISO__DIR_IN)
		return;
	if (q->fill != NULL)
		expr("\t\tfilled: ", q->fill, fn);
	else
		printf("\t\tfilled: the whole capacity");
	printf("\n");
}

/*
 * What the shim returns when the call fails and the policy is 'fail',
 * from the one place the shim takes it from; the built-in values say so.
 */
static void
fail_value(const struct miso__conf_func *fn)
{
	static const char *const kind[] = {
		[MISO__K_SINT] = "signed integers",
		[MISO__K_UINT] = "unsigned integers",
		[MISO__K_FLOAT] = "floating point",
	};
	struct miso__conf_failval v;
	char buf[64];

	miso__conf_fail_value(fn, &v);
	miso__conf_fail_format(&v, buf, sizeof buf);
	printf("returns%s%s", *buf != '\0' ? " " : "", buf);
	if (!v.set && (v.kind == MISO__K_SINT || v.kind == MISO__K_UINT ||
	    v.kind == MISO__K_FLOAT))
		printf(" (no 'fail' set: the default for %s)", kind[v.kind]);
}

static void
returns(const struct miso__conf_func *fn)
{
	static const char *const how[] = { "the value", "nothing",
	    "the pointer as is (opaque)",
	    "a string that existed before the call (cstr)",
	    "a fresh string (alloc cstr)", "a buffer",
	    "a fresh buffer (alloc)" };

	printf("\treturns: ");
	type_line(fn->ret);
	printf("; %s", how[fn->ret_how]);
	if (fn->ret_size != NULL)
		expr(" of ", fn->ret_size, fn);
	printf("\n\ton failure: ");
	fail_value(fn);
	printf("\n");
}

static void
function(const struct miso__conf_func *fn)
{
	size_t i;

	printf("\nfunction %s (%s:%d)\n", fn->name, fn->file, fn->line);
	printf("\treal: %s%s%s\n", fn->library != NULL ? "from " :
	    "the next definition after libmiso.so (RTLD_NEXT)",
	    fn->library != NULL ? fn->library : "",
	    fn->version != NULL ? "" : ", any version");
	if (fn->version != NULL)
		printf("\tversion: %s\n", fn->version);
	returns(fn);
	for (i = 0; i < fn->nparams; i++)
		param(fn, i);
	policy(&fn->pol);
}

static void
type(const struct miso__conf_type *t)
{
	size_t i;

	if (t->alias != NULL) {
		printf("typedef %s: ", t->name);
		type_line(t->alias);
		printf("\n");
		return;
	}
	if (t->incomplete) {
		printf("%s: incomplete (only pointed to)\n", t->name);
		return;
	}
	printf("%s: size %zu, align %zu\n", t->name, t->size, t->align);
	for (i = 0; i < t->nfields; i++) {
		const struct miso__conf_field *f = &t->fields[i];

		printf("\t%s: offset %zu, ", f->name, f->offset);
		type_line(f->type);
		if (f->count != 1)
			printf(" x %zu", f->count);
		printf("\n");
	}
}

int
miso__cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct miso_conf *conf;
	const char *cpath = NULL;
	size_t i;
	int ch;

	while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'h':
			miso__usage(stdout, "explain");
			return miso__finish(MISO__EXIT_OK);
		default:
			miso__usage_exit("explain");
		}
	if (optind != argc)
		miso__usage_exit("explain");
	conf = miso__tool_conf(cpath);
	printf("config: %s\n", conf->file);
	for (i = 0; i < conf->ntypes; i++)
		type(conf->types[i]);
	printf("\ndefaults:\n");
	policy(&conf->defaults);
	if (conf->defaults.has_fail)
		printf("\tfail: %" PRId64 " where the return type holds it\n",
		    conf->defaults.fail_int);
	for (i = 0; i < conf->nfuncs; i++)
		function(&conf->funcs[i]);
	miso__conf_free(conf);
	return miso__finish(MISO__EXIT_OK);
}
