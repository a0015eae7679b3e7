/*
 * libFuzzer target for size expressions: any expression the parser takes
 * evaluates, before and after the call, to a value or an error, never to
 * an overflow, a wild read or undefined behaviour. The first 48 bytes of
 * the input are the arguments and the return value; the rest is the
 * expression, placed where a capacity goes and where a fill goes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD 48

static void
evaluate(const struct miso__conf_func *fn, const uint8_t *vals)
{
	long a, b, pv, ret;
	int qv;
	size_t n;
	char buf[8];
	void *bp = buf, *pp = &pv, *qp = &qv, *np = NULL;
	void *args[] = { &bp, &a, &b, &pp, &qp, &n, &np };
	struct miso_eval_env env = { fn, args, NULL, 0 };
	int64_t out;
	size_t i, bytes;

	memcpy(&a, vals, 8);
	memcpy(&b, vals + 8, 8);
	memcpy(&pv, vals + 16, 8);
	memcpy(&qv, vals + 24, 4);
	memcpy(&n, vals + 28, 8);
	memcpy(&ret, vals + 36, 8);
	for (i = 0; i < fn->nparams; i++) {
		if (fn->params[i].cap != NULL)
			miso__expr_eval(fn->params[i].cap, &env, &out);
		miso__param_capacity(fn, i, &env, &bytes);
	}
	env.after = 1;
	env.retval = &ret;
	for (i = 0; i < fn->nparams; i++)
		if (fn->params[i].fill != NULL)
			miso__expr_eval(fn->params[i].fill, &env, &out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "long f(out char *buf[";
	static const char mid[] = " -> ";
	static const char post[] = "], long a, long b, inout long *p, "
	    "inout int *q, size_t n, opaque void *z);\n";
	struct miso_conf *conf;
	char *text;
	size_t e, len;

	if (size < HEAD || size > HEAD + 512)
		return 0;
	e = size - HEAD;
	len = sizeof pre - 1 + 2 * e + sizeof mid - 1 + sizeof post - 1;
	if ((text = malloc(len + 1)) == NULL)
		return 0;
	snprintf(text, len + 1, "%s%.*s%s%.*s%s", pre, (int)e,
	    (const char *)data + HEAD, mid, (int)e, (const char *)data + HEAD,
	    post);
	if (memchr(data + HEAD, 0, e) == NULL &&
	    miso__conf_parse("fuzz.conf", text, strlen(text), &conf,
	    NULL) == 0) {
		evaluate(&conf->funcs[0], data);
		miso__conf_free(conf);
	}
	free(text);
	return 0;
}
