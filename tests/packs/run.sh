#!/bin/sh
# miso run -i on programs of this system: sort with strcoll, python3's
# math module with libm, python3's zlib module with zlib's checksums, ls -l
# with statx and readlink.  Each output must be identical to a plain run,
# and MISO_STATS must show the calls isolated.  Then the refusals: a
# function whose effect would stay in the child, and a name no pack
# knows, stop miso run, miso check and the shim with the reason.
. "$(dirname "$0")/../shim/lib.sh"
M=$B/bin/miso
# The packs are found beside the build tree's bin/ and lib/.
unset MISO_PACKS
need "$M" "$B/share/miso/packs/libc.conf"

differ() { ! cmp -s "$1" "$2"; }

# run_i NAME PROGRAM-AND-ARGS...: plain, then with miso run $opts; the
# functions in $want must each have been called and completed.
run_i() {
	name=$1
	shift
	plain "$tmp/plain.out" "$tmp/plain.err" "$@"
	check "$name: runs plain (exit $rc)" test $rc -eq 0
	rm -f "$tmp/stats"
	"$M" run -s "$tmp/stats" $opts -- "$@" >"$tmp/miso.out" \
	    2>"$tmp/miso.err"
	rc=$?
	check "$name: runs under miso run $opts (exit $rc)" test $rc -eq 0
	same "$name: output identical" "$tmp/plain.out" "$tmp/miso.out"
	check "$name: nothing on stderr" cmp -s "$tmp/plain.err" \
	    "$tmp/miso.err"
	show "$tmp/miso.err" "stderr under miso run"
	for f in $want; do
		check "$name: $f called and completed isolated" awk -v f="$f" \
		    '$1 == f && $2 > 0 && $2 == $3 { ok = 1 } END { exit !ok }' \
		    "$tmp/stats"
	done
}

# sort: a few thousand lines in a locale whose collation is not the
# order of the bytes, when this system can build one (en_US.UTF-8 from
# the locale sources); a worker, copied from the program before it sets
# its locale, would sort them in the C order, so strcoll stays in fork
# mode even with --worker.
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) {
	w = ""; n = 1 + int(rand() * 8)
	for (j = 0; j < n; j++) w = w substr("aAbBäÄ_-. zZéE", 1 + int(rand() * 14), 1)
	print w, int(rand() * 100) } }' >"$tmp/lines"
mkdir "$tmp/loc"
if localedef -i en_US -f UTF-8 "$tmp/loc/en_US.UTF-8" >/dev/null 2>&1; then
	LOCPATH=$tmp/loc LC_ALL=en_US.UTF-8
else
	echo "     (no locale sources: sorting in C.UTF-8)"
	LC_ALL=C.UTF-8
fi
export LOCPATH LC_ALL
if [ "$LC_ALL" = en_US.UTF-8 ]; then
	LC_ALL=C sort "$tmp/lines" >"$tmp/c-order"
	sort "$tmp/lines" >"$tmp/l-order"
	check "sort: en_US.UTF-8 orders the lines differently from C" \
	    differ "$tmp/c-order" "$tmp/l-order"
fi
opts="-i strcoll" want=strcoll run_i "sort" sort "$tmp/lines"
opts="-i strcoll --worker" want=strcoll run_i "sort" sort "$tmp/lines"
opts="-i strcoll,strxfrm" want=strcoll run_i "sort -r" sort -r "$tmp/lines"
unset LOCPATH
LC_ALL=C
export LC_ALL

# python3: math with libm, zlib's checksums.
math='import math
for x in (0.5, 1.0, 2.5, 10.0, -3.25):
    print(math.sin(x), math.cos(x), math.exp(x), math.atan2(x, 2),
          math.frexp(x), math.modf(x), math.hypot(x, 3), math.erf(x),
          math.lgamma(abs(x)))
print(math.log(7), math.sin(1), math.lgamma(3.5))'
want="sin cos exp atan2 frexp modf erf log"
opts="-i sin,cos,exp,log -i atan2,frexp,modf,hypot,erf,lgamma_r" \
    run_i "python3 math" python3 -c "$math"
opts="-i sin,cos,exp,log -i atan2,frexp,modf,hypot,erf --worker" \
    run_i "python3 math" python3 -c "$math"
zl='import zlib
for n in (1, 100, 5000):
    b = bytes(range(256)) * n
    print(zlib.crc32(b), zlib.adler32(b), zlib.crc32(b, 7), zlib.adler32(b, 9))'
want="crc32 adler32"
opts="-i crc32,adler32" run_i "python3 zlib" python3 -c "$zl"
opts="-i crc32,adler32 --worker" run_i "python3 zlib" python3 -c "$zl"
# With -c too: the file's functions and the named ones.
printf 'use zlib: crc32\n' >"$tmp/crc.conf"
opts="-c $tmp/crc.conf -i adler32" run_i "python3 zlib with -c" \
    python3 -c "$zl"

# ls -l: stat, statx, readlink.
mkdir "$tmp/d"
for i in 1 2 3 4 5; do
	head -c $((i * 100)) "$TOP/README.md" >"$tmp/d/file$i"
	ln -s "file$i" "$tmp/d/link$i"
done
ln -s /nonexistent "$tmp/d/dangling"
want="statx readlink"
opts="-i statx,readlink,stat,lstat" run_i "ls -l" ls -l "$tmp/d"
want=statx opts="-i statx,readlink" run_i "ls -lL" ls -lL "$tmp/d"/*[0-9] \
    /bin/sh

# The refusals.
"$M" run -i readdir -- ls "$tmp/d" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso run -i readdir: refused (exit $rc)" test $rc -eq 2
check "miso run -i readdir: the program did not run" test ! -s "$tmp/out"
check "miso run -i readdir: the reason" grep -q "^-i:1:1: error: \
'readdir' cannot be isolated: readdir advances the DIR stream in the \
child; the caller's stream never moves$" "$tmp/err"
show "$tmp/err" "stderr"
"$M" run -i strcoll,strtok -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso run -i strtok: refused (exit $rc)" test $rc -eq 2
check "miso run -i strtok: the reason, at its place" grep -q "^-i:1:9: \
error: 'strtok' cannot be isolated: strtok keeps its place" "$tmp/err"
"$M" run -i strcoll -i nosuchfunction -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso run -i nosuchfunction: stops (exit $rc)" test $rc -eq 2
check "miso run -i nosuchfunction: names miso gen" grep -q \
    "no pack declares 'nosuchfunction'.*" "$tmp/err"
check "miso run -i nosuchfunction: names miso gen" grep -q "'miso gen'" \
    "$tmp/err"
show "$tmp/err" "stderr"
"$M" run --worker -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso run --worker without -i: usage (exit $rc)" test $rc -eq 2
# The shim refuses the same, told by the environment alone.
MISO_ISOLATE=srand LD_PRELOAD=$SHIM /bin/true \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
check "the shim refuses MISO_ISOLATE=srand (exit $rc)" test $rc -eq 127
check "the shim says why" grep -q "^miso: MISO_ISOLATE:1:1: error: 'srand' \
cannot be isolated: srand seeds the generator of the child" "$tmp/err"
show "$tmp/err" "stderr"
# miso check, with a configuration that uses the entry.
printf 'use libc: stat, readdir\n' >"$tmp/rd.conf"
"$M" check -c "$tmp/rd.conf" /bin/ls >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso check refuses 'use libc: readdir' (exit $rc)" test $rc -eq 2
check "miso check says why" grep -q "rd.conf:1:17: error: 'readdir' \
cannot be isolated: readdir advances the DIR stream" "$tmp/err"
printf 'use libc: stat, readdir\n    force = yes\n' >"$tmp/rd.conf"
"$M" check -c "$tmp/rd.conf" /bin/ls >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso check takes it with 'force = yes' (exit $rc)" test $rc -ne 2
check "miso check: readdir forced into the model" grep -q readdir \
    "$tmp/out"
show "$tmp/err" "stderr"
# A function declared by hand that a pack refuses, or that takes a
# non-const handle as it is: miso check warns, with status 1.
cat >"$tmp/own.conf" <<'EOC'
opaque struct dirent *readdir(opaque DIR *d);
int fputs(const char *s, opaque FILE *fp);
int fileno(opaque const FILE *fp);
int strcoll(const char *a, const char *b);
EOC
"$M" check -c "$tmp/own.conf" /bin/ls >"$tmp/out" 2>"$tmp/err"
rc=$?
check "miso check on hand-written suspects: status 1 ($rc)" test $rc -eq 1
check "miso check warns of readdir, which a pack refuses" grep -q \
    "own.conf:1:23: warning: readdir: the packs refuse it: readdir advances" \
    "$tmp/err"
check "miso check warns of the FILE * handle of fputs" grep -q \
    "own.conf:2:5: warning: fputs: 'fp' is a handle passed as it is" \
    "$tmp/err"
check "miso check: two warnings, none for fileno or strcoll" \
    test "$(grep -c warning "$tmp/err")" -eq 2
show "$tmp/err" "stderr"
finish
