#!/bin/sh
# The whole tree builds with clang as it does with gcc: -Wall -Wextra
# -Werror, so a warning either compiler alone gives fails the build.
set -eu
B=${B:-build}
command -v clang >/dev/null || { echo "clang.sh: clang is missing" >&2; exit 1; }
make --no-print-directory -s CC=clang B="$B/clang" build-all
echo "clang: the tree builds clean"
