/*
 * The C scalar types of this platform, and pointers to types.  Sizes,
 * alignments and signedness come from the compiler that builds miso, so
 * they are those of the ABI the shim calls through.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

#define SIGNED(t)	((t)-1 < (t)1 ? MISO__K_SINT : MISO__K_UINT)
#define SCALAR(name, t)	{ SIGNED(t), sizeof(t), _Alignof(t), name, \
			    NULL, 0, 0, NULL, 0, 0, NULL }
#define FLOAT(name, t)	{ MISO__K_FLOAT, sizeof(t), _Alignof(t), name, \
			    NULL, 0, 0, NULL, 0, 0, NULL }

static const struct miso__conf_type builtins[] = {
	{ MISO__K_VOID, 0, 1, "void", NULL, 0, 0, NULL, 0, 0, NULL },
	SCALAR("char", char),
	SCALAR("signed char", signed char),
	SCALAR("unsigned char", unsigned char),
	SCALAR("short", short),
	SCALAR("unsigned short", unsigned short),
	SCALAR("int", int),
	SCALAR("unsigned int", unsigned int),
	SCALAR("long", long),
	SCALAR("unsigned long", unsigned long),
	SCALAR("long long", long long),
	SCALAR("unsigned long long", unsigned long long),
	{ MISO__K_UINT, sizeof(_Bool), _Alignof(_Bool), "_Bool", NULL, 0, 0,
	    NULL, 0, 0, NULL },
	FLOAT("float", float),
	FLOAT("double", double),
	SCALAR("int8_t", int8_t),
	SCALAR("int16_t", int16_t),
	SCALAR("int32_t", int32_t),
	SCALAR("int64_t", int64_t),
	SCALAR("uint8_t", uint8_t),
	SCALAR("uint16_t", uint16_t),
	SCALAR("uint32_t", uint32_t),
	SCALAR("uint64_t", uint64_t),
	SCALAR("intmax_t", intmax_t),
	SCALAR("uintmax_t", uintmax_t),
	SCALAR("intptr_t", intptr_t),
	SCALAR("uintptr_t", uintptr_t),
	SCALAR("ptrdiff_t", ptrdiff_t),
	SCALAR("size_t", size_t),
	SCALAR("ssize_t", ssize_t),
	SCALAR("off_t", off_t),
	SCALAR("pid_t", pid_t),
	SCALAR("uid_t", uid_t),
	SCALAR("gid_t", gid_t),
	SCALAR("id_t", id_t),
	SCALAR("mode_t", mode_t),
	SCALAR("dev_t", dev_t),
	SCALAR("ino_t", ino_t),
	SCALAR("nlink_t", nlink_t),
	SCALAR("blksize_t", blksize_t),
	SCALAR("blkcnt_t", blkcnt_t),
	SCALAR("time_t", time_t),
	SCALAR("clock_t", clock_t),
	SCALAR("socklen_t", socklen_t),
	SCALAR("sa_family_t", sa_family_t),
	SCALAR("wchar_t", wchar_t),
	SCALAR("wint_t", wint_t),
	/*
	 * va_list decays to a pointer when passed; it is handed over as it
	 * is, which is what the v... variants of variadic functions need.
	 */
	{ MISO__K_POINTER, sizeof(void *), _Alignof(void *), "va_list", NULL,
	    0, 0, NULL, 0, 0, NULL },
};

#define NBUILTIN	(sizeof(builtins) / sizeof(builtins[0]))

const struct miso__conf_type *
miso__builtin(const char *name)
{
	size_t i;

	if (strcmp(name, "bool") == 0)
		name = "_Bool";
	for (i = 0; i < NBUILTIN; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* The built-in type whose name is closest to name, or NULL. */
const struct miso__conf_type *
miso__builtin_like(const char *name)
{
	const char *v[NBUILTIN], *s;
	size_t i;

	for (i = 0; i < NBUILTIN; i++)
		v[i] = builtins[i].name;
	if ((s = miso__suggest(name, v, NBUILTIN)) == NULL)
		return NULL;
	return miso__builtin(s);
}

const struct miso__conf_type *
miso__type_int(void)
{
	return miso__builtin("int");
}

/* The spelling of a pointer: "char *", "char **", "const char *const *". */
static char *
pointer_name(struct miso__parser *p, const struct miso__conf_type *to,
    int pointee_const)
{
	int ptr = to->kind == MISO__K_POINTER && to->alias == NULL &&
	    strcmp(to->name, "va_list") != 0;

	if (pointee_const && ptr)
		return miso__strcat3(p, to->name, "const *", "");
	if (pointee_const)
		return miso__strcat3(p, "const ", to->name, " *");
	return miso__strcat3(p, to->name, ptr ? "*" : " *", "");
}

struct miso__conf_type *
miso__pointer_to(struct miso__parser *p, const struct miso__conf_type *to,
    int pointee_const)
{
	struct miso__conf_type *t = miso__alloc(p, sizeof(*t));

	t->kind = MISO__K_POINTER;
	t->size = sizeof(void *);
	t->align = _Alignof(void *);
	t->pointee = to;
	t->pointee_const = pointee_const;
	t->name = pointer_name(p, to, pointee_const);
	return t;
}

int
miso__is_integer(const struct miso__conf_type *t)
{
	return t->kind == MISO__K_SINT || t->kind == MISO__K_UINT;
}

/* char, signed char, unsigned char: what strings are made of. */
int
miso__is_char(const struct miso__conf_type *t)
{
	return miso__is_integer(t) && t->size == 1 &&
	    strstr(t->name, "char") != NULL;
}
