/*
 * The prototypes of a library's external functions, from its DWARF: the
 * types with their sizes, constness and struct layouts, in the spelling
 * the configuration language reads. A stripped library's DWARF is looked
 * for in its separate debug file, by build-id, under /usr/lib/debug.
 */
#define _GNU_SOURCE
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>

#include "config.h"
#include "gen.h"
#include "internal.h"
#include "tools.h"

static struct miso__gtype *
new_type(enum miso__gkind k, size_t size, const char *spell)
{
	struct miso__gtype *t = miso__xcalloc(1, sizeof(*t));

	t->kind = k;
	t->size = size;
	t->spell = spell;
	return t;
}

static int
die_type(Dwarf_Die *typed, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(typed, DW_AT_type, &a) != NULL &&
	    dwarf_formref_die(&a, out) != NULL ? 0 : -1;
}

static const struct miso__gtype *gtype(Dwarf_Die *t, int depth);

/* The scalars, spelled by encoding and size. */
static const struct miso__gtype *
base_type(Dwarf_Die *t)
{
	static const char *const s[] = { "signed char", "short", "int",
	    "long" }, *const u[] = { "unsigned char", "unsigned short",
	    "unsigned int", "unsigned long" };
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	int size = dwarf_bytesize(t), i;
	const char *name = dwarf_diename(t);

	if (dwarf_attr(t, DW_AT_encoding, &a) != NULL)
		dwarf_formudata(&a, &enc);
	i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
	if (enc == DW_ATE_float && (size == 4 || size == 8))
		return new_type(MISO__G_FLOAT, (size_t)size, size == 4 ?
		    "float" : "double");
	if (enc == DW_ATE_boolean && size == 1)
		return new_type(MISO__G_UINT, 1, "_Bool");
	if (i >= 0 && name != NULL && strcmp(name, "char") == 0)
		return new_type(MISO__G_SINT, 1, "char");
	if (i >= 0 && (enc == DW_ATE_signed || enc == DW_ATE_signed_char))
		return new_type(MISO__G_SINT, (size_t)size, s[i]);
	if (i >= 0 && (enc == DW_ATE_unsigned ||
	    enc == DW_ATE_unsigned_char))
		return new_type(MISO__G_UINT, (size_t)size, u[i]);
	{
		struct miso__gtype *o = new_type(MISO__G_OTHER, 0,
		    name != NULL ? miso__xstrdup(name) : "?");

		o->why = size == 16 ? "long double is not supported" :
		    "a scalar the language does not have";
		return o;
	}
}

/* "TYPE name[d1][d2];" for a member, or -1 if the language cannot. */
static int
member(Dwarf_Die *m, int depth, char **line, int *ptr)
{
	Dwarf_Die t, sub;
	const struct miso__gtype *g;
	char dims[64] = "";
	Dwarf_Attribute a;
	Dwarf_Word n;
	size_t len;

	if (dwarf_attr(m, DW_AT_bit_size, &a) != NULL ||
	    dwarf_diename(m) == NULL || die_type(m, &t) != 0)
		return -1;
	while (dwarf_peel_type(&t, &t) == 0 &&
	    dwarf_tag(&t) == DW_TAG_array_type) {
		if (die_type(&t, &t) == -1)
			return -1;
		if (dwarf_child(&t, &sub) != 0)
			return -1;
		/* Only one-dimensional arrays with a count are read here. */
		if (dwarf_attr(&sub, DW_AT_upper_bound, &a) != NULL &&
		    dwarf_formudata(&a, &n) == 0)
			n++;
		else if (dwarf_attr(&sub, DW_AT_count, &a) == NULL ||
		    dwarf_formudata(&a, &n) != 0)
			return -1;
		len = strlen(dims);
		snprintf(dims + len, sizeof(dims) - len, "[%llu]",
		    (unsigned long long)n);
		break;
	}
	if (dwarf_peel_type(&t, &sub) == 0 &&
	    (dwarf_tag(&sub) == DW_TAG_pointer_type ||
	    dwarf_tag(&sub) == DW_TAG_subroutine_type)) {
		*ptr = 1;
		*line = miso__xasprintf("void *%s%s;", dwarf_diename(m), dims);
		return 0;
	}
	g = gtype(&t, depth + 1);
	if (g->kind == MISO__G_OTHER ||
	    (g->kind == MISO__G_STRUCT && g->def == NULL))
		return -1;
	if (g->kind == MISO__G_STRUCT && g->ptr_fields)
		*ptr = 1;
	*line = miso__xasprintf("%s %s%s;", g->spell, dwarf_diename(m), dims);
	return 0;
}

/*
 * A struct: a system one known by size, or one whose members the
 * language can lay out (its definition goes into 'def').
 */
static const struct miso__gtype *
struct_type(Dwarf_Die *t, const char *tag, int depth)
{
	struct miso__gtype *g = new_type(MISO__G_STRUCT, 0, NULL);
	Dwarf_Attribute a;
	Dwarf_Die m;
	char *body = miso__xstrdup(""), *line, *next;
	size_t size, align;
	int r, ptr = 0;

	g->spell = miso__xasprintf("struct %s", tag);
	if (miso__systype(tag, &size, &align) == 0) {
		g->size = size;
		g->layout = 1;
		return g;
	}
	if (dwarf_attr(t, DW_AT_declaration, &a) != NULL || depth > 4)
		return g;
	g->size = (size_t)dwarf_bytesize(t);
	for (r = dwarf_child(t, &m); r == 0; r = dwarf_siblingof(&m, &m)) {
		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (member(&m, depth, &line, &ptr) != 0)
			return g;
		next = miso__xasprintf("%s %s", body, line);
		free(body);
		free(line);
		body = next;
	}
	g->layout = 1;
	g->ptr_fields = ptr;
	g->def = miso__xasprintf("struct %s {%s };", tag, body);
	free(body);
	return g;
}

static const struct miso__gtype *
gtype(Dwarf_Die *t, int depth)
{
	struct miso__gtype *g;
	const char *name = dwarf_diename(t);
	Dwarf_Die in;
	size_t size, align;

	switch (dwarf_tag(t)) {
	case DW_TAG_base_type:
		return base_type(t);
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		if (die_type(t, &in) != 0)
			g = new_type(MISO__G_VOID, 0, "void");
		else
			g = miso__xcalloc(1, sizeof(*g)),
			*g = *gtype(&in, depth);
		if (dwarf_tag(t) == DW_TAG_const_type)
			g->is_const = 1;
		return g;
	case DW_TAG_typedef:
		/* The names the language knows keep their name. */
		if (name != NULL && miso__builtin(name) != NULL &&
		    die_type(t, &in) == 0) {
			g = miso__xcalloc(1, sizeof(*g));
			*g = *gtype(&in, depth);
			g->spell = miso__xstrdup(name);
			return g;
		}
		if (die_type(t, &in) != 0)
			return new_type(MISO__G_VOID, 0, "void");
		/* typedef struct { ... } name: the struct takes the name. */
		if (dwarf_tag(&in) == DW_TAG_structure_type &&
		    dwarf_diename(&in) == NULL)
			return struct_type(&in, name, depth);
		return gtype(&in, depth);
	case DW_TAG_pointer_type:
		g = new_type(MISO__G_PTR, 8, NULL);
		if (die_type(t, &in) == 0)
			g->to = gtype(&in, depth + 1);
		return g;
	case DW_TAG_subroutine_type:
		return new_type(MISO__G_FUNC, 0, NULL);
	case DW_TAG_enumeration_type:
		return new_type(dwarf_bytesize(t) == 4 ? MISO__G_SINT :
		    MISO__G_UINT, (size_t)dwarf_bytesize(t), "int");
	case DW_TAG_structure_type:
		if (name == NULL)
			break;
		if (miso__systype(name, &size, &align) == 0 || depth < 8)
			return struct_type(t, name, depth);
		break;
	default:
		break;
	}
	g = new_type(MISO__G_OTHER, 0, name != NULL ? miso__xstrdup(name) :
	    "?");
	g->why = dwarf_tag(t) == DW_TAG_union_type ? "unions are not "
	    "supported" : "a type the language does not have";
	return g;
}

static struct miso__gfunc *
function(Dwarf_Die *d)
{
	struct miso__gfunc *f = miso__xcalloc(1, sizeof(*f));
	Dwarf_Die c, t;
	int r;

	f->name = miso__xstrdup(dwarf_diename(d));
	f->ret = die_type(d, &t) == 0 ? gtype(&t, 0) :
	    new_type(MISO__G_VOID, 0, "void");
	for (r = dwarf_child(d, &c); r == 0; r = dwarf_siblingof(&c, &c)) {
		if (dwarf_tag(&c) == DW_TAG_unspecified_parameters)
			f->variadic = 1;
		if (dwarf_tag(&c) != DW_TAG_formal_parameter)
			continue;
		f->params = miso__xrealloc(f->params, f->nparams + 1,
		    sizeof(*f->params));
		f->params[f->nparams].name = dwarf_diename(&c) != NULL ?
		    miso__xstrdup(dwarf_diename(&c)) : NULL;
		f->params[f->nparams++].type = die_type(&c, &t) == 0 ?
		    gtype(&t, 0) : new_type(MISO__G_VOID, 0, "void");
	}
	return f;
}

struct miso__gfunc *
miso__gfunc_find(struct miso__gfunc *list, const char *name)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

/* Definitions win over declarations: they name the parameters. */
static void
add_cu(Dwarf_Die *cu, struct miso__gfunc **list)
{
	struct miso__gfunc *f, *old;
	Dwarf_Attribute a;
	Dwarf_Die d;
	bool ext;
	int r, decl;

	for (r = dwarf_child(cu, &d); r == 0; r = dwarf_siblingof(&d, &d)) {
		if (dwarf_tag(&d) != DW_TAG_subprogram ||
		    dwarf_diename(&d) == NULL ||
		    dwarf_attr(&d, DW_AT_external, &a) == NULL ||
		    dwarf_formflag(&a, &ext) != 0 || !ext)
			continue;
		decl = dwarf_attr(&d, DW_AT_declaration, &a) != NULL;
		if ((old = miso__gfunc_find(*list, dwarf_diename(&d))) != NULL &&
		    (decl || old->nparams == 0 ||
		    old->params[0].name != NULL))
			continue;
		f = function(&d);
		if (old != NULL) {
			f->next = old->next;
			*old = *f;
			continue;
		}
		f->next = *list;
		*list = f;
	}
}

/*
 * The separate debug file: /usr/lib/debug/.build-id/xx/yyyy.debug, or
 * under $MISO_DEBUGDIR instead of /usr/lib/debug.
 */
static int
debug_file(Elf *e)
{
	const char *root = getenv("MISO_DEBUGDIR");
	const unsigned char *id;
	char path[4096];
	ssize_t n = dwelf_elf_gnu_build_id(e, (const void **)&id);
	int len, i;

	if (n <= 1)
		return -1;
	if (root == NULL || *root == '\0')
		root = "/usr/lib/debug";
	len = snprintf(path, sizeof(path), "%s/.build-id/%02x/", root, id[0]);
	if (len < 0 || len >= (int)sizeof(path) - 64)
		return -1;
	for (i = 1; i < n && len < (int)sizeof(path) - 8; i++)
		len += snprintf(path + len, sizeof(path) - (size_t)len, "%02x",
		    id[i]);
	snprintf(path + len, sizeof(path) - (size_t)len, ".debug");
	return miso__open_file(path, O_RDONLY, 0);
}

int
miso__gen_dwarf(const char *path, struct miso__gfunc **out, char *why,
    size_t size)
{
	Dwarf *dw = NULL;
	Dwarf_Off off = 0, next;
	Dwarf_Die cu;
	size_t hsize;
	Elf *e;
	int fd, dfd = -1;

	*out = NULL;
	elf_version(EV_CURRENT);
	if ((fd = miso__open_file(path, O_RDONLY, 0)) < 0) {
		snprintf(why, size, "%s: %s", path, miso__file_strerror(fd));
		return -1;
	}
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) != NULL &&
	    (dw = dwarf_begin_elf(e, DWARF_C_READ, NULL)) == NULL &&
	    (dfd = debug_file(e)) >= 0)
		dw = dwarf_begin(dfd, DWARF_C_READ);
	if (dw == NULL) {
		snprintf(why, size, "%s: no DWARF, and no separate debug file "
		    "under /usr/lib/debug/.build-id", path);
		goto out;
	}
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, &cu) != NULL)
			add_cu(&cu, out);
		off = next;
	}
	dwarf_end(dw);
out:
	if (e != NULL)
		elf_end(e);
	close(fd);
	if (dfd >= 0)
		close(dfd);
	return dw == NULL ? -1 : 0;
}
