#!/bin/sh
# 'miso check' and 'miso explain' on hostile files: malformed objects, FIFOs
# where files are expected, a RUNPATH made to be slow, a file truncated
# while it is read, and strings made to fool a terminal. Each case must end
# with status 0, 1 or 2 and a one-line message that names the file, in time.
# Each case also fails with the defect it guards against.
#
# Run from the top of the tree with B set (make check-scripts does; the
# ASan build runs it too).
set -u
top=$(pwd)
case ${B:-build} in
/*) b=${B} ;;
*) b=$top/${B:-build} ;;
esac
src=$top/tests/tools
T=$b/tests/tools
M=$b/bin/miso
conf=$src/check.conf
fails=0
count=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$M" "$T/prog-pie" "$T/lib/libtt.so" "$T/libshrink.so"; do
	[ -e "$f" ] || { echo "missing $f: run make first"; exit 1; }
done
export PYTHONPATH=$src PYTHONDONTWRITEBYTECODE=1

pass() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { count=$((count + 1)); fails=$((fails + 1)); echo "not ok $count - $1"; }

# fresh: a copy of prog-pie and its libraries in $tmp/w.
fresh() {
	rm -rf "$tmp/w"
	mkdir -p "$tmp/w/lib"
	cp "$T/prog-pie" "$tmp/w/"
	cp "$T"/lib/*.so "$tmp/w/lib/"
}

# run WANT_STATUS COMMAND...: runs it with a time limit, output in
# $tmp/o and $tmp/e; fails on a signal, a timeout or another status.
run() {
	want=$1
	shift
	timeout 20 "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$what: exit $rc, wanted $want"
		sed 's/^/# /' "$tmp/o" "$tmp/e" | head -n 20
		return 1
	fi
	return 0
}

# says FILE LINE: FILE has exactly this line.
says() {
	if grep -qxF -- "$2" "$1"; then
		pass "$what"
	else
		fail "$what: no line '$2' in:"
		sed 's/^/# /' "$1" | head -n 20
	fi
}

## Two SHT_DYNAMIC sections: the second one is refused, never read over
## the first one's entries.
fresh
python3 - "$tmp/w/lib/libtt.so" <<'PY'
import sys, elfpatch
e = elfpatch.load(sys.argv[1])
d = e.section(".dynamic")
c = e.section(".comment")
# .comment becomes a second .dynamic holding one DT_NEEDED entry.
at = e.shdr_at(c["index"])
e.b[at:at + e.shentsize] = e.b[e.shdr_at(d["index"]):e.shdr_at(d["index"]) + e.shentsize]
import struct
struct.pack_into("<Q", e.b, at + 0x20, 16)
elfpatch.save(e, sys.argv[1])
PY
what="a library with two SHT_DYNAMIC sections"
run 2 "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/o" "error: library libtt.so, needed by prog-pie, is not usable: $tmp/w/lib/libtt.so: malformed ELF file: two SHT_DYNAMIC sections"
cp "$tmp/w/lib/libtt.so" "$tmp/w/two"
what="a program with two SHT_DYNAMIC sections"
run 2 "$M" check -c "$conf" "$tmp/w/two" &&
    says "$tmp/e" "miso: $tmp/w/two: malformed ELF file: two SHT_DYNAMIC sections"

## FIFOs wherever a file is named: refused at once, never opened for a
## read that would wait for a writer.
fresh
mkfifo "$tmp/fifo"
what="check of a FIFO"
run 2 "$M" check -c "$conf" "$tmp/fifo" &&
    says "$tmp/e" "miso: $tmp/fifo: not a regular file"
what="explain -c FIFO"
run 2 "$M" explain -c "$tmp/fifo" &&
    says "$tmp/e" "$tmp/fifo: error: cannot read: not a regular file"
what="check -c FIFO"
run 2 "$M" check -c "$tmp/fifo" "$tmp/w/prog-pie" &&
    says "$tmp/e" "$tmp/fifo: error: cannot read: not a regular file"
what="MISO_CONFIG naming a FIFO"
run 2 env MISO_CONFIG="$tmp/fifo" "$M" explain &&
    says "$tmp/e" "$tmp/fifo: error: cannot read: not a regular file"
what="a DT_NEEDED library that is a FIFO"
rm "$tmp/w/lib/libtt.so"
mkfifo "$tmp/w/lib/libtt.so"
run 2 "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/o" "error: library libtt.so, needed by prog-pie, is not usable: $tmp/w/lib/libtt.so: not a regular file"
what="a PT_INTERP that names a FIFO"
fresh
mkfifo "$tmp/w/ld"
python3 - "$tmp/w/prog-pie" <<'PY'
import sys, elfpatch
e = elfpatch.load(sys.argv[1])
p = [p for p in e.phdrs() if p["type"] == 3][0]
e.b[p["offset"]:p["offset"] + p["filesz"]] = b"./ld".ljust(p["filesz"], b"\0")
elfpatch.save(e, sys.argv[1])
PY
(cd "$tmp/w" && run 2 "$M" check -c "$conf" prog-pie) &&
    says "$tmp/o" "error: the interpreter ./ld is not usable: not a regular file"
what="a directory as the program"
run 2 "$M" check -c "$conf" "$tmp/w" &&
    says "$tmp/e" "miso: $tmp/w: not a regular file"

## A RUNPATH of 16,000 $ORIGIN: expanded in linear time.
fresh
r=$(python3 -c 'print("$ORIGIN/" * 16000)')
echo 'int main(void) { return 0; }' >"$tmp/m.c"
if ${CC:-cc} -o "$tmp/w/origin" "$tmp/m.c" -Wl,--enable-new-dtags \
    -Wl,-rpath,"$r" 2>"$tmp/cc"; then
	what="a RUNPATH of 16,000 \$ORIGIN"
	python3 - "$M" "$conf" "$tmp/w/origin" <<'PY'
import subprocess, sys, time
t = []
for i in range(5):
    s = time.monotonic()
    p = subprocess.run([sys.argv[1], "check", "-c", sys.argv[2], sys.argv[3]],
                       capture_output=True)
    t.append(time.monotonic() - s)
    assert p.returncode == 1, p
t.sort()
print("# median %.3f s" % t[2])
# Quadratic, this took 6 s here; linear, a few ms (a loaded machine may
# stretch it, not by 100 times).
sys.exit(0 if t[2] < 1.0 else 1)
PY
	[ $? -eq 0 ] && pass "$what" || fail "$what: too slow"
else
	fail "cannot link a program with a long RUNPATH:"
	sed 's/^/# /' "$tmp/cc" | head -n 5
fi

## One flipped bit in a size: .dynsym claims 8 GiB more than it has.
fresh
python3 - "$tmp/w/lib/libver.so" <<'PY'
import sys, struct, elfpatch
e = elfpatch.load(sys.argv[1])
s = e.section(".dynsym")
at = e.shdr_at(s["index"]) + 0x20
struct.pack_into("<Q", e.b, at, s["size"] ^ (1 << 33))
elfpatch.save(e, sys.argv[1])
PY
what="a 1-bit flip in the size of .dynsym"
run 2 "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/o" "error: library libver.so, needed by prog-pie, is not usable: $tmp/w/lib/libver.so: malformed ELF file: a section extends past the end of the file"

## Files truncated while miso check reads them (libshrink.so truncates
## the file as soon as it is mapped or first read): a read error at worst,
## never SIGBUS.
shrink=$T/libshrink.so
# Under ASan, the preloaded library comes before the sanitizer's runtime.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
fresh
what="the program truncated while it is read"
run 2 env MISO_TEST_SHRINK="$tmp/w/prog-pie" LD_PRELOAD="$shrink" \
    "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/e" "miso: $tmp/w/prog-pie: malformed ELF file: section headers unreadable"
fresh
libc=$(ldd "$T/prog-pie" | awk '$1 == "libc.so.6" { print $3 }')
if [ -f "$libc" ]; then
	# Found first through RUNPATH $ORIGIN/lib, then, unreadable, skipped.
	cp "$libc" "$tmp/w/lib/libc.so.6"
	what="a library truncated while it is read"
	run 1 env MISO_TEST_SHRINK="$tmp/w/lib/libc.so.6" \
	    LD_PRELOAD="$shrink" "$M" check -c "$conf" "$tmp/w/prog-pie" &&
	    says "$tmp/o" "	libc.so.6 => $libc"
	what="... it was truncated indeed"
	[ "$(wc -c <"$tmp/w/lib/libc.so.6")" -eq 4096 ] && pass "$what" ||
	    fail "$what"
else
	echo "skip - a library truncated while it is read: no libc.so.6"
fi

## Escape sequences and newlines in a DT_NEEDED name are printed escaped.
fresh
python3 - "$tmp/w/prog-pie" <<'PY'
import sys, elfpatch
e = elfpatch.load(sys.argv[1])
o, name = [n for n in e.needed() if n[1] == b"libprot.so"][0]
e.b[o:o + len(name)] = b"\x1b[2J\nerr:o"
elfpatch.save(e, sys.argv[1])
PY
what="an escape sequence in a DT_NEEDED name, text"
run 2 "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/o" 'error: library \033[2J\nerr:o, needed by prog-pie, is not found'
what="... and nothing but printable characters in the report"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/o" || grep -q '^err:o' "$tmp/o"; then
	fail "$what"
else
	pass "$what"
fi
what="an escape sequence in a DT_NEEDED name, JSON"
run 2 "$M" check --json -c "$conf" "$tmp/w/prog-pie" &&
if python3 - "$tmp/o" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = [f["message"] for f in d["findings"]]
assert "library \x1b[2J\nerr:o, needed by prog-pie, is not found" in m, m
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\\u001b[2J\\nerr:o" in raw
PY
then pass "$what"; else fail "$what"; fi

## Bytes that are not UTF-8 stay valid JSON (U+FFFD) and show as escapes.
fresh
python3 - "$tmp/w/prog-pie" <<'PY'
import sys, elfpatch
e = elfpatch.load(sys.argv[1])
o, name = [n for n in e.needed() if n[1] == b"libprot.so"][0]
e.b[o:o + len(name)] = b"l\xff\xc3\xa9.so\xc2\x9bX"
elfpatch.save(e, sys.argv[1])
PY
what="bytes that are not UTF-8 in a DT_NEEDED name"
run 2 "$M" check -c "$conf" "$tmp/w/prog-pie" &&
    says "$tmp/o" 'error: library l\377é.so\302\233X, needed by prog-pie, is not found'
what="... in JSON"
run 2 "$M" check --json -c "$conf" "$tmp/w/prog-pie" &&
if python3 -c 'import json, sys; m = [f["message"] for f in json.load(open(sys.argv[1]))["findings"]]; assert "library l\ufffd\u00e9.so\u009bX, needed by prog-pie, is not found" in m, m' "$tmp/o"
then pass "$what"; else fail "$what"; fi

echo "$count tests, $fails failed"
[ $fails -eq 0 ]
