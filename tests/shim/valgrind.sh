#!/bin/sh
# The shim under valgrind memcheck.  LD_PRELOAD is exported to valgrind
# itself, which passes it on to the program it runs; the wrapper processes
# (/usr/bin/valgrind is a shell script) load the shim too, so the
# configurations here have no [library] section, which would warn in
# processes that lack the library.  Children forked by the shim are
# silent; the program must run without a memcheck error or leak, and print
# what it prints without the shim.
. "$(dirname "$0")/lib.sh"
need "$T/tsprog" "$T/zprog" "$T/contain"
if ! command -v valgrind >/dev/null; then
	echo "FAIL valgrind is not installed"
	exit 1
fi
sed '/^\[library/,$d' tests/shim/ts.conf >"$tmp/ts.conf"
sed '/^\[library/d' tests/shim/zlib.conf >"$tmp/zlib.conf"

# vg NAME CONF CMD...: run CMD under memcheck with the shim; compare with
# CMD without either when CMP is 1.
vg() {
	name=$1 conf=$2
	shift 2
	MISO_CONFIG=$conf LD_PRELOAD=$SHIM valgrind -q --error-exitcode=99 \
	    --leak-check=full --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    --child-silent-after-fork=yes --trace-children=no \
	    --suppressions=tests/valgrind.supp \
	    "$@" >"$tmp/vg.out" 2>"$tmp/vg.err"
	rc=$?
	check "$name: no memcheck error (exit $rc)" test $rc -ne 99
	if [ $rc -eq 99 ]; then
		grep '^==[0-9]*== [^ ]' "$tmp/vg.err" | head -n 40 |
		    sed 's/^/       /'
	fi
	if [ "$CMP" = 1 ]; then
		plain "$tmp/plain.out" "$tmp/plain.err" "$@"
		same "$name: output as without the shim" "$tmp/plain.out" \
		    "$tmp/vg.out"
	fi
}

CMP=1 vg "tsprog common" "$tmp/ts.conf" "$T/tsprog" common
CMP=0 vg "tsprog crash" "$tmp/ts.conf" "$T/tsprog" crash
check "tsprog crash: the crashes became failures" \
    grep -q '^crash 1: ret -7 errno 131$' "$tmp/vg.out"

CMP=1 vg "zprog" "$tmp/zlib.conf" "$T/zprog"
CMP=0 vg "contain mixed 400" tests/shim/contain.conf "$T/contain" mixed 400
check "contain mixed: right results" grep -q '^mixed: 400 calls: .* 0 wrong' \
    "$tmp/vg.out"
CMP=0 vg "contain threads 4 30" tests/shim/contain.conf "$T/contain" \
    threads 4 30
check "contain threads: right results" grep -q '^threads: .* 0 wrong' \
    "$tmp/vg.out"
finish
