//! Fit RL progress to scores over RL steps, in logit space:
//! `logit(score) = l0 + g * h(S)`, `h = 1 / (1 + (S_mid / S)^beta_rl)` (MODEL.md §4), least
//! squares on the logit. Parameters `(l0, g, ln S_mid, ln beta_rl)`.
//!
//! `g` is the logit gain at full RL progress. In the model that is `tau * Gmax` plus the extra
//! thinking gain RL brings (`inference.rl_gain * tau * log2(1 + T_eff / T0)`) less any erosion,
//! all at the thinking budget the scores were measured with.

use super::{best_of, bootstrap, logit, quantile, stationary, Bootstrap, Interval, Objective};
use crate::model::rl::progress;

/// One measurement: a score after some RL steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub steps: f64,
    pub score: f64,
}

/// The fitted curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    /// Logit at S = 0.
    pub l0: f64,
    /// Logit gain at full progress (h = 1).
    pub gain: f64,
    pub midpoint_steps: f64,
    pub exponent: f64,
}

impl Curve {
    pub fn logit(&self, steps: f64) -> f64 {
        self.l0 + self.gain * progress(steps, self.midpoint_steps, self.exponent)
    }

    pub fn score(&self, steps: f64) -> f64 {
        crate::model::sigmoid(self.logit(steps))
    }
}

fn curve(p: &[f64]) -> Curve {
    Curve {
        l0: p[0],
        gain: p[1],
        midpoint_steps: p[2].exp(),
        exponent: p[3].exp(),
    }
}

/// Sum of squared logit errors, logits precomputed.
pub struct SquaredError {
    /// `(S, logit(score))`.
    points: Vec<(f64, f64)>,
}

impl SquaredError {
    pub fn new(points: &[Point]) -> Self {
        SquaredError {
            points: points.iter().map(|p| (p.steps, logit(p.score))).collect(),
        }
    }
}

impl Objective for SquaredError {
    fn cost(&self, p: &[f64]) -> f64 {
        let c = curve(p);
        self.points
            .iter()
            .map(|&(s, y)| (c.logit(s) - y).powi(2))
            .sum()
    }

    fn gradient(&self, p: &[f64]) -> Vec<f64> {
        let c = curve(p);
        let mut g = vec![0.0; 4];
        for &(s, y) in &self.points {
            let h = progress(s, c.midpoint_steps, c.exponent);
            let r2 = 2.0 * (c.l0 + c.gain * h - y);
            g[0] += r2;
            g[1] += r2 * h;
            if s > 0.0 {
                // h = sigmoid(-z), z = beta (ln S_mid - ln S): dh/dz = -h (1 - h)
                let z_over_beta = p[2] - s.ln();
                let dh = -h * (1.0 - h);
                g[2] += r2 * c.gain * dh * c.exponent;
                g[3] += r2 * c.gain * dh * c.exponent * z_over_beta;
            }
        }
        g
    }
}

/// Starting points: `S_mid` at the 10, 30, 50, 70 and 90% quantiles of the positive steps,
/// `beta_rl` in {0.5, 1, 1.5, 2, 3}; `l0` and `g` from linear least squares given h.
pub fn grid(points: &[Point]) -> Vec<Vec<f64>> {
    let positive: Vec<f64> = points
        .iter()
        .map(|p| p.steps)
        .filter(|s| *s > 0.0)
        .collect();
    let mids: Vec<f64> = if positive.is_empty() {
        vec![5000.0]
    } else {
        [0.1, 0.3, 0.5, 0.7, 0.9]
            .iter()
            .map(|&q| quantile(&positive, q))
            .collect()
    };
    let mut starts = Vec::new();
    for &mid in &mids {
        for beta in [0.5f64, 1.0, 1.5, 2.0, 3.0] {
            let hs: Vec<f64> = points
                .iter()
                .map(|p| progress(p.steps, mid, beta))
                .collect();
            let ys: Vec<f64> = points.iter().map(|p| logit(p.score)).collect();
            let n = hs.len() as f64;
            let (mh, my) = (hs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
            let sxx: f64 = hs.iter().map(|h| (h - mh).powi(2)).sum();
            let sxy: f64 = hs.iter().zip(&ys).map(|(h, y)| (h - mh) * (y - my)).sum();
            let gain = if sxx > 0.0 { sxy / sxx } else { 0.0 };
            starts.push(vec![my - gain * mh, gain, mid.ln(), beta.ln()]);
        }
    }
    starts
}

/// The best curve from `starts` and its objective.
pub fn fit_curve(points: &[Point], starts: &[Vec<f64>]) -> Option<(Vec<f64>, Curve, f64)> {
    let (p, cost) = best_of(&SquaredError::new(points), starts)?;
    Some((p.clone(), curve(&p), cost))
}

/// Bootstrap intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervals {
    pub l0: Interval,
    pub gain: Interval,
    pub midpoint_steps: Interval,
    pub exponent: Interval,
    pub replicates: usize,
}

/// A fitted RL curve.
#[derive(Clone, Debug, PartialEq)]
pub struct RlFit {
    pub curve: Curve,
    /// Sum of squared logit errors.
    pub objective: f64,
    /// Root-mean-square logit error.
    pub rmse_logit: f64,
    /// Root-mean-square score error.
    pub rmse_score: f64,
    pub rows: usize,
    pub intervals: Option<Intervals>,
    /// Whether the full-data fit ended at a stationary point ([`stationary`]).
    pub converged: bool,
}

/// Fit from the grid; each bootstrap replicate refits from the full-data optimum.
pub fn fit(points: &[Point], boot: Bootstrap) -> Option<RlFit> {
    let (best, curve, objective) = fit_curve(points, &grid(points))?;
    let converged = stationary(&SquaredError::new(points), &best, objective);
    let intervals = (boot.replicates > 0).then(|| {
        let curves: Vec<Curve> = bootstrap(points, boot.replicates, boot.seed, |sample| {
            fit_curve(sample, std::slice::from_ref(&best)).map(|(_, c, _)| c)
        })
        .into_iter()
        .flatten()
        .collect();
        let of = |get: fn(&Curve) -> f64| Interval::of(&curves.iter().map(get).collect::<Vec<_>>());
        Intervals {
            l0: of(|c| c.l0),
            gain: of(|c| c.gain),
            midpoint_steps: of(|c| c.midpoint_steps),
            exponent: of(|c| c.exponent),
            replicates: curves.len(),
        }
    });
    let n = points.len() as f64;
    let sq: f64 = points
        .iter()
        .map(|p| (curve.score(p.steps) - p.score).powi(2))
        .sum();
    Some(RlFit {
        curve,
        objective,
        rmse_logit: (objective / n).sqrt(),
        rmse_score: (sq / n).sqrt(),
        rows: points.len(),
        intervals,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::numeric_gradient;

    const TRUTH: Curve = Curve {
        l0: -1.0,
        gain: 2.5,
        midpoint_steps: 3000.0,
        exponent: 1.2,
    };

    fn points() -> Vec<Point> {
        let mut pts = vec![Point {
            steps: 0.0,
            score: TRUTH.score(0.0),
        }];
        for i in 0..30 {
            let steps = 10f64.powf(2.0 + 0.1 * f64::from(i));
            let wiggle = 0.02 * (f64::from(i) * 1.7).sin();
            pts.push(Point {
                steps,
                score: crate::model::sigmoid(TRUTH.logit(steps) + wiggle),
            });
        }
        pts
    }

    #[test]
    fn gradient_matches_numeric() {
        let o = SquaredError::new(&points());
        let p = [-0.5, 2.0, 8.0, 0.3];
        let (a, n) = (o.gradient(&p), numeric_gradient(&o, &p));
        for (x, y) in a.iter().zip(&n) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{a:?} vs {n:?}");
        }
    }

    #[test]
    fn recovers_a_known_curve() {
        let f = fit(
            &points(),
            Bootstrap {
                replicates: 30,
                seed: 2,
            },
        )
        .unwrap();
        let c = f.curve;
        assert!((c.l0 + 1.0).abs() < 0.05, "{c:?}");
        assert!((c.gain - 2.5).abs() < 0.1, "{c:?}");
        assert!((c.midpoint_steps / 3000.0 - 1.0).abs() < 0.1, "{c:?}");
        assert!((c.exponent - 1.2).abs() < 0.1, "{c:?}");
        assert!(f.rmse_logit < 0.02);
        assert_eq!(f.intervals.unwrap().replicates, 30);
    }
}
