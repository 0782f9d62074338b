#!/usr/bin/env python3
"""Time `scalecast mc` against the NumPy peer on every benchmark shape, on this machine, in one
run: each shape's two programs alternate, `--rounds` times, and the table gives the median wall
time (and range), samples per second, CPU time, peak memory (resident set) and the ratio of the
peer's median wall time to scalecast's.

    cargo build --release
    python3 benches/peer/bench.py [--samples 1000000] [--threads 2] [--rounds 3] [SHAPE.toml...]

scalecast runs the whole `mc` command (every default output, charts included, but no Sobol
indices: `--sobol 0`, as the peer computes none) with RAYON_NUM_THREADS=--threads; the peer (NumPy's element-wise operations use one core) computes
the quantiles and writes its CSV files. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from
the peer's environment (they slow a current NumPy).
"""

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, env):
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of `cmd`."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--scalecast", default=os.path.join(HERE, "..", "..", "target", "release", "scalecast"))
    ap.add_argument("--samples", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    shapes = a.shapes or sorted(glob.glob(os.path.join(HERE, "shapes", "*.toml")))
    rust_env = dict(os.environ, RAYON_NUM_THREADS=str(a.threads))
    peer_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            rust, peer = [], []
            for _ in range(a.rounds):
                rust.append(timed([a.scalecast, "mc", shape, "--samples", str(a.samples), "--quiet", "--sobol", "0",
                                   "--out", os.path.join(tmp, "rust")], rust_env))
                peer.append(timed([sys.executable, os.path.join(HERE, "peer.py"), shape, "--samples",
                                   str(a.samples), "--out", os.path.join(tmp, "peer")], peer_env))
            rows.append((os.path.basename(shape)[:-5], rust, peer))
            print(f"{rows[-1][0]}: scalecast {statistics.median(r[0] for r in rust):.2f} s, "
                  f"peer {statistics.median(p[0] for p in peer):.2f} s", file=sys.stderr)
    print(f"{a.samples:,} samples, scalecast on {a.threads} threads, {a.rounds} rounds (median, range)\n")
    print("| shape | scalecast wall | samples/s | CPU | peak RSS | NumPy peer wall | samples/s | peak RSS | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rust, peer in rows:
        def cell(runs):
            w = [r[0] for r in runs]
            return f"{statistics.median(w):.2f} s ({min(w):.2f}-{max(w):.2f})", a.samples / statistics.median(w)
        rw, rs = cell(rust)
        pw, ps = cell(peer)
        ratio = statistics.median(p[0] for p in peer) / statistics.median(r[0] for r in rust)
        print(f"| {name} | {rw} | {rs:,.0f} | {statistics.median(r[1] for r in rust):.2f} s | "
              f"{max(r[2] for r in rust):.1f} MiB | {pw} | {ps:,.0f} | {max(p[2] for p in peer):.0f} MiB | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
