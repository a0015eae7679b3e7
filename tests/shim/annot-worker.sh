#!/bin/sh
# annot.sh again, with every function of tests/shim/ts.conf in worker mode:
# the arguments now travel to a pre-forked worker instead of being seen in
# a fresh copy of the caller, and the outputs must still be the same.
tmpconf=$(mktemp) || exit 1
trap 'rm -f "$tmpconf"' EXIT
sed 's/^timeout = 5s$/timeout = 5s\nmode = worker\nworkers = 2/' \
    tests/shim/ts.conf >"$tmpconf"
grep -q '^mode = worker$' "$tmpconf" || {
	echo "FAIL annot-worker: could not put ts.conf in worker mode"
	exit 1
}
ANNOT_CONF=$tmpconf sh "$(dirname "$0")/annot.sh"
