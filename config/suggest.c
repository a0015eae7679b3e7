/*
 * "Did you mean": the closest of a list of words to a misspelt one, by
 * edit distance, for hints after unknown names.
 */
#include <string.h>

#include "internal.h"

#define LONGEST	32

/* Levenshtein distance, for words of at most LONGEST bytes. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[LONGEST + 1], prev, tmp;

	if (la > LONGEST || lb > LONGEST)
		return LONGEST;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

/*
 * Returns the word of v (n of them, NULL ones skipped) closest to word, or
 * NULL when none is close: at most one edit for short words, two for
 * others.
 */
const char *
miso__suggest(const char *word, const char *const *v, size_t n)
{
	const char *best = NULL;
	size_t i, d, max = strlen(word) <= 4 ? 1 : 2, least = max + 1;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL || (d = distance(word, v[i])) >= least)
			continue;
		least = d;
		best = v[i];
	}
	return best;
}
