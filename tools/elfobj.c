/*
 * Reading one ELF object with libelf: what the dynamic loader and the shim
 * look at (PT_INTERP, the dynamic section, .dynsym with its versions, and
 * the relocations that refer to .dynsym).
 */
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "arch.h"
#include "config.h"
#include "tools.h"

/* Why the last miso__obj_open() found a file malformed. */
static const char *obj_why;

#define MAXVER	256

/*
 * Nothing read from the file is trusted: each count is taken from the
 * bytes libelf could read (Elf_Data.d_size, checked against the file's
 * size), never from a header field alone, so that no field can ask for
 * more memory than the file holds or an index past what was allocated.
 */

static int
bad(struct miso__obj *o, const char *why)
{
	if (o->why == NULL)
		o->why = why;
	return -EBADMSG;
}

/* The data of scn if it is of type t, else NULL. */
static Elf_Data *
data_of(Elf_Scn *scn, Elf_Type t)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	return d != NULL && d->d_type == t && d->d_buf != NULL ? d : NULL;
}

static int
read_dynamic(struct miso__obj *o, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d;
	GElf_Dyn dyn;
	size_t i, n;

	/* The loader knows one dynamic section (PT_DYNAMIC). */
	if (o->has_dynamic)
		return bad(o, "two SHT_DYNAMIC sections");
	o->has_dynamic = 1;
	if ((d = data_of(scn, ELF_T_DYN)) == NULL)
		return bad(o, "SHT_DYNAMIC section unreadable");
	n = d->d_size / sizeof(Elf64_Dyn);
	o->needed = miso__xcalloc(n + 1, sizeof *o->needed);
	for (i = 0; i < n && gelf_getdyn(d, (int)i, &dyn); i++) {
		const char *s = elf_strptr(o->elf, sh->sh_link,
		    dyn.d_un.d_val);

		if (dyn.d_tag == DT_NULL)
			break;
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
	return 0;
}

/*
 * Version index -> name, from .gnu.version_d and .gnu.version_r. Each
 * step moves forward inside the section's data, so the walk ends within
 * its size whatever the counts and links say.
 */
static void
read_verdef(Elf *e, Elf_Data *d, const GElf_Shdr *sh,
    const char *names[MAXVER])
{
	GElf_Verdef vd;
	GElf_Verdaux va;
	size_t off = 0, i;

	for (i = 0; i < sh->sh_info && off < d->d_size; i++) {
		if (gelf_getverdef(d, (int)off, &vd) == NULL ||
		    vd.vd_aux > d->d_size - off ||
		    gelf_getverdaux(d, (int)(off + vd.vd_aux), &va) == NULL)
			return;
		if (vd.vd_ndx < MAXVER && !(vd.vd_flags & VER_FLG_BASE))
			names[vd.vd_ndx] = elf_strptr(e, sh->sh_link,
			    va.vda_name);
		if (vd.vd_next == 0 || vd.vd_next > d->d_size - off)
			return;
		off += vd.vd_next;
	}
}

static void
read_verneed(Elf *e, Elf_Data *d, const GElf_Shdr *sh,
    const char *names[MAXVER])
{
	GElf_Verneed vn;
	GElf_Vernaux va;
	size_t off = 0, a, i, j;

	for (i = 0; i < sh->sh_info && off < d->d_size; i++) {
		if (gelf_getverneed(d, (int)off, &vn) == NULL ||
		    vn.vn_aux > d->d_size - off)
			return;
		a = off + vn.vn_aux;
		for (j = 0; j < vn.vn_cnt && a < d->d_size; j++) {
			if (gelf_getvernaux(d, (int)a, &va) == NULL)
				return;
			if ((va.vna_other & 0x7fff) < MAXVER)
				names[va.vna_other & 0x7fff] =
				    elf_strptr(e, sh->sh_link, va.vna_name);
			if (va.vna_next == 0 || va.vna_next > d->d_size - a)
				break;
			a += va.vna_next;
		}
		if (vn.vn_next == 0 || vn.vn_next > d->d_size - off)
			return;
		off += vn.vn_next;
	}
}

static void
read_versions(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
    const char *names[MAXVER])
{
	Elf_Data *d;

	if (sh->sh_type == SHT_GNU_verdef &&
	    (d = data_of(scn, ELF_T_VDEF)) != NULL)
		read_verdef(e, d, sh, names);
	else if (sh->sh_type == SHT_GNU_verneed &&
	    (d = data_of(scn, ELF_T_VNEED)) != NULL)
		read_verneed(e, d, sh, names);
}

static int
read_dynsym(struct miso__obj *o, Elf_Scn *scn, const GElf_Shdr *sh,
    Elf_Data *versym, const char *vnames[MAXVER])
{
	Elf_Data *d;
	size_t i, n;
	GElf_Sym s;
	GElf_Versym v;

	if ((d = data_of(scn, ELF_T_SYM)) == NULL)
		return bad(o, "SHT_DYNSYM section unreadable");
	n = d->d_size / sizeof(Elf64_Sym);
	o->syms = miso__xcalloc(n + 1, sizeof *o->syms);
	for (i = 0; i < n && gelf_getsym(d, (int)i, &s); i++) {
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
	return 0;
}

static void
read_relocs(struct miso__obj *o, Elf_Scn *scn)
{
	Elf_Data *d = data_of(scn, ELF_T_RELA);
	size_t i, n = d != NULL ? d->d_size / sizeof(Elf64_Rela) : 0;
	GElf_Rela r;

	o->rels = miso__xrealloc(o->rels, o->nrels + n, sizeof *o->rels);
	for (i = 0; i < n && gelf_getrela(d, (int)i, &r); i++) {
		if (GELF_R_SYM(r.r_info) == 0)
			continue;
		o->rels[o->nrels].sym = GELF_R_SYM(r.r_info);
		o->rels[o->nrels++].type = GELF_R_TYPE(r.r_info);
	}
}

/* The first PT_INTERP, as the kernel takes it: at most PATH_MAX bytes. */
static int
read_interp(struct miso__obj *o)
{
	size_t i, n;
	GElf_Phdr ph;
	char *p;
	ssize_t got;

	if (elf_getphdrnum(o->elf, &n) != 0)
		return bad(o, "program headers unreadable");
	for (i = 0; i < n; i++) {
		if (gelf_getphdr(o->elf, (int)i, &ph) == NULL)
			return bad(o, "program headers unreadable");
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > PATH_MAX ||
		    ph.p_offset > o->size || ph.p_filesz > o->size -
		    ph.p_offset)
			return bad(o, "PT_INTERP out of bounds");
		p = miso__xcalloc(ph.p_filesz + 1, 1);
		got = pread(o->fd, p, ph.p_filesz, (off_t)ph.p_offset);
		if (got != (ssize_t)ph.p_filesz) {
			free(p);
			return bad(o, "PT_INTERP unreadable");
		}
		o->interp = p;
		return 0;
	}
	return 0;
}

/* The sections whose data is read (strings through elf_strptr too). */
static int
is_read(const GElf_Shdr *sh)
{
	switch (sh->sh_type) {
	case SHT_DYNAMIC: case SHT_DYNSYM: case SHT_SYMTAB: case SHT_STRTAB:
	case SHT_RELA: case SHT_GNU_versym: case SHT_GNU_verdef:
	case SHT_GNU_verneed:
		return 1;
	case SHT_PROGBITS:
		return (sh->sh_flags & SHF_EXECINSTR) != 0;
	}
	return 0;
}

/*
 * libelf copies each section it is asked for. Sections do not overlap,
 * so the ones read together fit in the file: headers that describe the
 * same bytes many times over would otherwise multiply the memory taken.
 */
static int
check_sections(struct miso__obj *o)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	uint64_t total = 0;

	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL)
			return bad(o, "section headers unreadable");
		if (!is_read(&sh))
			continue;
		if (sh.sh_offset > o->size || sh.sh_size > o->size -
		    sh.sh_offset)
			return bad(o, "a section extends past the end of the "
			    "file");
		if ((total += sh.sh_size) > o->size)
			return bad(o, "sections overlap");
	}
	return 0;
}

/* Reads the sections; relocations need .dynsym's index, so two passes. */
static int
read_object(struct miso__obj *o)
{
	const char *vnames[MAXVER] = { 0 };
	Elf_Scn *scn = NULL, *dynsym = NULL;
	Elf_Data *versym = NULL;
	GElf_Shdr sh, dsh = { 0 };
	int r;

	if ((r = read_interp(o)) != 0 || (r = check_sections(o)) != 0)
		return r;
	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_DYNAMIC) {
			if ((r = read_dynamic(o, scn, &sh)) != 0)
				return r;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dsh = sh;
		} else if (sh.sh_type == SHT_GNU_versym && versym == NULL)
			versym = data_of(scn, ELF_T_HALF);
		else if (sh.sh_type == SHT_GNU_verdef ||
		    sh.sh_type == SHT_GNU_verneed)
			read_versions(o->elf, scn, &sh, vnames);
	}
	if (dynsym == NULL)
		return 0;
	if ((r = read_dynsym(o, dynsym, &dsh, versym, vnames)) != 0)
		return r;
	while ((scn = elf_nextscn(o->elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_RELA &&
		    sh.sh_link == elf_ndxscn(dynsym))
			read_relocs(o, scn);
	return 0;
}

/*
 * Opens path as an ELF object of this architecture (shim/arch/ARCH/
 * arch.h). Returns 0, -ENOEXEC for a file of another kind (the loader
 * skips those and searches on), -EBADMSG for a malformed one
 * (miso__obj_strerror says what is wrong), -MISO__ENOTREG for a FIFO, a
 * device or a directory, or -errno.
 *
 * The file is read, not mapped: a file truncated while we read it gives
 * a read error, where a mapping would kill the command with SIGBUS.
 */
int
miso__obj_open(const char *path, struct miso__obj **out)
{
	struct miso__obj *o;
	struct stat st;
	GElf_Ehdr eh;
	int fd, r;

	*out = NULL;
	if ((fd = miso__open_file(path, O_RDONLY, 0)) < 0)
		return fd;
	if (fstat(fd, &st) == -1) {
		r = -errno;
		close(fd);
		return r;
	}
	o = miso__xcalloc(1, sizeof *o);
	o->fd = fd;
	o->size = (uint64_t)st.st_size;
	o->path = miso__xstrdup(path);
	elf_version(EV_CURRENT);
	if ((o->elf = elf_begin(fd, ELF_C_READ, NULL)) == NULL ||
	    elf_kind(o->elf) != ELF_K_ELF || gelf_getehdr(o->elf, &eh) ==
	    NULL || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != MISO__ARCH_EM) {
		miso__obj_free(o);
		return -ENOEXEC;
	}
	if ((r = read_object(o)) != 0) {
		obj_why = o->why;
		miso__obj_free(o);
		return r;
	}
	*out = o;
	return 0;
}

/* What the last miso__obj_open() returned, in words. */
const char *
miso__obj_strerror(int r)
{
	static char buf[128];

	if (r == -ENOEXEC)
		return "not an " MISO__ARCH_NAME " ELF file";
	if (r != -EBADMSG)
		return miso__file_strerror(r);
	snprintf(buf, sizeof buf, "malformed ELF file: %s",
	    obj_why != NULL ? obj_why : "unreadable");
	return buf;
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
		    sh.sh_type != SHT_SYMTAB ||
		    (d = data_of(scn, ELF_T_SYM)) == NULL)
			continue;
		n = d->d_size / sizeof(Elf64_Sym);
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
