/* Private declarations of libmiso.so. */
#ifndef MISO_SHIM_H
#define MISO_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include <ffi.h>

#include "miso.h"
#include "../config/config.h"
#include "../core/code.h"
#include "codec.h"
#include "rebind.h"

enum {
	MISO__LOG_ERROR = 1,
	MISO__LOG_WARN = 2,
	MISO__LOG_INFO = 3,
	MISO__LOG_DEBUG = 4
};

/* Latency histogram: 8 buckets per power of two of microseconds. */
#define MISO__HIST_BUCKETS (8 * 40)

struct miso__stats {
	uint64_t calls;
	uint64_t completed;
	uint64_t crashed;
	uint64_t timedout;
	uint64_t failed;
	uint64_t signals[65];
	uint64_t hist[MISO__HIST_BUCKETS];
};

/* One configured function. */
struct miso__fn {
	const struct miso__conf_func *cf;
	struct miso__hook *hook;
	struct miso_pool *pool;  /* mode = worker: its workers */
	ffi_cif cif;
	ffi_type **atypes;
	ffi_closure *closure;
	size_t retsize;  /* bytes of libffi's return storage */
	struct miso__stats st;
};

/*
 * The entries the rebound slots point at (shim/arch/ARCH/stubs.S): stub
 * i, at miso__stub_base + 64 * i, goes to the real function when miso__bypass
 * is set and to stubs[i].closure otherwise.
 */
#define MISO__MAX_FNS 256
#define MISO__STUB_SIZE 64
struct miso__stub {
	void *closure;
	void *_Atomic *realp;
};
extern struct miso__stub miso__stubs[MISO__MAX_FNS];
extern const char miso__stub_base[];

/* The thread is inside an isolated child, or inside the shim itself. */
extern __thread int miso__bypass __attribute__((tls_model("initial-exec")));
/* Set once the constructor is done; before that, calls go straight. */
extern int miso__ready;
/* What the configuration's [defaults] set explicitly (MISO__POL_*). */
extern unsigned miso__defaults_set;

/* log.c: the level is read on every call, so a test of it is the cost. */
extern int miso__log_level;
void miso__log_init(void);
void miso__expand_pid(const char *in, char *out, size_t size);

/* ffi.c: libffi descriptions of configured prototypes. */
int miso__ffi_prepare(struct miso__fn *f, char *why, size_t size);

/* entry.c: what a closure does. */
void miso__entry(ffi_cif *cif, void *ret, void **args, void *user);

/* In a worker, where the copies of the caller's buffers are. */
struct miso__xlate {
	uintptr_t local[MISO__MAX_PARAMS];   /* a copy's address, or 0 */
	uintptr_t caller[MISO__MAX_PARAMS];  /* the buffer in the caller */
	size_t len[MISO__MAX_PARAMS];
};

/* What the caller knows of one call before it is made. */
struct miso__plan {
	size_t cap[MISO__MAX_PARAMS]; /* bytes each pointer may carry */
	size_t max_reply;   /* SIZE_MAX: unbounded (alloc results) */
	int caller_errno;   /* errno as the function would have found it */
	int bad;            /* the parameter whose size failed, or -1 */
	const struct miso__xlate *xlate; /* worker mode, or NULL */
};

/* The caller's side: plan.c, request.c (worker mode), commit.c. */
void miso__size_why(const struct miso__conf_func *cf, size_t i, int r,
    char *buf, size_t size);
int miso__plan_call(const struct miso__fn *f, void **args,
    struct miso__plan *p);
int miso__worker_call(struct miso__fn *f, void **args,
    const struct miso__plan *plan, const struct miso_opts *o,
    struct miso_result *res, char *why, size_t size);
int miso__commit(const struct miso__fn *f, void **args,
    const struct miso__plan *p, const unsigned char *reply, size_t len,
    void *ret, int *child_errno);

/* The callee's side: rebuild.c (worker mode), run.c. */
extern struct miso__fn *miso__fns;
extern size_t miso__nfns;
void miso__serve(const void *in, size_t len, struct miso_writer *w);
void miso__child_run(const struct miso__fn *f, void *real, void **args,
    const struct miso__plan *p, struct miso_writer *w);

/*
 * policy.c: a call that did not complete. why, when not NULL or empty,
 * is the reason to log, for a call the shim refused before it was made.
 */
/*
 * What happened to a call that did not complete: why if it says, else
 * from the code and the result.
 */
void miso__describe_call(const struct miso__fn *f, int code,
    const struct miso_result *res, const char *why, char *buf, size_t size);
void miso__fail(const struct miso__fn *f, void *ret, int code,
    const struct miso_result *res, const char *why);

/* stats.c */
/*
 * Copy n bytes (at most 4096) from or to an address of this process that
 * may not be mapped (shim/safecopy.c). Return 0, -EFAULT, or -errno of
 * pipe2.
 */
int miso__safe_read(void *buf, const void *addr, size_t n);
int miso__safe_write(void *addr, const void *buf, size_t n);

void miso__stats_record(struct miso__fn *f, int code,
    const struct miso_result *res);
void miso__stats_init(struct miso__fn *fns, size_t n);

#endif
