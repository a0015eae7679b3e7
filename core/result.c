/* What a code means, and the release of what miso allocated. */
#define _GNU_SOURCE
#include <sys/mman.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
miso_result_free(struct miso_result *res)
{
	if (res == NULL)
		return;
	if (res->owned_ == MISO__OWN_MALLOC)
		free(res->data);
	else if (res->owned_ == MISO__OWN_MMAP)
		munmap(res->data, res->len);
	if (res->owned_ == MISO__OWN_MMAP)
		miso__spill_give(res->fd_);
	res->data = NULL;
	res->owned_ = MISO__OWN_NONE;
	res->fd_ = -1;
}

enum miso_group
miso_group(int code)
{
	switch (code) {
	case 0:
		return MISO_COMPLETED;
	case MISO_EEXIT:
	case MISO_EMEMORY:
	case MISO_ETOOBIG:
	case MISO_EBADREPLY:
		return MISO_RAN;
	default:
		return miso__is_errno(code) ? MISO_NOT_RUN : MISO_UNKNOWN;
	}
}

const char *
miso_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
#define MISO_TEXT_(name, value, text) case MISO_##name: return text;
	MISO_ERRORS(MISO_TEXT_)
#undef MISO_TEXT_
	}
	if (miso__is_errno(code))
		return strerror(-code);
	return "unknown miso code";
}

static const char *
signame(int sig)
{
	const char *s = sigabbrev_np(sig);

	return s != NULL ? s : "?";
}

int
miso_describe(const struct miso_result *res, char *buf, size_t size)
{
	switch (res->code) {
	case MISO_ESIGNAL:
		return snprintf(buf, size, "killed by signal %d (SIG%s)%s",
		    res->signo, signame(res->signo),
		    res->core_dumped ? ", core dumped" : "");
	case MISO_EMEMORY:
		return snprintf(buf, size, "out of its memory cap: errno was "
		    "ENOMEM when signal %d (SIG%s) killed it", res->signo,
		    signame(res->signo));
	case MISO_EEXIT:
		return snprintf(buf, size, "the callback called exit(%d)",
		    res->exit_code);
	case MISO_ETOOBIG:
		return snprintf(buf, size, "result of %zu bytes does not fit",
		    res->len);
	case MISO_ESYSTEM:
		return snprintf(buf, size, "%s: %s", miso_strerror(res->code),
		    strerror(res->error));
	default:
		return snprintf(buf, size, "%s", miso_strerror(res->code));
	}
}
