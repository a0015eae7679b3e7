/*
 * A call that did not complete: log one line, then do what the function's
 * policy says. 'fail' returns the configured value (by default -1 for
 * signed integers, 0 for unsigned ones and pointers, NaN for floating
 * point) and sets errno: the configured one, or else ETIMEDOUT for a
 * timeout, the system's error when the call could not be made, EIO
 * otherwise. 'abort' aborts the program. 'raise' ends the program the way
 * the child ended: the same signal, or the same exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "miso.h"
#include "shim.h"

/* The value config/failval.c says, as libffi hands back a return. */
static void
store_fail(const struct miso__fn *f, void *ret)
{
	struct miso__conf_failval v;
	float fl;

	miso__conf_fail_value(f->cf, &v);
	memset(ret, 0, f->retsize);
	switch (v.kind) {
	case MISO__K_SINT:
		*(ffi_sarg *)ret = (ffi_sarg)v.sval;
		break;
	case MISO__K_UINT:
		/* Zero-extended, as libffi widens unsigned returns. */
		*(ffi_arg *)ret = (ffi_arg)v.bits;
		break;
	case MISO__K_FLOAT:
		fl = (float)v.d;
		if (v.size == 4)
			memcpy(ret, &fl, sizeof fl);
		else
			memcpy(ret, &v.d, sizeof v.d);
		break;
	case MISO__K_POINTER:
	case MISO__K_FUNCPTR:
		*(uintptr_t *)ret = (uintptr_t)v.bits;
		break;
	default:
		break;
	}
}

static int
fail_errno(const struct miso__conf_policy *pol, int code,
    const struct miso_result *res)
{
	if ((pol->set | miso__defaults_set) & MISO__POL_ERRNO)
		return pol->err;  /* 0: errno is left alone */
	if (code == MISO_ETIMEOUT)
		return ETIMEDOUT;
	if (miso__is_errno(code))
		return -code;
	if (code == MISO_ESYSTEM && res->error != 0)
		return res->error;
	return EIO;
}

/* What a worker-mode call that was not made ran into; NULL if generic. */
static const char *
pool_refusal(int code)
{
	switch (code) {
	case -EBUSY:
		return "no worker was free within queue_timeout";
	case -ETIMEDOUT:
		return "the pool's zygote did not start a worker in time";
	case -ECHILD:
		return "the pool's zygote is gone and could not be replaced";
	default:
		return NULL;
	}
}

void
miso__describe_call(const struct miso__fn *f, int code,
    const struct miso_result *res, const char *why, char *buf, size_t size)
{
	if (why != NULL && *why != '\0') {
		snprintf(buf, size, "%s", why);
		return;
	}
	if (f->pool != NULL && (why = pool_refusal(code)) != NULL) {
		snprintf(buf, size, "not run: %s", why);
		return;
	}
	if (code == -EOVERFLOW) {
		snprintf(buf, size, "the function reported more bytes filled "
		    "than its buffer holds");
		return;
	}
	if (code == -EFAULT) {
		snprintf(buf, size, "the string or buffer it returned is not "
		    "in the caller's memory (declare the return 'alloc')");
		return;
	}
	if (miso__is_errno(code)) {
		snprintf(buf, size, "not run: %s", strerror(-code));
		return;
	}
	miso_describe(res, buf, size);
}

/* Ends the program the way the child ended. */
static _Noreturn void
raise_like_child(const struct miso_result *res)
{
	struct sigaction dfl;

	if (res->code == MISO_EEXIT)
		_exit(res->exit_code);
	if (res->code == MISO_ESIGNAL || res->code == MISO_EMEMORY) {
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(res->signo, &dfl, NULL);
		raise(res->signo);
	}
	abort();
}

void
miso__fail(const struct miso__fn *f, void *ret, int code,
    const struct miso_result *res, const char *why)
{
	const struct miso__conf_policy *pol = &f->cf->pol;
	enum miso__conf_on on = code == MISO_ETIMEOUT ? pol->on_timeout :
	    pol->on_crash;
	char what[256], pid[32] = "";
	int err = fail_errno(pol, code, res);

	miso__describe_call(f, code, res, why, what, sizeof what);
	if (res->pid > 0)
		snprintf(pid, sizeof pid, " in child %ld", (long)res->pid);
	if (on == MISO__ON_FAIL) {
		store_fail(f, ret);
		miso__log(MISO__LOG_WARN, "%s: %s%s; failing with errno %s",
		    f->cf->name, what, pid, err == 0 ? "unchanged" :
		    strerrorname_np(err) != NULL ? strerrorname_np(err) : "?");
		if (err != 0)
			errno = err;
		return;
	}
	miso__log(MISO__LOG_ERROR, "%s: %s%s; %s", f->cf->name, what, pid,
	    on == MISO__ON_ABORT ? "aborting" : "ending the program the same "
	    "way");
	if (on == MISO__ON_RAISE)
		raise_like_child(res);
	abort();
}
