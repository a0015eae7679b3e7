/*
 * libFuzzer target for the configuration language.  Errors in the text
 * are the normal case; only crashes, leaks and sanitizer reports count.
 * Text that parses must also survive the round trip: its canonical form
 * parses again and formats to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Evaluates every size with zeroed arguments, as the shim would. */
static void
evaluate(const struct miso__conf_func *fn)
{
	static uint64_t zero[64], slots[64];
	static void *ptrs[64];
	void *args[64];
	uint64_t ret = 0;
	struct miso_eval_env env = { fn, args, &ret, 1 };
	size_t i, cap, filled;
	int64_t v;

	for (i = 0; i < fn->nparams && i < 64; i++) {
		ptrs[i] = zero;
		slots[i] = 0;
		args[i] = fn->params[i].type->kind == MISO__K_POINTER ?
		    (void *)&ptrs[i] : (void *)&slots[i];
	}
	for (i = 0; i < fn->nparams; i++) {
		if (miso__param_capacity(fn, i, &env, &cap) != 0)
			cap = 0;
		if (cap > sizeof(zero))
			cap = sizeof(zero);
		miso__param_filled(fn, i, &env, cap, &filled);
	}
	if (fn->ret_size != NULL)
		miso__expr_eval(fn->ret_size, &env, &v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct miso_conf *c, *c2;
	struct miso__conf_diag d;
	char *s, *s2;
	size_t i;

	if (miso__conf_parse("fuzz.conf", (const char *)data, size, &c,
	    &d) != 0) {
		miso__conf_diag_free(&d);
		return 0;
	}
	miso__conf_diag_free(&d);
	for (i = 0; i < c->nfuncs; i++)
		evaluate(&c->funcs[i]);
	if ((s = miso__conf_format(c)) == NULL)
		abort();
	if (miso__conf_parse("fmt.conf", s, strlen(s), &c2, &d) != 0) {
		fprintf(stderr, "canonical text does not parse:\n%s%s", s,
		    d.text);
		abort();
	}
	miso__conf_diag_free(&d);
	if ((s2 = miso__conf_format(c2)) == NULL || strcmp(s, s2) != 0) {
		fprintf(stderr, "not a fixed point:\n%s---\n%s", s, s2);
		abort();
	}
	free(s);
	free(s2);
	miso__conf_free(c2);
	miso__conf_free(c);
	return 0;
}
