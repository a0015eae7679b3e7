/*
 * Reading one ELF object with libelf: what the dynamic loader and the shim
 * look at (PT_INTERP, the dynamic section, .dynsym with its versions, and
 * the relocations that refer to .dynsym).
 */
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "arch.h"
#include "tools.h"

#define MAXVER	256

static void
read_dynamic(struct miso__obj *o, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Dyn dyn;
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	o->has_dynamic = 1;
	o->needed = miso__xcalloc(n + 1, sizeof *o->needed);
	for (i = 0; d != NULL && i < n && gelf_getdyn(d, (int)i, &dyn); i++) {
		const char *s = elf_strptr(o->elf, sh->sh_link,
		    dyn.d_un.d_val);

		switch (dyn.d_tag) {
		case DT_NEEDED:
			if (s != NULL)
				o->needed[o->nneeded++] = s;
			break;
		case DT_SONAME:
			o->soname = s;
			break;
		case DT_RPATH:
			o->rpath = s;
			break;
		case DT_RUNPATH:
			o->runpath = s;
			break;
		case DT_SYMBOLIC:
			o->symbolic = 1;
			break;
		case DT_FLAGS:
			if (dyn.d_un.d_val & DF_SYMBOLIC)
				o->symbolic = 1;
			break;
		case DT_FLAGS_1:
			if (dyn.d_un.d_val & DF_1_NODEFLIB)
				o->nodeflib = 1;
			break;
		}
	}
}

/* Version index -> name, from .gnu.version_d and .gnu.version_r. */
static void
read_versions(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
    const char *names[MAXVER])
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0, i;

	for (i = 0; d != NULL && i < sh->sh_info; i++) {
		if (sh->sh_type == SHT_GNU_verdef) {
			GElf_Verdef vd;
			GElf_Verdaux va;

			if (gelf_getverdef(d, (int)off, &vd) == NULL ||
			    gelf_getverdaux(d, (int)(off + vd.vd_aux), &va) ==
			    NULL)
				return;
			if (vd.vd_ndx < MAXVER && !(vd.vd_flags & VER_FLG_BASE))
				names[vd.vd_ndx] = elf_strptr(e, sh->sh_link,
				    va.vda_name);
			off += vd.vd_next;
			if (vd.vd_next == 0)
				return;
		} else {
			GElf_Verneed vn;
			GElf_Vernaux va;
			size_t a = off, j;

			if (gelf_getverneed(d, (int)off, &vn) == NULL)
				return;
			a += vn.vn_aux;
			for (j = 0; j < vn.vn_cnt; j++) {
				if (gelf_getvernaux(d, (int)a, &va) == NULL)
					return;
				if ((va.vna_other & 0x7fff) < MAXVER)
					names[va.vna_other & 0x7fff] =
					    elf_strptr(e, sh->sh_link,
					    va.vna_name);
				a += va.vna_next;
			}
			off += vn.vn_next;
			if (vn.vn_next == 0)
				return;
		}
	}
}

static void
read_dynsym(struct miso__obj *o, Elf_Scn *scn, const GElf_Shdr *sh,
    Elf_Data *versym, const char *vnames[MAXVER])
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym s;
	GElf_Versym v;

	o->syms = miso__xcalloc(n + 1, sizeof *o->syms);
	for (i = 0; d != NULL && i < n && gelf_getsym(d, (int)i, &s); i++) {
		struct miso__dsym *y = &o->syms[i];

		y->name = elf_strptr(o->elf, sh->sh_link, s.st_name);
		if (y->name == NULL)
			y->name = "";
		y->defined = s.st_shndx != SHN_UNDEF;
		y->bind = GELF_ST_BIND(s.st_info);
		y->type = GELF_ST_TYPE(s.st_info);
		y->vis = GELF_ST_VISIBILITY(s.st_other);
		y->value = s.st_value;
		if (versym != NULL && gelf_getversym(versym, (int)i, &v) &&
		    (v & 0x7fff) > 1 && (v & 0x7fff) < MAXVER) {
			y->version = vnames[v & 0x7fff];
			y->hidden_ver = (v & 0x8000) != 0;
		}
	}
	o->nsyms = i;
}

static void
read_relocs(struct miso__obj *o, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Rela r;

	o->rels = miso__xrealloc(o->rels, o->nrels + n, sizeof *o->rels);
	for (i = 0; d != NULL && i < n && gelf_getrela(d, (int)i, &r); i++) {
		if (GELF_R_SYM(r.r_info) == 0)
			continue;
		o->rels[o->nrels].sym = GELF_R_SYM(r.r_info);
		o->rels[o->nrels++].type = GELF_R_TYPE(r.r_info);
	}
}

static void
read_interp(struct miso__obj *o)
{
	size_t i, n;
	GElf_Phdr ph;
	char *p;
	size_t len;

	if (elf_getphdrnum(o->elf, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (gelf_getphdr(o->elf, (int)i, &ph) == NULL ||
		    ph.p_type != PT_INTERP)
			continue;
		p = elf_rawfile(o->elf, &len);
		if (p != NULL && ph.p_offset < len &&
		    ph.p_filesz <= len - ph.p_offset)
			o->interp = strndup(p + ph.p_offset, ph.p_filesz);
	}
}

/* Reads the sections; relocations need .dynsym's index, so two passes. */
static void
read_object(struct miso__obj *o)
{
	const char *vnames[MAXVER] = { 0 };
	Elf_Scn *scn = NULL, *dynsym = NULL;
	Elf_Data *versym = NULL;
	GElf_Shdr sh, dsh;

	read_interp(o);
	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_DYNAMIC)
			read_dynamic(o, scn, &sh);
		else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dsh = sh;
		} else if (sh.sh_type == SHT_GNU_versym)
			versym = elf_getdata(scn, NULL);
		else if (sh.sh_type == SHT_GNU_verdef ||
		    sh.sh_type == SHT_GNU_verneed)
			read_versions(o->elf, scn, &sh, vnames);
	}
	if (dynsym == NULL)
		return;
	read_dynsym(o, dynsym, &dsh, versym, vnames);
	while ((scn = elf_nextscn(o->elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_RELA &&
		    sh.sh_link == elf_ndxscn(dynsym))
			read_relocs(o, scn, &sh);
}

/*
 * Opens path as an ELF object of this architecture (shim/arch/ARCH/arch.h).
 * Returns 0, -ENOEXEC for a file of another kind (the loader skips those
 * and searches on), or -errno.
 */
int
miso__obj_open(const char *path, struct miso__obj **out)
{
	struct miso__obj *o;
	GElf_Ehdr eh;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	o = miso__xcalloc(1, sizeof *o);
	o->fd = fd;
	o->path = miso__xstrdup(path);
	elf_version(EV_CURRENT);
	if ((o->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) == NULL ||
	    elf_kind(o->elf) != ELF_K_ELF || gelf_getehdr(o->elf, &eh) ==
	    NULL || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != MISO__ARCH_EM) {
		miso__obj_free(o);
		return -ENOEXEC;
	}
	read_object(o);
	*out = o;
	return 0;
}

void
miso__obj_free(struct miso__obj *o)
{
	if (o == NULL)
		return;
	if (o->elf != NULL)
		elf_end(o->elf);
	close(o->fd);
	free(o->name);
	free(o->path);
	free(o->origin);
	free(o->interp);
	free(o->needed);
	free(o->syms);
	free(o->rels);
	free(o);
}

/*
 * The exported definition of name, preferring the default version
 * (sym@@VER) as the loader does for an unversioned reference.
 */
const struct miso__dsym *
miso__obj_def(const struct miso__obj *o, const char *name)
{
	const struct miso__dsym *best = NULL;
	size_t i;

	for (i = 0; i < o->nsyms; i++) {
		const struct miso__dsym *y = &o->syms[i];

		if (!y->defined || strcmp(y->name, name) != 0 ||
		    y->bind == STB_LOCAL || y->vis == STV_HIDDEN ||
		    y->vis == STV_INTERNAL)
			continue;
		if (best == NULL || !y->hidden_ver)
			best = y;
	}
	return best;
}

/* Whether .symtab (if not stripped) has name as a local or hidden symbol. */
int
miso__obj_hidden(const struct miso__obj *o, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym s;
	Elf_Data *d;
	size_t i, n;

	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL ||
		    sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0 || (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n && gelf_getsym(d, (int)i, &s); i++) {
			const char *nm = elf_strptr(o->elf, sh.sh_link,
			    s.st_name);

			if (nm != NULL && s.st_shndx != SHN_UNDEF &&
			    GELF_ST_TYPE(s.st_info) == STT_FUNC &&
			    strcmp(nm, name) == 0 &&
			    (GELF_ST_BIND(s.st_info) == STB_LOCAL ||
			    GELF_ST_VISIBILITY(s.st_other) == STV_HIDDEN))
				return 1;
		}
	}
	return 0;
}

/*
 * Counts the direct calls and jumps in executable sections whose target
 * is the address to (miso__arch_branches): calls that bind inside the
 * object and that no relocation slot can redirect.
 */
size_t
miso__obj_direct_calls(const struct miso__obj *o, GElf_Addr to)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n = 0;

	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type !=
		    SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) ||
		    (d = elf_getdata(scn, NULL)) == NULL || d->d_buf == NULL)
			continue;
		n += miso__arch_branches(d->d_buf, d->d_size, sh.sh_addr, to);
	}
	return n;
}
