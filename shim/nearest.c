/*
 * The exported function whose name is nearest to one that no loaded
 * object defines, for the warning about a configured name that is likely
 * misspelt ("kv_prase": did you mean kv_parse?).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>

#include "../config/config.h"
#include "rebind_internal.h"

struct nearest {
	const char *word;
	char *best;      /* the nearest so far, copied: objects may go */
	size_t size;
	size_t least;    /* its distance; past the limit: none yet */
};

/*
 * The number of dynamic symbols: DT_HASH says it; with DT_GNU_HASH only,
 * it is one past the last symbol of the last chain.
 */
static size_t
sym_count(const struct miso__dynobj *o)
{
	const uint32_t *g = o->gnuhash, *buckets, *chain;
	size_t nb, off, i, last = 0;

	if (o->hash != NULL)
		return o->hash[1];
	if (g == NULL)
		return 0;
	nb = g[0];
	off = g[1];
	buckets = g + 4 + g[2] * (sizeof(ElfW(Addr)) / 4);
	chain = buckets + nb;
	for (i = 0; i < nb; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < off)
		return off;
	while ((chain[last - off] & 1) == 0)
		last++;
	return last + 1;
}

static int
exported_function(const ElfW(Sym) *s)
{
	unsigned t = ELF64_ST_TYPE(s->st_info), b = ELF64_ST_BIND(s->st_info);

	return s->st_shndx != SHN_UNDEF && (t == STT_FUNC ||
	    t == STT_GNU_IFUNC) && (b == STB_GLOBAL || b == STB_WEAK);
}

static int
nearest_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct nearest *nr = arg;
	struct miso__dynobj o;
	const char *name;
	size_t i, n, d;

	if (miso__is_self(info) || !miso__obj_open(&o, info))
		return 0;
	n = sym_count(&o);
	for (i = 1; i < n; i++) {
		if (!exported_function(&o.symtab[i]))
			continue;
		name = o.strtab + o.symtab[i].st_name;
		/* The implementation's names, unless asked for one. */
		if (name[0] == '_' && nr->word[0] != '_')
			continue;
		d = miso__edit_distance(nr->word, name);
		if (d < nr->least && strlen(name) < nr->size) {
			nr->least = d;
			memcpy(nr->best, name, strlen(name) + 1);
		}
	}
	return 0;
}

const char *
miso__nearest_function(const char *name, char *buf, size_t size)
{
	struct nearest nr = { name, buf, size, miso__suggest_limit(name) + 1 };

	if (size == 0)
		return NULL;
	buf[0] = '\0';
	dl_iterate_phdr(nearest_cb, &nr);
	return buf[0] != '\0' ? buf : NULL;
}
