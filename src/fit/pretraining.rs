//! Fit the pretraining loss law `L = E + A/N^alpha + B/D^beta` to training runs, as Hoffmann et
//! al. 2022 and Besiroglu et al. 2024 did: parameters `(a, b, e, alpha, beta)` with
//! `A = exp(a)`, `B = exp(b)`, `E = exp(e)`; the prediction of `ln L` is the log-sum-exp
//! `LSE(a - alpha ln N, b - beta ln D, e)`; the objective is the sum over runs of the Huber loss
//! (threshold delta) of `LSE - ln L`, minimised by L-BFGS from a grid of starts.

use super::{best_of, bootstrap, stationary, Bootstrap, Interval, Objective};
use crate::model::pretraining::Law;

/// One training run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub params: f64,
    pub tokens: f64,
    pub loss: f64,
}

/// The default Huber threshold (on log-loss), as in both papers.
pub const DEFAULT_DELTA: f64 = 1e-3;

/// The number of fitted parameters.
pub const PARAMETERS: usize = 5;

/// `huber(r) = r^2/2` for `|r| <= delta`, else `delta (|r| - delta/2)`.
pub fn huber(r: f64, delta: f64) -> f64 {
    if r.abs() <= delta {
        0.5 * r * r
    } else {
        delta * (r.abs() - 0.5 * delta)
    }
}

fn huber_slope(r: f64, delta: f64) -> f64 {
    r.clamp(-delta, delta)
}

/// The Huber objective over runs, with logs precomputed.
pub struct HuberObjective {
    /// `(ln N, ln D, ln L)` per run.
    logs: Vec<(f64, f64, f64)>,
    delta: f64,
}

impl HuberObjective {
    pub fn new(runs: &[Run], delta: f64) -> Self {
        HuberObjective {
            logs: runs
                .iter()
                .map(|r| (r.params.ln(), r.tokens.ln(), r.loss.ln()))
                .collect(),
            delta,
        }
    }

    /// `LSE(a - alpha ln N, b - beta ln D, e)` and the softmax weights of its three terms.
    fn predict(p: &[f64], ln_n: f64, ln_d: f64) -> (f64, [f64; 3]) {
        let t = [p[0] - p[3] * ln_n, p[1] - p[4] * ln_d, p[2]];
        let m = t[0].max(t[1]).max(t[2]);
        let w = [(t[0] - m).exp(), (t[1] - m).exp(), (t[2] - m).exp()];
        let sum = w[0] + w[1] + w[2];
        (m + sum.ln(), [w[0] / sum, w[1] / sum, w[2] / sum])
    }
}

impl Objective for HuberObjective {
    fn cost(&self, p: &[f64]) -> f64 {
        self.logs
            .iter()
            .map(|&(n, d, l)| huber(Self::predict(p, n, d).0 - l, self.delta))
            .sum()
    }

    fn gradient(&self, p: &[f64]) -> Vec<f64> {
        let mut g = vec![0.0; PARAMETERS];
        for &(n, d, l) in &self.logs {
            let (lse, w) = Self::predict(p, n, d);
            let s = huber_slope(lse - l, self.delta);
            g[0] += s * w[0];
            g[1] += s * w[1];
            g[2] += s * w[2];
            g[3] -= s * w[0] * n;
            g[4] -= s * w[1] * d;
        }
        g
    }
}

/// The grid of starting points of Hoffmann et al. 2022: `alpha, beta` in {0, 0.5, ..., 2},
/// `e` in {-1, -0.5, ..., 1}, `a, b` in {0, 5, ..., 25} (4,500 starts), in a fixed order.
pub fn grid() -> Vec<Vec<f64>> {
    let mut starts = Vec::with_capacity(4500);
    for ia in 0..6 {
        for ib in 0..6 {
            for ie in 0..5 {
                for ial in 0..5 {
                    for ibe in 0..5 {
                        starts.push(vec![
                            5.0 * f64::from(ia),
                            5.0 * f64::from(ib),
                            -1.0 + 0.5 * f64::from(ie),
                            0.5 * f64::from(ial),
                            0.5 * f64::from(ibe),
                        ]);
                    }
                }
            }
        }
    }
    starts
}

fn law_of(p: &[f64]) -> Law {
    Law {
        a: p[0].exp(),
        b: p[1].exp(),
        e: p[2].exp(),
        alpha: p[3],
        beta: p[4],
    }
}

/// The best law from `starts` and its objective; None if no start converged to a usable law
/// (positive exponents).
pub fn fit_law(runs: &[Run], delta: f64, starts: &[Vec<f64>]) -> Option<(Vec<f64>, f64)> {
    let (p, cost) = best_of(&HuberObjective::new(runs, delta), starts)?;
    (p[3] > 0.0 && p[4] > 0.0).then_some((p, cost))
}

/// Root-mean-square error of the law's loss against the runs' (in loss units).
pub fn rmse(law: &Law, runs: &[Run]) -> f64 {
    let sum: f64 = runs
        .iter()
        .map(|r| (law.loss(r.params, r.tokens) - r.loss).powi(2))
        .sum();
    (sum / runs.len() as f64).sqrt()
}

/// Compute-optimal tokens per parameter `D/N` at a budget of `compute` FLOP.
pub fn tokens_per_param(law: &Law, compute: f64) -> f64 {
    let (n, d) = law.optimal_split(compute);
    d / n
}

/// Bootstrap intervals of the reported quantities.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervals {
    pub e: Interval,
    pub a: Interval,
    pub b: Interval,
    pub alpha: Interval,
    pub beta: Interval,
    pub tokens_per_param: Interval,
    /// Replicates whose fit succeeded (the intervals come from these).
    pub replicates: usize,
}

/// A fitted loss law and how well it fits.
#[derive(Clone, Debug, PartialEq)]
pub struct PretrainingFit {
    pub law: Law,
    /// The Huber objective at the optimum (sum over runs).
    pub objective: f64,
    pub rmse: f64,
    pub rows: usize,
    pub delta: f64,
    /// The budget at which `tokens_per_param` is given, FLOP.
    pub at_compute: f64,
    pub tokens_per_param: f64,
    pub intervals: Option<Intervals>,
    /// Whether the full-data fit ended at a stationary point ([`stationary`]).
    pub converged: bool,
}

/// Fit the law from the grid, then bootstrap: each replicate refits the resampled runs from the
/// full-data optimum. None if no start converged.
pub fn fit(
    runs: &[Run],
    delta: f64,
    at_compute: f64,
    boot: Bootstrap,
    starts: &[Vec<f64>],
) -> Option<PretrainingFit> {
    let (best, objective) = fit_law(runs, delta, starts)?;
    let law = law_of(&best);
    let converged = stationary(&HuberObjective::new(runs, delta), &best, objective);
    let intervals = (boot.replicates > 0).then(|| {
        let laws: Vec<Law> = bootstrap(runs, boot.replicates, boot.seed, |sample| {
            fit_law(sample, delta, std::slice::from_ref(&best)).map(|(p, _)| law_of(&p))
        })
        .into_iter()
        .flatten()
        .collect();
        let of =
            |get: &dyn Fn(&Law) -> f64| Interval::of(&laws.iter().map(get).collect::<Vec<_>>());
        Intervals {
            e: of(&|l| l.e),
            a: of(&|l| l.a),
            b: of(&|l| l.b),
            alpha: of(&|l| l.alpha),
            beta: of(&|l| l.beta),
            tokens_per_param: of(&|l| tokens_per_param(l, at_compute)),
            replicates: laws.len(),
        }
    });
    Some(PretrainingFit {
        law,
        objective,
        rmse: rmse(&law, runs),
        rows: runs.len(),
        delta,
        at_compute,
        tokens_per_param: tokens_per_param(&law, at_compute),
        intervals,
        converged,
    })
}

/// `n` synthetic runs from `law` with multiplicative noise of relative sd `noise` (seeded):
/// N log-uniform over three decades (1e7..1e10) and D = N * r with tokens per parameter r
/// log-uniform over three decades (1..1000), so runs cover under- and over-trained models.
pub fn synthetic(law: &Law, n: usize, noise: f64, seed: u64) -> Vec<Run> {
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let params = 10f64.powf(rng.random_range(7.0..10.0));
            let tokens = params * 10f64.powf(rng.random_range(0.0..3.0));
            let z: f64 = StandardNormal.sample(&mut rng);
            Run {
                params,
                tokens,
                loss: law.loss(params, tokens) * (1.0 + noise * z),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::numeric_gradient;

    #[test]
    fn huber_values() {
        assert_eq!(huber(0.0005, 1e-3), 0.5 * 0.0005 * 0.0005);
        // delta (|r| - delta/2) = 1e-3 * (0.01 - 0.0005)
        assert!((huber(-0.01, 1e-3) - 1e-3 * 0.0095).abs() < 1e-18);
    }

    #[test]
    fn prediction_is_the_log_of_the_law() {
        let law = Law::EPOCH;
        let p = [law.a.ln(), law.b.ln(), law.e.ln(), law.alpha, law.beta];
        let (lse, _) = HuberObjective::predict(&p, 1e9f64.ln(), 2e10f64.ln());
        assert!((lse - law.loss(1e9, 2e10).ln()).abs() < 1e-13);
    }

    #[test]
    fn analytic_gradient_matches_numeric() {
        let runs = synthetic(&Law::EPOCH, 30, 0.01, 3);
        // delta large enough that every residual is in the quadratic part (smooth everywhere)
        let o = HuberObjective::new(&runs, 10.0);
        let p = [5.0, 7.0, 0.4, 0.3, 0.35];
        let (a, n) = (o.gradient(&p), numeric_gradient(&o, &p));
        for (x, y) in a.iter().zip(&n) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{a:?} vs {n:?}");
        }
    }

    #[test]
    fn grid_has_the_papers_starts() {
        let g = grid();
        assert_eq!(g.len(), 4500);
        assert_eq!(g[0], vec![0.0, 0.0, -1.0, 0.0, 0.0]);
        assert_eq!(g[4499], vec![25.0, 25.0, 1.0, 2.0, 2.0]);
    }
}
