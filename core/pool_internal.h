/* Private declarations of worker mode (core/pool*.c, zygote, worker). */
#ifndef MISO_CORE_POOL_INTERNAL_H
#define MISO_CORE_POOL_INTERNAL_H

#include <sys/types.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "internal.h"
#include "miso.h"

/*
 * A one-way doorbell in shared memory: the ringer bumps seq, the waiter
 * waits for seq to move. sleeping tells the ringer that a futex wake is
 * needed; without it a ring costs no system call. Each bell has a cache
 * line of its own, so that the two sides spinning on different bells do
 * not steal each other's line.
 */
struct miso__bell {
	uint32_t seq;
	uint32_t sleeping;
} __attribute__((aligned(64)));

/* The request, written by the caller before it rings req. */
struct miso__request {
	uint64_t fn;      /* the callback, as an address in the program */
	uint64_t in_len;  /* the input is at MISO__SHM_DATA */
	uint64_t out_off; /* where a small result goes in the region */
	uint64_t limit;   /* the writer's limit */
	uint32_t seq;     /* req.seq once rung: the reply echoes it */
	uint32_t spin_ns; /* how long the worker spins for the next one */
	uint32_t flags;   /* MISO_F_NO_FLUSH */
	uint32_t want_rss;
};

/* The reply, written by the worker before it rings rep. */
struct miso__answer {
	uint64_t len;   /* result bytes */
	uint32_t where; /* MISO__IN_REGION or MISO__IN_OUTFD */
	uint64_t rss;   /* bytes, when asked for */
	int32_t error;  /* errno when fn returned */
	int32_t werror; /* the writer's sticky error */
	uint32_t seq;   /* the request's seq; written last */
};

/*
 * The header page of a worker's region; the data follow at
 * MISO__SHM_DATA. The caller, the worker and the zygote map it. Nothing
 * the worker writes is trusted by the caller without a check: fn runs in
 * the worker and may scribble on anything it can reach.
 */
struct miso__shm {
	struct miso__bell req; /* caller -> worker */
	struct miso__bell rep; /* worker -> caller; the zygote at death */
	struct miso__request rq __attribute__((aligned(64)));
	struct miso__answer rp __attribute__((aligned(64)));
	uint32_t worker_cpu;   /* where the worker last served a call */
	uint32_t oom;          /* the worker died with errno ENOMEM */
	uint32_t dead;         /* the zygote reaped the worker ... */
	int32_t wstatus;       /* ... and this was its status */
	uint32_t taken;        /* the seq of the last request the worker
	                          took, written before fn runs */
};

/* A deadline in ns must not wrap: about a century is plenty. */
#define MISO__MAX_WAIT_MS (UINT64_MAX / 4000000u)

#define MISO__SHM_DATA 4096u

/*
 * Where a result is: in the region at the request's out_off, or at the
 * start of the worker's result file, where the writer spills (it writes
 * a spilled result from offset 0 of the memfd it is given).
 */
enum {
	MISO__IN_REGION = 0,
	MISO__IN_OUTFD = 1
};
#define MISO__SHM_DEFAULT (1u << 20)

/* What a worker is set up with, fixed for the pool. */
struct miso__worker_cfg {
	size_t shm_size;
	uint64_t mem_limit;
	unsigned flags;
};

/*
 * The caller's handle on its zygote. ctl keeps its number for the life
 * of the pool: a replacement zygote's socket is put in its place with
 * dup3(), so that a thread sending a KILL order without the lock never
 * sends on a descriptor that was closed and reused meanwhile.
 */
struct miso__zygote {
	pid_t pid;            /* atomic: replaced by a restart */
	int ctl;              /* SOCK_SEQPACKET to the zygote */
	uint32_t gen;         /* atomic: 0, then one more per restart */
	uint32_t seq;         /* of the last SPAWN order; under lock */
	pthread_mutex_t lock; /* one SPAWN exchange, or a restart, at a time */
};

/* A worker as the zygote hands it to the caller. */
struct miso__spawned {
	pid_t pid;
	uint32_t gen; /* of the zygote asked, also when it was gone */
	int memfd; /* its region */
	int outfd; /* its result file */
};

/* A place for one worker, as the caller sees it. */
struct miso__slot {
	pid_t pid;          /* 0: no worker */
	int memfd, outfd;
	struct miso__shm *h;
	void *out;          /* the result file, mapped */
	int busy;           /* a caller owns the slot */
	uint32_t gen;       /* of the zygote that forked the worker */
	uint32_t seq;       /* of the last request */
	uint64_t calls, max_calls;
	uint64_t born_ns, max_age_ns;
};

struct miso_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;   /* a slot became free */
	struct miso_pool_opts o;
	struct miso__worker_cfg cfg;
	struct miso__zygote z;
	unsigned ncpu;
	unsigned active;        /* calls in flight; atomic */
	uint64_t rng;           /* atomic */
	struct miso_pool_stats st; /* counters: atomic */
	struct miso_pool *next; /* every live pool, for a new zygote */
	unsigned nslots;
	struct miso__slot slots[];
};

/* How a call left its worker. */
enum {
	MISO__KEEP = 0,  /* fine, unless a recycling limit says otherwise */
	MISO__LOST = 1   /* dead, timed out, or not to be trusted */
};

/*
 * The deadlines of the steps before and after the function runs
 * (CLOCK_MONOTONIC ns, 0: none): waiting for a free slot, and each wait
 * for the zygote to start a worker.
 */
struct miso__waits {
	uint64_t queue;     /* deadline: start + acquire_timeout_ms */
	uint64_t zygote_ns; /* the call's timeout, counted from each wait */
};

/* pool.c */
void miso__pool_forget_others(void);
int miso__pool_acquire(struct miso_pool *p, const struct miso__waits *wt,
    struct miso__slot **out);
void miso__pool_release(struct miso_pool *p, struct miso__slot *s, int how,
    uint64_t rss, uint64_t timeout_ns);
int miso__pool_stale(struct miso_pool *p, const struct miso__slot *s);

/* doorbell.c */
void miso__bell_ring(struct miso__bell *b);
int miso__bell_wait(struct miso__bell *b, uint32_t seen, uint32_t spin_ns,
    uint64_t until_ns);

/* shm.c */
int miso__shm_create(size_t size);
struct miso__shm *miso__shm_map(int fd, size_t size);
int miso__shm_put(void *base, int fd, size_t size, uint64_t off,
    const void *p, size_t n);
int miso__shm_get(const void *base, int fd, size_t size, uint64_t off,
    void *p, size_t n);
void miso__shm_shrink(int fd, size_t size);

/* The messages of the zygote's socket (zygote.c, zygote_caller.c). */
enum {
	MISO__ZY_SPAWN = 1,
	MISO__ZY_KILL = 2,
	MISO__ZY_QUIT = 3
};

struct miso__zy_order {
	uint32_t op;
	int32_t pid;  /* MISO__ZY_KILL */
	uint32_t seq; /* MISO__ZY_SPAWN: echoed by the answer */
	uint32_t gen; /* the zygote the order is meant for */
};

struct miso__zy_answer {
	int32_t error; /* 0 or -errno */
	int32_t pid;
	uint32_t seq;
};

/* zygote.c, zygote_caller.c */
int miso__zygote_start(struct miso__zygote *z,
    const struct miso__worker_cfg *cfg);
int miso__zygote_restart(struct miso__zygote *z,
    const struct miso__worker_cfg *cfg);
int miso__zygote_spawn(struct miso__zygote *z, struct miso__spawned *w,
    uint64_t deadline);
void miso__zygote_kill(struct miso__zygote *z, pid_t pid, uint32_t gen);
int miso__zygote_gone(const struct miso__zygote *z);
void miso__zygote_stop(struct miso__zygote *z);

/* worker.c: the worker's life, after the zygote forked it; never returns. */
_Noreturn void miso__worker_main(int memfd, int outfd,
    const struct miso__worker_cfg *cfg, const sigset_t *mask, pid_t zygote);

#endif
