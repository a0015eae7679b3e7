#!/bin/sh
# docs/tutorial.md works as written: every '$ ' command in its code blocks
# is run in order, in one shell, from the top of the tree, and its output
# (stdout and stderr) compared with the lines the tutorial shows under
# it, with every run of digits made '#' (pids, times, sizes vary). The
# only change to the commands: /tmp/tutorial becomes a scratch directory.
# Then the figures the tutorial's story rests on are checked: the plain
# run grows by tens of MiB, the isolated runs do not.
#
# Run from the top of the tree with B=build (make check-scripts does).
# TUTORIAL_SHOW=1 prints what the commands printed, unmasked.
set -u
B=${B:-build}
doc=docs/tutorial.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$B/bin/miso" ] && [ -f "$B/lib/libmiso.so" ] ||
    { echo "FAIL: $B/bin/miso or $B/lib/libmiso.so missing: run make"; exit 1; }

# The commands and their expected output, from the fenced blocks: cmd.N
# and want.N.
awk -v dir="$tmp" '
/^```/ { inblock = !inblock; cur = ""; next }
!inblock { next }
/^\$ / { n++; cur = dir "/want." n; printf "" > cur
	 print substr($0, 3) > (dir "/cmd." n); next }
cur != "" { print > cur }
END { print n > (dir "/count") }
' "$doc"
n=$(cat "$tmp/count")
[ "$n" -gt 10 ] || fail "only $n commands found in $doc"

# One script, each command's output after a marker line.
{
	echo "PATH=\$PWD/$B/bin:\$PATH"
	i=1
	while [ $i -le "$n" ]; do
		echo "echo '@@@ $i'"
		printf '{ %s\n} 2>&1\n' "$(sed "s|/tmp/tutorial|$tmp/tutorial|g" \
		    "$tmp/cmd.$i")"
		i=$((i + 1))
	done
} >"$tmp/script"
sh "$tmp/script" >"$tmp/all" 2>"$tmp/shell.err"
[ "${TUTORIAL_SHOW:-0}" = 1 ] && cat "$tmp/all"
awk -v dir="$tmp" '/^@@@ [0-9]+$/ { f = dir "/got." $2; printf "" > f; next }
    { print > f }' "$tmp/all"

mask() {
	sed -e "s|$tmp/tutorial|/tmp/tutorial|g" -e 's/[0-9][0-9]*/#/g' \
	    -e 's/.*Segmentation fault.*/Segmentation fault/' "$1"
}
i=1
while [ $i -le "$n" ]; do
	mask "$tmp/want.$i" >"$tmp/w"
	mask "$tmp/got.$i" >"$tmp/g"
	if ! cmp -s "$tmp/w" "$tmp/g"; then
		fail "\$ $(cat "$tmp/cmd.$i")"
		diff -u "$tmp/w" "$tmp/g" | sed 's/^/    /' | head -n 30
	fi
	i=$((i + 1))
done

# The story: a leak without miso, none with it, in either mode.
grew() { sed -n 's/.*RSS grew \([0-9]*\) MiB$/\1/p' "$tmp/got.$1"; }
i=1
while [ $i -le "$n" ]; do
	case $(cat "$tmp/cmd.$i") in
	./app) g=$(grew $i); [ "${g:-0}" -ge 20 ] ||
	    fail "the plain run grew by '$g' MiB, not 20 or more" ;;
	"miso run "*app*) g=$(grew $i); [ -z "$g" ] || [ "$g" -le 4 ] ||
	    case $(cat "$tmp/cmd.$i") in *typo*) ;;
	    *) fail "an isolated run grew by $g MiB" ;; esac ;;
	esac
	i=$((i + 1))
done

[ $fails -eq 0 ] && echo "tutorial: $n commands as written"
[ $fails -eq 0 ]
