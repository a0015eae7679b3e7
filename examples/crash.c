/*
 * crash: a function that dereferences a bad pointer for some inputs.
 * Called through miso, the crash becomes a status and the caller goes on.
 */
#include <stdio.h>
#include <string.h>

#include <miso.h>

/* Where a table should have been loaded; the bug is that it never is. */
static const int *volatile table;

static int
parse_length(const char *s)
{
	if (s[0] == '!')
		return table[42];  /* the bug */
	return (int)strlen(s);
}

static void
parse_isolated(void *ctx, struct miso_writer *w)
{
	int n = parse_length(ctx);

	miso_write(w, &n, sizeof n);
}

int
main(void)
{
	static const char *inputs[] = { "hello", "!boom", "world" };
	struct miso_opts o = { .flags = MISO_F_NO_CORE };
	struct miso_result r;
	char what[128];
	int i, n, ok = 0;

	for (i = 0; i < 3; i++) {
		if (miso_call(parse_isolated, (void *)inputs[i], &o, &r) == 0) {
			memcpy(&n, r.data, sizeof n);
			printf("%-6s -> %d\n", inputs[i], n);
			ok++;
		} else {
			miso_describe(&r, what, sizeof what);
			printf("%-6s -> %s\n", inputs[i], what);
		}
		miso_result_free(&r);
	}
	printf("the caller is still here after %d calls\n", i);
	return ok == 2 ? 0 : 1;
}
