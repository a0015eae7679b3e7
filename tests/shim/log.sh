#!/bin/sh
# What the shim logs: at debug, each rebound slot and each call; at the
# default level, a configured function that nothing defines, with the
# nearest exported name; at info, how many functions are isolated, truly;
# and a warning repeated many times shows a few times, then its count.
. "$(dirname "$0")/lib.sh"
prog=$T/tsprog
need "$prog" "$T/libts.so"

# Numbers (pids, addresses, times) made '#', as the log varies in them.
masked() {
	sed -e "s|$tmp|TMP|g" -e 's/0x[0-9a-f]*/#/g' -e 's/[0-9][0-9]*/#/g' "$1"
}

printf 'int ts_crash(int how);\ndouble ts_dcrash(double x);\n' \
    >"$tmp/crash.conf"
printf 'int ts_sqaure(int x, out int *out);\n' | cat "$tmp/crash.conf" - \
    >"$tmp/typo.conf"

# debug: the rebinding of tsprog's slot, then one line per call.
MISO_LOG=debug isolated "$tmp/crash.conf" "$tmp/d.out" "$tmp/d.err" \
    "$prog" crash
check "debug: runs (exit $rc)" test $rc -eq 0
masked "$tmp/d.err" >"$tmp/d.got"
cat >"$tmp/d.want" <<'END'
miso: rebind: ts_dcrash in the program: JUMP_SLOT slot # rebound
miso: rebind: ts_crash in the program: JUMP_SLOT slot # rebound
miso: isolating # functions from TMP/crash.conf
miso: ts_crash: fork, killed by signal # (SIGSEGV) in # µs
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: fork, killed by signal # (SIGABRT) in # µs
miso: ts_crash: killed by signal # (SIGABRT) in child #; failing with errno EIO
miso: ts_crash: fork, killed by signal # (SIGFPE) in # µs
miso: ts_crash: killed by signal # (SIGFPE) in child #; failing with errno EIO
miso: ts_crash: fork, killed by signal # (SIGBUS) in # µs
miso: ts_crash: killed by signal # (SIGBUS) in child #; failing with errno EIO
miso: ts_dcrash: fork, killed by signal # (SIGSEGV) in # µs
miso: ts_dcrash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: fork, completed in # µs
END
same "debug: the rebinding and each call, with mode, outcome and time" \
    "$tmp/d.want" "$tmp/d.got"

# The same in worker mode: the mode is named.
printf 'int ts_crash(int how);\n    mode = worker\ndouble ts_dcrash(double x);\n' \
    >"$tmp/worker.conf"
MISO_LOG=debug isolated "$tmp/worker.conf" "$tmp/w.out" "$tmp/w.err" \
    "$prog" crash
check "debug, worker mode: runs (exit $rc)" test $rc -eq 0
check "debug, worker mode: 'ts_crash: worker, completed in N µs'" \
    grep -q '^miso: ts_crash: worker, completed in [0-9]* µs$' "$tmp/w.err"
check "debug, worker mode: 'ts_crash: worker, killed by signal 11'" \
    grep -q '^miso: ts_crash: worker, killed by signal 11 (SIGSEGV) in [0-9]* µs$' \
    "$tmp/w.err"

# The default level: one warning, naming the function and the nearest.
isolated "$tmp/typo.conf" "$tmp/t.out" "$tmp/t.err" "$prog" crash
check "misspelt function: runs (exit $rc)" test $rc -eq 0
echo "miso: ts_sqaure: no loaded object defines it (did you mean" \
    "ts_square?); not isolated unless a library loaded later defines it" \
    >"$tmp/t.want"
grep -v 'killed by signal' "$tmp/t.err" >"$tmp/t.got"
same "misspelt function: a warning at the default level, with the nearest name" \
    "$tmp/t.want" "$tmp/t.got"

# Programs the configuration is passed on to (a script's sed, a
# wrapper), which define none of its functions: silent at the default
# level, said at info.
isolated "$tmp/crash.conf" "$tmp/o.out" "$tmp/o.err" /bin/true
check "a program without the functions: exit $rc, nothing logged" \
    test $rc -eq 0 -a ! -s "$tmp/o.err"
MISO_LOG=info isolated "$tmp/crash.conf" "$tmp/o.out" "$tmp/o.err" /bin/true
check "a program without the functions: said at info" grep -qx \
    'miso: ts_crash: no loaded object defines it; not isolated unless a library loaded later defines it' \
    "$tmp/o.err"

# info: the count says what is isolated.
MISO_LOG=info isolated "$tmp/typo.conf" "$tmp/i.out" "$tmp/i.err" \
    "$prog" crash
check "info: 'isolating 2 of the 3 functions'" grep -qx \
    "miso: isolating 2 of the 3 functions of $tmp/typo.conf (1 not defined)" \
    "$tmp/i.err"
MISO_LOG=info isolated "$tmp/crash.conf" "$tmp/i.out" "$tmp/i.err" \
    "$prog" crash
check "info: 'isolating 2 functions' when all are defined" grep -qx \
    "miso: isolating 2 functions from $tmp/crash.conf" "$tmp/i.err"

# 50 crashes alike, one other, 20 alike: three lines and a count each
# time, the last count at exit.
isolated "$tmp/crash.conf" "$tmp/r.out" "$tmp/r.err" "$prog" crashes
check "repeated: runs (exit $rc)" test $rc -eq 0
masked "$tmp/r.err" >"$tmp/r.got"
cat >"$tmp/r.want" <<'END'
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: # more like the last line left out
miso: ts_crash: killed by signal # (SIGABRT) in child #; failing with errno EIO
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: ts_crash: killed by signal # (SIGSEGV) in child #; failing with errno EIO
miso: # more like the last line left out
END
same "repeated: the first three lines, then one line with the count" \
    "$tmp/r.want" "$tmp/r.got"
check "repeated: 47, then 17 left out" test "$(grep -c \
    -e '^miso: 47 more like' -e '^miso: 17 more like' "$tmp/r.err")" = 2
show "$tmp/r.err" "stderr"

finish
