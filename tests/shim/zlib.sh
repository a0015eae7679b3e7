#!/bin/sh
# zlib's compress2 and uncompress isolated (tests/shim/zlib.conf) in
# build/tests/shim/zprog: the output must be the same as without the shim,
# and every call must have gone through it.
. "$(dirname "$0")/lib.sh"
prog=$T/zprog
need "$prog"

plain "$tmp/plain.out" "$tmp/plain.err" "$prog"
check "zprog runs without the shim (exit $rc)" test $rc -eq 0
show "$tmp/plain.out" "output without the shim"
MISO_STATS=$tmp/stats isolated tests/shim/zlib.conf "$tmp/miso.out" \
    "$tmp/miso.err" "$prog"
check "zprog runs with the shim (exit $rc)" test $rc -eq 0
same "output identical with and without the shim" "$tmp/plain.out" \
    "$tmp/miso.out"
check "the shim logged nothing" test ! -s "$tmp/miso.err"
show "$tmp/miso.err" "stderr with the shim"
check "compress2: 9 calls isolated and completed" \
    grep -Eq '^compress2 +9 +9 ' "$tmp/stats"
check "uncompress: 8 calls isolated and completed" \
    grep -Eq '^uncompress +8 +8 ' "$tmp/stats"
show "$tmp/stats" "MISO_STATS"
finish
