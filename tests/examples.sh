#!/bin/sh
# Runs every example; each one checks its own behaviour and exits 0.
# In a cross build, RUNNER runs them (scripts/qemu-run).
set -u
B=${B:-build}
fail=0
for e in basic error_handling blocking_signals leak crash timeout pool; do
	if out=$(${RUNNER:-} "$B/examples/$e" 2>&1); then
		printf '%s\n' "$out" | sed "s/^/$e: /"
	else
		printf '%s\n' "$out" | sed "s/^/$e: /"
		echo "example $e failed" >&2
		fail=1
	fi
done
# The outcome table is deterministic but for nothing: compare it whole.
${RUNNER:-} "$B/examples/error_handling" | diff -u tests/examples/error_handling.out - || fail=1
exit $fail
