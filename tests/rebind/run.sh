#!/bin/sh
# Runs the rebinding test programs without and with the test preload
# library (libhookpre.so, which hooks the names in HOOK_NAMES with
# counting wrappers that add 1000) and compares their output and the hook
# counts with the expected text. Needs 'make build-all' (or rebind-tests).
# In a cross build, RUNNER runs the programs (scripts/qemu-run).
set -u
B=${B:-build}
T=$B/tests/rebind
pre=$(cd "$T" 2>/dev/null && pwd)/libhookpre.so
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

[ -f "$pre" ] || { echo "run.sh: $pre missing: run make build-all"; exit 1; }

# check LABEL EXPECTED ACTUAL: diff two files, report.
check() {
	n=$((n + 1))
	if diff -u "$2" "$3" >"$tmp/diff" 2>&1; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		sed 's/^/     /' "$tmp/diff"
		fails=$((fails + 1))
	fi
}

# run LABEL PROG HOOKS OUT COUNTS: run PROG (with the preload if HOOKS is
# not '-') and compare stdout with OUT and the counts with COUNTS.
run() {
	label=$1 prog=$T/$2 hooks=$3
	printf '%s\n' "$4" >"$tmp/want.out"
	rm -f "$tmp/counts"
	if [ "$hooks" = - ]; then
		${RUNNER:-} "$prog" >"$tmp/got.out" 2>"$tmp/err"
	elif [ -n "${RUNNER:-}" ]; then
		# The emulator is a host program: LD_PRELOAD for the target only.
		HOOK_NAMES=$hooks HOOK_OUT=$tmp/counts $RUNNER \
		    -E "LD_PRELOAD=$pre" "$prog" >"$tmp/got.out" 2>"$tmp/err"
	else
		HOOK_NAMES=$hooks HOOK_OUT=$tmp/counts LD_PRELOAD=$pre \
		    "$prog" >"$tmp/got.out" 2>"$tmp/err"
	fi
	rc=$?
	[ $rc -eq 0 ] || echo "exit $rc" >>"$tmp/got.out"
	[ -s "$tmp/err" ] && sed 's/^/stderr: /' "$tmp/err" >>"$tmp/got.out"
	check "$label: output" "$tmp/want.out" "$tmp/got.out"
	if [ "$hooks" != - ]; then
		printf '%s\n' "$5" >"$tmp/want.counts"
		[ -f "$tmp/counts" ] || echo "(no counts)" >"$tmp/counts"
		check "$label: counts" "$tmp/want.counts" "$tmp/counts"
	fi
}

plain='direct 5
pointer 6
global 5
twice 8
libdata 6
ifunc 2
mid 5
middata 5
midrelro 5
next 5
default 5'

# Every call but mid_next's RTLD_NEXT lookup goes through a hook.
hooked='direct 1005
pointer 1006
global 1005
twice 1008
libdata 1006
ifunc 1002
mid 1005
middata 1005
midrelro 1005
next 5
default 1005'

counts='tfunc_add 7
tfunc_mul 2
tfunc_sub 1'

for p in prog-pie prog-nopie prog-noplt prog-relro; do
	run "$p plain" $p - "$plain"
	run "$p hooked" $p tfunc_add,tfunc_mul,tfunc_sub "$hooked" "$counts"
done

# The preload with nothing to hook, or a name nothing defines.
run "prog-pie no hooks" prog-pie '' "$plain" '(no counts)'
run "prog-pie unknown name" prog-pie nosuchfunc "$plain" 'nosuchfunc 0'

# RUNPATH/$ORIGIN plug-in opened RTLD_LOCAL, its dependency, an IFUNC in
# it, RTLD_DEFAULT and RTLD_NEXT from inside it, a second dlopen, dlclose
# and reload, two threads loading at once, dlmopen into the base
# namespace (rebound) and into a new one (left alone).
run "dlprog plain" dlprog - 'run 2229
func 23
ifunc 2003
default none
plugdefault 23
plugnext 203
same 1
run2 2229
reload 2229
threads 50 50
after 2229
mopen base 1
mopen new 2229'
run "dlprog hooked" dlprog plug_func,dep_func,plug_ifn 'run 5229
func 1023
ifunc 3003
default none
plugdefault 1023
plugnext 203
same 1
run2 5229
reload 5229
threads 50050 50050
after 5229
mopen base 1001
mopen new 2229' 'plug_func 6
dep_func 105
plug_ifn 5'

# Symbol versions: vfunc@VER_1 (a + b) and vfunc@@VER_2 (a * b).
run "verprog plain" verprog - 'new 6
old 5
vsym 5
sym 6'
run "verprog VER_1" verprog vfunc@VER_1 'new 6
old 1005
vsym 1005
sym 6' 'vfunc 2'
run "verprog default" verprog vfunc 'new 1006
old 5
vsym 5
sym 1006' 'vfunc 2'
run "verprog VER_2 from library" verprog vfunc@VER_2:libver.so 'new 1006
old 5
vsym 5
sym 1006' 'vfunc 2'

# A library named by a hook but not linked in is loaded for its real.
export HOOK_SHOWREAL=1
run "prog-pie library loaded" prog-pie "vfunc:$(dirname "$pre")/libver.so" \
    "$plain" 'vfunc 0 found'
run "prog-pie library missing" prog-pie vfunc:libnosuch.so "$plain" \
    'vfunc 0 missing'
unset HOOK_SHOWREAL

echo "$((n - fails)) of $n checks passed"
[ $fails -eq 0 ]
