/*
 * Looking a soname up in /etc/ld.so.cache, as the dynamic loader does:
 * the "glibc-ld.so.cache1.1" format (possibly after the old "ld.so-1.7.0"
 * table), or the output of 'ldconfig -p' when the file is in a format we
 * do not know.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "config.h"
#include "tools.h"

#define OLD_MAGIC	"ld.so-1.7.0"
#define NEW_MAGIC	"glibc-ld.so.cache1.1"
#define FLAG_ELF_LIBC6	0x0003
#define MAX_CACHE	(64L << 20)

struct new_header {
	char		magic[20];
	uint32_t	nlibs, len_strings;
	uint8_t		flags, pad[3];
	uint32_t	extension_offset, unused[3];
};

struct new_entry {
	int32_t		flags;
	uint32_t	key, value, osversion;
	uint64_t	hwcap;
};

/* Where the new table starts, or -1: it follows the old one, aligned. */
static long
new_offset(const char *p, size_t len)
{
	uint32_t n;
	size_t off;

	if (len >= sizeof(struct new_header) &&
	    memcmp(p, NEW_MAGIC, 20) == 0)
		return 0;
	if (len < 16 || memcmp(p, OLD_MAGIC, sizeof OLD_MAGIC) != 0)
		return -1;
	memcpy(&n, p + 12, 4);
	off = 16 + (size_t)n * 12;
	off = (off + 7) & ~(size_t)7;
	if (off > len || len - off < sizeof(struct new_header) ||
	    memcmp(p + off, NEW_MAGIC, 20) != 0)
		return -1;
	return (long)off;
}

/*
 * Strings are offsets from the new header. Entries for hardware
 * capabilities (hwcap != 0) are subdirectories the loader prefers on
 * some CPUs; we take the baseline one, which exists on every CPU.
 */
static char *
search(const char *p, size_t len, const char *soname, int *known)
{
	struct new_header h;
	struct new_entry e;
	long base = new_offset(p, len);
	size_t i, rest;

	if (base < 0)
		return NULL;
	*known = 1;
	memcpy(&h, p + base, sizeof h);
	rest = len - (size_t)base;
	for (i = 0; i < h.nlibs; i++) {
		size_t at = sizeof h + i * sizeof e;

		if (at + sizeof e > rest)
			break;
		memcpy(&e, p + base + at, sizeof e);
		if ((e.flags & 0xff) != FLAG_ELF_LIBC6 ||
		    (e.flags & 0xff00) != MISO__ARCH_CACHE_FLAG ||
		    e.hwcap != 0 ||
		    e.key >= rest || e.value >= rest ||
		    memchr(p + base + e.key, '\0', rest - e.key) == NULL ||
		    memchr(p + base + e.value, '\0', rest - e.value) == NULL)
			continue;
		if (strcmp(p + base + e.key, soname) == 0)
			return miso__xstrdup(p + base + e.value);
	}
	return NULL;
}

/*
 * "\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6", with
 * "AArch64" for the tag on arm64.
 */
static char *
ldconfig_p(const char *soname)
{
	FILE *fp = popen("ldconfig -p 2>/dev/null", "r");
	char line[4096], *arrow, *nl, *found = NULL;
	size_t n = strlen(soname);

	if (fp == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof line, fp) != NULL) {
		char *s = line + strspn(line, " \t");

		if (strncmp(s, soname, n) != 0 || s[n] != ' ' ||
		    strstr(s, MISO__ARCH_CACHE_TAG) == NULL ||
		    (arrow = strstr(s, " => ")) == NULL)
			continue;
		if ((nl = strchr(arrow, '\n')) != NULL)
			*nl = '\0';
		found = miso__xstrdup(arrow + 4);
	}
	pclose(fp);
	return found;
}

/*
 * The cache is read, not mapped (a file truncated under a mapping kills
 * the reader with SIGBUS), and only up to a size no real cache reaches.
 * Returns its bytes (*len of them, maybe none: a format we do not know),
 * or NULL if there is no file at path.
 */
static char *
read_cache(const char *path, size_t *len)
{
	struct stat st;
	char *p;
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = miso__open_file(path, O_RDONLY, 0)) == -ENOENT)
		return NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size <= MAX_CACHE) {
		p = miso__xcalloc((size_t)st.st_size, 1);
		n = pread(fd, p, (size_t)st.st_size, 0);
		*len = n > 0 ? (size_t)n : 0;
	} else
		p = miso__xcalloc(1, 1);
	if (fd >= 0)
		close(fd);
	return p;
}

/* The cache at path, read once for every lookup that names it. */
static char *
cache_of(const char *path, size_t *len)
{
	static char *last_path, *bytes;
	static size_t last_len;

	if (last_path == NULL || strcmp(last_path, path) != 0) {
		free(last_path);
		free(bytes);
		last_path = miso__xstrdup(path);
		bytes = read_cache(path, &last_len);
	}
	*len = last_len;
	return bytes;
}

char *
miso__ldcache_lookup(const char *soname)
{
	const char *path = getenv("MISO_LDCACHE");
	char *p, *found = NULL;
	size_t len;
	int known = 0;

	if (path == NULL || *path == '\0')
		path = "/etc/ld.so.cache";
	if ((p = cache_of(path, &len)) == NULL)
		return NULL;
	found = search(p, len, soname, &known);
	return known ? found : ldconfig_p(soname);
}
