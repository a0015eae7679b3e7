#!/bin/sh
# make bench-report's script runs through in quick mode and writes the
# report and both plots.
set -eu
B=${B:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/bench-report "$B/bench/sweep" "$tmp" -q
for f in benchmarks.md bench-rss.svg bench-result.svg; do
	[ -s "$tmp/$f" ] || { echo "bench-report wrote no $f" >&2; exit 1; }
done
grep -q '<svg' "$tmp/bench-rss.svg"
grep -q '^| 1024 KiB |' "$tmp/benchmarks.md"
grep -q "^| 0 | " "$tmp/benchmarks.md"
cat "$tmp/benchmarks.md"
