# Common set-up of the shim's test scripts, sourced by each of them from
# the top of the tree (TOP): B (the build directory, default build), SHIM (the
# absolute path of libmiso.so, which must exist), T (where the test
# programs are), a scratch directory $tmp removed on exit, and the helpers
# below.  Each script ends with 'finish', which exits 1 if a check failed.
# In a cross build, RUNNER runs the target's programs (scripts/qemu-run).
set -u
B=${B:-build}
T=$B/tests/shim
SHIM=$(cd "$B/lib" 2>/dev/null && pwd)/libmiso.so
TOP=$PWD
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

if [ ! -f "$SHIM" ]; then
	echo "FAIL $B/lib/libmiso.so is missing: run 'make shim-tests'"
	exit 1
fi

# need FILE...: the programs a script runs must have been built.
need() {
	for f in "$@"; do
		[ -e "$f" ] || { echo "FAIL $f is missing: run 'make shim-tests'"
		    exit 1; }
	done
}

pass() { checks=$((checks + 1)); echo "ok   $1"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $1"; }

# check LABEL COMMAND...: passes if COMMAND succeeds.
check() {
	label=$1
	shift
	if "$@"; then pass "$label"; else fail "$label"; fi
}

# same LABEL WANT GOT: passes if the two files are identical; otherwise
# shows the difference.
same() {
	if diff -u "$2" "$3" >"$tmp/diff" 2>&1; then
		pass "$1"
	else
		fail "$1"
		sed 's/^/     /' "$tmp/diff" | head -n 60
	fi
}

# preload LIB PROG ARG...: run the test program PROG with LIB preloaded.
# An emulator is a host program: the host's loader must not see LIB, so
# RUNNER is given it for the target (scripts/qemu-run -E).
preload() {
	_l=$1
	shift
	if [ -n "${RUNNER:-}" ]; then
		$RUNNER -E "LD_PRELOAD=$_l" "$@"
	else
		LD_PRELOAD=$_l "$@"
	fi
}

# unemulate ERR: drop from a stderr file what the emulator printed itself:
# qemu-user reports each process killed by a signal that dumps core, the
# isolated children included ("qemu: uncaught target signal 11 ...").
unemulate() {
	[ -n "${RUNNER:-}" ] || return 0
	grep -v '^qemu: uncaught target signal ' "$1" >"$tmp/unemulated"
	cat "$tmp/unemulated" >"$1"
}

# plain OUT ERR PROG ARG...: run PROG as it is; its exit status in $rc.
plain() {
	_o=$1 _e=$2
	shift 2
	${RUNNER:-} "$@" >"$_o" 2>"$_e"
	rc=$?
	unemulate "$_e"
}

# isolated CONF OUT ERR PROG ARG...: run PROG under the shim with config
# CONF; its exit status in $rc.  Extra settings come from the environment.
isolated() {
	_c=$1 _o=$2 _e=$3
	shift 3
	case $_c in /*) ;; *) _c=$TOP/$_c ;; esac
	MISO_CONFIG=$_c preload "$SHIM" "$@" >"$_o" 2>"$_e"
	rc=$?
	unemulate "$_e"
}

# show FILE LABEL: print a file, indented, if it is not empty.
show() {
	if [ -s "$1" ]; then
		echo "     $2:"
		head -n 20 "$1" | sed 's/^/       /'
	fi
}

finish() {
	echo "$checks checks, $fails failed"
	[ $fails -eq 0 ]
}
