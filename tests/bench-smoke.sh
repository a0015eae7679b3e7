#!/bin/sh
# The benchmark program runs through in quick mode and prints its tables.
set -eu
B=${B:-build}
out=$("$B/bench/bench" -q -s "$B")
printf '%s\n' "$out"
for want in 'fork+_exit+waitpid' 'miso_call, 8 B into a caller buffer' \
    'memcpy, 64 MiB' 'parent holding' 'libmiso.so, isolated call'; do
	printf '%s\n' "$out" | grep -qF "$want" || {
		echo "bench output lacks '$want'" >&2
		exit 1
	}
done
# And the worker-mode benchmark.
out=$("$B/bench/pool_bench" -q)
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -qi 'pool' || {
	echo "pool_bench output lacks its tables" >&2
	exit 1
}
