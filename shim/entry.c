/*
 * What every configured function becomes: a libffi closure that runs the
 * real function in a child through the engine, and either delivers its
 * results or applies the function's policy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "miso.h"
#include "shim.h"

__thread int miso__bypass __attribute__((tls_model("initial-exec")));
int miso__ready;
unsigned miso__defaults_set;

struct job {
	const struct miso__fn *f;
	void *real;
	void **args;
	const struct miso__plan *plan;
};

static void
run_in_child(void *ctx, struct miso_writer *w)
{
	const struct job *j = ctx;

	miso__child_run(j->f, j->real, j->args, j->plan, w);
}

/* MISO_LOG=debug: one line per call. */
static void
log_call(const struct miso__fn *f, int code, const struct miso_result *res,
    const char *why)
{
	char what[256];

	if (code == 0)
		snprintf(what, sizeof what, "completed");
	else
		miso__describe_call(f, code, res, why, what, sizeof what);
	miso__log(MISO__LOG_DEBUG, "%s: %s, %s in %llu µs", f->cf->name,
	    f->pool != NULL ? "worker" : "fork", what,
	    (unsigned long long)(res->wall_ns / 1000));
}

static void
isolate(struct miso__fn *f, void *real, void *ret, void **args)
{
	const struct miso__conf_policy *pol = &f->cf->pol;
	unsigned char small[512];
	struct miso__plan plan;
	struct miso_opts o = { .timeout_ms = pol->timeout_ms,
	    .mem_limit = pol->mem_limit };
	struct miso_result res;
	struct job j = { f, real, args, &plan };
	int code, child_errno = 0, errno_in = errno;
	char why[160];

	why[0] = '\0';
	memset(&res, 0, sizeof res);
	if ((code = miso__plan_call(f, args, &plan)) != 0) {
		if (plan.bad >= 0)
			miso__size_why(f->cf, (size_t)plan.bad, code, why,
			    sizeof why);
		errno = errno_in;
		miso__fail(f, ret, code, &res, why);
		return;
	}
	/* The reply's size is known in advance unless it holds fresh
	 * allocations; small ones land on the stack. */
	if (plan.max_reply <= sizeof small) {
		o.buf = small;
		o.buf_size = sizeof small;
	} else if (plan.max_reply != SIZE_MAX) {
		o.max_result = plan.max_reply;
	}
	if (f->pool != NULL) {
		o.mem_limit = 0;  /* the pool's workers have it already */
		code = miso__worker_call(f, args, &plan, &o, &res, why,
		    sizeof why);
	} else {
		code = miso_call(run_in_child, &j, &o, &res);
	}
	if (code == 0)
		code = miso__commit(f, args, &plan, res.data, res.len, ret,
		    &child_errno);
	miso__stats_record(f, code, &res);
	if (miso__log_level >= MISO__LOG_DEBUG)
		log_call(f, code, &res, why);
	if (code != 0) {
		errno = errno_in;  /* what 'errno = 0' leaves alone */
		miso__fail(f, ret, code, &res, why);
	}
	miso_result_free(&res);
	if (code == 0)
		errno = child_errno;
}

void
miso__entry(ffi_cif *cif, void *ret, void **args, void *user)
{
	struct miso__fn *f = user;
	void *real = atomic_load_explicit(&f->hook->real,
	    memory_order_acquire);
	int saved;

	if (real == NULL) {
		/* A lazy slot reached before any definition was loaded: the
		 * loader would have stopped the program here too. */
		miso__log(MISO__LOG_ERROR, "%s: no definition found; aborting",
		    f->cf->name);
		abort();
	}
	if (miso__bypass || !miso__ready) {
		ffi_call(cif, FFI_FN(real), ret, args);
		return;
	}
	saved = errno;
	miso__bypass = 1;
	errno = saved;
	isolate(f, real, ret, args);
	saved = errno;
	miso__bypass = 0;
	errno = saved;
}
