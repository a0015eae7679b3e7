#!/bin/sh
# Unmodified programs from Debian packages with some of their calls
# isolated: each must print byte for byte what it prints without the shim,
# exit the same way, log nothing, and have really made the isolated calls.
#
#	uname -a		uname(2)	tests/shim/uname.conf
#	hostname		gethostname	tests/shim/hostname.conf
#	date -u -d @86400 ...	strftime	tests/shim/date.conf
#	stat --format=...	statx		tests/shim/stat.conf
#	wc -l -w -c FILE	read(2)		tests/shim/wc.conf
#
# The statistics go to a file: coreutils close stderr at exit.
. "$(dirname "$0")/lib.sh"

# compare NAME CONF SYMBOL CMD...: run CMD with and without the shim.
compare() {
	name=$1 conf=tests/shim/$2 sym=$3
	shift 3
	if ! command -v "$1" >/dev/null; then
		fail "$name: $1 is not installed"
		return
	fi
	if ! nm -D --undefined-only "$(command -v "$1")" 2>/dev/null |
	    grep -q " $sym@"; then
		fail "$name: $1 does not import $sym: nothing to isolate"
		return
	fi
	plain "$tmp/plain.out" "$tmp/plain.err" "$@"
	echo "exit $rc" >>"$tmp/plain.out"
	sed 's/^/stderr: /' "$tmp/plain.err" >>"$tmp/plain.out"
	rm -f "$tmp/stats"
	MISO_STATS=$tmp/stats isolated $conf "$tmp/miso.out" "$tmp/miso.err" \
	    "$@"
	echo "exit $rc" >>"$tmp/miso.out"
	sed 's/^/stderr: /' "$tmp/miso.err" >>"$tmp/miso.out"
	same "$name: output, stderr and exit status identical with and without the shim" \
	    "$tmp/plain.out" "$tmp/miso.out"
	calls=$(awk -v s="$sym" '$1 == s { print $2, $3 }' "$tmp/stats" \
	    2>/dev/null)
	set -- $calls
	check "$name: $sym was isolated (calls, completed: ${calls:-none})" \
	    test $# -eq 2 -a "${1:-0}" -gt 0 -a "${1:-0}" = "${2:-}"
}

compare "uname -a" uname.conf uname uname -a
compare "hostname" hostname.conf gethostname hostname
compare "date" date.conf strftime date -u -d @86400 '+%A %F %T %Z'
compare "date, locale formats" date.conf strftime \
    date -u -d @1234567890 '+%c|%x|%X|%j|%U|%G-W%V-%u|%s'

# stat: a file, a directory and a missing file (ENOENT must come back).
mkdir "$tmp/d"
printf 'twelve bytes' >"$tmp/d/f"
chmod 640 "$tmp/d/f"
touch -d @1000000000 "$tmp/d/f" "$tmp/d"
cd "$tmp/d" || exit 1
fmt='%n|%s|%F|%a|%h|%i|%Y|%X|%u|%g'
compare "stat, a file" stat.conf statx stat --format="$fmt" f
compare "stat, a directory" stat.conf statx stat --format="$fmt" .
compare "stat, a missing file" stat.conf statx stat --format="$fmt" nope
compare "stat, all three" stat.conf statx stat --format="$fmt" f nope .
cd - >/dev/null || exit 1

# wc: 350 kB read through the shim, 16 kB at a time, and a missing file.
seq 1 60000 >"$tmp/seq"
compare "wc" wc.conf read wc -l -w -c "$tmp/seq"
compare "wc, a missing file" wc.conf read wc -l -w -c "$tmp/seq" "$tmp/nope"

finish
