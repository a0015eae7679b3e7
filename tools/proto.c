/*
 * Comparing a configured prototype with the one the defining object's
 * DWARF describes: the number of parameters, and for each parameter and
 * the return value its class (integer, floating point, pointer, struct)
 * and size, which is what decides how the shim passes it. Signedness and
 * pointee types are not compared: they do not change the calling
 * convention.
 */
#include <dwarf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdw.h>

#include "config.h"
#include "tools.h"

struct cls {
	char	 c;	/* v void, i integer, f float, p pointer, s struct */
	size_t	 size;
};

static struct cls
dwarf_class(Dwarf_Die *typed)
{
	Dwarf_Attribute a;
	Dwarf_Die t, peeled;
	Dwarf_Word enc = 0;
	struct cls k = { 'v', 0 };
	int size;

	if (dwarf_attr_integrate(typed, DW_AT_type, &a) == NULL ||
	    dwarf_formref_die(&a, &t) == NULL)
		return k;
	if (dwarf_peel_type(&t, &peeled) != 0)
		peeled = t;
	size = dwarf_bytesize(&peeled);
	k.size = size > 0 ? (size_t)size : 0;
	switch (dwarf_tag(&peeled)) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
		k.c = 'p';
		k.size = 8;
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		k.c = 's';
		break;
	case DW_TAG_enumeration_type:
		k.c = 'i';
		break;
	case DW_TAG_base_type:
		if (dwarf_attr(&peeled, DW_AT_encoding, &a) != NULL)
			dwarf_formudata(&a, &enc);
		k.c = enc == DW_ATE_float ? 'f' : 'i';
		break;
	default:
		k.c = '?';
	}
	return k;
}

static struct cls
conf_class(const struct miso__conf_type *t)
{
	struct cls k = { 'i', t->size };

	switch (t->kind) {
	case MISO__K_VOID:
		k.c = 'v';
		k.size = 0;
		break;
	case MISO__K_FLOAT:
		k.c = 'f';
		break;
	case MISO__K_POINTER:
	case MISO__K_FUNCPTR:
		k.c = 'p';
		k.size = 8;
		break;
	case MISO__K_STRUCT:
		k.c = 's';
		break;
	default:
		break;
	}
	return k;
}

static const char *
describe(struct cls k, char *buf, size_t size)
{
	static const char *const names[] = { "an integer",
	    "a floating-point value", "a struct" };

	switch (k.c) {
	case 'v':
		return "void";
	case 'p':
		return "a pointer";
	case 'i': case 'f': case 's':
		snprintf(buf, size, "%s of %zu bytes", names[k.c == 'i' ? 0 :
		    k.c == 'f' ? 1 : 2], k.size);
		return buf;
	}
	return "of a type miso does not know";
}

static void
add(struct miso__proto *p, char *text)
{
	if (p->nmismatch < sizeof p->mismatch / sizeof p->mismatch[0])
		p->mismatch[p->nmismatch++] = text;
	else
		free(text);
}

static void
compare(struct miso__proto *p, const char *what, struct cls d, struct cls c)
{
	char b1[64], b2[64];

	if (d.c == '?' || (d.c == c.c && (d.size == c.size || d.c == 'p')))
		return;
	add(p, miso__xasprintf("%s is %s in DWARF, %s in the config", what,
	    describe(d, b1, sizeof b1), describe(c, b2, sizeof b2)));
}

static void
compare_die(Dwarf_Die *fn, const struct miso__conf_func *cf,
    struct miso__proto *p)
{
	Dwarf_Die child;
	size_t n = 0;
	char what[64];

	p->found = 1;
	compare(p, "the return value", dwarf_class(fn), conf_class(cf->ret));
	if (dwarf_child(fn, &child) != 0)
		goto count;
	do {
		if (dwarf_tag(&child) == DW_TAG_unspecified_parameters)
			p->variadic = 1;
		if (dwarf_tag(&child) != DW_TAG_formal_parameter ||
		    dwarf_hasattr(&child, DW_AT_artificial))
			continue;
		if (n < cf->nparams) {
			snprintf(what, sizeof what, "parameter %zu", n + 1);
			compare(p, what, dwarf_class(&child),
			    conf_class(cf->params[n].type));
		}
		n++;
	} while (dwarf_siblingof(&child, &child) == 0);
count:
	if (n != cf->nparams)
		add(p, miso__xasprintf("it has %zu parameter%s in DWARF, %zu "
		    "in the config", n, n == 1 ? "" : "s", cf->nparams));
}

/*
 * A defining subprogram DIE at the top of a CU, by name or, for a symbol
 * defined under another name (.symver aliases), by address.
 */
static int
find_in_cu(Dwarf_Die *cu, const char *name, GElf_Addr addr, Dwarf_Die *out)
{
	Dwarf_Die d;
	Dwarf_Addr low;
	const char *nm;

	if (dwarf_child(cu, &d) != 0)
		return 0;
	do {
		if (dwarf_tag(&d) == DW_TAG_subprogram &&
		    !dwarf_hasattr(&d, DW_AT_declaration) &&
		    (((nm = dwarf_diename(&d)) != NULL && strcmp(nm, name) ==
		    0) || (addr != 0 && dwarf_lowpc(&d, &low) == 0 &&
		    low == addr))) {
			*out = d;
			return 1;
		}
	} while (dwarf_siblingof(&d, &d) == 0);
	return 0;
}

/*
 * libdw inflates compressed debug sections into a buffer of the size the
 * section's header claims. A header can claim anything: past what
 * deflate can reach from the compressed bytes, or past MAX_INFLATED,
 * the DWARF is not read. (A little-endian file only: the headers are
 * read as they are in the file.)
 */
#define MAX_INFLATED	(64UL << 20)

static int
inflated_size_ok(uint64_t size, uint64_t from)
{
	return size <= MAX_INFLATED && size / 1032 <= from;
}

/* The header of a compressed section, read without libelf's copy. */
static int
inflated_ok(const struct miso__obj *o, const GElf_Shdr *sh, int gnu)
{
	unsigned char b[sizeof(Elf64_Chdr)];
	Elf64_Chdr ch;
	uint64_t size = 0;
	size_t n = gnu ? 12 : sizeof b;

	if (sh->sh_size < n || pread(o->fd, b, n, (off_t)sh->sh_offset) !=
	    (ssize_t)n)
		return 0;
	if (!gnu) {
		memcpy(&ch, b, sizeof ch);
		return inflated_size_ok(ch.ch_size, sh->sh_size);
	}
	/* "ZLIB", then the size, big-endian. */
	for (n = 4; n < 12; n++)
		size = size << 8 | b[n];
	return inflated_size_ok(size, sh->sh_size);
}

/*
 * libdw hands out names from the string sections as C strings: one whose
 * last string runs to the end of the section would be read past it.
 */
static int
terminated(Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	if (d == NULL || d->d_size == 0)
		return 1;
	return d->d_buf != NULL &&
	    ((const char *)d->d_buf)[d->d_size - 1] == '\0';
}

static int
dwarf_readable(const struct miso__obj *o)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	size_t shstrndx;
	const char *name;

	if (gelf_getehdr(o->elf, &eh) == NULL ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf_getshdrstrndx(o->elf, &shstrndx) != 0)
		return 0;
	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL)
			return 0;
		if ((sh.sh_flags & SHF_COMPRESSED) && !inflated_ok(o, &sh, 0))
			return 0;
		name = elf_strptr(o->elf, shstrndx, sh.sh_name);
		if (name != NULL && strncmp(name, ".zdebug", 7) == 0 &&
		    !inflated_ok(o, &sh, 1))
			return 0;
		if (name != NULL && !(sh.sh_flags & SHF_COMPRESSED) &&
		    (strcmp(name, ".debug_str") == 0 ||
		    strcmp(name, ".debug_line_str") == 0) && !terminated(scn))
			return 0;
	}
	return 1;
}

void
miso__proto_check(const struct miso__obj *o, const struct miso__conf_func *cf,
    struct miso__proto *p)
{
	Dwarf *dw;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, fn;
	uint8_t unit_type;
	Dwarf_Half version;
	const struct miso__dsym *y = miso__obj_def(o, cf->name);

	memset(p, 0, sizeof *p);
	if (!dwarf_readable(o) ||
	    (dw = dwarf_begin_elf(o->elf, DWARF_C_READ, NULL)) == NULL)
		return;
	while (dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie,
	    NULL) == 0)
		if (find_in_cu(&cudie, cf->name, y != NULL ? y->value : 0,
		    &fn)) {
			compare_die(&fn, cf, p);
			break;
		}
	dwarf_end(dw);
}

void
miso__proto_free(struct miso__proto *p)
{
	size_t i;

	for (i = 0; i < p->nmismatch; i++)
		free(p->mismatch[i]);
	p->nmismatch = 0;
}
