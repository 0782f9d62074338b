//! The capability model of MODEL.md: pure functions, one file per term, composed here.
//!
//! Every term is a number of logits on one domain's task suite:
//! `logit = pretrain + rl - erosion + inference`, and
//! `capability = floor + (1 - floor) * sigmoid(logit)`.
//! Nothing in this module does I/O, draws random numbers or knows about files.

pub mod erosion;
pub mod inference;
pub mod pretraining;
pub mod rl;

pub use erosion::ErosionParams;
pub use inference::{CeilingParams, InferenceParams};
pub use pretraining::Law;
pub use rl::RlParams;

/// One `[[domain]]`: a family of tasks scored by a success rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: String,
    /// Share of tasks with an automatic checker, in [0, 1].
    pub verifiability: f64,
    /// Logits gained per order of magnitude of effective compute (> 0).
    pub slope: f64,
    /// Effective compute (log10 FLOP) at which a model with no RL and no thinking is halfway.
    pub difficulty: f64,
    /// Chance level, in [0, 1).
    pub floor: f64,
}

/// The levers at one point in time, as the per-domain terms need them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeverPoint {
    /// Dense-equivalent parameters N.
    pub params: f64,
    /// Effective compute u, log10 FLOP.
    pub effective_log10_compute: f64,
    /// RL optimiser steps S.
    pub rl_steps: f64,
    /// RL progress h(S) in [0, 1].
    pub rl_progress: f64,
    /// Thinking tokens per query T.
    pub thinking_tokens: f64,
}

/// Everything besides the levers and the domain that the terms depend on.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TermParams {
    pub rl: RlParams,
    pub erosion: ErosionParams,
    pub inference: InferenceParams,
}

/// The four terms of one domain at one point, and what follows from them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms {
    pub capability: f64,
    pub logit: f64,
    pub pretrain: f64,
    pub rl: f64,
    pub erosion: f64,
    pub inference: f64,
    pub thought_ceiling: f64,
    pub effective_thinking_tokens: f64,
    pub thinking_multiplier_per_oom: f64,
}

/// Numerically stable logistic function `1 / (1 + exp(-x))`: evaluated as `e / (1 + e)` with
/// `e = exp(x)` for x < 0, so `exp` never overflows; 1 at +inf, 0 at -inf.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `floor + (1 - floor) * sigmoid(logit)`, never above 1 (rounding could add an ulp).
pub fn capability(floor: f64, logit: f64) -> f64 {
    let c = floor + (1.0 - floor) * sigmoid(logit);
    if c > 1.0 {
        1.0
    } else {
        c
    }
}

/// All terms of `domain` at `lever` (MODEL.md §3-5):
/// - `tau = v + (1 - v) x`, `Gmax = max(0, max_gain + gain_per_oom (u - ref))`;
/// - `pretrain = s (u - b)`, `rl = tau Gmax h` (h = `lever.rl_progress`),
///   `erosion` from N = `lever.params` and S = `lever.rl_steps`;
/// - `kappa = base_gain + rl_gain tau h`, `T_ceil` from tau and S, `inference = kappa log2(1 + T_eff/T0) - overthink`;
/// - `logit = pretrain + rl - erosion + inference`, `capability = floor + (1 - floor) sigmoid(logit)`;
/// - the effective thinking tokens `T_eff` and the thinking multiplier per OOM (for slope s).
pub fn domain_terms(domain: &Domain, params: &TermParams, lever: &LeverPoint) -> Terms {
    terms_with(domain, params, lever, true)
}

/// [`domain_terms`] with `thinking_multiplier_per_oom` left NaN unless `multiplier` (it is a
/// numeric search when overthinking is on, and the Monte Carlo forecasts never report it).
pub fn terms_with(
    domain: &Domain,
    params: &TermParams,
    lever: &LeverPoint,
    multiplier: bool,
) -> Terms {
    let t = four_terms(domain, params, lever);
    let tokens = lever.thinking_tokens;
    Terms {
        capability: capability(domain.floor, t.logit),
        logit: t.logit,
        pretrain: t.pretrain,
        rl: t.rl,
        erosion: t.erosion,
        inference: t.inference,
        thought_ceiling: t.ceiling,
        effective_thinking_tokens: inference::effective_tokens(
            tokens,
            t.ceiling,
            params.inference.ceiling.sharpness,
        ),
        thinking_multiplier_per_oom: if multiplier {
            inference::multiplier_per_oom(
                &params.inference,
                t.kappa,
                tokens,
                t.ceiling,
                domain.slope,
            )
        } else {
            f64::NAN
        },
    }
}

/// The logit of `domain` at `lever`, exactly as [`domain_terms`] computes it, without the
/// derived outputs (the thinking multiplier is a numeric search when overthinking is on): for
/// searches that score many levers.
pub fn domain_logit(domain: &Domain, params: &TermParams, lever: &LeverPoint) -> f64 {
    four_terms(domain, params, lever).logit
}

/// The four terms, their logit, and the `kappa` and `T_ceil` the derived outputs need.
struct FourTerms {
    pretrain: f64,
    rl: f64,
    erosion: f64,
    inference: f64,
    logit: f64,
    kappa: f64,
    ceiling: f64,
}

fn four_terms(domain: &Domain, params: &TermParams, lever: &LeverPoint) -> FourTerms {
    let v = domain.verifiability;
    let u = lever.effective_log10_compute;
    let h = lever.rl_progress;
    let steps = lever.rl_steps;
    let tokens = lever.thinking_tokens;

    let tau = rl::transfer_share(v, params.rl.transfer);
    let gmax = rl::max_gain(&params.rl, u);

    let pretrain = domain.slope * (u - domain.difficulty);
    let rl_term = rl::term(tau, gmax, h);
    let erosion_term = erosion::term(&params.erosion, v, lever.params, steps);

    let kappa = inference::kappa(&params.inference, tau, h);
    let ceiling = inference::thought_ceiling(&params.inference.ceiling, tau, steps);
    let inference_term = inference::term(&params.inference, kappa, tokens, ceiling);

    FourTerms {
        pretrain,
        rl: rl_term,
        erosion: erosion_term,
        inference: inference_term,
        logit: pretrain + rl_term - erosion_term + inference_term,
        kappa,
        ceiling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    const INF: f64 = f64::INFINITY;

    #[test]
    fn sigmoid_values() {
        assert_eq!(sigmoid(0.0), 0.5);
        // 1/(1 + e^-1) = 0.7310585786300049, e^-1/(1 + e^-1) = 0.2689414213699951
        assert_relative_eq!(sigmoid(1.0), 0.7310585786300049, max_relative = 1e-15);
        assert_relative_eq!(sigmoid(-1.0), 0.2689414213699951, max_relative = 1e-15);
        // e^-40 / (1 + e^-40) = 4.248354255291589e-18 (no cancellation)
        assert_relative_eq!(sigmoid(-40.0), 4.248354255291589e-18, max_relative = 1e-14);
        assert_eq!(sigmoid(1e308), 1.0);
        assert_eq!(sigmoid(-1e308), 0.0);
        assert_eq!(sigmoid(INF), 1.0);
        assert_eq!(sigmoid(-INF), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert_eq!(sigmoid(-800.0), 0.0);
    }

    #[test]
    fn capability_values() {
        // 0.25 + 0.75 * 0.5 = 0.625
        assert_eq!(capability(0.25, 0.0), 0.625);
        assert_eq!(capability(0.25, -1e308), 0.25);
        assert_eq!(capability(0.25, 1e308), 1.0);
        assert_eq!(capability(0.0, 0.0), 0.5);
        // 0.1 + 0.9 * 0.7310585786300049 = 0.7579527207670044
        assert_relative_eq!(
            capability(0.1, 1.0),
            0.7579527207670044,
            max_relative = 1e-15
        );
    }

    // The reference numbers of the two tests below were computed with python3 + mpmath from
    // MODEL.md §3-5, independently of this code (u = 26.1228404874746).

    #[test]
    fn domain_terms_hand_example_closed_form() {
        // v = 0.95, x = 0.05: tau = 0.9525; S = 1e5: h = 1/(1 + 0.05^1.5) = 0.9889432780222538;
        // Gmax = 2 + 0.5 (u - 26); erosion 0.05 * 0.3 * (1/1.8)^0.5 * log10(10);
        // T_ceil = 1000 sqrt(1 + 0.9525 * 100); T = 2000, k = 4, no overthinking; slope 0.5.
        let domain = Domain {
            name: "math".into(),
            verifiability: 0.95,
            slope: 0.5,
            difficulty: 28.3,
            floor: 0.1,
        };
        let mut params = TermParams::default();
        params.rl.transfer = 0.05;
        params.rl.gain_per_oom = 0.5;
        params.erosion.rate = 0.3;
        params.erosion.size_exponent = 0.5;
        let lever = LeverPoint {
            params: 1.8e12,
            effective_log10_compute: 26.1228404874746,
            rl_steps: 1e5,
            rl_progress: 0.9889432780222538,
            thinking_tokens: 2000.0,
        };
        let t = domain_terms(&domain, &params, &lever);
        let tol = 1e-12;
        assert_relative_eq!(t.pretrain, -1.0885797562627, max_relative = tol);
        assert_relative_eq!(t.rl, 1.9417928777949065, max_relative = tol);
        assert_relative_eq!(t.erosion, 0.011180339887498949, max_relative = tol);
        assert_relative_eq!(t.thought_ceiling, 9810.708435174292, max_relative = tol);
        assert_relative_eq!(
            t.effective_thinking_tokens,
            1999.137378914506,
            max_relative = tol
        );
        // kappa = 0.1 + 0.2 * 0.9525 * h = 0.28839369446323937
        assert_relative_eq!(t.inference, 1.266545706217308, max_relative = tol);
        assert_relative_eq!(t.logit, 2.1085784878620153, max_relative = tol);
        assert_relative_eq!(t.capability, 0.9025607536212295, max_relative = tol);
        assert_relative_eq!(
            t.thinking_multiplier_per_oom,
            3.687612740993127,
            max_relative = 1e-11
        );
    }

    #[test]
    fn domain_terms_hand_examples_overthinking() {
        // v = 0.2, S = 3e4: h = 1/(1 + (1/6)^1.5) = 0.9362933095037252; erosion 0.8 * 0.3 * log10(3);
        // overthinking 0.3, k = 4.
        let mut params = TermParams::default();
        params.erosion.rate = 0.3;
        params.inference.ceiling.overthinking = 0.3;
        let lever = LeverPoint {
            params: 1.8e12,
            effective_log10_compute: 26.1228404874746,
            rl_steps: 3e4,
            rl_progress: 0.9362933095037252,
            thinking_tokens: 5000.0,
        };

        // x = -0.5: tau = -0.2, so T_ceil = base = 1000 and RL hurts; T = 5000 is past the ceiling.
        params.rl.transfer = -0.5;
        let domain = Domain {
            name: "writing".into(),
            verifiability: 0.2,
            slope: 0.4,
            difficulty: 25.0,
            floor: 0.25,
        };
        let t = domain_terms(&domain, &params, &lever);
        let tol = 1e-12;
        assert_relative_eq!(t.pretrain, 0.44913619498984, max_relative = tol);
        assert_relative_eq!(t.rl, -0.3745173238014901, max_relative = tol);
        assert_relative_eq!(t.erosion, 0.11450910113271898, max_relative = tol);
        assert_eq!(t.thought_ceiling, 1000.0);
        assert_relative_eq!(
            t.effective_thinking_tokens,
            999.6003995206232,
            max_relative = tol
        );
        // 0.062548267619851 * log2(1 + T_eff/100) - 0.3 * log2(5)
        assert_relative_eq!(t.inference, -0.4802297607979132, max_relative = tol);
        assert_relative_eq!(t.logit, -0.5201199907422823, max_relative = tol);
        assert_relative_eq!(t.capability, 0.5296181321996493, max_relative = tol);
        assert_eq!(t.thinking_multiplier_per_oom, INF);

        // x = 0.5: tau = 0.6, T_ceil = 1000 sqrt(1 + 0.6 * 30) = 4358.898943540674; T = 300,
        // slope 0.1: numeric path (mpmath scan + bisection) m = 1.5146803842409744.
        params.rl.transfer = 0.5;
        let domain = Domain {
            name: "code".into(),
            verifiability: 0.2,
            slope: 0.1,
            difficulty: 25.0,
            floor: 0.0,
        };
        let lever = LeverPoint {
            thinking_tokens: 300.0,
            ..lever
        };
        let t = domain_terms(&domain, &params, &lever);
        assert_relative_eq!(t.pretrain, 0.11228404874746, max_relative = 1e-11);
        assert_relative_eq!(t.rl, 1.1235519714044704, max_relative = tol);
        assert_relative_eq!(t.thought_ceiling, 4358.898943540674, max_relative = tol);
        assert_relative_eq!(
            t.effective_thinking_tokens,
            299.998317198114,
            max_relative = tol
        );
        assert_relative_eq!(t.inference, 0.42470910540427464, max_relative = tol);
        assert_relative_eq!(t.logit, 1.546036024423486, max_relative = tol);
        assert_relative_eq!(t.capability, 0.8243404730363322, max_relative = tol);
        assert_relative_eq!(
            t.thinking_multiplier_per_oom,
            1.5146803842409744,
            max_relative = 1e-11
        );
    }

    #[test]
    fn domain_terms_no_rl_no_thinking() {
        // Defaults, S = 0, T = 0: only the pretrain term; u = b gives capability (1 + floor)/2.
        let domain = Domain {
            name: "d".into(),
            verifiability: 0.5,
            slope: 2.0,
            difficulty: 26.0,
            floor: 0.2,
        };
        let lever = LeverPoint {
            params: 1e12,
            effective_log10_compute: 26.0,
            rl_steps: 0.0,
            rl_progress: 0.0,
            thinking_tokens: 0.0,
        };
        let t = domain_terms(&domain, &TermParams::default(), &lever);
        assert_eq!(
            (t.pretrain, t.rl, t.erosion, t.inference, t.logit),
            (0.0, 0.0, 0.0, 0.0, 0.0)
        );
        // 0.2 + 0.8 * 0.5 = 0.6 (up to rounding)
        assert_relative_eq!(t.capability, 0.6, max_relative = 1e-15);
        assert_eq!(t.thought_ceiling, 1000.0);
        assert_eq!(t.effective_thinking_tokens, 0.0);
        assert_eq!(t.thinking_multiplier_per_oom, INF);
    }

    /// log-uniform in `[10^lo, 10^hi]`.
    fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
        (lo..=hi).prop_map(|e| 10f64.powf(e))
    }

    /// S in `[0, 1e12]`: exactly 0 sometimes, else log-uniform.
    fn steps() -> impl Strategy<Value = f64> {
        prop_oneof![1 => Just(0.0), 4 => log_uniform(-3.0, 12.0)]
    }

    /// T in `[0, 1e9]`: exactly 0 sometimes, else log-uniform.
    fn tokens() -> impl Strategy<Value = f64> {
        prop_oneof![1 => Just(0.0), 4 => log_uniform(-2.0, 9.0)]
    }

    fn or_inf(s: impl Strategy<Value = f64>) -> impl Strategy<Value = f64> {
        prop_oneof![3 => s, 1 => Just(INF)]
    }

    prop_compose! {
        fn domain()(v in 0.0..=1.0f64, slope in 1e-3..=5.0f64, difficulty in 15.0..40.0f64, floor in 0.0..0.999f64) -> Domain {
            Domain { name: "d".into(), verifiability: v, slope, difficulty, floor }
        }
    }

    prop_compose! {
        fn rl_params(nonneg: bool)(
            transfer in if nonneg { 0.0..=1.0f64 } else { -1.0..=1.0f64 },
            midpoint_steps in log_uniform(0.0, 8.0),
            exponent in 0.1..5.0f64,
            max_gain in if nonneg { 0.0..5.0f64 } else { -5.0..5.0f64 },
            gain_per_oom in if nonneg { 0.0..2.0f64 } else { -2.0..2.0f64 },
            reference_log10_compute in 20.0..30.0f64,
        ) -> RlParams {
            RlParams { transfer, midpoint_steps, exponent, max_gain, gain_per_oom, reference_log10_compute, tokens_per_step: 1e7 }
        }
    }

    prop_compose! {
        fn erosion_params()(
            rate in prop_oneof![Just(0.0), 0.0..3.0f64],
            onset_steps in log_uniform(0.0, 8.0),
            size_exponent in 0.0..1.0f64,
            reference_params in log_uniform(9.0, 14.0),
            power in 1.0..3.0f64,
        ) -> ErosionParams {
            ErosionParams { rate, onset_steps, size_exponent, reference_params, power }
        }
    }

    prop_compose! {
        fn inference_params()(
            base_gain in 0.0..1.0f64,
            rl_gain in 0.0..1.0f64,
            reference_tokens in log_uniform(0.0, 4.0),
            base in or_inf(log_uniform(0.0, 6.0)),
            rl_scale_steps in log_uniform(0.0, 6.0),
            rl_exponent in 0.0..2.0f64,
            max in or_inf(log_uniform(1.0, 9.0)),
            sharpness in or_inf(0.1001..=50.0f64),
            overthinking in prop_oneof![Just(0.0), 0.0..=2.0f64],
        ) -> InferenceParams {
            InferenceParams {
                base_gain,
                rl_gain,
                reference_tokens,
                answer_tokens: 500.0,
                ceiling: CeilingParams { base, rl_scale_steps, rl_exponent, max, sharpness, overthinking },
            }
        }
    }

    prop_compose! {
        fn term_params(nonneg: bool)(rl in rl_params(nonneg), erosion in erosion_params(), inference in inference_params()) -> TermParams {
            TermParams { rl, erosion, inference }
        }
    }

    fn lever(params: &TermParams, n: f64, d: f64, efficiency: f64, s: f64, t: f64) -> LeverPoint {
        LeverPoint {
            params: n,
            effective_log10_compute: Law::EPOCH.effective_log10_compute(n, d, efficiency),
            rl_steps: s,
            rl_progress: rl::progress(s, params.rl.midpoint_steps, params.rl.exponent),
            thinking_tokens: t,
        }
    }

    proptest! {
        #[test]
        fn terms_are_finite_and_bounded(
            dom in domain(),
            params in term_params(false),
            n in log_uniform(6.0, 16.0),
            d in log_uniform(6.0, 16.0),
            efficiency in log_uniform(-1.0, 3.0),
            s in steps(),
            t in tokens(),
        ) {
            let lv = lever(&params, n, d, efficiency, s, t);
            let r = domain_terms(&dom, &params, &lv);
            prop_assert!(r.capability.is_finite());
            prop_assert!(r.capability >= dom.floor && r.capability <= 1.0, "capability {} floor {}", r.capability, dom.floor);
            for (name, x) in [
                ("logit", r.logit), ("pretrain", r.pretrain), ("rl", r.rl), ("erosion", r.erosion),
                ("inference", r.inference), ("thought_ceiling", r.thought_ceiling),
                ("effective_thinking_tokens", r.effective_thinking_tokens),
                ("thinking_multiplier_per_oom", r.thinking_multiplier_per_oom),
            ] {
                prop_assert!(!x.is_nan(), "{} is NaN: {:?}", name, r);
            }
            prop_assert!(r.erosion >= 0.0);
            prop_assert!(r.effective_thinking_tokens >= 0.0);
            prop_assert!(r.effective_thinking_tokens <= t.min(r.thought_ceiling));
            prop_assert!(r.thinking_multiplier_per_oom >= 1.0);
            if params.inference.ceiling.is_off() {
                prop_assert_eq!(r.thought_ceiling, INF);
                prop_assert_eq!(r.effective_thinking_tokens, t);
            }
        }

        #[test]
        fn capability_non_decreasing_in_params(
            dom in domain(),
            mut params in term_params(true),
            n1 in log_uniform(6.0, 15.9),
            factor in log_uniform(0.0, 3.0),
            d in log_uniform(6.0, 16.0),
            efficiency in log_uniform(-1.0, 3.0),
            s in steps(),
            t in tokens(),
        ) {
            params.erosion.rate = 0.0;
            let n2 = n1 * factor;
            let l1 = lever(&params, n1, d, efficiency, s, t);
            let l2 = lever(&params, n2, d, efficiency, s, t);
            prop_assert!(l2.effective_log10_compute >= l1.effective_log10_compute);
            let c1 = domain_terms(&dom, &params, &l1).capability;
            let c2 = domain_terms(&dom, &params, &l2).capability;
            // Allow one rounding step of the sigmoid's e/(1+e) branch.
            prop_assert!(c2 >= c1 - 1e-15, "c1 {} c2 {}", c1, c2);
        }

        #[test]
        fn progress_in_unit_interval_and_non_decreasing(
            s1 in steps(),
            ratio in log_uniform(0.0, 6.0),
            mid in log_uniform(-2.0, 10.0),
            exponent in 0.05..10.0f64,
        ) {
            let s2 = s1 * ratio;
            let h1 = rl::progress(s1, mid, exponent);
            let h2 = rl::progress(s2, mid, exponent);
            prop_assert!((0.0..=1.0).contains(&h1) && (0.0..=1.0).contains(&h2));
            prop_assert!(h2 >= h1, "h({}) = {} > h({}) = {}", s1, h1, s2, h2);
        }

        #[test]
        fn soft_min_below_both(t in tokens(), ceil in or_inf(log_uniform(-3.0, 9.0)), k in or_inf(0.1001..=50.0f64)) {
            let e = inference::effective_tokens(t, ceil, k);
            prop_assert!(e >= 0.0 && e <= t.min(ceil));
        }

        #[test]
        fn multiplier_reaches_the_slope(
            inf_params in inference_params(),
            kappa in 0.01..1.0f64,
            t in log_uniform(0.0, 6.0),
            ceil in log_uniform(1.0, 7.0),
            slope in 0.01..3.0f64,
        ) {
            let ceil = if inf_params.ceiling.is_off() { INF } else { ceil };
            let m = inference::multiplier_per_oom(&inf_params, kappa, t, ceil, slope);
            prop_assert!(m >= 1.0);
            if m.is_finite() && m < 1e100 {
                let gain = inference::term(&inf_params, kappa, m * t, ceil) - inference::term(&inf_params, kappa, t, ceil);
                prop_assert!((gain - slope).abs() <= 1e-8 * (1.0 + slope), "gain {} slope {} m {}", gain, slope, m);
            }
        }
    }
}
