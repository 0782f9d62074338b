//! What RL adds, measured in pairs: each reasoner against its non-reasoning contemporary from the
//! same developer, the difference of their scores on one benchmark as logits above the floor.
//! The model's own reasoner-minus-contemporary difference (MODEL.md §4, at reference levers) is
//! then fitted to those differences, benchmark by benchmark through each benchmark's share of
//! automatically graded items, which gives `rl.max_gain` and `rl.transfer`.

use crate::fit::logit;
use crate::model::{domain_terms, rl, Domain, LeverPoint, TermParams};

/// Scores are kept this far from the floor and from 1 before taking logits (a 0 or a 1 has no
/// finite logit).
pub const CLAMP: f64 = 0.005;

/// A score as logits above `floor`.
pub fn logit_above(score: f64, floor: f64) -> f64 {
    let q = ((score - floor) / (1.0 - floor)).clamp(CLAMP, 1.0 - CLAMP);
    logit(q)
}

/// The levers of a reasoner and of its contemporary, as the model sees them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reference {
    pub reasoner: LeverPoint,
    pub contemporary: LeverPoint,
}

/// The model's logit difference between a reasoner and its contemporary on a task suite with
/// verifiability `v`, under `params` with `rl.max_gain = max_gain` and `rl.transfer = transfer`.
pub fn model_gain(params: &TermParams, r: &Reference, v: f64, max_gain: f64, transfer: f64) -> f64 {
    let mut p = params.clone();
    p.rl.max_gain = max_gain;
    p.rl.transfer = transfer;
    let d = Domain {
        name: String::new(),
        verifiability: v,
        slope: 1.0,
        difficulty: 0.0,
        floor: 0.0,
    };
    domain_terms(&d, &p, &r.reasoner).logit - domain_terms(&d, &p, &r.contemporary).logit
}

/// One benchmark's mean paired gain, its weight (the number of pairs) and its verifiability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gain {
    pub mean: f64,
    pub pairs: usize,
    pub verifiable: f64,
}

/// The fitted RL parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RlFit {
    pub max_gain: f64,
    /// None when no benchmark with pairs has items without an automatic checker: transfer is
    /// then not identified (and the scenario's is kept).
    pub transfer: Option<f64>,
    /// Weighted sum of squared errors of the mean gains.
    pub cost: f64,
}

/// Fit `max_gain >= 0` and `transfer` in [-1, 1] by weighted least squares on the mean gains.
///
/// `max_gain` enters the model's gain linearly (as long as `gain_per_oom` keeps Gmax positive,
/// which holds at the reference's effective compute), so for each transfer on a grid of
/// step 1/2000 it is solved in closed form; the best grid transfer is refined by golden-section
/// search.
pub fn fit(
    params: &TermParams,
    r: &Reference,
    gains: &[Gain],
    default_transfer: f64,
) -> Option<RlFit> {
    if gains.is_empty() {
        return None;
    }
    let identified = gains.iter().any(|g| g.verifiable < 1.0);
    let at = |x: f64| -> (f64, f64) {
        let (mut num, mut den) = (0.0, 0.0);
        let parts: Vec<(f64, f64)> = gains
            .iter()
            .map(|g| {
                let a = model_gain(params, r, g.verifiable, 0.0, x);
                let b = model_gain(params, r, g.verifiable, 1.0, x) - a;
                (a, b)
            })
            .collect();
        for (g, &(a, b)) in gains.iter().zip(&parts) {
            let w = g.pairs as f64;
            num += w * b * (g.mean - a);
            den += w * b * b;
        }
        let m = if den > 0.0 { (num / den).max(0.0) } else { 0.0 };
        let cost = gains
            .iter()
            .zip(&parts)
            .map(|(g, &(a, b))| g.pairs as f64 * (g.mean - a - b * m).powi(2))
            .sum();
        (m, cost)
    };
    if !identified {
        let (m, cost) = at(default_transfer);
        return Some(RlFit {
            max_gain: m,
            transfer: None,
            cost,
        });
    }
    let n = 4000;
    let xs = (0..=n).map(|i| -1.0 + 2.0 * f64::from(i) / f64::from(n));
    let (mut best_x, mut best_cost) = (0.0, f64::INFINITY);
    for x in xs {
        let (_, c) = at(x);
        if c < best_cost {
            (best_x, best_cost) = (x, c);
        }
    }
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let step = 2.0 / f64::from(n);
    let (mut a, mut b) = ((best_x - step).max(-1.0), (best_x + step).min(1.0));
    while b - a > 1e-10 {
        let c = b - ratio * (b - a);
        let d = a + ratio * (b - a);
        if at(c).1 <= at(d).1 {
            b = d;
        } else {
            a = c;
        }
    }
    let x = (a + b) / 2.0;
    let (x, (m, cost)) = if at(x).1 <= best_cost {
        (x, at(x))
    } else {
        (best_x, at(best_x))
    };
    Some(RlFit {
        max_gain: m,
        transfer: Some(x),
        cost,
    })
}

/// The lever point of a model at effective compute `u`, `steps` of RL and `tokens` of thinking.
pub fn lever_point(params: &TermParams, u: f64, size: f64, steps: f64, tokens: f64) -> LeverPoint {
    LeverPoint {
        params: size,
        effective_log10_compute: u,
        rl_steps: steps,
        rl_progress: rl::progress(steps, params.rl.midpoint_steps, params.rl.exponent),
        thinking_tokens: tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(params: &TermParams) -> Reference {
        Reference {
            reasoner: lever_point(params, 25.5, 1e12, 1e4, 4000.0),
            contemporary: lever_point(params, 25.5, 1e12, 0.0, 300.0),
        }
    }

    #[test]
    fn logit_above_the_floor() {
        assert!((logit_above(0.625, 0.25) - 0.0).abs() < 1e-15);
        assert!((logit_above(0.5, 0.0)).abs() < 1e-15);
        assert_eq!(logit_above(0.0, 0.0), logit(CLAMP));
        assert_eq!(logit_above(1.0, 0.25), logit(1.0 - CLAMP));
    }

    #[test]
    fn model_gain_by_hand() {
        // No thinking and no ceiling effects: the gain is tau * Gmax * h.
        let mut p = TermParams::default();
        p.inference.base_gain = 0.0;
        p.inference.rl_gain = 0.0;
        let r = Reference {
            reasoner: lever_point(&p, 25.0, 1e12, 5000.0, 0.0),
            contemporary: lever_point(&p, 25.0, 1e12, 0.0, 0.0),
        };
        // h(S_mid) = 1/2; tau = 0.5 + 0.5 * 0.2 = 0.6.
        let g = model_gain(&p, &r, 0.5, 2.0, 0.2);
        assert!((g - 0.6 * 2.0 * 0.5).abs() < 1e-12, "{g}");
    }

    #[test]
    fn recovers_gain_and_transfer() {
        let p = TermParams::default();
        let r = reference(&p);
        let (gmax, x) = (1.7, -0.15);
        let gains: Vec<Gain> = [1.0, 1.0, 0.9, 0.0, 0.5]
            .iter()
            .enumerate()
            .map(|(i, &v)| Gain {
                mean: model_gain(&p, &r, v, gmax, x),
                pairs: 3 + i,
                verifiable: v,
            })
            .collect();
        let f = fit(&p, &r, &gains, 0.0).unwrap();
        assert!((f.max_gain - gmax).abs() < 1e-6, "{f:?}");
        assert!((f.transfer.unwrap() - x).abs() < 1e-6, "{f:?}");
        assert!(f.cost < 1e-12);
        // Only fully checkable benchmarks: transfer is not identified.
        let checkable: Vec<Gain> = gains
            .iter()
            .copied()
            .filter(|g| g.verifiable == 1.0)
            .collect();
        let f = fit(&p, &r, &checkable, 0.3).unwrap();
        assert_eq!(f.transfer, None);
        assert!((f.max_gain - gmax).abs() < 1e-6, "{f:?}");
    }
}
