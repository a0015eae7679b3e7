#!/bin/sh
# The build's own behaviour: one quiet line per step (V=1 shows the
# command), 'make' asks only for the build group of dependencies while
# 'make test' asks for the test group, and scripts/run-tests announces each
# test before running it.
#
# Run from the top of the tree (make check-scripts does).
set -u
MAKE=${MAKE:-make}
# Under 'make -j' the outer make's jobserver is not ours to share: the
# nested makes below would print its warnings into the lines they check.
unset MAKEFLAGS MFLAGS MAKELEVEL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Quiet: exactly one line for a compilation and one for an archive.
b=$tmp/b
out=$($MAKE --no-print-directory B="$b" "$b/core/io.o" 2>&1)
[ "$out" = "  CC   $b/core/io.o" ] || fail "quiet compile printed: $out"
out=$($MAKE --no-print-directory B="$b" V=1 "$b/core/wire.o" 2>&1)
case $out in
*" -c -o $b/core/wire.o core/wire.c"*) ;;
*) fail "V=1 compile printed: $out" ;;
esac
out=$($MAKE --no-print-directory B="$b" "$b/bench/libbenchlib.so" 2>&1)
[ "$out" = "  LD   $b/bench/libbenchlib.so" ] || fail "quiet link printed: $out"

# Dependencies: a machine with a compiler and pkg-config but no valgrind,
# clang, python3 or gnuplot may build, and is told what the tests need.
mkdir "$tmp/bin"
for t in dirname pkg-config "${CC:-cc}"; do
	ln -s "$(command -v "$t")" "$tmp/bin/$t"
done
PATH=$tmp/bin CC=${CC:-cc} /bin/sh scripts/check-deps build \
    >"$tmp/build.out" 2>&1 || fail "check-deps build: exit $?"
[ -s "$tmp/build.out" ] && fail "check-deps build said: $(cat "$tmp/build.out")"
PATH=$tmp/bin CC=${CC:-cc} /bin/sh scripts/check-deps test \
    >"$tmp/test.out" 2>&1 && fail "check-deps test passed without valgrind"
head -n 1 "$tmp/test.out" >"$tmp/got"
echo "miso: missing for the tests: valgrind clang python3; installing them" \
    "with scripts/install-deps test" >"$tmp/want"
cmp -s "$tmp/got" "$tmp/want" || fail "check-deps test said: $(cat "$tmp/got")"
grep -q 'apt-get install .* valgrind' "$tmp/test.out" ||
    fail "check-deps test did not print the apt-get line"
PATH=$tmp/bin CC=${CC:-cc} /bin/sh scripts/check-deps bench \
    >"$tmp/bench.out" 2>&1 && fail "check-deps bench passed without gnuplot"
grep -q "missing for the benchmark report: gnuplot;" "$tmp/bench.out" ||
    fail "check-deps bench said: $(cat "$tmp/bench.out")"
# The groups add up: bench installs gnuplot, build does not.
for g in build test bench all; do
	scripts/install-deps --print $g >"$tmp/$g.cmd" ||
	    fail "install-deps --print $g: exit $?"
done
grep -q gnuplot "$tmp/build.cmd" && fail "the build group installs gnuplot"
grep -q valgrind "$tmp/build.cmd" && fail "the build group installs valgrind"
grep -q gnuplot "$tmp/bench.cmd" || fail "the bench group lacks gnuplot"
for p in valgrind clang gnuplot-nox libffi-dev libcmocka-dev; do
	grep -q -- "$p" "$tmp/all.cmd" || fail "the default group lacks $p"
done
[ "$(scripts/install-deps --print)" = "$(cat "$tmp/all.cmd")" ] ||
    fail "install-deps with no group is not 'all'"

# run-tests: a RUN line before each test, a PASS or FAIL line after it.
printf '#!/bin/sh\nexit 0\n' >"$tmp/ok"
printf '#!/bin/sh\nexit 3\n' >"$tmp/ko"
chmod +x "$tmp/ok" "$tmp/ko"
MISO_TALLY=$tmp/tally scripts/run-tests unit "$tmp/ok" "$tmp/ko" \
    >"$tmp/rt.out" 2>&1
printf '%s\n' "RUN  unit $tmp/ok" "PASS unit $tmp/ok (0s)" \
    "RUN  unit $tmp/ko" "FAIL unit $tmp/ko (exit 3, 0s); last lines of $tmp/ko.unit.log:" >"$tmp/want"
head -n 4 "$tmp/rt.out" | sed 's/[0-9]*s)/0s)/' | cmp -s - "$tmp/want" ||
    fail "run-tests printed: $(cat "$tmp/rt.out")"

[ $fails -eq 0 ] && echo "make: ok"
[ $fails -eq 0 ]
