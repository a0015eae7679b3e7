#!/bin/sh
# Which configuration files the shim trusts, after sudo and OpenSSH: the
# file, a [library PATH] it names, and every directory leading to either
# must belong to root or to the user running the program (real uid) and be
# writable by their owner alone (a sticky directory such as /tmp is safe).
# Otherwise the program stops before main with status 127 and one 'miso:'
# line naming the file and the reason; MISO_ON_ERROR=warn runs it with
# nothing isolated. Also: a FIFO as MISO_CONFIG or MISO_LOG_FILE does not
# hang the program. The [library] is build/tests/tools/libdummy.so, whose
# constructor says "dummy:" when it runs; the program is /bin/true.
. "$(dirname "$0")/lib.sh"
dummy=$B/tests/tools/libdummy.so
need "$dummy"
prog=/bin/true

# mk DIR: a configuration DIR/m.conf naming DIR/lib/libdummy.so; dirs 0755.
mk() {
	rm -rf "$1"
	mkdir -p "$1/lib"
	chmod 0755 "$1" "$1/lib"
	cp "$dummy" "$1/lib/libdummy.so"
	chmod 0755 "$1/lib/libdummy.so"
	printf '[library %s/lib/libdummy.so]\nint dummy_nothing(void);\n' \
	    "$1" >"$1/m.conf"
	chmod 0644 "$1/m.conf"
}

# as WHO COMMAND...: COMMAND as root (WHO=root) or as nobody.
as() {
	who=$1
	shift
	if [ "$who" = "$(id -un)" ]; then
		"$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	fi
}

# runs WHO LABEL CONF: the program runs, [library] loaded, exit 0.
runs() {
	as "$1" timeout 20 env MISO_CONFIG="$3" MISO_LOG=error \
	    LD_PRELOAD="$SHIM" "$prog" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$2: exit 0 (got $rc)" test $rc -eq 0
	if grep -q '^dummy: MISO_CONFIG=' "$tmp/err"; then
		pass "$2: its [library] is loaded"
	else
		fail "$2: its [library] is loaded"
		show "$tmp/err" stderr
	fi
}

# refused WHO LABEL CONF LINE: exit 127, LINE alone on stderr.
refused() {
	as "$1" timeout 20 env MISO_CONFIG="$3" LD_PRELOAD="$SHIM" "$prog" \
	    >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$2: exit 127 (got $rc)" test $rc -eq 127
	printf '%s\n' "$4" >"$tmp/want"
	same "$2: one line naming the file and the reason" "$tmp/want" \
	    "$tmp/err"
}

w=$tmp/w	# $tmp is root's, 0700: nothing above w can be swapped.
mk "$w"
if [ "$(id -u)" -eq 0 ]; then
	runs root "root's configuration and library" "$w/m.conf"

	chown nobody "$w/m.conf"
	refused root "a configuration owned by nobody" "$w/m.conf" \
	    "miso: $w/m.conf: configuration refused: file $w/m.conf is owned by uid 65534, not by root"
	timeout 20 env MISO_ON_ERROR=warn MISO_CONFIG="$w/m.conf" \
	    LD_PRELOAD="$SHIM" "$prog" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "... with MISO_ON_ERROR=warn: runs (exit $rc)" test $rc -eq 0
	printf '%s\n' "miso: $w/m.conf: configuration refused: file $w/m.conf is owned by uid 65534, not by root" \
	    "miso: continuing without isolation (MISO_ON_ERROR=warn)" \
	    >"$tmp/want"
	same "... and its [library] is never loaded" "$tmp/want" "$tmp/err"
	chown root "$w/m.conf"

	chmod 0666 "$w/m.conf"
	refused root "a world-writable configuration" "$w/m.conf" \
	    "miso: $w/m.conf: configuration refused: file $w/m.conf is writable by anyone (mode 0666)"
	chmod 0664 "$w/m.conf"
	refused root "a group-writable configuration" "$w/m.conf" \
	    "miso: $w/m.conf: configuration refused: file $w/m.conf is writable by its group (mode 0664)"
	chmod 0644 "$w/m.conf"

	chmod 0777 "$w"
	refused root "a configuration in a world-writable directory" \
	    "$w/m.conf" \
	    "miso: $w/m.conf: configuration refused: directory $w is writable by anyone (mode 0777)"
	chmod 01777 "$w/lib"
	chmod 0755 "$w"
	runs root "a [library] in a sticky directory" "$w/m.conf"

	chmod 0777 "$w/lib"
	refused root "a [library] in a world-writable directory" "$w/m.conf" \
	    "miso: $w/m.conf:2:5: error: dummy_nothing: [library $w/lib/libdummy.so] refused: directory $w/lib is writable by anyone (mode 0777)"
	chmod 0755 "$w/lib"
	chown nobody "$w/lib/libdummy.so"
	refused root "a [library] owned by nobody" "$w/m.conf" \
	    "miso: $w/m.conf:2:5: error: dummy_nothing: [library $w/lib/libdummy.so] refused: file $w/lib/libdummy.so is owned by uid 65534, not by root"
	chown root "$w/lib/libdummy.so"

	# As nobody: root's files and nobody's own are trusted, not another
	# user's. The tree must be reachable: a directory of its own, 0755.
	n=$(mktemp -d)
	chmod 0755 "$n"
	mk "$n/c"
	if as nobody test -r "$SHIM" -a -r "$n/c/m.conf"; then
		runs nobody "as nobody, root's configuration" "$n/c/m.conf"
		chown -R nobody "$n/c"
		runs nobody "as nobody, nobody's configuration" "$n/c/m.conf"
		chown daemon "$n/c/m.conf"
		refused nobody "as nobody, a configuration of uid $(id -u daemon)" \
		    "$n/c/m.conf" \
		    "miso: $n/c/m.conf: configuration refused: file $n/c/m.conf is owned by uid $(id -u daemon), neither root nor the user running the program (uid 65534)"
	else
		echo "skip as nobody: $SHIM is not readable by nobody"
	fi
	rm -rf "$n"
else
	echo "skip: files of other users and runs as nobody need root"
	runs "$(id -un)" "the user's own configuration" "$w/m.conf"
	chmod 0666 "$w/m.conf"
	refused "$(id -un)" "a world-writable configuration" "$w/m.conf" \
	    "miso: $w/m.conf: configuration refused: file $w/m.conf is writable by anyone (mode 0666)"
	chmod 0644 "$w/m.conf"
fi

# FIFOs: refused as the configuration, skipped as the log, never waited on.
mkfifo "$tmp/fifo"
refused "$(id -un)" "MISO_CONFIG naming a FIFO" "$tmp/fifo" \
    "miso: $tmp/fifo: error: cannot read: not a regular file"
timeout 20 env MISO_LOG_FILE="$tmp/fifo" MISO_CONFIG="$w/m.conf" \
    LD_PRELOAD="$SHIM" "$prog" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "MISO_LOG_FILE naming a FIFO without a reader: runs (exit $rc)" \
    test $rc -eq 0
if grep -qx "miso: MISO_LOG_FILE=$tmp/fifo: No such device or address; logging to stderr" "$tmp/err"; then
	pass "... and says it logs to stderr"
else
	fail "... and says it logs to stderr"
	show "$tmp/err" stderr
fi
mkdir "$tmp/logdir"
timeout 20 env MISO_LOG_FILE="$tmp/logdir" MISO_CONFIG="$w/m.conf" \
    LD_PRELOAD="$SHIM" "$prog" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "MISO_LOG_FILE naming a directory: runs (exit $rc)" test $rc -eq 0
if grep -q "^miso: MISO_LOG_FILE=$tmp/logdir: " "$tmp/err"; then
	pass "... and says so"
else
	fail "... and says so"
	show "$tmp/err" stderr
fi
# A pipe that was asked for is a fine log.
timeout 20 env MISO_LOG=info MISO_LOG_FILE=/dev/stderr \
    MISO_CONFIG="$w/m.conf" LD_PRELOAD="$SHIM" "$prog" 2>&1 | cat >"$tmp/err"
if grep -q "^miso: isolating .* $w/m.conf" "$tmp/err"; then
	pass "MISO_LOG_FILE=/dev/stderr on a pipe is used"
else
	fail "MISO_LOG_FILE=/dev/stderr on a pipe is used"
	show "$tmp/err" stderr
fi
finish
