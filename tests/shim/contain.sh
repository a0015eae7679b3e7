#!/bin/sh
# Containment, measured by build/tests/shim/contain itself under the shim
# (tests/shim/contain.conf): the resident size stays flat over 10,000
# calls to a leaking function; 10,000 calls that succeed, crash, exit or
# time out give the configured results and leave no descriptor or child
# behind; 8 threads calling at once get the right results, and so does a
# program that reaps its children itself.
. "$(dirname "$0")/lib.sh"
# CONTAIN_CONF: the same functions in worker mode (contain-worker.sh).
conf=${CONTAIN_CONF:-tests/shim/contain.conf}
prog=$T/contain
need "$prog"

# field FILE N: the Nth word of the last line of FILE.
field() { tail -n 1 "$1" | awk -v n="$2" '{ print $n }'; }

# The measurement works: without the shim, 200 calls leaking 100 kB each
# make the resident size grow by about 20 MB.
plain "$tmp/plain.out" "$tmp/plain.err" "$prog" leak 200 100000
cat "$tmp/plain.out"
grew=$(sed -n 's/.*grew \(-*[0-9]*\) KiB.*/\1/p' "$tmp/plain.out")
check "leak: without the shim RSS grows (${grew:-?} KiB after 200 calls)" \
    test "${grew:-0}" -gt 15000

isolated $conf "$tmp/leak.out" "$tmp/leak.err" "$prog" leak 10000 100000
cat "$tmp/leak.out"
grew=$(sed -n 's/.*grew \(-*[0-9]*\) KiB.*/\1/p' "$tmp/leak.out")
check "leak: with the shim the program ends well (exit $rc)" test $rc -eq 0
check "leak: with the shim RSS stays flat over 10,000 calls (grew ${grew:-?} KiB, limit 2048)" \
    test "${grew:-99999}" -lt 2048
show "$tmp/leak.err" "stderr"

MISO_LOG=error isolated $conf "$tmp/mixed.out" "$tmp/mixed.err" \
    "$prog" mixed 10000
cat "$tmp/mixed.out"
check "mixed: the program ends well (exit $rc)" test $rc -eq 0
check "mixed: 9870 ok, 100 crashed, 20 exited, 10 timed out, 0 wrong" \
    grep -q '^mixed: 10000 calls: 9870 ok, 100 crashed, 20 exited, 10 timed out, 0 wrong$' \
    "$tmp/mixed.out"
# "mixed: descriptors A -> B, children C -> D, zombies E -> F"
set -- $(sed -n 's/^mixed: descriptors \([0-9]*\) -> \([0-9]*\), children \([0-9]*\) -> \([0-9]*\), zombies \([0-9]*\) -> \([0-9]*\)$/\1 \2 \3 \4 \5 \6/p' \
    "$tmp/mixed.out")
if [ $# -eq 6 ]; then
	check "mixed: no descriptor leaked ($1 before, $2 after)" test "$2" -le "$1"
	check "mixed: no child left behind ($3 before, $4 after)" test "$4" -le "$3"
	# A single-threaded caller's last child is reaped by its next call
	# (README, "Single-threaded callers"): one zombie at most.
	check "mixed: at most the last call's child unreaped ($6 zombies)" \
	    test "$6" -le 1
else
	fail "mixed: no descriptor and child counts in the output"
fi
show "$tmp/mixed.err" "stderr (MISO_LOG=error)"

MISO_STATS=$tmp/threads.stats isolated $conf "$tmp/threads.out" \
    "$tmp/threads.err" "$prog" threads 8 300
cat "$tmp/threads.out"
check "threads: the program ends well (exit $rc)" test $rc -eq 0
check "threads: 8 threads x 600 calls and 6 crashes, all results right" \
    grep -q '^threads: 8 threads x 300 x 2 calls and 6 crashes, 0 wrong results$' \
    "$tmp/threads.out"
# Repeated lines are held back after the first few, and counted.
n=$(grep -c '^miso: ts_crash: killed by signal 11 (SIGSEGV)' "$tmp/threads.err")
left=$(sed -n 's/^miso: \([0-9]*\) more like the last line left out$/\1/p' \
    "$tmp/threads.err" | awk '{ s += $1 } END { print s + 0 }')
check "threads: 48 crashes logged or counted ($n shown, $left counted)" \
    test $((n + left)) -eq 48 -a "$n" -lt 48
n=$(grep -v -e '^miso: ts_crash: killed by signal 11 (SIGSEGV)' \
    -e '^miso: [0-9]* more like the last line left out$' "$tmp/threads.err" |
    wc -l)
check "threads: nothing else logged ($n lines)" test "$n" -eq 0
# The statistics are counted right from 8 threads.
printf '%s\n' 'ts_crash 48 0 48' 'ts_out 2400 2400 0' 'ts_square 2400 2400 0' \
    >"$tmp/threads.want"
awk '!/^#/ && $2 > 0 { print $1, $2, $3, $4 }' "$tmp/threads.stats" 2>&1 |
    sort >"$tmp/threads.got"
same "threads: MISO_STATS counts every call (symbol calls completed crashed)" \
    "$tmp/threads.want" "$tmp/threads.got"

# A SIGCHLD handler that reaps every child: single-threaded callers get
# children it cannot see, so every result is right.
MISO_LOG=error isolated $conf "$tmp/reaper.out" "$tmp/reaper.err" \
    "$prog" reaper 2000
cat "$tmp/reaper.out"
check "reaper: the program ends well (exit $rc)" test $rc -eq 0
check "reaper: 2000 calls, 200 crashing, all results right" \
    grep -q '^reaper: 2000 calls with a SIGCHLD handler reaping, 0 wrong results$' \
    "$tmp/reaper.out"
show "$tmp/reaper.err" "stderr"
finish
