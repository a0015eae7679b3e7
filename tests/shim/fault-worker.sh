#!/bin/sh
# Worker mode's faults, seen from a plain program (build/tests/shim/tsprog)
# under the shim with tests/shim/fault.conf: calls whose sizes cannot be
# encoded are refused before anything is allocated, with the true reason
# logged; a function that kills its worker's parent (the zygote) fails
# with its configured value, the zygote is reaped and replaced, the next
# call is served, and MISO_STATS counts the restarts; a call that waits
# longer than queue_timeout for a free worker fails, not run.
. "$(dirname "$0")/lib.sh"
conf=tests/shim/fault.conf
prog=$T/tsprog
need "$prog"

# expect CASE STDOUT STDERR: 'tsprog CASE' exits 0 with exactly these.
expect() {
	isolated $conf "$tmp/$1.out" "$tmp/$1.err" "$prog" "$1"
	check "$1: exit 0 (got $rc)" test $rc -eq 0
	printf '%s\n' "$2" >"$tmp/$1.want"
	same "$1: output" "$tmp/$1.want" "$tmp/$1.out"
	printf '%s\n' "$3" >"$tmp/$1.wanterr"
	same "$1: one log line per refused or failed call" \
	    "$tmp/$1.wanterr" "$tmp/$1.err"
}

# Two buffers of INT64_MAX bytes each: their sum does not fit in a
# request (it once wrapped, and the copy ran past a small buffer).
MISO_STATS=$tmp/twoin.stats expect twoin \
"two_in, n = INT64_MAX: ret -9 errno 75
two_in, n = 3: ret -1
twoin: done" \
"miso: ts_two_in: not run: its arguments are too large to send to a worker (more than 9223372036854775807 bytes); failing with errno EOVERFLOW"
check "twoin: MISO_STATS: 2 calls, 1 completed, 1 failed" \
    grep -Eq '^ts_two_in 2 1 0 0 1 ' "$tmp/twoin.stats"

# A capacity refused before the call is logged as that, not as a
# function that filled too much; in worker mode and in fork mode.
for mode in worker fork; do
	sed "s/^mode = worker\$/mode = $mode/" $conf >"$tmp/$mode.conf"
	isolated "$tmp/$mode.conf" "$tmp/hugecap.out" "$tmp/hugecap.err" \
	    "$prog" hugecap
	check "hugecap, mode = $mode: exit 0 (got $rc)" test $rc -eq 0
	printf '%s\n' "fill, n = SIZE_MAX / 2: errno 75" \
	    "  region: 01 12 23 34 2e 2e 2e 2e" "hugecap: done" \
	    >"$tmp/hugecap.want"
	same "hugecap, mode = $mode: output" "$tmp/hugecap.want" \
	    "$tmp/hugecap.out"
	echo "miso: ts_fill: not run: the size of 'buf' is too large to copy; failing with errno EOVERFLOW" \
	    >"$tmp/hugecap.wanterr"
	same "hugecap, mode = $mode: the true reason logged" \
	    "$tmp/hugecap.wanterr" "$tmp/hugecap.err"
done

# The zygote killed twice by the function: each call fails as configured
# (-4, ESRCH), and the next one is served by a new zygote; the dead ones
# were reaped (no zombie): the program's children are the two zygotes,
# this pool's and ts_hang's, which is left alone.
MISO_STATS=$tmp/kill.stats isolated $conf "$tmp/kill.out" "$tmp/kill.err" \
    "$prog" killparent
check "killparent: exit 0 (got $rc)" test $rc -eq 0
printf '%s\n' "kill parent 1: ret -4 errno 3" "square 7: ret 7 out 49" \
    "kill parent 2: ret -4 errno 3" "square 8: ret 8 out 64" \
    "kill parent: 2 children, 0 zombies" "killparent: done" \
    >"$tmp/kill.want"
same "killparent: output" "$tmp/kill.want" "$tmp/kill.out"
n=$(grep -c '^miso: ts_kill_parent: .*; failing with errno ESRCH$' \
    "$tmp/kill.err")
check "killparent: both failures logged ($n)" test "$n" -eq 2
n=$(grep -vc '^miso: ts_kill_parent: ' "$tmp/kill.err")
check "killparent: nothing else logged ($n lines)" test "$n" -eq 0
check "killparent: MISO_STATS header has a restarts column" \
    grep -Eq '^# symbol .* p99_us restarts signals$' "$tmp/kill.stats"
check "killparent: MISO_STATS: 2 restarts of the shared pool" \
    grep -Eq '^ts_kill_parent 2 0 0 0 2 [0-9]+ [0-9]+ 2 -$' "$tmp/kill.stats"
check "killparent: MISO_STATS: ts_square 2 calls completed, same pool" \
    grep -Eq '^ts_square 2 2 0 0 0 [0-9]+ [0-9]+ 2 -$' "$tmp/kill.stats"
check "killparent: MISO_STATS: ts_hang's pool never restarted" \
    grep -Eq '^ts_hang 0 0 0 0 0 [0-9]+ [0-9]+ 0 -$' "$tmp/kill.stats"
show "$tmp/kill.stats" "MISO_STATS"

# queue_timeout: with its one worker busy for 3 s, a call fails after
# 300 ms of waiting, not run (-2, EBUSY); the busy call completes, and
# the worker serves the next one.
expect queue \
"queue: ret -2 errno 16, under 1.5 s
busy call: ret 3000
after: ret 1
queue: done" \
"miso: ts_hang: not run: no worker was free within queue_timeout; failing with errno EBUSY"
finish
