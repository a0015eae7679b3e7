/*
 * libFuzzer target for the caller's side of the shim's reply: whatever
 * bytes a child sends, miso__commit either accepts a well-formed reply or
 * refuses it having written nothing at all into the caller's memory.
 * The first input byte picks the prototype; the rest is the reply.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shim/shim.h"

__thread int miso__bypass __attribute__((tls_model("initial-exec")));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf_text[] =
    "ssize_t f_read(int fd, out void *buf[count -> retval], size_t count);\n"
    "int f_pair(inout int *a, out long *b[2], out char *s[n -> cstr], size_t n);\n"
    "int f_dup(out alloc cstr char **out, out alloc int **v[3]);\n"
    "alloc cstr char *f_str(int i);\n";
static const char *const names[] = { "f_read", "f_pair", "f_dup", "f_str" };

static struct miso_conf *conf;
static struct miso__fn fns[4];

static void
setup(void)
{
	char why[128];
	size_t i;

	if (miso__conf_parse("fuzz.conf", conf_text, sizeof conf_text - 1,
	    &conf, NULL) != 0)
		abort();
	for (i = 0; i < 4; i++) {
		fns[i].cf = miso__conf_lookup(conf, names[i]);
		if (fns[i].cf == NULL || miso__ffi_prepare(&fns[i], why,
		    sizeof why) != 0)
			abort();
	}
}

/* The caller's memory: every byte the call could write, with canaries. */
struct memory {
	unsigned char buf[64];
	int a;
	long b[2];
	char s[16];
	char *out;
	int *v;
	unsigned char ret[16];
};

static void
release(int which, struct memory *m)
{
	if (which == 2) {
		free(m->out);
		free(m->v);
	} else if (which == 3) {
		free(*(char **)m->ret);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memory m, before;
	struct miso__plan plan;
	void *p0 = m.buf, *pa = &m.a, *pb = m.b, *ps = m.s, *po = &m.out,
	    *pv = &m.v;
	int fd = 3, i = 1, err, which, r;
	size_t count = 48, n = sizeof m.s;
	void *a_read[] = { &fd, &p0, &count };
	void *a_pair[] = { &pa, &pb, &ps, &n };
	void *a_dup[] = { &po, &pv };
	void *a_str[] = { &i };
	void **args[] = { a_read, a_pair, a_dup, a_str };

	if (conf == NULL)
		setup();
	if (size == 0)
		return 0;
	which = data[0] % 4;
	memset(&m, 0xa5, sizeof m);
	m.out = NULL;
	m.v = NULL;
	memcpy(&before, &m, sizeof m);
	if (miso__plan_call(&fns[which], args[which], &plan) != 0)
		abort();
	r = miso__commit(&fns[which], args[which], &plan, data + 1, size - 1,
	    m.ret, &err);
	if (r != 0) {
		if (memcmp(&m, &before, sizeof m) != 0)
			abort();  /* a refused reply wrote something */
		return 0;
	}
	release(which, &m);
	return 0;
}
