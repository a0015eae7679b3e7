/*
 * "Did you mean": the closest of a list of words to a misspelt one, by
 * edit distance, for hints after unknown names.
 */
#include <string.h>

#include "internal.h"

#define LONGEST	32

/*
 * Edit distance counting a swap of two neighbours as one edit (optimal
 * string alignment: "fial" is one edit from "fail", "kv_prase" one from
 * "kv_parse"), for words of at most LONGEST bytes.
 */
size_t
miso__edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t d[LONGEST + 1][LONGEST + 1];

	if (la > LONGEST || lb > LONGEST)
		return LONGEST;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/*
 * Returns the word of v (n of them, NULL ones skipped) closest to word, or
 * NULL when none is close: at most one edit for short words, two for
 * others.
 */
size_t
miso__suggest_limit(const char *word)
{
	return strlen(word) <= 4 ? 1 : 2;
}

const char *
miso__suggest(const char *word, const char *const *v, size_t n)
{
	const char *best = NULL;
	size_t i, d, least = miso__suggest_limit(word) + 1;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL || (d = miso__edit_distance(word, v[i])) >=
		    least)
			continue;
		least = d;
		best = v[i];
	}
	return best;
}
