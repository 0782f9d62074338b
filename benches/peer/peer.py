#!/usr/bin/env python3
"""A vectorised NumPy implementation of scalecast's model (docs/MODEL.md) and its Monte Carlo.

It reads the same scenario files, draws every distribution once per sample (the same families,
clamps and Gaussian copula of rank correlations as `scalecast mc`, from NumPy's own generator),
evaluates the deterministic model for all samples at once (arrays of samples x years, in
chunks), and reports exact quantiles (`np.quantile` over every sample) of capability per year
and domain and of the levers that vary, plus milestone arrival counts.

    python3 benches/peer/peer.py SCENARIO.toml --samples 1000000 [--seed 1] [--out DIR]

writes DIR/quantiles.csv and DIR/levers_quantiles.csv (the columns of `scalecast mc`'s files,
without `median_se`) and DIR/milestones.csv. It is the reference that `bench.py` times
`scalecast mc` against and that `check.py` compares its quantiles with.
"""

import argparse
import math
import os
import re
import sys
import tomllib

import numpy as np

LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95]
LEVER_NAMES = ["params", "tokens", "effective_log10_compute", "rl_steps", "rl_progress",
               "thinking_tokens"]
Z95 = 1.6448536269514722
LAWS = {
    "epoch": dict(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658),
    "chinchilla": dict(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28),
}
LOG10_6 = math.log10(6.0)


# ---------------------------------------------------------------------------------------------
# Distributions


class Dist:
    """One `dist = ...` table: its family, parameters and clamp."""

    def __init__(self, path, table):
        self.path = path
        self.kind = table["dist"]
        t = table
        if self.kind == "fixed":
            self.params = (t["value"],)
        elif self.kind == "normal":
            if "p5" in t:
                self.params = ((t["p5"] + t["p95"]) / 2, (t["p95"] - t["p5"]) / (2 * Z95))
            else:
                self.params = (t["mean"], t["sd"])
        elif self.kind == "lognormal":
            if "p5" in t:
                self.params = (math.sqrt(t["p5"]) * math.sqrt(t["p95"]),
                               (math.log(t["p95"]) - math.log(t["p5"])) / (2 * Z95))
            else:
                self.params = (t["median"], t["sigma"])
        elif self.kind in ("uniform", "loguniform"):
            self.params = (t["low"], t["high"])
        elif self.kind == "triangular":
            self.params = (t["low"], t["mode"], t["high"])
        else:
            raise ValueError(f"{path}: unknown distribution {self.kind}")
        self.min = t.get("min")
        self.max = t.get("max")

    def gaussian(self):
        return self.kind in ("normal", "lognormal")

    def median(self):
        p = self.params
        if self.kind == "fixed":
            m = p[0]
        elif self.kind in ("normal", "lognormal"):
            m = p[0]
        elif self.kind == "uniform":
            m = (p[0] + p[1]) / 2
        elif self.kind == "loguniform":
            m = math.sqrt(p[0]) * math.sqrt(p[1])
        else:
            low, mode, high = p
            if mode >= (low + high) / 2:
                m = low + math.sqrt((high - low) * (mode - low) / 2)
            else:
                m = high - math.sqrt((high - low) * (high - mode) / 2)
        return self.clamp(m)

    def from_normal(self, z):
        """The value at standard normal scores z (normal, lognormal: directly; others via Phi)."""
        if self.kind == "normal":
            return self.params[0] + self.params[1] * z
        if self.kind == "lognormal":
            return self.params[0] * np.exp(self.params[1] * z)
        return self.from_uniform(phi(z))

    def from_uniform(self, u):
        p = self.params
        if self.kind == "fixed":
            return np.full_like(u, p[0])
        if self.kind == "uniform":
            return p[0] + (p[1] - p[0]) * u
        if self.kind == "loguniform":
            lo, hi = math.log(p[0]), math.log(p[1])
            return np.exp(lo + (hi - lo) * u)
        if self.kind == "triangular":
            low, mode, high = p
            width = high - low
            left = low + np.sqrt(u * width * (mode - low))
            right = high - np.sqrt((1 - u) * width * (high - mode))
            return np.where(u * width < mode - low, left, right)
        raise ValueError(self.kind)

    def clamp(self, x):
        if self.min is not None or self.max is not None:
            return np.clip(x, self.min, self.max)
        return x


def phi(x):
    """Standard normal CDF by erfc (Press et al., Numerical Recipes, `erfcc`: fractional error
    below 1.2e-7 everywhere)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    # Phi(x) = erfc(-x / sqrt 2) / 2
    return np.where(x >= 0, 1.0 - 0.5 * erfc, 0.5 * erfc)


# ---------------------------------------------------------------------------------------------
# The scenario: numbers, trajectories and where the distributions are


class Scenario:
    def __init__(self, path):
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        self.name = doc.get("scenario", {}).get("name", os.path.splitext(os.path.basename(path))[0])
        time = doc.get("time", {})
        start, end, step = time.get("start", 2024.0), time.get("end", 2035.0), time.get("step", 0.25)
        n = math.floor((end - start) / step + 1e-9)
        self.years = start + np.arange(n + 1) * step
        self.start = start
        self.dists = []
        # The document with every distribution replaced by its index in self.dists.
        self.doc = self._collect(doc, "")
        self.correlations = doc.get("correlation", [])
        self.milestones = doc.get("milestone", [])

    def _collect(self, node, path):
        if isinstance(node, dict):
            if "dist" in node:
                self.dists.append(Dist(path, node))
                return ("dist", len(self.dists) - 1)
            out = {}
            for k, v in node.items():
                if path == "" and k == "domain":
                    out[k] = [self._collect(d, f"domain.{d['name']}") for d in v]
                elif path == "" and k in ("correlation", "milestone", "observation", "sweep"):
                    out[k] = v
                else:
                    out[k] = self._collect(v, f"{path}.{k}" if path else k)
            return out
        if isinstance(node, list):
            return [self._collect(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node


class Values:
    """The scenario's numbers for one chunk of samples: a float where fixed, a column
    (samples x 1) where drawn."""

    def __init__(self, scenario, draws):
        self.s = scenario
        self.draws = draws  # one array of samples per distribution

    def num(self, node, default=None):
        if node is None:
            return default
        if isinstance(node, tuple):
            return self.draws[node[1]][:, None]
        return float(node)

    def trajectory_ln(self, node, default):
        """ln of a trajectory on the grid years: a float, or an array broadcasting to
        (samples, years)."""
        years = self.s.years
        if node is None:
            return math.log(default) if default > 0 else -math.inf
        if not isinstance(node, dict):
            v = self.num(node)
            return np.log(v) if isinstance(v, np.ndarray) else (math.log(v) if v > 0 else -math.inf)
        if "points" in node:
            pts = [(self.num(p[0]), self.num(p[1])) for p in node["points"]]
            return points_ln(years, pts)
        start = self.num(node["start"])
        growth = self.num(node.get("growth"), 1.0)
        frm = self.num(node.get("from"), self.s.start)
        until = self.num(node.get("until"), math.inf)
        elapsed = np.clip(years, frm, np.maximum(until, frm)) - frm
        return np.log(start) + elapsed * np.log(growth)


def points_ln(years, pts):
    """Linear interpolation of log10(value) between points (constant outside), as ln. Point
    years and values are floats or drawn columns (samples x 1)."""
    ys = [y if isinstance(y, np.ndarray) else np.float64(y) for y, _ in pts]
    lv = [np.log(v) for _, v in pts]
    out = lv[0] + 0.0 * years
    for (y0, l0), (y1, l1) in zip(zip(ys, lv), zip(ys[1:], lv[1:])):
        seg = l0 + (l1 - l0) * ((years - y0) / (y1 - y0))
        out = np.where((years > y0) & (years < y1), seg, out)
        out = np.where(years >= y1, l1, out)
    return out


# ---------------------------------------------------------------------------------------------
# Drawing


class Sampler:
    def __init__(self, s, seed):
        self.s = s
        self.rng = np.random.default_rng(seed)
        index = {d.path: i for i, d in enumerate(s.dists)}
        pairs = [(index[c["a"]], index[c["b"]], 2 * math.sin(math.pi * c["rank"] / 6))
                 for c in s.correlations]
        self.correlated = sorted({i for a, b, _ in pairs for i in (a, b)})
        m = len(self.correlated)
        matrix = np.eye(m)
        for a, b, rho in pairs:
            i, j = self.correlated.index(a), self.correlated.index(b)
            matrix[i, j] = matrix[j, i] = rho
        self.cholesky = np.linalg.cholesky(matrix) if m else None

    def draw(self, n):
        draws = []
        for i, d in enumerate(self.s.dists):
            if i in self.correlated:
                draws.append(None)
            elif d.gaussian():
                draws.append(d.clamp(d.from_normal(self.rng.standard_normal(n))))
            else:
                draws.append(d.clamp(d.from_uniform(self.rng.random(n))))
        if self.correlated:
            z = self.rng.standard_normal((n, len(self.correlated))) @ self.cholesky.T
            for c, i in enumerate(self.correlated):
                d = self.s.dists[i]
                draws[i] = d.clamp(d.from_normal(z[:, c]))
        return draws


# ---------------------------------------------------------------------------------------------
# The model (MODEL.md §1-4), for a chunk of samples at once


def evaluate(s, v, n):
    """Capability per domain (list of samples x years arrays) and the levers (dict)."""
    doc = s.doc
    years = s.years
    shape = (n, len(years))
    pre = doc["pretraining"]
    law = pre.get("law", "epoch")
    law = LAWS[law] if isinstance(law, str) else law
    E, A, B = (v.num(law[k]) for k in ("E", "A", "B"))
    alpha, beta = v.num(law["alpha"]), v.num(law["beta"])
    if "compute" in pre:
        r = v.num(pre.get("tokens_per_param"), 20.0)
        ln_c = v.trajectory_ln(pre["compute"], 0)
        ln_n = 0.5 * (ln_c - np.log(6.0 * r))
        ln_d = ln_n + np.log(r)
    else:
        ln_n = v.trajectory_ln(pre["params"], 0)
        ln_d = v.trajectory_ln(pre["tokens"], 0)
    params, tokens = np.exp(ln_n), np.exp(ln_d)
    reducible = A * np.exp(-alpha * ln_n) + B * np.exp(-beta * ln_d)
    gamma = alpha * beta / (alpha + beta)
    g = np.exp(np.log(alpha * A / (beta * B)) / (alpha + beta))
    k_const = A / g ** alpha + B * g ** beta
    ln_eff = v.trajectory_ln(pre.get("efficiency"), 1.0)
    u = LOG10_6 + np.log10(k_const / reducible) / gamma + ln_eff / math.log(10)

    rl = doc.get("rl", {})
    num = lambda table, key, default: v.num(table.get(key), default)
    transfer = num(rl, "transfer", 0.0)
    s_mid = num(rl, "midpoint_steps", 5000.0)
    beta_rl = num(rl, "exponent", 1.5)
    max_gain = num(rl, "max_gain", 2.0)
    gain_per_oom = num(rl, "gain_per_oom", 0.0)
    ref_u = num(rl, "reference_log10_compute", 26.0)
    tokens_per_step = num(rl, "tokens_per_step", 1e7)
    if "compute_fraction" in rl:
        steps = 0.75 * np.exp(v.trajectory_ln(rl["compute_fraction"], 0)) * tokens / tokens_per_step
    else:
        steps = np.exp(v.trajectory_ln(rl.get("steps"), 0.0))
    steps = np.broadcast_to(steps, np.broadcast_shapes(np.shape(steps), (len(years),)))
    with np.errstate(divide="ignore"):
        ln_steps = np.log(steps)
    with np.errstate(over="ignore"):
        h = np.where(steps > 0, 1.0 / (1.0 + np.exp(beta_rl * (np.log(s_mid) - ln_steps))), 0.0)
    gmax = np.maximum(0.0, max_gain + gain_per_oom * (u - ref_u))
    gain = gmax * h

    ero = doc.get("erosion", {})
    rate = num(ero, "rate", 0.0)
    onset = num(ero, "onset_steps", 1e4)
    size_exp = num(ero, "size_exponent", 0.0)
    n_ref = num(ero, "reference_params", 1e12)
    power = num(ero, "power", 1.0)
    with np.errstate(invalid="ignore"):
        decades = np.maximum((ln_steps - np.log(onset)) / math.log(10), 0.0)
        erosion = np.where(decades > 0, rate * np.exp(size_exp * (np.log(n_ref) - ln_n)
                                                       + power * np.log(np.maximum(decades, 1e-300))),
                           0.0)

    inf = doc.get("inference", {})
    ln_t = v.trajectory_ln(inf.get("tokens"), 0.0)
    thinking = np.exp(ln_t)
    base_gain = num(inf, "base_gain", 0.1)
    rl_gain = num(inf, "rl_gain", 0.2)
    t0 = num(inf, "reference_tokens", 100.0)
    c = inf.get("ceiling", {})
    c_base = num(c, "base", 1000.0)
    c_scale = num(c, "rl_scale_steps", 1000.0)
    c_exp = num(c, "rl_exponent", 0.5)
    c_max = num(c, "max", math.inf)
    k = num(c, "sharpness", 4.0)
    overthinking = num(c, "overthinking", 0.0)
    # `base = inf` turns the ceiling off (a distribution cannot be inf).
    ceiling_on = not (np.isscalar(c_base) and c_base == math.inf)
    if ceiling_on:
        ln_base, ln_max = np.log(c_base), np.log(c_max)
        scaled_steps = steps / c_scale
    else:
        open_doublings = np.log2(1.0 + thinking / t0)

    caps = []
    for d in doc["domain"]:
        ver = v.num(d["verifiability"])
        slope = v.num(d["slope"])
        diff = v.num(d["difficulty"])
        floor = v.num(d.get("floor"), 0.0)
        tau = ver + (1.0 - ver) * transfer
        logit = slope * (u - diff) + tau * gain - (1.0 - ver) * erosion
        kappa = base_gain + rl_gain * tau * h
        if ceiling_on:
            ln_ceil = np.minimum(ln_base + c_exp * np.log1p(np.maximum(tau, 0.0) * scaled_steps),
                                 ln_max)
            with np.errstate(invalid="ignore", over="ignore"):
                past = ln_t - ln_ceil
                # T_eff = m (1 + (m/M)^k)^(-1/k), m = min(T, T_ceil): in logs.
                soft = np.where(np.isinf(k) | np.isinf(past), 0.0,
                                np.log1p(np.exp(-k * np.abs(past))) / k)
                t_eff = np.exp(np.minimum(ln_t, ln_ceil) - soft)
                over = overthinking * np.maximum(np.nan_to_num(past, neginf=0.0), 0.0) / math.log(2)
            logit = logit + kappa * np.log2(1.0 + t_eff / t0) - over
        else:
            logit = logit + kappa * open_doublings
        with np.errstate(over="ignore"):
            cap = floor + (1.0 - floor) / (1.0 + np.exp(-logit))
        caps.append(np.broadcast_to(np.minimum(cap, 1.0), shape))
    levers = dict(params=params, tokens=tokens, effective_log10_compute=u, rl_steps=steps,
                  rl_progress=h, thinking_tokens=thinking)
    return caps, levers


# ---------------------------------------------------------------------------------------------
# Running


def run(path, samples, seed, chunk):
    s = Scenario(path)
    sampler = Sampler(s, seed)
    n_years = len(s.years)
    domains = [d["name"] for d in s.doc["domain"]]
    caps = np.empty((len(domains), n_years, samples))
    levers = {}
    arrivals = [np.empty(samples, dtype=np.int32) for _ in s.milestones]
    for first in range(0, samples, chunk):
        n = min(chunk, samples - first)
        v = Values(s, sampler.draw(n))
        cap, lev = evaluate(s, v, n)
        for d, c in enumerate(cap):
            caps[d, :, first:first + n] = c.T
        for name in LEVER_NAMES:
            x = lev[name]
            if np.ndim(x) == 2 and x.shape[0] == n:
                if name not in levers:
                    levers[name] = np.empty((n_years, samples))
                levers[name][:, first:first + n] = x.T
            elif name not in levers:
                levers.setdefault("fixed", {})[name] = np.broadcast_to(x, (n_years,))
        for m, ms in enumerate(s.milestones):
            reached = cap[domains.index(ms["domain"])] >= ms["threshold"]
            arrivals[m][first:first + n] = np.where(reached.any(axis=1), reached.argmax(axis=1),
                                                    n_years)
    cap_q = np.quantile(caps, LEVELS, axis=2)  # levels x domains x years
    cap_mean = caps.mean(axis=2)
    lever_q = {name: (np.quantile(x, LEVELS, axis=1), x.mean(axis=1))
               for name, x in levers.items() if name != "fixed"}
    fixed = levers.pop("fixed", {})
    counts = [np.bincount(a, minlength=n_years + 1) for a in arrivals]
    return Result(s, domains, cap_q, cap_mean, lever_q, fixed, counts, levers)


class Result:
    """Quantiles (`cap_q[level, domain, year]`), means, lever quantiles and means by name, the
    fixed levers' values, milestone arrival counts per grid year (then never), and the varying
    levers' samples (`samples[name][year, sample]`)."""

    def __init__(self, s, domains, cap_q, cap_mean, lever_q, fixed, counts, samples):
        self.s, self.domains, self.cap_q, self.cap_mean = s, domains, cap_q, cap_mean
        self.lever_q, self.fixed, self.counts, self.samples = lever_q, fixed, counts, samples


def write(out, r):
    s, domains, cap_q, cap_mean = r.s, r.domains, r.cap_q, r.cap_mean
    lever_q, fixed, counts = r.lever_q, r.fixed, r.counts
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "quantiles.csv"), "w") as f:
        f.write("scenario,year,domain,mean,p5,p25,p50,p75,p95\n")
        for k, year in enumerate(s.years):
            for d, name in enumerate(domains):
                q = ",".join(repr(float(cap_q[l, d, k])) for l in range(len(LEVELS)))
                f.write(f"{s.name},{float(year)!r},{name},{float(cap_mean[d, k])!r},{q}\n")
    with open(os.path.join(out, "levers_quantiles.csv"), "w") as f:
        f.write("scenario,year,lever,mean,p5,p25,p50,p75,p95\n")
        for k, year in enumerate(s.years):
            for name in LEVER_NAMES:
                if name in lever_q:
                    q, mean = lever_q[name]
                    vals = [mean[k]] + [q[l, k] for l in range(len(LEVELS))]
                else:
                    vals = [fixed[name][k]] * (1 + len(LEVELS))
                f.write(f"{s.name},{float(year)!r},{name}," + ",".join(repr(float(x)) for x in vals) + "\n")
    with open(os.path.join(out, "milestones.csv"), "w") as f:
        f.write("domain,threshold," + ",".join(repr(float(y)) for y in s.years) + ",never\n")
        for ms, c in zip(s.milestones, counts):
            f.write(f"{ms['domain']},{ms['threshold']!r}," + ",".join(str(int(x)) for x in c) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=16_384, help="samples evaluated at once")
    ap.add_argument("--out", default=None, help="folder for the CSV files (none: not written)")
    a = ap.parse_args()
    result = run(a.scenario, a.samples, a.seed, a.chunk)
    if a.out:
        write(a.out, result)


if __name__ == "__main__":
    sys.exit(main())
