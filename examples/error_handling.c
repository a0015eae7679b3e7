/*
 * error_handling: tell "never ran, retry" from "ran and failed" from
 * "unknown" for each way a call can end.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <miso.h>

static void
fine(void *ctx, struct miso_writer *w)
{
	miso_write(w, "ok", 2);
}

static void
crashes(void *ctx, struct miso_writer *w)
{
	raise(SIGSEGV);
}

static void
exits(void *ctx, struct miso_writer *w)
{
	exit(7);
}

static void
hangs(void *ctx, struct miso_writer *w)
{
	for (;;)
		pause();
}

static const char *
group_name(enum miso_group g)
{
	switch (g) {
	case MISO_COMPLETED: return "completed";
	case MISO_NOT_RUN:   return "not run: safe to retry";
	case MISO_RAN:       return "ran and failed";
	default:             return "unknown: it may have done part of its work";
	}
}

static void
try(const char *name, void (*fn)(void *, struct miso_writer *))
{
	struct miso_opts o = { .timeout_ms = 1000, .flags = MISO_F_NO_CORE };
	struct miso_result r;
	char what[128];

	miso_call(fn, NULL, &o, &r);
	miso_describe(&r, what, sizeof what);
	printf("%-8s %-45s %s\n", name, group_name(miso_group(r.code)), what);
	miso_result_free(&r);
}

int
main(void)
{
	try("fine", fine);
	try("crashes", crashes);
	try("exits", exits);
	try("hangs", hangs);
	return 0;
}
