#!/bin/sh
# Configurations the shim cannot use stop the program before main, with a
# compiler-style message ('miso: FILE:LINE:COL: error: ...') and exit
# status 127; MISO_DISABLE=1 leaves the program untouched whatever the
# configuration.  The program is build/tests/shim/tsprog.
. "$(dirname "$0")/lib.sh"
prog=$T/tsprog
need "$prog"
plain "$tmp/plain.out" "$tmp/plain.err" "$prog" errno

# stops CONF FIRST-LINE: the program stops before main with FIRST-LINE as
# the first line on stderr.
stops() {
	MISO_CONFIG=$1 preload "$SHIM" "$prog" errno >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$1: exit status 127 (got $rc)" test $rc -eq 127
	check "$1: stopped before main (nothing on stdout)" test ! -s "$tmp/out"
	first=$(head -n 1 "$tmp/err")
	if [ "$first" = "$2" ]; then
		pass "$1: message '$2'"
	else
		fail "$1: message '$2'"
		show "$tmp/err" "stderr"
	fi
}

d=tests/shim/bad
stops $d/syntax.conf \
    "miso: $d/syntax.conf:2:34: error: expected ')' after the parameters before ';'"
stops $d/type.conf \
    "miso: $d/type.conf:3:35: error: unknown type 'struct nosuch'"
stops $d/setting.conf \
    "miso: $d/setting.conf:3:5: error: unknown setting 'retries'"
stops $d/value.conf \
    "miso: $d/value.conf:3:9: error: unknown errno name 'ENOTANERRNO' for 'errno'"
stops $d/bigstruct.conf \
    "miso: $d/bigstruct.conf:3:25: error: 'struct big' is passed by value and larger than 16 bytes (24); pass a pointer to it"
stops $d/nodir.conf \
    "miso: $d/nodir.conf:2:27: error: 'out' points to data that is not const: say whether the function reads it ('in'), writes it ('out') or both ('inout')"
stops $d/negsize.conf \
    "miso: $d/negsize.conf:2:27: error: the size expression is negative (-5)"
stops $d/bigsize.conf \
    "miso: $d/bigsize.conf:2:27: error: the size expression overflows 64 bits"
# The whole message, as a compiler gives it: the missing ';' at the end of
# the line that lacks it, the next line's own error, its note without the
# line again.
stops $d/semicolon.conf \
    "miso: $d/semicolon.conf:2:35: error: expected ';' after the declaration of 'ts_square'"
cat >"$tmp/want" <<END
miso: $d/semicolon.conf:2:35: error: expected ';' after the declaration of 'ts_square'
int ts_square(int x, out int *out)
                                  ^
miso: $d/semicolon.conf:3:1: error: unknown setting 'fial'
fial = -1
^
miso: $d/semicolon.conf:3:1: note: did you mean 'fail'?
END
same "$d/semicolon.conf: the whole message" "$tmp/want" "$tmp/err"
stops $d/missing.conf \
    "miso: $d/missing.conf: error: cannot read: No such file or directory"
stops "$tmp" "miso: $tmp: error: cannot read: not a regular file"

# MISO_DISABLE=1: untouched, with a bad configuration or none.
for c in $d/syntax.conf $d/missing.conf; do
	MISO_DISABLE=1 MISO_CONFIG=$c preload "$SHIM" "$prog" errno \
	    >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "MISO_DISABLE=1 with $c: exit 0 (got $rc)" test $rc -eq 0
	same "MISO_DISABLE=1 with $c: output as without the shim" \
	    "$tmp/plain.out" "$tmp/out"
	check "MISO_DISABLE=1 with $c: nothing on stderr" test ! -s "$tmp/err"
done
finish
