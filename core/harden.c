/*
 * What the engine changes in a child or a worker before the callback runs,
 * each change deliberate and documented where it is made (core/child.c,
 * core/worker.c): crash handlers back to their default, lower resource
 * limits, and a note of "errno was ENOMEM" when a fatal signal comes under
 * a memory cap. All of it is async-signal-safe: it runs after fork().
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "internal.h"

#define ALTSTACK_SIZE (64 * 1024)

/* Set once, in the child or worker, before any callback runs. */
static void (*oom_note)(void);

static void
on_fatal(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;

	(void)uc;
	if (errno == ENOMEM)
		oom_note();
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	/*
	 * A fault returns to the faulting instruction and is raised again,
	 * now with the default action. A signal that was sent (kill, raise,
	 * abort) would not come back by itself: send it again; it is blocked
	 * until this handler returns.
	 */
	if (si->si_code <= 0)
		raise(sig);
}

/*
 * Where SIGSEGV, SIGBUS and SIGABRT are at their default, installs a
 * handler, on an alternate stack (a stack overflow is one way to run out),
 * that calls note() if errno is ENOMEM and then lets the signal kill.
 */
void
miso__watch_memory(void (*note)(void))
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT };
	struct sigaction sa, old;
	stack_t ss;
	size_t i;

	ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED)
		return;
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) == -1)
		return;
	oom_note = note;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

/*
 * The kernel's struct sigaction (x86-64 and most others): SIG_DFL needs
 * no restorer, and its mask is 8 bytes.
 */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/*
 * The handlers of the crash signals back to SIG_DFL, by the system call
 * itself: in a fresh child, sigaction()'s page of libc would be one more
 * page to fault in (core/child.c). One call per signal, whatever the
 * disposition was: the kernel has no cheaper way to ask, and a handler
 * the program installed since the last call must be reset all the same.
 */
void
miso__reset_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
	    SIGSYS };
	static const struct ksigaction dfl = { .handler = SIG_DFL };
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		syscall(SYS_rt_sigaction, sigs[i], &dfl, NULL, sizeof dfl.mask);
}

/* Lowers a soft limit; never raises one the program already had. */
void
miso__lower_limit(int resource, uint64_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == -1)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < value)
		return;
	rl.rlim_cur = value;
	setrlimit(resource, &rl);
}
