/*
 * The wake-up between a caller and its worker: a sequence word in shared
 * memory, spun on for a while, then slept on with a futex.
 *
 * Measured here (reference/limits.md): a blocking round trip between two
 * processes costs 35-50 us when they sit on different vCPUs (an idle vCPU
 * halts, and waking it is slow) and 5 us on one; spinning costs 0.34 us
 * but needs a CPU each. The spin is therefore bounded and chosen per call
 * by the caller, which knows how many calls are in flight.
 *
 * The futex is a shared one (no FUTEX_PRIVATE_FLAG): the word lives in a
 * MAP_SHARED mapping of a memfd, seen by two or three processes.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

#include "pool_internal.h"

/* Clock reads are not free: look at the clock every SPIN_CHECK turns. */
#define SPIN_CHECK 64
/*
 * After this long, the spinner yields between turns. The partner may be
 * queued behind the spinner on the same CPU (the scheduler put them
 * together, or another program holds the other CPU): a pure spin then
 * burns its whole budget before the partner can answer, measured at
 * 100 us a round trip here instead of 1.
 */
#define PURE_SPIN_NS 2000u

/*
 * The CPU's spin-wait hint, which yields the core to its sibling thread
 * and keeps the pipeline from speculating on the loop's exit.
 */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax()	__asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax()	((void)0)
#endif

static long
futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/*
 * Async-signal-safe. The ringer's increment and the waiter's store of
 * sleeping are both sequentially consistent: either the waiter sees the
 * new seq before it sleeps, or the ringer sees sleeping and wakes it.
 */
void
miso__bell_ring(struct miso__bell *b)
{
	__atomic_add_fetch(&b->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&b->sleeping, __ATOMIC_SEQ_CST))
		futex(&b->seq, FUTEX_WAKE, INT_MAX, NULL);
}

static int
moved(struct miso__bell *b, uint32_t seen)
{
	return __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != seen;
}

static int
spin(struct miso__bell *b, uint32_t seen, uint32_t spin_ns)
{
	uint64_t start, now;
	unsigned i;

	if (spin_ns == 0)
		return 0;
	start = miso__now_ns();
	for (;;) {
		for (i = 0; i < SPIN_CHECK; i++) {
			if (moved(b, seen))
				return 1;
			cpu_relax();
		}
		now = miso__now_ns();
		if (now - start >= spin_ns)
			return 0;
		if (now - start >= PURE_SPIN_NS)
			sched_yield();
	}
}

/*
 * Waits until b->seq differs from seen, or until the monotonic clock
 * reaches until_ns (0: no limit). Returns 0 when it moved, -ETIMEDOUT.
 * Async-signal-safe.
 */
int
miso__bell_wait(struct miso__bell *b, uint32_t seen, uint32_t spin_ns,
    uint64_t until_ns)
{
	struct timespec ts, *tp = NULL;
	uint64_t now, left;
	int r = 0;

	if (spin(b, seen, spin_ns))
		return 0;
	__atomic_store_n(&b->sleeping, 1, __ATOMIC_SEQ_CST);
	while (!moved(b, seen)) {
		if (until_ns != 0) {
			now = miso__now_ns();
			if (now >= until_ns) {
				r = -ETIMEDOUT;
				break;
			}
			left = until_ns - now;
			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			tp = &ts;
		}
		/* EAGAIN (seq moved), EINTR and ETIMEDOUT all loop back. */
		futex(&b->seq, FUTEX_WAIT, seen, tp);
	}
	__atomic_store_n(&b->sleeping, 0, __ATOMIC_RELAXED);
	return r;
}
