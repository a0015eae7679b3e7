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

/* Do not flush stdout and stderr before the fork and after the callback. */
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

#ifdef __cplusplus
}
#endif

#endif
