#!/bin/sh
# Every entry of every pack, isolated: each pack's test program
# (tests/packs/*prog.c) runs with "use PACK" and without, the outputs must
# be identical, and MISO_STATS must show that each entry the pack offers
# was called, isolated and completed.  Entries the pack refuses are left
# out by "use PACK" (tests/packs/run.sh tests the refusals).
. "$(dirname "$0")/../shim/lib.sh"
P=$B/tests/packs
M=$B/bin/miso
MISO_PACKS=$TOP/packs
export MISO_PACKS
need "$M" "$P/libmprog" "$P/libcprog" "$P/zlibprog" "$P/cryptprog" \
    "$P/magicprog"

mkdir "$tmp/d"
head -c 400 "$TOP/docs/config.md" >"$tmp/d/f"
ln -s f "$tmp/d/l"

# pack NAME CONF PROG [ARG...]: one program, with and without the packs.
pack() {
	name=$1 conf=$2
	shift 2
	plain "$tmp/plain.out" "$tmp/plain.err" "$@"
	check "$name: runs without the shim (exit $rc)" test $rc -eq 0
	rm -f "$tmp/stats"
	MISO_STATS=$tmp/stats isolated "$conf" "$tmp/miso.out" \
	    "$tmp/miso.err" "$@"
	check "$name: runs with the pack isolated (exit $rc)" test $rc -eq 0
	same "$name: output identical with and without isolation" \
	    "$tmp/plain.out" "$tmp/miso.out"
	check "$name: the shim logged nothing" test ! -s "$tmp/miso.err"
	show "$tmp/miso.err" "stderr with the shim"
	# Every function the configuration isolates: called, completed.
	"$M" explain -c "$conf" | sed -n 's/^function \([^ ]*\) .*/\1/p' \
	    >"$tmp/entries"
	check "$name: the configuration has entries" test -s "$tmp/entries"
	missing=$(awk 'NR == FNR { s[$1] = $2 " " $3; next }
	    { split(s[$1], v, " ");
	      if (!($1 in s) || v[1] == 0 || v[1] != v[2]) printf " %s", $1 }' \
	    "$tmp/stats" "$tmp/entries")
	check "$name: every entry ($(wc -l <"$tmp/entries")) was called \
and completed isolated${missing:+; not:$missing}" test -z "$missing"
}

printf 'use libm\n' >"$tmp/libm.conf"
pack libm "$tmp/libm.conf" "$P/libmprog"
printf 'use libc\n' >"$tmp/libc.conf"
pack libc "$tmp/libc.conf" "$P/libcprog" "$tmp/d"
printf 'use zlib\nuse bzip2\n' >"$tmp/zlib.conf"
pack "zlib and bzip2" "$tmp/zlib.conf" "$P/zlibprog"
printf 'use libcrypt\n' >"$tmp/crypt.conf"
pack libcrypt "$tmp/crypt.conf" "$P/cryptprog"
# libmagic's entries are refused; forced, the descriptions still match.
printf 'use libmagic: magic_file, magic_buffer\n    force = yes\n' \
    >"$tmp/magic.conf"
pack "libmagic (forced)" "$tmp/magic.conf" "$P/magicprog" /bin/sh \
    "$TOP/README.md" "$TOP/docs/bench-result.svg"

# The same entries in worker mode, where the pack allows it.
printf '[defaults]\nmode = worker\nuse libm\n' >"$tmp/libm-w.conf"
pack "libm in a worker" "$tmp/libm-w.conf" "$P/libmprog"
printf '[defaults]\nmode = worker\nuse libc\n' >"$tmp/libc-w.conf"
pack "libc in a worker" "$tmp/libc-w.conf" "$P/libcprog" "$tmp/d"
printf '[defaults]\nmode = worker\nuse zlib\nuse bzip2\n' >"$tmp/zlib-w.conf"
pack "zlib and bzip2 in a worker" "$tmp/zlib-w.conf" "$P/zlibprog"
finish
