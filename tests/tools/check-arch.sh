#!/bin/sh
# 'miso check' on another architecture (make test-cross, which sets ARCH
# and RUNNER): its report on each test program must be the x86-64 golden
# one with the architecture's names in place of x86-64's (the dynamic
# loader, the multiarch directory, the absolute relocation).
set -u
top=$(pwd)
case ${B:-build} in
/*) b=${B} ;;
*) b=$top/${B:-build} ;;
esac
src=$top/tests/tools
T=$b/tests/tools
M=$b/bin/miso
fails=0
count=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

case ${ARCH:-} in
aarch64)
	names='s|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64.so.1|g
s|ld-linux-x86-64\.so\.2|ld-linux-aarch64.so.1|g
s|x86_64-linux-gnu|aarch64-linux-gnu|g
s|R_X86_64_64|R_AARCH64_ABS64|g' ;;
*)
	echo "check-arch.sh: no names for ARCH '${ARCH:-}'"
	exit 1 ;;
esac

for p in pie nopie noplt relro rpath static missing dl; do
	(cd "$T" && ${RUNNER:-} "$M" check -c "$src/check.conf" "prog-$p") \
	    >"$tmp/out" 2>&1
	echo "exit $?" >>"$tmp/out"
	sed "$names" "$src/golden/check-$p.out" >"$tmp/want"
	count=$((count + 1))
	if diff -u "$tmp/want" "$tmp/out"; then
		echo "ok $count - check-$p on $ARCH"
	else
		fails=$((fails + 1))
		echo "not ok $count - check-$p on $ARCH"
	fi
done
echo "$((count - fails)) of $count checks passed"
[ $fails -eq 0 ]
