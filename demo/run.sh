#!/bin/sh
# The demo: runs build/demo/legacy, which uses the leaking and crashing
# libvendor.so, first as it is and then under libmiso.so with
# demo/vendor.conf, and shows the two runs side by side, then the
# per-function statistics miso kept.  Exits 1 if the shim did not contain
# the leak and the crash with the outputs otherwise identical.
# Run with 'make demo' (B is the build directory).
set -u
B=${B:-build}
prog=$B/demo/legacy
shim=$B/lib/libmiso.so
conf=demo/vendor.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0

for f in "$prog" "$B/demo/libvendor.so" "$shim"; do
	[ -f "$f" ] || { echo "demo: $f is missing: run 'make demo'"; exit 1; }
done
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac

signame() {
	n=$(kill -l "$1" 2>/dev/null) || n=$1
	echo "SIG${n#SIG}"
}

echo "== 1. $prog as it is"
"$prog" >"$tmp/plain.out" 2>"$tmp/plain.err"
rc=$?
if [ $rc -gt 128 ]; then
	plain_end="killed by signal $((rc - 128)) ($(signame $((rc - 128))))"
else
	plain_end="exit status $rc"
fi
echo "   ended: $plain_end"

echo "== 2. the same, with LD_PRELOAD=$shim MISO_CONFIG=$conf"
start=$(date +%s)
MISO_CONFIG=$conf MISO_STATS=$tmp/stats LD_PRELOAD=$shim \
    "$prog" >"$tmp/miso.out" 2>"$tmp/miso.err"
rc=$?
if [ $rc -gt 128 ]; then
	miso_end="killed by signal $((rc - 128)) ($(signame $((rc - 128))))"
else
	miso_end="exit status $rc"
fi
echo "   ended: $miso_end ($(( $(date +%s) - start )) s)"
if [ -s "$tmp/miso.err" ]; then
	echo "   miso logged:"
	sed 's/^/     /' "$tmp/miso.err"
fi
echo

# The table: one row per record printed by either run.
short() { case $1 in killed*) echo "killed: ${1##*(}" | tr -d ')' ;; *) echo "$1" ;; esac; }
awk -v plain_end="$(short "$plain_end")" -v miso_end="$(short "$miso_end")" '
function kib(n,   s) {
	s = sprintf("%d", n)
	while (s ~ /[0-9][0-9][0-9][0-9]/)
		sub(/[0-9][0-9][0-9]([^0-9]|$)/, ",&", s)
	return s " KiB"
}
# "record  100: rss    1234 KiB: rest" -> key, rss, rest
function parse(line, a,   n, p) {
	n = split(line, p, ": ")
	a["key"] = p[1] "|" (n > 3 ? "e" : "") p[3]
	a["rec"] = p[1]; sub(/record */, "", a["rec"])
	a["rss"] = p[2]; sub(/rss */, "", a["rss"]); sub(/ KiB/, "", a["rss"])
	a["rest"] = substr(line, length(p[1]) + length(p[2]) + 5)
}
FNR == NR { parse($0, a); plain[FNR] = $0; np = FNR; next }
{ miso[FNR] = $0; nm = FNR }
END {
	printf "%6s  %17s  %17s   %s\n", "record", "RSS without miso", \
	    "RSS with miso", "what the program printed"
	printf "%6s  %17s  %17s   %s\n", "------", "----------------", \
	    "-------------", "------------------------"
	n = np > nm ? np : nm
	for (i = 1; i <= n; i++) {
		if (i <= np) parse(plain[i], p); else delete p
		if (i <= nm) parse(miso[i], m); else delete m
		rec = i <= nm ? m["rec"] : p["rec"]
		lp = i <= np ? kib(p["rss"]) : (i == np + 1 ? "(" plain_end ")" : "")
		lm = i <= nm ? kib(m["rss"]) : (i == nm + 1 ? "(" miso_end ")" : "")
		if (i <= np && i <= nm && p["rest"] == m["rest"])
			printf "%6s  %17s  %17s    %s\n", rec, lp, lm, m["rest"]
		else {
			if (i <= np)
				printf "%6s  %17s  %17s    without: %s\n", rec, lp, "", p["rest"]
			if (i <= nm)
				printf "%6s  %17s  %17s    with:    %s\n", rec, \
				    (i > np ? lp : ""), lm, m["rest"]
		}
	}
	if (np >= nm)
		printf "%6s  %17s  %17s   \n", "", \
		    (np == nm ? "(" plain_end ")" : ""), "(" miso_end ")"
}' "$tmp/plain.out" "$tmp/miso.out"
echo

# check LABEL COMMAND...: run a check and report it.
check() {
	label=$1
	shift
	if "$@"; then
		echo "ok   $label"
	else
		echo "FAIL $label"
		fails=$((fails + 1))
	fi
}

# The resident size, in KiB, on the first and last lines of a run.
rss_first() { sed -n '1s/.*rss *\([0-9]*\) KiB.*/\1/p' "$1"; }
rss_last() { sed -n '$s/.*rss *\([0-9]*\) KiB.*/\1/p' "$1"; }
grew() { echo $(( $(rss_last "$1") - $(rss_first "$1") )); }

plain_grew=$(grew "$tmp/plain.out")
miso_grew=$(grew "$tmp/miso.out")
# Lines without the resident size, as the two runs must agree on them.
strip() { sed 's/: rss *[0-9]* KiB:/:/' "$1"; }
strip "$tmp/plain.out" >"$tmp/plain.txt"
strip "$tmp/miso.out" >"$tmp/miso.txt"
nplain=$(wc -l <"$tmp/plain.txt")
head -n "$nplain" "$tmp/miso.txt" >"$tmp/miso.head"

check "without miso the leak shows: RSS grew by $plain_grew KiB" \
    test "$plain_grew" -gt 200000
check "without miso the crash kills the program ($plain_end)" \
    test "$plain_end" = "killed by signal 11 (SIGSEGV)"
check "with miso the program finishes ($miso_end)" \
    test "$miso_end" = "exit status 0"
check "with miso RSS stays flat: it grew by $miso_grew KiB" \
    test "$miso_grew" -lt 8192
check "with miso the crash is the configured failure (-1, EINVAL)" \
    grep -q 'record  500: parse "=500" failed: Invalid argument' \
    "$tmp/miso.txt"
check "up to the crash, both runs printed the same results" \
    cmp -s "$tmp/plain.txt" "$tmp/miso.head"
check "miso logged the crash on stderr" \
    grep -q '^miso: vendor_parse: killed by signal 11 (SIGSEGV) in child' \
    "$tmp/miso.err"
echo

echo "== MISO_STATS=FILE: what miso counted, per function"
if [ -s "$tmp/stats" ]; then
	sed '1s/^# *//' "$tmp/stats" | column -t 2>/dev/null ||
	    cat "$tmp/stats"
else
	echo "(no statistics written)"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ]
