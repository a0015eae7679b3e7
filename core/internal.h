/* Private declarations of the engine. */
#ifndef MISO_CORE_INTERNAL_H
#define MISO_CORE_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "miso.h"
#include "code.h"

#define MISO__MAGIC 0x4f53494du /* "MISO" */

/* Record kinds on the reply pipe. */
enum {
	MISO__REC_DONE = 1, /* the callback returned; the result follows */
	MISO__REC_OOM = 2   /* a fatal signal arrived while errno was ENOMEM */
};

/* Where the payload of a DONE record is. */
enum {
	MISO__IN_PIPE = 0,  /* right after the header, in the same write */
	MISO__IN_MEMFD = 1  /* in the memfd the parent gave, from offset 0 */
};

/*
 * The fixed header of every record, zero-initialised (padding included)
 * before it is filled. A header and an inline payload together fit in
 * PIPE_BUF, so the child sends them with one atomic write.
 */
struct miso__reply {
	uint32_t magic;
	uint16_t kind;
	uint16_t where;
	int32_t error;  /* the child's errno when the callback returned */
	int32_t werror; /* the writer's sticky error, 0 if none */
	uint64_t len;   /* payload bytes */
	uint64_t pid;   /* the sender, to reject records from grandchildren */
};

#define MISO__INLINE_MAX (PIPE_BUF - sizeof(struct miso__reply))

/* How res->data was allocated (miso_result.owned_). */
enum {
	MISO__OWN_NONE = 0,
	MISO__OWN_MALLOC = 1,
	MISO__OWN_MMAP = 2
};

/* The identity of an open file, to tell whether a descriptor still is it. */
struct miso__fdid {
	dev_t dev;
	ino_t ino;
};

struct miso_writer {
	int memfd;    /* -1: results beyond the inline buffer are too big */
	const struct miso__fdid *id; /* what memfd must be, or NULL */
	int error;    /* sticky */
	int spilled;  /* the bytes live in the memfd */
	off_t fsize;  /* the memfd's size, once spilled */
	size_t len;
	size_t limit;
	unsigned char inl[MISO__INLINE_MAX];
};

/* What the child needs, prepared by the parent before fork. */
struct miso__child {
	void (*fn)(void *, struct miso_writer *);
	void *ctx;
	int wfd;
	int memfd;
	int rfd;            /* the caller's end, to reopen the pipe by */
	struct miso__fdid wid, mid; /* what wfd and memfd must still be */
	struct miso__note *note;    /* or NULL */
	pid_t ppid;
	size_t limit;
	uint64_t mem_limit;
	unsigned flags;
};

/* The most a result may hold: max_result, and the caller's buffer. */
static inline size_t
miso__result_limit(const struct miso_opts *o)
{
	size_t limit = o->max_result != 0 ? o->max_result : SIZE_MAX;

	if (o->buf != NULL && o->buf_size < limit)
		limit = o->buf_size;
	return limit;
}

/* note.c: where a child that cannot reply says why (see there). */
struct miso__note {
	int32_t pid;    /* the child that lost its reply's way out; 0: none */
};
struct miso__note *miso__note_get(void);
void miso__note_child_reset(void);

/* The exit status of a child that could not deliver its reply. */
#define MISO__EXIT_NO_CHANNEL 126

/* highfd.c: the engine's descriptors live at this number or above. */
#define MISO__FD_FLOOR 512
int miso__fd_high(int fd);

/* io.c: EINTR-safe descriptor I/O. */
ssize_t miso__fd_read(int fd, void *buf, size_t len);
ssize_t miso__fd_write(int fd, const void *buf, size_t len);
ssize_t miso__write_all(int fd, const void *buf, size_t len);
ssize_t miso__pread_all(int fd, void *buf, size_t len, off_t off);
ssize_t miso__pwrite_all(int fd, const void *buf, size_t len, off_t off);
void miso__close(int fd);
int miso__fd_id(int fd, struct miso__fdid *id);
int miso__fd_is(int fd, const struct miso__fdid *id);
struct stat;
int miso__fd_stat(int fd, const struct miso__fdid *id, struct stat *st);

/* wire.c: checks a header as the parent received it. */
int miso__reply_check(const struct miso__reply *r, pid_t pid, size_t limit);

/* writer.c: the child's side of the result. */
void miso__writer_init(struct miso_writer *w, int memfd, size_t limit);

/* harden.c: what the engine changes in a child or a worker. */
void miso__watch_memory(void (*note)(void));
void miso__reset_crash_handlers(void);
void miso__lower_limit(int resource, uint64_t value);

/* child.c: everything the child does; never returns. */
_Noreturn void miso__child_main(const struct miso__child *c);

/*
 * Sets n bytes at p to those at fresh, writing only if they differ: in a
 * child, a write to a page costs a copy of it. Async-signal-safe.
 */
static inline void
miso__reset_bytes(void *p, const void *fresh, size_t n)
{
	volatile unsigned char *d = p;
	const unsigned char *s = fresh;
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i] != s[i])
			d[i] = s[i];
}

/* spawn.c: creating and reaping the child. */
pid_t miso__getpid(void);
pid_t miso__spawn(unsigned flags, int *cloned);
int miso__reap(pid_t pid, int cloned, int *wstatus);
void miso__defer_reap(pid_t pid);
void miso__reap_finished(void);
void miso__spawn_child_reset(void);

/* spill.c: the memfd of large results, one kept warm between calls. */
int miso__spill_take(struct miso__fdid *id);
void miso__spill_give(int fd);
void miso__spill_drop(void);
void miso__spill_child_reset(void);

/* stdio.c: the program's streams around a call (see there). */
void miso__stdio_before_fork(unsigned flags);
void miso__stdio_drop_inherited(unsigned flags);
void miso__stdio_flush_own(unsigned flags);

/* clock.c */
uint64_t miso__now_ns(void);

#endif
