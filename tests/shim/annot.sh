#!/bin/sh
# Annotation coverage: build/tests/shim/tsprog calls one function of
# libts.so per kind of annotation (tests/shim/ts.conf), and libc's qsort.
# Run without and with libmiso.so, the common cases must print byte for
# byte the same; the cases where the shim changes the outcome (a crash, a
# hang, exit, a fill past the capacity, bytes past the fill) are checked
# against what the configuration says.
. "$(dirname "$0")/lib.sh"
# ANNOT_CONF: the same functions in worker mode (annot-worker.sh).
conf=${ANNOT_CONF:-tests/shim/ts.conf}
prog=$T/tsprog
need "$prog" "$T/libts.so"

# The common cases: identical output, nothing logged.
plain "$tmp/plain.out" "$tmp/plain.err" "$prog" common
check "common: runs without the shim (exit $rc)" test $rc -eq 0
MISO_STATS=$tmp/common.stats isolated $conf "$tmp/miso.out" "$tmp/miso.err" \
    "$prog" common
check "common: runs with the shim (exit $rc)" test $rc -eq 0
same "common: output identical with and without the shim" \
    "$tmp/plain.out" "$tmp/miso.out"
check "common: the shim logged nothing" test ! -s "$tmp/miso.err"
show "$tmp/miso.err" "stderr with the shim"

# Every call went through the shim, or the comparison proves nothing:
# per function, calls and completed calls from MISO_STATS (ts_out and
# ts_square are also called through a function pointer and dlsym).
cat >"$tmp/common.want" <<'END'
ts_out 2 2
ts_opt 2 2
ts_inout 2 2
ts_fill 2 2
ts_reverse 1 1
ts_read 3 3
ts_fmt 1 1
ts_getname 2 2
ts_nonul 1 1
ts_trim 1 1
ts_dupname 2 2
ts_upper 1 1
ts_color 4 4
ts_label 2 2
ts_table 2 2
ts_series 1 1
ts_rec_make 1 1
ts_rec_update 1 1
ts_pt_scale 1 1
ts_pair_swap 1 1
ts_pt_dot 1 1
ts_s8 1 1
ts_u8 1 1
ts_s16 1 1
ts_u16 1 1
ts_even 2 2
ts_u64 1 1
ts_many 1 1
ts_say 2 2
ts_square 1 1
ts_digits 1 1
ts_sortsum 1 1
ts_apply 1 1
ts_seterrno 2 2
qsort 2 2
ts_mix 1 1
ts_fhalf 1 1
END
sort -o "$tmp/common.want" "$tmp/common.want"
awk '!/^#/ && $2 > 0 { print $1, $2, $3 }' "$tmp/common.stats" 2>&1 |
    sort >"$tmp/common.got"
same "common: every call was isolated and completed (MISO_STATS)" \
    "$tmp/common.want" "$tmp/common.got"

# expect CASE STATUS OUTPUT: run 'tsprog CASE' under the shim and compare
# its exit status and output; stderr is left in $tmp/CASE.err.
expect() {
	if [ -n "$3" ]; then
		printf '%s\n' "$3" >"$tmp/$1.want"
	else
		: >"$tmp/$1.want"
	fi
	isolated $conf "$tmp/$1.out" "$tmp/$1.err" "$prog" "$1"
	echo "exit $rc" >>"$tmp/$1.out"
	echo "exit $2" >>"$tmp/$1.want"
	same "$1: output with the shim" "$tmp/$1.want" "$tmp/$1.out"
}

# logged CASE SYMBOL SIGNAL: the shim logged the crash of SYMBOL.
logged() {
	check "$1: logged 'miso: $2: killed by signal $3 ... in child'" \
	    grep -q "^miso: $2: killed by signal $3 in child [0-9]" \
	    "$tmp/$1.err"
}

# Crashes: SIGSEGV, SIGABRT, SIGFPE, SIGBUS become fail = -7,
# errno = ENOTRECOVERABLE (131); in a double function fail = -2.5, EDOM.
plain "$tmp/p.out" "$tmp/p.err" "$prog" crash
check "crash: without the shim the program dies of SIGSEGV (exit $rc)" \
    test $rc -eq 139
MISO_STATS=$tmp/stats
export MISO_STATS
expect crash 0 'crash 1: ret -7 errno 131
crash 2: ret -7 errno 131
crash 3: ret -7 errno 131
crash 4: ret -7 errno 131
crash in a double function: ret -0x1.4p+1 errno 33
no crash: ret 0
crash: done'
unset MISO_STATS
logged crash ts_crash '11 (SIGSEGV)'
logged crash ts_crash '6 (SIGABRT)'
logged crash ts_crash '8 (SIGFPE)'
logged crash ts_crash '7 (SIGBUS)'
logged crash ts_dcrash '11 (SIGSEGV)'
show "$tmp/crash.err" "stderr"
check "crash: MISO_STATS header starts '# symbol calls completed crashed timedout failed p50_us p99_us'" \
    grep -Eq '^# symbol +calls +completed +crashed +timedout +failed +p50_us +p99_us( |$)' \
    "$tmp/stats"
check "crash: MISO_STATS: ts_crash 5 calls, 1 completed, 4 crashed, 0 timed out" \
    grep -Eq '^ts_crash +5 +1 +4 +0 ' "$tmp/stats"
check "crash: MISO_STATS: ts_dcrash 1 call, 0 completed, 1 crashed" \
    grep -Eq '^ts_dcrash +1 +0 +1 +0 ' "$tmp/stats"
show "$tmp/stats" "MISO_STATS"

# MISO_STATS, like MISO_LOG_FILE, replaces %p by the pid.
MISO_STATS=$tmp/stats.%p.txt MISO_CONFIG=$conf preload "$SHIM" \
    "$prog" crash >/dev/null 2>&1
set -- "$tmp"/stats.[0-9]*.txt
check "MISO_STATS=stats.%p.txt: one file named after the pid ($(basename "$1"))" \
    test $# -eq 1 -a -f "$1"
check "MISO_STATS=stats.%p.txt: ts_crash 5 calls, 1 completed, 4 crashed" \
    grep -Eq '^ts_crash +5 +1 +4 +0 ' "$1"
check "MISO_STATS=stats.%p.txt: no file named with a literal %p" \
    test ! -e "$tmp/stats.%p.txt"

# The log goes to MISO_LOG_FILE, %p replaced by the pid.
MISO_LOG_FILE=$tmp/log.%p MISO_CONFIG=$conf preload "$SHIM" \
    "$prog" crash >/dev/null 2>"$tmp/logfile.err"
unemulate "$tmp/logfile.err"
set -- "$tmp"/log.[0-9]*
check "MISO_LOG_FILE=log.%p: one file named after the pid ($(basename "$1"))" \
    test $# -eq 1 -a -f "$1"
check "MISO_LOG_FILE: the crash is logged there" \
    grep -q '^miso: ts_crash: killed by signal 11 (SIGSEGV) in child' "$1"
check "MISO_LOG_FILE: nothing on stderr" test ! -s "$tmp/logfile.err"
MISO_LOG=error MISO_CONFIG=$conf preload "$SHIM" \
    "$prog" crash >/dev/null 2>"$tmp/quiet.err"
unemulate "$tmp/quiet.err"
check "MISO_LOG=error: a contained crash (a warning) is not logged" \
    test ! -s "$tmp/quiet.err"

# A hang: timeout = 300ms, fail = -2, errno = ETIMEDOUT (110).
RUNNER="timeout 3 ${RUNNER:-}" plain "$tmp/p.out" "$tmp/p.err" "$prog" hang
check "hang: without the shim the program hangs (killed by timeout(1))" \
    test $rc -eq 124
expect hang 0 'hang: ret -2 errno 110, under 2 s
no hang: ret 1
hang: done'
check "hang: the time-out is logged" grep -q '^miso: ts_hang: ' \
    "$tmp/hang.err"
show "$tmp/hang.err" "stderr"

# on_timeout = abort: the caller aborts.
expect hangabort 134 ''
check "hangabort: the time-out is logged" grep -q '^miso: ts_hang_abort: ' \
    "$tmp/hangabort.err"
show "$tmp/hangabort.err" "stderr"

# exit(3) inside the function: fail = -3, errno = ECHILD (10).
plain "$tmp/p.out" "$tmp/p.err" "$prog" exit
check "exit: without the shim the program exits with 3 (exit $rc)" \
    test $rc -eq 3
expect exit 0 'exit: ret -3 errno 10
exit: done'
show "$tmp/exit.err" "stderr"

# same_as_plain CASE WHAT: 'tsprog CASE' prints the same with the shim as
# without it.
same_as_plain() {
	plain "$tmp/$1.want" "$tmp/p.err" "$prog" "$1"
	echo "exit $rc" >>"$tmp/$1.want"
	isolated $conf "$tmp/$1.out" "$tmp/$1.err" "$prog" "$1"
	echo "exit $rc" >>"$tmp/$1.out"
	same "$1: $2" "$tmp/$1.want" "$tmp/$1.out"
	show "$tmp/$1.err" "stderr"
}

# A function that does not touch errno leaves the caller's errno alone.
same_as_plain errno "errno left as the caller set it by a function that does not set it"

# [cap -> *len]: a function that fails leaves *len as the caller set it,
# here larger than the capacity; the call must still return what the
# function returned (-1, ENOSPC), as without the shim.
same_as_plain stalelen "a failed call with a stale *len > cap returns as without the shim"

# [cap -> retval] with retval (24) > cap (16): fail = -5, errno =
# EOVERFLOW (75), and the caller's buffer unchanged.
expect overflow 0 "overflow: ret -5 errno 75
  region: 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e
   2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e
   2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e
overflow: done"
show "$tmp/overflow.err" "stderr"

# [cap -> retval]: the function wrote all 24 bytes but returned 5: only
# those 5 come back.
expect scribble 0 "scribble: ret 5
  region: 2e 2e 2e 2e 2e 2e 2e 2e 66 66 66 66 66 2e 2e 2e
   2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e
   2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e
scribble: done"

# on_crash = raise: the caller dies of the child's signal (or exits with
# its status); on_crash = abort: the caller aborts.
expect raise 139 ''
logged raise ts_crash_raise '11 (SIGSEGV)'
# on_crash = raise after exit(5) in the child: the caller exits with 5.
expect exitraise 5 ''
expect abort 134 ''
logged abort ts_crash_abort '11 (SIGSEGV)'

finish
