#!/bin/sh
# The load harness: the engine's tests with every CPU kept busy by a
# plain busy loop (not niced) and the tests pinned to one CPU, where the
# reply, the child's exit, the end of a poll slice and the deadline come
# in every order. Each test asserts exact outcomes (the results, codes,
# signals and exit statuses a quiet run gives), so any outcome that
# differs under load fails it.
#
#   sh tests/load.sh            bounded (part of make test, under a minute)
#   MISO_LOAD=full sh tests/load.sh
#                               make test-load: 5,000 calls of a 10 ms
#                               callback, then the engine, shim and stress
#                               tests, all pinned and loaded
# B is the build directory (default build).
set -u
B=${B:-build}
mode=${MISO_LOAD:-quick}
ncpu=$(nproc 2>/dev/null || echo 1)
busy=""
status=0

stop_busy() {
	for p in $busy; do
		kill "$p" 2>/dev/null
	done
	for p in $busy; do
		wait "$p" 2>/dev/null
	done
	busy=""
}
trap 'stop_busy' EXIT
trap 'stop_busy; exit 130' INT TERM

for f in "$B/tests/load_spin" "$B/tests/test_call" "$B/tests/test_highfd"; do
	[ -x "$f" ] || { echo "FAIL $f is missing: run 'make'"; exit 1; }
done

# The caller on CPU 1 (the last one on a single-CPU machine); its
# children inherit the pinning. Without taskset, the load alone.
pin=""
if command -v taskset >/dev/null 2>&1; then
	cpu=1
	[ "$ncpu" -gt 1 ] || cpu=0
	pin="taskset -c $cpu"
else
	echo "note: no taskset; running loaded but not pinned"
fi

i=0
while [ $i -lt "$ncpu" ]; do
	(while :; do :; done) &
	busy="$busy $!"
	i=$((i + 1))
done
echo "load: $ncpu busy loop(s), tests pinned with '${pin:-nothing}'"

# run NAME COMMAND...: runs one step, prints its time and outcome.
run() {
	name=$1
	shift
	start=$(date +%s)
	"$@" >"$tmp/out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		echo "ok   $name (${secs}s)"
		grep '^load_spin:' "$tmp/out"
	else
		echo "FAIL $name (exit $rc, ${secs}s); last lines:"
		tail -n 30 "$tmp/out" | sed 's/^/    /'
		status=1
	fi
}

tmp=$(mktemp -d) || exit 1
trap 'stop_busy; rm -rf "$tmp"' EXIT

if [ "$mode" = full ]; then
	run "5,000 calls of a 10 ms callback, every result exact" \
	    $pin "$B/tests/load_spin" -n 5000 -s 10000
	for t in test_call test_child test_spawn test_stdio test_highfd \
	    test_pool test_stress; do
		run "$t" $pin "$B/tests/$t"
	done
	for t in tests/shim/contain.sh tests/shim/contain-worker.sh \
	    tests/shim/annot.sh tests/shim/annot-worker.sh; do
		run "$t" env B="$B" $pin sh "$t"
	done
else
	run "1,000 calls of a 10 ms callback, every result exact" \
	    $pin "$B/tests/load_spin" -n 1000 -s 10000
	run "1,000 calls of a 1 ms callback, every result exact" \
	    $pin "$B/tests/load_spin" -n 1000 -s 1000
	run "test_highfd" $pin "$B/tests/test_highfd"
	run "test_stdio" $pin "$B/tests/test_stdio"
	run "test_call" $pin "$B/tests/test_call"
fi
exit $status
