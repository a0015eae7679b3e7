#!/bin/sh
# contain.sh again, with the functions of tests/shim/contain.conf in worker
# mode and workers recycled past 64 MiB: the leaks stay in the workers,
# crashes and hangs cost a worker each, and the caller sees the same.
tmpconf=$(mktemp) || exit 1
trap 'rm -f "$tmpconf"' EXIT
sed 's/^timeout = 5s$/timeout = 5s\nmode = worker\nworkers = 2\nmax_rss = 64M/' \
    tests/shim/contain.conf >"$tmpconf"
grep -q '^mode = worker$' "$tmpconf" || {
	echo "FAIL contain-worker: could not put contain.conf in worker mode"
	exit 1
}
CONTAIN_CONF=$tmpconf sh "$(dirname "$0")/contain.sh"
