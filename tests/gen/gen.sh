#!/bin/sh
# miso gen on libtg (tests/gen/tg.h): from the header, from the DWARF of
# libtg.so, and from the separate debug file of a stripped copy. The
# output from the header must be the golden one (tests/gen/tg.conf);
# every output, unedited, must load and isolate every function it
# declares in tgprog, whose output must be the same as without the shim.
. "$(dirname "$0")/../shim/lib.sh"
M=$B/bin/miso
G=$B/tests/gen
need "$M" "$G/libtg.so" "$G/tgprog" "$G/strip/libtg.so"

plain "$tmp/plain.out" "$tmp/plain.err" "$G/tgprog"
check "tgprog runs without the shim (exit $rc)" test $rc -eq 0

# isolate NAME CONF: tgprog with CONF; every function declared in it
# (not commented out) must be called and completed.
isolate() {
	rm -f "$tmp/stats"
	MISO_STATS=$tmp/stats isolated "$2" "$tmp/miso.out" "$tmp/miso.err" \
	    "$G/tgprog"
	check "$1: tgprog runs with it (exit $rc)" test $rc -eq 0
	same "$1: output identical with and without isolation" \
	    "$tmp/plain.out" "$tmp/miso.out"
	check "$1: the shim logged nothing" test ! -s "$tmp/miso.err"
	show "$tmp/miso.err" "stderr"
	sed -n 's/^[^#].* \**\(tg_[a-z]*\)(.*/\1/p' "$2" >"$tmp/declared"
	missing=$(awk 'NR == FNR { c[$1] = $2; d[$1] = $3; next }
	    { if (!($1 in c) || c[$1] == 0 || c[$1] != d[$1]) printf " %s", $1 }' \
	    "$tmp/stats" "$tmp/declared")
	check "$1: each of the $(wc -l <"$tmp/declared") functions declared \
was isolated and completed${missing:+; not:$missing}" test -z "$missing"
}

"$M" gen --header tests/gen/tg.h >"$tmp/h.conf" 2>"$tmp/err"
rc=$?
check "gen --header: exit $rc" test $rc -eq 0
same "gen --header: the golden output" tests/gen/tg.conf "$tmp/h.conf"
isolate "from the header" "$tmp/h.conf"

"$M" gen "$G/libtg.so" >"$tmp/d.conf" 2>"$tmp/err"
rc=$?
check "gen from DWARF: exit $rc" test $rc -eq 0
check "gen from DWARF: [library libtg.so]" grep -qx '\[library libtg.so\]' \
    "$tmp/d.conf"
isolate "from DWARF" "$tmp/d.conf"

# The stripped copy: its DWARF is found by build-id.
"$M" gen "$G/strip/libtg.so" >"$tmp/s.conf" 2>"$tmp/err"
rc=$?
check "gen on a stripped library without its debug file: refused \
(exit $rc)" test $rc -eq 2
check "gen on a stripped library: says there is no DWARF" grep -q \
    "no DWARF, and no separate debug file" "$tmp/err"
MISO_DEBUGDIR=$G/debug "$M" gen "$G/strip/libtg.so" >"$tmp/s.conf" \
    2>"$tmp/err"
rc=$?
check "gen with the separate debug file: exit $rc" test $rc -eq 0
sed 's|from .*libtg.so\.$|from libtg.so.|' "$tmp/d.conf" >"$tmp/d2"
sed 's|from .*libtg.so\.$|from libtg.so.|' "$tmp/s.conf" >"$tmp/s2"
same "gen with the separate debug file: as from the library's own DWARF" \
    "$tmp/d2" "$tmp/s2"

# Names: only those; one that no DWARF describes is said so.
"$M" gen "$G/libtg.so" tg_sum tg_nosuch >"$tmp/n.conf" 2>"$tmp/err"
rc=$?
check "gen with names: exit 1 for a name it does not know ($rc)" \
    test $rc -eq 1
check "gen with names: tg_sum" grep -q '^int tg_sum(' "$tmp/n.conf"
check "gen with names: only tg_sum" test "$(grep -c '^[a-z].*(' \
    "$tmp/n.conf")" -eq 1
check "gen with names: tg_nosuch" grep -qx \
    '# tg_nosuch: no DWARF describes it' "$tmp/n.conf"
"$M" gen /nonexistent/libx.so >"$tmp/out" 2>"$tmp/err"
rc=$?
check "gen on a missing library: exit 2 ($rc)" test $rc -eq 2
finish
