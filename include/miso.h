/*
 * miso: run a C function in a fork()ed, copy-on-write snapshot of the
 * caller, bring its result bytes back, and say exactly what happened.
 *
 * The child sees the caller's memory as it was at the call. Whatever the
 * function does to the heap, to globals or to itself (leaks, scribbles,
 * crashes, hangs) stays in the child, which always ends with _exit().
 */
#ifndef MISO_H
#define MISO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MISO_API __attribute__((visibility("default")))

#define MISO_VERSION "0.1.0"

/*
 * Outcome codes. miso_call() returns 0, a negative errno, or one of these.
 * A negative errno (greater than -4096) always means the callback never
 * started: nothing ran and the call is safe to retry. miso's own codes sit
 * below -4095 so that they cannot clash with an errno.
 */
#define MISO_ERRORS(X)                                                      \
	X(ESIGNAL, -4100, "the callback was killed by a signal")             \
	X(EEXIT, -4101, "the callback ended the process itself")            \
	X(ETIMEOUT, -4102, "the callback ran past its timeout and was killed") \
	X(EMEMORY, -4103, "the callback exhausted its memory cap")           \
	X(ETOOBIG, -4104, "the result is larger than its buffer or limit")   \
	X(EBADREPLY, -4105, "the child sent a malformed or truncated reply") \
	X(ELOST, -4106, "the child was reaped by someone else; outcome unknown") \
	X(ESYSTEM, -4107, "a system call failed while the callback ran")

enum miso_code {
#define MISO_CODE_(name, value, text) MISO_##name = value,
	MISO_ERRORS(MISO_CODE_)
#undef MISO_CODE_
};

/* What a code says about the callback, in the spirit of "may I retry?". */
enum miso_group {
	MISO_COMPLETED, /* 0: the callback returned and its result is here */
	MISO_NOT_RUN,   /* a negative errno: it never started; safe to retry */
	MISO_RAN,       /* it ran and ended in a known way (exit, memory cap,
	                   a result that did not fit, a malformed reply) */
	MISO_UNKNOWN    /* killed by a signal or the timeout, or lost: how far
	                   it got is not known */
};

/* Options: a zeroed struct (or NULL) means the defaults. */
struct miso_opts {
	uint64_t timeout_ms; /* 0: none. On expiry the child gets SIGKILL. */
	uint64_t mem_limit;  /* bytes of address space (RLIMIT_AS); 0: none */
	size_t max_result;   /* bytes; 0: no limit but memory */
	void *buf;           /* the caller's buffer for the result, or NULL */
	size_t buf_size;     /* its size */
	unsigned flags;      /* MISO_F_* */
};

/*
 * Leave stdio alone. By default (see "stdio" in miso_call's comment) a
 * single-threaded caller's pending stdout and stderr are flushed before
 * the fork, the child drops the copies of what the program had pending
 * in its streams, and after the callback the child flushes what the
 * callback wrote. With this flag none of that happens: what fn leaves
 * buffered is lost, and if fn flushes a stream itself, what the program
 * had pending in it is printed by the child too.
 */
#define MISO_F_NO_FLUSH 0x1u
/* Set RLIMIT_CORE to 0 in the child: a crash leaves no core file. */
#define MISO_F_NO_CORE 0x2u
/*
 * Keep the caller's handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT
 * and SIGSYS in the child. By default they are reset there, so that
 * a crash ends the child: a caller's crash handler (a crash reporter, a
 * test framework's longjmp) would otherwise resume the caller's code in
 * the child instead of reporting the crash.
 */
#define MISO_F_KEEP_HANDLERS 0x4u
/*
 * Create the child with fork(), and wait for it to end before returning.
 * By default a single-threaded caller gets a child made with clone() and
 * no exit signal: pthread_atfork() handlers do not run in it, the program
 * never sees it (no SIGCHLD, not found by wait()), and once it has sent
 * a complete reply the call returns without waiting for it to exit; the
 * next call, or miso_reap(), reaps it. A caller with more than one thread
 * always gets fork().
 */
#define MISO_F_FORK 0x8u

struct miso_result {
	int code;         /* the value miso_call() returned */
	int signo;        /* ESIGNAL, EMEMORY: the signal; ETIMEOUT: SIGKILL */
	int core_dumped;  /* ESIGNAL: the kernel wrote a core */
	int exit_code;    /* EEXIT: the status the callback passed to exit() */
	int error;        /* the child's errno when the callback returned, or
	                     the errno of the system call that failed */
	pid_t pid;        /* the child, or 0 if none was created */
	uint64_t wall_ns; /* wall time of the whole call */
	void *data;       /* the result bytes: opts->buf, or memory miso
	                     allocated (release it with miso_result_free) */
	size_t len;       /* their length; with ETOOBIG, the size needed */
	unsigned owned_;  /* private: how data was allocated */
	int fd_;          /* private: the memfd behind data, or -1 */
};

struct miso_writer;

/*
 * miso_call runs fn(ctx, w) in a forked child and waits for it. What fn
 * passes to miso_write() comes back in res->data. Returns 0 when fn
 * returned and its whole result arrived; otherwise a code above, with the
 * details in *res. The caller's memory is never touched by fn; res->data
 * is written only when the call succeeded (res->len is then valid).
 *
 * Thread-safe. In a multithreaded program the child has one thread, and
 * locks held by other threads at the fork stay locked in it: POSIX then
 * limits fn to async-signal-safe functions (glibc also makes malloc and
 * stdio safe there). A timeout is the backstop against such a deadlock.
 * fn may call miso_call itself (nested calls work).
 *
 * The engine's descriptors are at 512 or above (when the soft
 * RLIMIT_NOFILE allows), out of the way of an fn that dup2()s files over
 * low descriptors. An fn that closes or replaces them anyway gets its own
 * outcome when the child can reopen its reply pipe through /proc, and
 * MISO_ESYSTEM with res->error EBADF otherwise; never MISO_EEXIT.
 *
 * stdio (glibc), unless MISO_F_NO_FLUSH: nothing the program had buffered
 * is printed by the child, and nothing fn wrote to a byte-oriented stream
 * is lost. The child starts with copies of every FILE, unflushed bytes
 * included; before fn runs it drops those bytes from every byte-oriented
 * stream on glibc's list of open streams (they stay pending in the
 * caller, which prints them once, when it flushes), and after fn returns
 * it flushes the streams that have something pending, which is only what
 * fn wrote. The caller's streams are touched only in a single-threaded
 * program, where the calling thread owns them: stdout and stderr are
 * flushed before the fork, so the program's earlier output comes out
 * before fn's. In a multithreaded program the call never flushes, locks
 * or writes the caller's streams (another thread may be writing them
 * with fwrite_unlocked); what the program had buffered then comes out
 * when it flushes, which may be after fn's output. Wide-oriented streams
 * (fwide > 0) are left as they are: fn must flush its own wide output,
 * and that flush may repeat what the program had pending there.
 */
MISO_API int miso_call(void (*fn)(void *ctx, struct miso_writer *w),
    void *ctx, const struct miso_opts *opts, struct miso_result *res);

/*
 * miso_write appends n bytes at p to the result. Call it only from the
 * callback, in the child. Returns 0 or a negative code (MISO_ETOOBIG when
 * the result would exceed its buffer or limit, or -errno); an error is
 * sticky and is reported by miso_call. Async-signal-safe.
 */
MISO_API int miso_write(struct miso_writer *w, const void *p, size_t n);

/*
 * Lets go of what miso keeps between calls: it waits for every child that
 * has replied but may still be exiting, and reaps it (calls do this by
 * themselves), and it closes the memfd kept from the last large result
 * that miso allocated (up to 256 MiB of pages, reused by the next one). A
 * program that wants nothing left at some point, before it counts its
 * children or descriptors, calls this. Returns the number of children
 * left (0).
 */
MISO_API int miso_reap(void);

/* Releases res->data if miso allocated it; safe on any result. */
MISO_API void miso_result_free(struct miso_result *res);

/* The group of a code. */
MISO_API enum miso_group miso_group(int code);

/* A one-line description of a code (errno or miso's own); never NULL. */
MISO_API const char *miso_strerror(int code);

/*
 * Writes a one-line description of a finished call into buf, with its
 * details ("killed by signal 11 (SEGV), core dumped"). Returns the length
 * it wanted, as snprintf does.
 */
MISO_API int miso_describe(const struct miso_result *res, char *buf,
    size_t size);

/*
 * Worker mode: a pool of pre-forked, recycled isolation workers.

 *
 * miso_call() forks the caller for every call: the callback sees the
 * caller's memory as it is at the call, and the fork costs 120-260 us
 * plus about 30 us per MiB the caller holds. A pool instead keeps worker
 * processes that serve call after call over shared memory, for a few
 * microseconds each. The price is the snapshot: a worker is a copy of the
 * program as it was when the pool was created, so the callback receives
 * its input as bytes (in, in_len), never through pointers into the
 * caller's current memory.
 *
 * miso_pool_new() forks a fork server (the zygote) at once; every worker
 * is forked from the zygote, never from the caller, so that each worker
 * is a small, single-threaded copy of the program whatever the caller has
 * become since. Call miso_pool_new() early, while the program is small
 * and has one thread: in a multithreaded program, locks other threads
 * hold at that moment stay locked in the zygote and in every worker.
 * Call it from the main thread, or from a thread that lives as long as the
 * pool: the zygote dies with the thread that created it
 * (PR_SET_PDEATHSIG), and its workers die with it.
 *
 * The zygote and the workers never outlive the program: each has
 * PR_SET_PDEATHSIG(SIGKILL) and checks its parent after setting it. The
 * zygote is a child of the caller (it may show in SIGCHLD and in
 * wait(-1)); workers are children of the zygote, which reaps them.
 *
 * A zygote that dies (killed, or by the hand of a callback, or with the
 * thread that created it) takes its workers with it. The next call that
 * needs a worker reaps it and forks a new one: a fresh copy of the
 * program as it is at that moment, forked from that call's thread, with
 * what that means for a multithreaded program (see above). Workers
 * started from then on are copies of the new zygote, not of the program
 * at miso_pool_new(). miso_pool_stats() counts these restarts.
 * Descriptors the program had open at miso_pool_new() stay open in the
 * zygote and the workers until the pool is freed (those of other pools
 * excepted): a pipe whose write end the program closes later gives no
 * EOF to its reader while a pool lives.
 */

struct miso_pool;

/* miso_pool_opts.spin_ns: never spin, always sleep in the kernel. */
#define MISO_POOL_NO_SPIN UINT32_MAX

/* Settings of a pool: a zeroed struct (or NULL) means the defaults. */
struct miso_pool_opts {
	unsigned workers;    /* number of workers, up to 1024; 0: 1 */
	uint64_t max_calls;  /* calls a worker serves before it is
	                        replaced; 0: no limit */
	uint64_t max_rss;    /* bytes; a worker whose resident set exceeds
	                        this after a call is replaced; 0: no limit */
	uint64_t max_age_ms; /* a worker older than this is replaced before
	                        its next call or after its current one;
	                        0: no limit */
	unsigned jitter;     /* percent, 0-100: each worker's max_calls and
	                        max_age_ms are lowered by a random part of
	                        up to this, so that workers do not all
	                        restart at once */
	uint64_t mem_limit;  /* bytes of address space per worker
	                        (RLIMIT_AS); 0: none */
	size_t shm_size;     /* bytes of shared memory per worker for the
	                        input and the result, mapped once; larger
	                        ones still work, a little slower; 0: 1 MiB */
	uint32_t spin_ns;    /* how long a waiting side (the caller for a
	                        reply, the worker for the next request)
	                        spins before it sleeps in the kernel;
	                        0: automatic: 50 us, only while every call
	                        in flight can have two CPUs and the worker
	                        did not last run on the caller's CPU;
	                        MISO_POOL_NO_SPIN: never */
	unsigned flags;      /* MISO_F_NO_CORE, MISO_F_KEEP_HANDLERS, as for
	                        miso_call(), applied to every worker */
	uint64_t acquire_timeout_ms; /* how long a call waits for a free
	                        worker when all are busy, and for the zygote
	                        to start one, before it fails with -EBUSY
	                        (not run, nothing killed); 0: no limit */
};

/* What a pool has done, for monitoring and tests. */
struct miso_pool_stats {
	pid_t zygote;       /* the fork server */
	unsigned workers;   /* the pool's size */
	uint64_t calls;     /* calls that reached a worker */
	uint64_t spawned;   /* workers started, replacements included */
	uint64_t recycled;  /* workers replaced for max_calls, max_rss or
	                       max_age_ms */
	uint64_t lost;      /* workers that died in a call or timed out */
	uint64_t restarts;  /* zygotes found gone and replaced */
};

/*
 * Creates a pool: forks the zygote, which forks opts->workers workers.
 * Returns 0 and the pool in *out, or a negative errno (-EINVAL for bad
 * settings; the errno of fork, socketpair, memfd_create or mmap), with
 * nothing left behind. Not async-signal-safe. See above for when to call
 * it; in a single-threaded program stdout and stderr are flushed first,
 * so that the program's output keeps its order (workers drop what they
 * inherit pending either way, so nothing is printed twice). The pool
 * holds one descriptor for the zygote and two per worker (its shared
 * memory), all close-on-exec and at 512 or above when the soft
 * RLIMIT_NOFILE allows.
 */
MISO_API int miso_pool_new(const struct miso_pool_opts *opts,
    struct miso_pool **out);

/*
 * Runs fn(in, in_len, w) in a worker and waits for it. What fn passes
 * to miso_write() comes back in res->data, exactly as with miso_call():
 * the same codes, groups and struct miso_result, with res->pid the
 * worker's pid. The input bytes are copied to the worker; fn sees them
 * at an address of its own, valid until it returns.
 *
 * fn runs in a copy of the program as it was at miso_pool_new(): it must
 * be a function that existed then (code loaded at start-up, or by
 * dlopen() before the pool was created), and it sees globals and the heap
 * as they were then, plus whatever earlier calls in the same worker left
 * behind. Workers are reused: fn must not rely on a fresh process.
 *
 * opts: timeout_ms (the time fn may run, counted from when the worker is
 * given the request: time spent waiting for a free worker is not part of
 * it; on expiry the zygote, the worker's parent, sends it SIGKILL for
 * the caller, and it is replaced; each wait for the zygote to start a
 * worker, before or after the call, is bounded by timeout_ms as well),
 * max_result, buf and
 * buf_size as for miso_call(); flags: only MISO_F_NO_FLUSH is read
 * (stdio is handled as for miso_call(): the worker drops what it has
 * pending before fn runs and flushes what fn wrote after it; a
 * single-threaded caller's stdout and stderr are flushed first). opts->mem_limit must be 0 (-EINVAL): the pool's mem_limit
 * applies. A call that crashes, exits or times out costs its worker,
 * which is replaced before miso_pool_call() returns.
 *
 * Returns 0, a negative errno (nothing ran, safe to retry: -EINVAL;
 * -ENOMEM; -EBUSY when no worker was free within the pool's
 * acquire_timeout_ms; -ETIMEDOUT when the zygote did not start a worker
 * within that or timeout_ms (it is stopped, say); -ECHILD when the zygote
 * was gone and could not be replaced; or the zygote's failure to start a
 * worker), or a MISO_E* code; MISO_ELOST when the zygote died while fn
 * ran. A call whose worker died with the zygote before it took the
 * request is run again on a worker of the new zygote. Thread-safe:
 * concurrent callers each get a worker of their own, and wait for one
 * when all are busy.
 * Not a cancellation point; not async-signal-safe. A pool belongs to the
 * process that created it: neither a forked child nor fn itself (in a
 * worker) may use it. Release res->data with miso_result_free().
 */
MISO_API int miso_pool_call(struct miso_pool *pool,
    void (*fn)(const void *in, size_t in_len, struct miso_writer *w),
    const void *in, size_t in_len, const struct miso_opts *opts,
    struct miso_result *res);

/*
 * Fills *st (unless NULL) and writes the pid of each worker slot to
 * pids[0 .. n-1] (0 for a slot whose worker is being replaced). Returns
 * the number of slots, which may exceed n. Thread-safe; not
 * async-signal-safe.
 */
MISO_API int miso_pool_stats(struct miso_pool *pool,
    struct miso_pool_stats *st, pid_t *pids, size_t n);

/*
 * Stops the workers and the zygote, reaps them and releases everything.
 * No call may be running on the pool, nor start. NULL is a no-op. Not
 * async-signal-safe.
 */
MISO_API void miso_pool_free(struct miso_pool *pool);

#ifdef __cplusplus
}
#endif

#endif
