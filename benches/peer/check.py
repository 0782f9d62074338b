#!/usr/bin/env python3
"""Check the NumPy peer against `scalecast mc` on every benchmark shape and on the lever forms
of `forms/` (which the shapes do not use): capability quantiles (p5, p25, p50, p75, p95) and
means within 0.005 per (year, domain); for the levers that vary
(which span decades, so that no fixed tolerance on their values holds at a moderate sample
count), each quantile within 0.5% or the share of the peer's samples below scalecast's quantile
within 0.01 of its level; and each milestone's share of samples not reaching it within 0.005.
The two draw from different generators, so they agree statistically: scalecast (fast) runs
1,000,000 samples and the peer 150,000, and the worst capability difference is then about
0.003 (it shrinks as one over the square root of the peer's count).

    python3 benches/peer/check.py [--scalecast target/release/scalecast] [--samples N] [--rust-samples N] [SHAPE.toml...]

Exits 1 if any shape disagrees, printing every disagreement.
"""

import argparse
import csv
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import peer  # noqa: E402

LEVELS = ["p5", "p25", "p50", "p75", "p95"]


def read(path, key):
    with open(path) as f:
        return {(round(float(r["year"]), 6), r[key]): r for r in csv.DictReader(f)}


def compare(shape, scalecast, samples, rust_samples):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([scalecast, "mc", shape, "--samples", str(rust_samples), "--quiet",
                        "--out", os.path.join(tmp, "rust")], check=True, stdout=subprocess.DEVNULL)
        result = peer.run(shape, samples, seed=1, chunk=16_384)
        peer.write(os.path.join(tmp, "peer"), result)
        name = result.s.name
        rust = os.path.join(tmp, "rust", name, "mc")
        ours = os.path.join(tmp, "peer")
        worst = 0.0
        a, b = read(os.path.join(rust, "quantiles.csv"), "domain"), read(os.path.join(ours, "quantiles.csv"), "domain")
        if a.keys() != b.keys():
            return [f"{name}: the (year, domain) rows differ"], 0.0
        for key, r in a.items():
            for col in LEVELS + ["mean"]:
                d = abs(float(r[col]) - float(b[key][col]))
                worst = max(worst, d)
                if d > 0.005:
                    problems.append(f"{name} {key} capability {col}: scalecast {r[col]}, peer {b[key][col]}")
        years = [round(float(y), 6) for y in result.s.years]
        b_lever = read(os.path.join(ours, "levers_quantiles.csv"), "lever")
        for key, r in read(os.path.join(rust, "levers_quantiles.csv"), "lever").items():
            if key[1] not in result.samples:
                continue
            x = result.samples[key[1]][years.index(key[0])]
            for col, level in zip(LEVELS, peer.LEVELS):
                want, got = float(r[col]), float(b_lever[key][col])
                share = float(np.mean(x <= want))
                if abs(share - level) > 0.01 and abs(want - got) > 0.005 * abs(want):
                    problems.append(f"{name} {key} {col}: {share:.4f} of the peer's samples lie below scalecast's {r[col]}")
        with open(os.path.join(rust, "milestones.csv")) as f:
            rows = list(csv.DictReader(f))
        for r, counts in zip(rows, result.counts):
            p = counts[-1] / samples
            if abs(float(r["p_not_reached"]) - p) > 0.005:
                problems.append(f"{name} milestone {r['domain']}: p_not_reached scalecast {r['p_not_reached']}, peer {p}")
    return problems, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--scalecast", default=os.path.join(HERE, "..", "..", "target", "release", "scalecast"))
    ap.add_argument("--samples", type=int, default=150_000, help="the peer's samples")
    ap.add_argument("--rust-samples", type=int, default=1_000_000, help="scalecast's samples")
    a = ap.parse_args()
    shapes = a.shapes or sorted(glob.glob(os.path.join(HERE, "shapes", "*.toml"))) + sorted(
        glob.glob(os.path.join(HERE, "forms", "*.toml")))
    failed = 0
    for shape in shapes:
        problems, worst = compare(shape, a.scalecast, a.samples, a.rust_samples)
        status = "ok" if not problems else "FAILED"
        print(f"{status:6} {os.path.basename(shape)}: largest capability difference {worst:.5f}")
        for p in problems[:20]:
            print("   ", p)
        failed += bool(problems)
    print(f"{len(shapes) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
