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
# Fewer calls where each costs more (an emulator, RUNNER): CONTAIN_CALLS
# for leak and mixed (a multiple of 1000), CONTAIN_THREAD_CALLS per thread
# (a multiple of 50).
calls=${CONTAIN_CALLS:-10000}
tcalls=${CONTAIN_THREAD_CALLS:-300}
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

isolated $conf "$tmp/leak.out" "$tmp/leak.err" "$prog" leak $calls 100000
cat "$tmp/leak.out"
grew=$(sed -n 's/.*grew \(-*[0-9]*\) KiB.*/\1/p' "$tmp/leak.out")
check "leak: with the shim the program ends well (exit $rc)" test $rc -eq 0
check "leak: with the shim RSS stays flat over $calls calls (grew ${grew:-?} KiB, limit 2048)" \
    test "${grew:-99999}" -lt 2048
show "$tmp/leak.err" "stderr"

MISO_LOG=error isolated $conf "$tmp/mixed.out" "$tmp/mixed.err" \
    "$prog" mixed $calls
cat "$tmp/mixed.out"
check "mixed: the program ends well (exit $rc)" test $rc -eq 0
# A call in 100 crashes, one in 500 exits, one in 1000 hangs.
c=$calls
want="$c calls: $((c - c / 100 - c / 500 - c / 1000)) ok, $((c / 100)) crashed, $((c / 500)) exited, $((c / 1000)) timed out, 0 wrong"
check "mixed: $want" grep -q "^mixed: $want\$" "$tmp/mixed.out"
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
    "$tmp/threads.err" "$prog" threads 8 $tcalls
cat "$tmp/threads.out"
# A crashing call every 50 in each thread.
crashes=$((tcalls / 50))
check "threads: the program ends well (exit $rc)" test $rc -eq 0
check "threads: 8 threads x $((2 * tcalls)) calls and $crashes crashes, all results right" \
    grep -q "^threads: 8 threads x $tcalls x 2 calls and $crashes crashes, 0 wrong results\$" \
    "$tmp/threads.out"
# Repeated lines are held back after the first few, and counted.
n=$(grep -c '^miso: ts_crash: killed by signal 11 (SIGSEGV)' "$tmp/threads.err")
left=$(sed -n 's/^miso: \([0-9]*\) more like the last line left out$/\1/p' \
    "$tmp/threads.err" | awk '{ s += $1 } END { print s + 0 }')
check "threads: $((8 * crashes)) crashes logged or counted ($n shown, $left counted)" \
    test $((n + left)) -eq $((8 * crashes)) -a "$n" -lt $((8 * crashes))
n=$(grep -v -e '^miso: ts_crash: killed by signal 11 (SIGSEGV)' \
    -e '^miso: [0-9]* more like the last line left out$' "$tmp/threads.err" |
    wc -l)
check "threads: nothing else logged ($n lines)" test "$n" -eq 0
# The statistics are counted right from 8 threads.
printf '%s\n' "ts_crash $((8 * crashes)) 0 $((8 * crashes))" \
    "ts_out $((8 * tcalls)) $((8 * tcalls)) 0" \
    "ts_square $((8 * tcalls)) $((8 * tcalls)) 0" >"$tmp/threads.want"
awk '!/^#/ && $2 > 0 { print $1, $2, $3, $4 }' "$tmp/threads.stats" 2>&1 |
    sort >"$tmp/threads.got"
same "threads: MISO_STATS counts every call (symbol calls completed crashed)" \
    "$tmp/threads.want" "$tmp/threads.got"

# A SIGCHLD handler that reaps every child: single-threaded callers get
# children it cannot see, so every result is right. Not under an emulator
# (RUNNER): qemu-user cannot make such children, and the engine forks.
if [ -n "${RUNNER:-}" ]; then
	echo "skip reaper: no clone() without an exit signal under $RUNNER"
else
	MISO_LOG=error isolated $conf "$tmp/reaper.out" "$tmp/reaper.err" \
	    "$prog" reaper 2000
	cat "$tmp/reaper.out"
	check "reaper: the program ends well (exit $rc)" test $rc -eq 0
	check "reaper: 2000 calls, 200 crashing, all results right" \
	    grep -q '^reaper: 2000 calls with a SIGCHLD handler reaping, 0 wrong results$' \
	    "$tmp/reaper.out"
	show "$tmp/reaper.err" "stderr"
fi
finish
