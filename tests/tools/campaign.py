"""A mutation campaign against 'miso check': fixed-seed bit flips in the
ELF header, the program headers, the section headers, .dynamic, .dynsym,
.dynstr and the version sections, and truncations, of a program and of
each of its libraries. Every run must end with status 0, 1 or 2 and say
something, within the time limit, with no sanitizer report and no
allocation over 64 MiB (the ASan build enforces it).

Usage: python3 tests/tools/campaign.py BUILD_DIR
Environment: MISO_MUTANTS (default 600), MISO_CAMPAIGN_SEED (default 11),
MISO_CAMPAIGN_TIMEOUT (seconds per run, default 20). A failing mutant is
kept in BUILD_DIR/tests/tools/campaign-fail-N-FILE to reproduce it."""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elfpatch  # noqa: E402

REGIONS = (".dynamic", ".dynsym", ".dynstr", ".gnu.version",
           ".gnu.version_r", ".gnu.version_d")


def regions(path):
    e = elfpatch.load(path)
    r = {"ehdr": (0, 64),
         "phdrs": (e.phoff, e.phnum * e.phentsize),
         "shdrs": (e.shoff, e.shnum * e.shentsize)}
    for s in e.sections():
        if s["sname"] in REGIONS and s["size"] > 0:
            r[s["sname"]] = (s["offset"], s["size"])
    r["truncate"] = None
    return r


def mutate(data, kind, where, rng):
    b = bytearray(data)
    if kind == "truncate":
        return b[:rng.randrange(0, len(b))]
    off, size = where
    for _ in range(rng.randint(1, 4)):
        bit = rng.randrange(0, size * 8)
        b[off + bit // 8] ^= 1 << (bit % 8)
    return b


def main():
    build = os.path.abspath(sys.argv[1])
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    miso = os.path.join(build, "bin", "miso")
    tt = os.path.join(build, "tests", "tools")
    conf = os.path.join(top, "tests", "tools", "check.conf")
    count = int(os.environ.get("MISO_MUTANTS", "600"))
    seed = int(os.environ.get("MISO_CAMPAIGN_SEED", "11"))
    limit = float(os.environ.get("MISO_CAMPAIGN_TIMEOUT", "20"))
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("max_allocation_size_mb=64:exitcode=86:"
                           "allocator_may_return_null=0:detect_leaks=1")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=86"

    tmp = tempfile.mkdtemp(prefix="miso-campaign-")
    work = os.path.join(tmp, "w")
    os.makedirs(os.path.join(work, "lib"))
    files = ["prog-pie"] + ["lib/" + f for f in sorted(
        os.listdir(os.path.join(tt, "lib"))) if f.endswith(".so")]
    # The C library too, found first in lib/ through RUNPATH $ORIGIN/lib.
    libc = subprocess.run(["ldd", os.path.join(tt, "prog-pie")],
                          capture_output=True, text=True).stdout.split()
    src = {f: os.path.join(tt, f) for f in files}
    if "libc.so.6" in libc:
        files.append("lib/libc.so.6")
        src["lib/libc.so.6"] = libc[libc.index("libc.so.6") + 2]
    orig = {}
    for f in files:
        shutil.copy(src[f], os.path.join(work, f))
        with open(src[f], "rb") as fp:
            orig[f] = fp.read()
    where = {f: regions(src[f]) for f in files}

    rng = random.Random(seed)
    stats = {"crash": 0, "hang": 0, "big": 0, "silent": 0}
    status = {0: 0, 1: 0, 2: 0}
    kinds = {}
    slowest = 0.0
    start = time.monotonic()
    for i in range(count):
        f = files[i % len(files)]
        kind = rng.choice(sorted(where[f]))
        kinds[kind] = kinds.get(kind, 0) + 1
        m = mutate(orig[f], kind, where[f][kind], rng)
        with open(os.path.join(work, f), "wb") as fp:
            fp.write(m)
        cmd = [miso, "check"] + (["--json"] if i % 2 else []) + \
            ["-c", conf, os.path.join(work, "prog-pie")]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, env=env,
                               timeout=limit)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            rc, out, err = None, b"", b""
        slowest = max(slowest, time.monotonic() - t0)
        with open(os.path.join(work, f), "wb") as fp:
            fp.write(orig[f])
        what = None
        if rc is None:
            what = "hang"
        elif b"allocation-size-too-big" in err or \
                b"requested allocation size" in err:
            what = "big"
        elif rc not in status or b"Sanitizer" in err or \
                b"runtime error" in err:
            what = "crash"
        elif not out.strip() and not err.strip():
            what = "silent"
        else:
            status[rc] += 1
        if what is not None:
            stats[what] += 1
            keep = os.path.join(tt, "campaign-fail-%d-%s" %
                                (i, os.path.basename(f)))
            with open(keep, "wb") as fp:
                fp.write(m)
            print("not ok - mutant %d (%s of %s): %s, exit %s; kept in %s"
                  % (i, kind, f, what, rc, keep))
            sys.stdout.write(err.decode(errors="replace")[-2000:])
    shutil.rmtree(tmp)
    print("# %d mutants (seed %d) of %s in %.0f s, slowest run %.2f s"
          % (count, seed, ", ".join(files), time.monotonic() - start,
             slowest))
    print("# regions: " + ", ".join("%s %d" % k for k in sorted(
        kinds.items())))
    print("# %d crashes, %d hangs, %d allocations over 64 MiB, %d silent; "
          "exit 0: %d, 1: %d, 2: %d" % (stats["crash"], stats["hang"],
                                        stats["big"], stats["silent"],
                                        status[0], status[1], status[2]))
    sys.exit(1 if sum(stats.values()) else 0)


main()
