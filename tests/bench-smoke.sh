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
# Tables in README.md's shape, and every target with its verdict.
printf '%s\n' "$out" | grep -qx '| variant | median per call | ratio |' || {
	echo "bench tables are not in README.md's shape" >&2
	exit 1
}
for want in 'miso_call 8 B / fork+pipe+waitpid' \
    'fork mode through libmiso.so / fork+pipe+waitpid'; do
	printf '%s\n' "$out" | grep -Eq "^target: $(printf '%s' "$want" |
	    sed 's/[+.]/\\&/g') = [0-9.e+-]+, wanted <= 1\.0[35]: (met|not met)\$" || {
		echo "bench output lacks the target '$want' and its verdict" >&2
		exit 1
	}
done
# The large-result targets, against the fork floor measured in the run.
for want in "64 MiB into the caller's buffer / floor = [0-9.e+-]+, wanted <= 1\.5" \
    '64 MiB, miso allocates / floor = [0-9.e+-]+, wanted <= 0\.5'; do
	printf '%s\n' "$out" | grep -Eq "^target: $want: (met|not met)\$" || {
		echo "bench output lacks the target '$want' and its verdict" >&2
		exit 1
	}
done
targets=$(printf '%s\n' "$out" | grep -c '^target: ')
met=$(printf '%s\n' "$out" | grep -c '^target: .*: met$')
printf '%s\n' "$out" | grep -qx "targets: $met met, $((targets - met)) not met.*" || {
	echo "bench summary does not count $targets targets, $met met" >&2
	exit 1
}
# And the worker-mode benchmark.
out=$("$B/bench/pool_bench" -q)
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -qi 'pool' || {
	echo "pool_bench output lacks its tables" >&2
	exit 1
}
