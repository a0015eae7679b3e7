/*
 * Calls each function of libtg and prints what it gives back: the
 * output must be the same with the configuration miso gen prints, used
 * unedited, and without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

static int
cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
main(void)
{
	int v[] = { 5, -2, 9, 1, 7, 3 }, q = 0, r = 0, i;
	struct tg_point p = { 3, 4, 0.5 };
	tg_byte in[40], out[64];
	size_t n = sizeof(out);
	char buf[8], *d;
	tg_ctx *c;

	printf("sum %d %d\n", tg_sum(v, 6), tg_sum(v, 2));
	printf("norm %a\n", tg_norm(&p));
	tg_move(&p, 2, -1);
	printf("move %d %d %a\n", p.x, p.y, p.w);
	memset(buf, '#', sizeof(buf));
	printf("fill %d [%s]\n", tg_fill(buf, sizeof(buf), 42), buf);
	printf("fill %d [%s]\n", tg_fill(buf, sizeof(buf), 123456), buf);
	for (i = 0; i < 40; i++)
		in[i] = (tg_byte)(i < 25 ? 'a' : 'b' + i % 3);
	printf("pack %d", tg_pack(out, &n, in, sizeof(in)));
	printf(" %zu:", n);
	for (i = 0; i < (int)n; i++)
		printf(" %d", out[i]);
	n = 4;
	printf("\npack short %d %zu\n", tg_pack(out, &n, in, sizeof(in)), n);
	printf("name %s %s\n", tg_name(1), tg_name(7));
	d = tg_dup("a fresh copy");
	printf("dup [%s]\n", d);
	free(d);
	printf("hash %u\n", (unsigned)tg_hash("miso"));
	printf("divmod %d", tg_divmod(17, 5, &q, &r));
	printf(" %d %d", q, r);
	printf(" %d\n", tg_divmod(1, 0, &q, &r));
	tg_sort(v, 6, cmp);
	for (i = 0; i < 6; i++)
		printf("%d ", v[i]);
	printf("\ncrash %d\n", tg_crash(21));
	printf("cmp %d %d\n", tg_cmp(in, in + 1, 10) == 0,
	    tg_cmp(in, in + 30, 10) < 0);
	d = tg_find(buf, '-');
	printf("find %td [%s] %d\n", d - buf, d, tg_find(buf, 'z') == NULL);
	c = tg_open("four");
	printf("count %d %d\n", tg_count(c), tg_count(c));
	free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}
