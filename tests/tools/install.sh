#!/bin/sh
# 'make install' into a staging directory: the header, libmisocore and
# miso.pc are enough to build and run examples/basic.c; the miso command
# runs from there; the manual pages are in place. Then, after the same
# default build, an install under another PREFIX: its miso.pc names that
# prefix, README.md's C example builds through pkg-config and runs, and
# --define-variable=prefix= moves a DESTDIR-staged tree.
#
# Run from the top of the tree with B set (make check-scripts does).
set -u
B=${B:-build}
MAKE=${MAKE:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! $MAKE --no-print-directory install B="$B" DESTDIR="$root" \
    PREFIX=/usr/local >"$tmp/make.log" 2>&1; then
	tail -n 30 "$tmp/make.log"
	echo "FAIL: make install"
	exit 1
fi
p=$root/usr/local

# pkg-config prefixes the -I and -L paths with the sysroot.
export PKG_CONFIG_PATH=$p/lib/pkgconfig PKG_CONFIG_LIBDIR=$p/lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
cflags=$(pkg-config --cflags miso) || fail "pkg-config --cflags miso"
ldirs=$(pkg-config --libs-only-L miso) || fail "pkg-config --libs miso"
case $cflags in *"$p/include"*) ;; *) fail "cflags '$cflags'";; esac
# libmisocore.a, not the shared library: the program runs from anywhere.
if ${CC:-cc} -o "$tmp/basic" examples/basic.c $cflags $ldirs \
    -Wl,-Bstatic -lmisocore -Wl,-Bdynamic -pthread; then
	"$tmp/basic" >"$tmp/basic.out" 2>&1 || fail "basic: exit $?"
	sed 's/^/basic: /' "$tmp/basic.out"
else
	fail "examples/basic.c does not build against the installed files"
fi

v=$("$p/bin/miso" --version) || fail "installed miso --version: exit $?"
[ "$v" = "miso 0.1.0" ] || fail "installed miso --version says '$v'"
# The installed command finds the installed shim, ../lib/libmiso.so.
if [ -f "$p/lib/libmiso.so" ]; then
	"$p/bin/miso" run -c tests/tools/run.conf /bin/true ||
	    fail "installed miso run: exit $?"
else
	echo "skip: no libmiso.so installed yet"
fi
# The installed command and shim find the installed packs.
for k in libc libm zlib bzip2 libcrypt libmagic; do
	[ -f "$p/share/miso/packs/$k.conf" ] || fail "no pack $k installed"
done
if [ -f "$p/lib/libmiso.so" ]; then
	env -u MISO_PACKS "$p/bin/miso" run -i strcoll,sin -- /bin/true ||
	    fail "installed miso run -i: exit $?"
fi
for m in man1/miso.1 man5/miso.conf.5 man3/libmiso.3; do
	[ -f "$p/share/man/$m" ] || fail "no $m installed"
done
[ -f "$p/include/miso.h" ] || fail "no miso.h installed"

# A PREFIX other than the default, after the default build.
pre=$tmp/opt/miso
if ! $MAKE --no-print-directory install B="$B" PREFIX="$pre" \
    >"$tmp/make2.log" 2>&1; then
	tail -n 30 "$tmp/make2.log"
	echo "FAIL: make install PREFIX=$pre"
	exit 1
fi
cat >"$tmp/want.pc" <<EOPC
prefix=$pre
exec_prefix=\${prefix}
libdir=\${prefix}/lib
includedir=\${prefix}/include
EOPC
head -n 4 "$pre/lib/pkgconfig/miso.pc" | cmp -s - "$tmp/want.pc" || {
	fail "miso.pc under PREFIX=$pre:"; sed 's/^/    /' "$pre/lib/pkgconfig/miso.pc"; }

# README.md's C example, as it stands there.
sed -n '/^```c$/,/^```$/p' README.md | sed '1d;$d' >"$tmp/app.c"
grep -q 'miso_call(parse' "$tmp/app.c" || fail "no C example found in README.md"
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH=$pre/lib/pkgconfig PKG_CONFIG_LIBDIR=$pre/lib/pkgconfig
if ${CC:-cc} -Wall -Werror -o "$tmp/app" "$tmp/app.c" tests/tools/legacy.c \
    $(pkg-config --cflags --libs miso); then
	libdir=$(pkg-config --variable=libdir miso)
	[ "$libdir" = "$pre/lib" ] || fail "libdir is '$libdir'"
	out=$(LD_LIBRARY_PATH=$libdir "$tmp/app" 42 2>&1)
	[ "$out" = 42 ] || fail "README example: '$out', not 42"
	out=$(LD_LIBRARY_PATH=$libdir "$tmp/app" crash 2>&1)
	rc=$?
	[ $rc -eq 1 ] && [ "$out" = "legacy_parse: killed by signal 11 (SIGSEGV)" ] ||
	    fail "README example on a crash: exit $rc, '$out'"
else
	fail "README.md's C example does not build through pkg-config"
fi

# PREFIX=/opt/miso staged under DESTDIR: miso.pc names /opt/miso, and
# --define-variable=prefix= finds the staged tree, as when it is moved.
stage=$tmp/stage
if ! $MAKE --no-print-directory install B="$B" PREFIX=/opt/miso \
    DESTDIR="$stage" >"$tmp/make3.log" 2>&1; then
	tail -n 30 "$tmp/make3.log"
	echo "FAIL: make install PREFIX=/opt/miso DESTDIR=$stage"
	exit 1
fi
pc=$stage/opt/miso/lib/pkgconfig
[ "$(head -n 1 "$pc/miso.pc")" = "prefix=/opt/miso" ] ||
    fail "staged miso.pc: $(head -n 1 "$pc/miso.pc")"
export PKG_CONFIG_PATH=$pc PKG_CONFIG_LIBDIR=$pc
moved="--define-variable=prefix=$stage/opt/miso"
if ${CC:-cc} -o "$tmp/app2" "$tmp/app.c" tests/tools/legacy.c \
    $(pkg-config "$moved" --cflags --libs miso); then
	out=$(LD_LIBRARY_PATH=$(pkg-config "$moved" --variable=libdir miso) \
	    "$tmp/app2" 7 2>&1)
	[ "$out" = 7 ] || fail "README example from the moved tree: '$out'"
else
	fail "README.md's C example does not build from the moved tree"
fi

[ $fails -eq 0 ] && echo "install: ok"
[ $fails -eq 0 ]
