//! Calibration: fit the model's curves to measurements (MODEL.md §2-4).
//!
//! - [`pretraining`]: the loss law `L = E + A/N^alpha + B/D^beta` (Huber on log-loss, as
//!   Hoffmann et al. 2022 and Besiroglu et al. 2024 did).
//! - [`domain`]: a domain's slope, difficulty and floor from benchmark scores.
//! - [`rl`]: RL progress (midpoint, exponent) and the logit gain from scores over RL steps.
//! - [`data`]: the CSV reader the three share.
//!
//! Each fit minimises its objective with L-BFGS (argmin) from a grid of starting points, in
//! parallel; the best end point is kept, ties going to the earlier start, so the result does not
//! depend on the thread count. Uncertainty comes from a seeded bootstrap over rows.

pub mod data;
pub mod domain;
pub mod pretraining;
pub mod rl;

use argmin::core::{CostFunction, Error, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// A smooth objective over a parameter vector, with its analytic gradient.
pub trait Objective: Sync {
    fn cost(&self, p: &[f64]) -> f64;
    fn gradient(&self, p: &[f64]) -> Vec<f64>;
}

struct Problem<'a, O>(&'a O);

impl<O: Objective> CostFunction for Problem<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.0.cost(p))
    }
}

impl<O: Objective> Gradient for Problem<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(self.0.gradient(p))
    }
}

/// L-BFGS iterations per start.
const MAX_ITERS: u64 = 500;

/// L-BFGS from `start`: the best point reached and its cost, or None when the solver fails or
/// the end point is not finite.
pub fn minimize<O: Objective>(objective: &O, start: &[f64]) -> Option<(Vec<f64>, f64)> {
    let linesearch = MoreThuenteLineSearch::new();
    let solver = LBFGS::new(linesearch, 10)
        .with_tolerance_grad(1e-12)
        .ok()?
        .with_tolerance_cost(1e-15)
        .ok()?;
    let result = Executor::new(Problem(objective), solver)
        .configure(|s| s.param(start.to_vec()).max_iters(MAX_ITERS))
        .run()
        .ok()?;
    let state = result.state();
    let best = state.get_best_param()?.clone();
    let cost = state.get_best_cost();
    (cost.is_finite() && best.iter().all(|x| x.is_finite())).then_some((best, cost))
}

/// The best end point over all `starts` (run in parallel; ties go to the earlier start).
pub fn best_of<O: Objective>(objective: &O, starts: &[Vec<f64>]) -> Option<(Vec<f64>, f64)> {
    let ends: Vec<Option<(Vec<f64>, f64)>> =
        starts.par_iter().map(|s| minimize(objective, s)).collect();
    let mut best: Option<(Vec<f64>, f64)> = None;
    for (p, c) in ends.into_iter().flatten() {
        if best.as_ref().is_none_or(|(_, b)| c < *b) {
            best = Some((p, c));
        }
    }
    best
}

/// Whether `p`, an end point of the minimisation with objective `cost`, is stationary: every
/// component of the gradient at most `1e-3 * cost + 1e-8`. The solver can stop on a tiny change
/// of the cost while the gradient is still large (a badly scaled or poorly identified problem);
/// such an end point is no optimum, and a fit that ends there did not converge. The bound is
/// relative to the cost (a unit change of one parameter would lower the cost by at most 0.1%, to
/// first order), with an absolute floor for fits that are nearly exact.
pub fn stationary<O: Objective>(objective: &O, p: &[f64], cost: f64) -> bool {
    let bound = 1e-3 * cost.abs() + 1e-8;
    objective
        .gradient(p)
        .iter()
        .all(|g| g.is_finite() && g.abs() <= bound)
}

/// The row indices of bootstrap replicate `replicate`: `n` draws with replacement from a
/// ChaCha8 stream of its own (`seed`, stream = replicate), so replicates are independent of
/// each other and of the thread count.
pub fn resample(n: usize, seed: u64, replicate: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replicate);
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

/// Run `fit` on `replicates` bootstrap resamples of `rows`, in parallel, in replicate order;
/// failed fits are None.
pub fn bootstrap<R, T, F>(rows: &[R], replicates: usize, seed: u64, fit: F) -> Vec<Option<T>>
where
    R: Clone + Sync,
    T: Send,
    F: Fn(&[R]) -> Option<T> + Sync,
{
    (0..replicates as u64)
        .into_par_iter()
        .map(|i| {
            let sample: Vec<R> = resample(rows.len(), seed, i)
                .into_iter()
                .map(|k| rows[k].clone())
                .collect();
            fit(&sample)
        })
        .collect()
}

/// The `q`-quantile of `values` (linear interpolation between order statistics, as R's type 7);
/// NaN for no values.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// A bootstrap percentile interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The confidence level of every reported interval.
pub const LEVEL: f64 = 0.9;

impl Interval {
    /// The central [`LEVEL`] percentile interval of `values`.
    pub fn of(values: &[f64]) -> Interval {
        let tail = (1.0 - LEVEL) / 2.0;
        Interval {
            low: quantile(values, tail),
            high: quantile(values, 1.0 - tail),
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Bootstrap settings shared by the fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bootstrap {
    /// Number of replicates; 0 turns intervals off.
    pub replicates: usize,
    pub seed: u64,
}

/// `logit(p) = ln(p / (1 - p))`.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Central-difference gradient, for checking analytic gradients in tests.
#[cfg(test)]
pub fn numeric_gradient<O: Objective>(o: &O, p: &[f64]) -> Vec<f64> {
    (0..p.len())
        .map(|i| {
            let h = 1e-6 * p[i].abs().max(1.0);
            let (mut up, mut down) = (p.to_vec(), p.to_vec());
            up[i] += h;
            down[i] -= h;
            (o.cost(&up) - o.cost(&down)) / (2.0 * h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bowl;
    impl Objective for Bowl {
        fn cost(&self, p: &[f64]) -> f64 {
            (p[0] - 3.0).powi(2) + 10.0 * (p[1] + 1.0).powi(2)
        }
        fn gradient(&self, p: &[f64]) -> Vec<f64> {
            vec![2.0 * (p[0] - 3.0), 20.0 * (p[1] + 1.0)]
        }
    }

    #[test]
    fn lbfgs_finds_a_quadratic_minimum() {
        let (p, c) = best_of(&Bowl, &[vec![0.0, 0.0], vec![10.0, 5.0]]).unwrap();
        assert!(
            (p[0] - 3.0).abs() < 1e-6 && (p[1] + 1.0).abs() < 1e-6,
            "{p:?}"
        );
        assert!(c < 1e-10);
    }

    #[test]
    fn stationary_points_have_a_small_gradient() {
        assert!(stationary(&Bowl, &[3.0, -1.0], 0.0));
        assert!(stationary(&Bowl, &[3.0 + 1e-10, -1.0], 0.0));
        // cost 1, gradient (2e-3, 0): above 1e-3 * cost + 1e-8
        let p = [3.0 + 1e-3, -1.0];
        assert!(!stationary(&Bowl, &p, Bowl.cost(&p)));
        assert!(!stationary(&Bowl, &[0.0, 0.0], Bowl.cost(&[0.0, 0.0])));
        // the bound grows with the cost
        assert!(stationary(&Bowl, &[3.0 + 1e-6, -1.0], 10.0));
    }

    #[test]
    fn resample_is_seeded_and_streams_differ() {
        assert_eq!(resample(50, 7, 3), resample(50, 7, 3));
        assert_ne!(resample(50, 7, 3), resample(50, 7, 4));
        assert_ne!(resample(50, 7, 3), resample(50, 8, 3));
        assert!(resample(50, 7, 3).iter().all(|&i| i < 50));
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        // h = 4 * 0.05 = 0.2: 1 + 0.2 * (2 - 1)
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
