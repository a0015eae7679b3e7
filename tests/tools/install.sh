#!/bin/sh
# 'make install' into a staging directory: the header, libmisocore and
# miso.pc are enough to build and run examples/basic.c; the miso command
# runs from there; the manual pages are in place.
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
for m in man1/miso.1 man5/miso.conf.5 man3/libmiso.3; do
	[ -f "$p/share/man/$m" ] || fail "no $m installed"
done
[ -f "$p/include/miso.h" ] || fail "no miso.h installed"

[ $fails -eq 0 ] && echo "install: ok"
[ $fails -eq 0 ]
