/*
 * blocking_signals: a caller that must not be interrupted while the
 * isolated function runs blocks the signals around the call. The child
 * inherits the mask too, so neither side is cut short; the signal is
 * delivered once the call is over.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <miso.h>

static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	got_term = sig;
}

static void
slow_work(void *ctx, struct miso_writer *w)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int done = 1;

	kill(getppid(), SIGTERM);  /* someone asks the caller to stop */
	nanosleep(&ts, NULL);
	miso_write(w, &done, sizeof done);
}

int
main(void)
{
	struct sigaction sa;
	sigset_t all, old;
	struct miso_result r;
	int rc, term_during;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	rc = miso_call(slow_work, NULL, NULL, &r);
	term_during = got_term;
	sigprocmask(SIG_SETMASK, &old, NULL);  /* SIGTERM arrives here */

	printf("call: %s; SIGTERM during the call: %s; after: %s\n",
	    miso_strerror(rc), term_during ? "handled" : "held back",
	    got_term ? "handled" : "lost");
	miso_result_free(&r);
	return rc == 0 && !term_during && got_term ? 0 : 1;
}
