#!/bin/sh
# Tests of the miso command: 'miso check' and 'miso explain' against
# golden outputs, 'check --json' through a JSON parser, usage and exit
# statuses, and 'miso run' (with a stand-in shim, and end to end with
# libmiso.so once it is built).
#
# Run from the top of the tree with B set (make check-scripts does).
# UPDATE=1 rewrites the golden files instead of comparing with them.
set -u
top=$(pwd)
case ${B:-build} in
/*) b=${B} ;;
*) b=$top/${B:-build} ;;
esac
src=$top/tests/tools
golden=$src/golden
T=$b/tests/tools
M=$b/bin/miso
fails=0
count=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$T/prog-suid"' EXIT

for f in "$M" "$T/prog-pie" "$T/libdummy.so"; do
	[ -e "$f" ] || { echo "missing $f: run make first"; exit 1; }
done

pass() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { count=$((count + 1)); fails=$((fails + 1)); echo "not ok $count - $1"; }

# golden NAME: compares $tmp/out with golden/NAME.out (or writes it).
golden() {
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/out" "$golden/$1.out"
		pass "$1 (updated)"
	elif diff -u "$golden/$1.out" "$tmp/out"; then
		pass "$1"
	else
		fail "$1: output differs from tests/tools/golden/$1.out"
	fi
}

# check NAME PROGRAM [ENV...]: the text report and the exit status.
check() {
	name=$1 prog=$2
	shift 2
	(cd "$T" && env "$@" "$M" check -c "$src/check.conf" "$prog") \
	    >"$tmp/out" 2>&1
	echo "exit $?" >>"$tmp/out"
	golden "$name"
}

# expect_status WHAT WANT COMMAND...: the status and a usage/err message.
expect_status() {
	what=$1 want=$2
	shift 2
	"$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$what (exit $rc)"
	else
		fail "$what: exit $rc, wanted $want"
		sed 's/^/# /' "$tmp/o" "$tmp/e"
	fi
}

# expect_grep WHAT FILE PATTERN
expect_grep() {
	if grep -q -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1: no '$3' in:"
		sed 's/^/# /' "$2"
	fi
}

## miso check: one golden file per way of building a program.
check check-pie prog-pie
check check-nopie prog-nopie
check check-noplt prog-noplt
check check-relro prog-relro
check check-rpath prog-rpath
check check-static prog-static
check check-missing prog-missing
check check-dl prog-dl
cp "$T/prog-pie" "$T/prog-suid" && chmod u+s "$T/prog-suid"
check check-suid prog-suid
rm -f "$T/prog-suid"
(cd "$T" && "$M" check -c "$src/library.conf" prog-pie) >"$tmp/out" 2>&1
echo "exit $?" >>"$tmp/out"
golden check-library

# Without ld.so.cache in a format we know, 'ldconfig -p' is asked.
(cd "$T" && MISO_LDCACHE=/dev/null "$M" check -c "$src/check.conf" \
    prog-pie) >"$tmp/out" 2>&1
echo "exit $?" >>"$tmp/out"
if diff -u "$golden/check-pie.out" "$tmp/out" >/dev/null; then
	pass "check through ldconfig -p"
else
	fail "check through ldconfig -p differs from the ld.so.cache reading"
fi

# LD_LIBRARY_PATH is searched, before ld.so.cache.
(cd "$T" && LD_LIBRARY_PATH=$T/gone "$M" check -c "$src/check.conf" \
    prog-missing) >"$tmp/out" 2>&1
rc=$?
expect_grep "check finds libgone.so through LD_LIBRARY_PATH" "$tmp/out" \
    "libgone.so => gone/libgone.so"
[ $rc -eq 1 ] && pass "... and then warns only (exit 1)" ||
    fail "LD_LIBRARY_PATH check: exit $rc, wanted 1"

## miso check --json: parsed, and a few fields checked.
for p in pie noplt static; do
	(cd "$T" && "$M" check --json -c "$src/check.conf" prog-$p) \
	    >"$tmp/$p.json"
done
if python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
pie = json.load(open(d + "/pie.json"))
noplt = json.load(open(d + "/noplt.json"))
st = json.load(open(d + "/static.json"))
fn = {f["name"]: f for f in pie["functions"]}
assert pie["program"] == "prog-pie", pie["program"]
assert pie["status"] == 1 and not pie["static"] and not pie["setuid"]
assert fn["tt_add"]["verdict"] == "isolated"
assert fn["tt_add"]["imports"][0]["relocations"] == ["JUMP_SLOT"]
assert fn["tt_add"]["definition"]["object"] == "lib/libtt.so"
assert fn["sym_twice"]["verdict"] == "partly"
assert fn["prot_get"]["verdict"] == "partly"
assert fn["plug_run"]["verdict"] == "never"
assert fn["plug_run"]["definition"] is None
assert fn["ver_get"]["imports"][0]["version"] == "VER_2"
assert "VER_2 (default)" in fn["ver_get"]["definition"]["versions"]
assert len(fn["tt_mismatch"]["prototype"]["mismatches"]) == 4
assert [o["path"] for o in pie["objects"]][:2] == ["prog-pie", "lib/libtt.so"]
nfn = {f["name"]: f for f in noplt["functions"]}
assert nfn["tt_add"]["imports"][0]["relocations"] == ["GLOB_DAT"]
assert st["static"] and st["status"] == 2 and st["interpreter"] is None
assert st["findings"][0]["severity"] == "error"
PY
then
	pass "check --json parses and says what the text says"
else
	fail "check --json"
fi

## miso explain: every feature of the language.
(cd "$src" && "$M" explain -c every.conf) >"$tmp/out" 2>&1
echo "exit $?" >>"$tmp/out"
golden explain-every

## Configuration errors, usage, help and version.
expect_status "check with a bad config" 2 \
    "$M" check -c "$src/bad.conf" "$T/prog-pie"
expect_grep "the parser's diagnostics are printed" "$tmp/e" \
    "bad.conf:2:.*error"
expect_status "explain with a missing config" 2 \
    "$M" explain -c "$tmp/none.conf"
expect_grep "... named" "$tmp/e" "none.conf"
if [ ! -e /etc/miso.conf ]; then
	expect_status "explain with no config anywhere" 2 env -u MISO_CONFIG \
	    XDG_CONFIG_HOME=$tmp/x HOME=$tmp/h "$M" explain
	expect_grep "... says so" "$tmp/e" "^miso: no configuration"
fi
cp "$src/check.conf" "$tmp/open.conf"
chmod 0666 "$tmp/open.conf"
expect_status "check with a configuration anyone may write" 2 \
    "$M" check -c "$tmp/open.conf" "$T/prog-pie"
expect_grep "... says the shim would refuse it, and why" "$tmp/o" \
    "^error: the shim would refuse the configuration: file $tmp/open.conf is writable by anyone (mode 0666)$"
expect_status "MISO_CONFIG is used without -c" 0 \
    env MISO_CONFIG="$src/every.conf" "$M" explain
expect_status "no command" 2 "$M"
expect_grep "... usage on stderr" "$tmp/e" "^usage: miso run"
expect_status "unknown command" 2 "$M" frobnicate
expect_grep "... named" "$tmp/e" "^miso: unknown command 'frobnicate'"
expect_status "check without a program" 2 "$M" check -c "$src/check.conf"
expect_grep "... its usage" "$tmp/e" "^usage: miso check \[--json\]"
expect_status "bad option" 2 "$M" explain -x
expect_status "check of a missing program" 2 \
    "$M" check -c "$src/check.conf" "$tmp/nope"
expect_status "check of a non-ELF file" 2 \
    "$M" check -c "$src/check.conf" "$src/check.conf"
expect_grep "... says so" "$tmp/e" "not an x86-64 ELF file"
expect_status "--help" 0 "$M" --help
expect_grep "... on stdout" "$tmp/o" "^usage: miso run"
for c in run check explain; do
	expect_status "$c --help" 0 "$M" $c --help
	expect_grep "... on stdout" "$tmp/o" "^usage: miso $c"
done
expect_status "--version" 0 "$M" --version
expect_grep "... prints it" "$tmp/o" "^miso 0\.1\.0$"
expect_status "a failed write to stdout" 2 sh -c "'$M' --help >/dev/full"

## miso run with a stand-in shim (MISO_LIBRARY).
D=$T/libdummy.so
expect_status "run" 0 env MISO_LIBRARY="$D" LD_PRELOAD= \
    "$M" run -c "$src/check.conf" -l debug -s stats.txt "$T/prog-pie" 3
expect_grep "... runs the program" "$tmp/o" "^tt_add 5$"
expect_grep "... preloads the library" "$tmp/e" "^dummy: LD_PRELOAD=$D$"
expect_grep "... sets MISO_CONFIG, absolute" "$tmp/e" \
    "MISO_CONFIG=$src/check.conf "
expect_grep "... sets MISO_LOG" "$tmp/e" "MISO_LOG=debug "
expect_grep "... sets MISO_STATS, absolute" "$tmp/e" "MISO_STATS=$top/stats.txt"
expect_status "run keeps LD_PRELOAD" 0 env MISO_LIBRARY="$D" \
    LD_PRELOAD="$T/lib/libtt.so" "$M" run "$T/prog-pie"
expect_grep "... after the shim" "$tmp/e" "^dummy: LD_PRELOAD=$D $T/lib/libtt.so$"
expect_status "run searches PATH" 0 env MISO_LIBRARY="$D" PATH="$T:/usr/bin:/bin" \
    "$M" run prog-pie
expect_status "run passes arguments and options through" 0 \
    env MISO_LIBRARY="$D" "$M" run -- sh -c 'test "$1" = -c' sh -c
expect_status "run of a static program" 127 env MISO_LIBRARY="$D" \
    "$M" run "$T/prog-static"
expect_grep "... says why" "$tmp/e" "statically linked"
cp "$T/prog-pie" "$tmp/suid" && chmod u+s "$tmp/suid"
expect_status "run of a set-user-ID program" 127 env MISO_LIBRARY="$D" \
    "$M" run "$tmp/suid"
expect_grep "... says why" "$tmp/e" "set-user-ID"
expect_status "run without libmiso.so" 127 env MISO_LIBRARY="$tmp/no.so" \
    "$M" run "$T/prog-pie"
expect_grep "... says where it looked" "$tmp/e" "no.so"
expect_status "run of a missing program" 127 env MISO_LIBRARY="$D" \
    "$M" run "$tmp/nope"
expect_status "run with a bad log level" 2 "$M" run -l loud "$T/prog-pie"
expect_status "run with a bad config" 2 env MISO_LIBRARY="$D" \
    "$M" run -c "$src/bad.conf" "$T/prog-pie"
expect_status "run without a program" 2 "$M" run

## miso run end to end, with the real shim.
if [ -e "$b/lib/libmiso.so" ]; then
	expect_status "run with libmiso.so contains a crash" 0 \
	    "$M" run -c "$src/run.conf" "$T/prog-pie" 1 5
	expect_grep "... and returns the fail value" "$tmp/o" "^tt_crash -1$"
else
	echo "skip - run with libmiso.so: $b/lib/libmiso.so is not built yet"
fi

echo "$count tests, $fails failed"
[ $fails -eq 0 ]
