#!/usr/bin/env python3
"""ab.py - two builds of spncheck against each other on one LDIF export.

    python3 bench/ab.py BUILD_A BUILD_B RUNS FILE [CHECK] [OPTION...]

Runs `BUILD/tools/spncheck CHECK [OPTION...] --ldif FILE` (CHECK: dup unless
given) for each build RUNS times, alternating (the order reversed every other
round), the file read once before every run so that each run reads it from
the page cache, and prints the median and mean wall time and the mean CPU
time of each. The report goes to a file in $BENCH_DATA/out (default
/var/tmp/spnkit-bench/out), as bench.py's runs do, so that writing it is
timed too. For deciding whether a change helps, on a machine whose speed
drifts: both builds see the same drift.
"""
import os
import statistics
import subprocess
import sys
import time


def read_through(path):
    buf = bytearray(1 << 20)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


OUT_DIR = os.path.join(os.environ.get("BENCH_DATA", "/var/tmp/spnkit-bench"),
                       "out")


def run(argv):
    with open(os.path.join(OUT_DIR, "ab.out"), "wb") as out:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"ab.py: {' '.join(argv)} exited with {code}")
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    builds = sys.argv[1:3]
    runs = int(sys.argv[3])
    path = sys.argv[4]
    check = sys.argv[5:6] or ["dup"]
    options = sys.argv[6:]
    results = {b: [] for b in builds}
    os.makedirs(OUT_DIR, exist_ok=True)
    for i in range(runs):
        for b in builds if i % 2 == 0 else reversed(builds):
            read_through(path)
            argv = [os.path.join(b, "tools", "spncheck")] + check + \
                options + ["--ldif", path]
            results[b].append(run(argv))
    for b in builds:
        wall = [r[0] for r in results[b]]
        cpu = [r[1] for r in results[b]]
        sem = statistics.stdev(wall) / len(wall) ** 0.5 if len(wall) > 1 else 0
        print(f"{b}: wall median {statistics.median(wall):.4f} s, "
              f"mean {statistics.mean(wall):.4f} +- {sem:.4f} s; "
              f"CPU mean {statistics.mean(cpu):.4f} s ({len(wall)} runs)")


if __name__ == "__main__":
    main()
