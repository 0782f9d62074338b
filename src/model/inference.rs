//! Inference-time thinking: the thought-length ceiling, effective thinking tokens, overthinking,
//! the inference term and the thinking multiplier per OOM (MODEL.md §4-5).

/// `[inference.ceiling]`. `Default` holds MODEL.md's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CeilingParams {
    /// `base` > 0; `inf` turns the ceiling off.
    pub base: f64,
    pub rl_scale_steps: f64,
    pub rl_exponent: f64,
    /// `max` > 0, may be inf.
    pub max: f64,
    /// `k` > 0, may be inf (hard minimum).
    pub sharpness: f64,
    /// Logits lost per doubling of T past the ceiling (>= 0).
    pub overthinking: f64,
}

impl Default for CeilingParams {
    fn default() -> Self {
        CeilingParams {
            base: 1000.0,
            rl_scale_steps: 1000.0,
            rl_exponent: 0.5,
            max: f64::INFINITY,
            sharpness: 4.0,
            overthinking: 0.0,
        }
    }
}

/// `[inference]` keys other than the lever itself. `Default` holds MODEL.md's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InferenceParams {
    pub base_gain: f64,
    pub rl_gain: f64,
    pub reference_tokens: f64,
    pub answer_tokens: f64,
    pub ceiling: CeilingParams,
}

impl Default for InferenceParams {
    fn default() -> Self {
        InferenceParams {
            base_gain: 0.1,
            rl_gain: 0.2,
            reference_tokens: 100.0,
            answer_tokens: 500.0,
            ceiling: CeilingParams::default(),
        }
    }
}

impl CeilingParams {
    /// True when `base = inf`: no ceiling at all.
    pub fn is_off(&self) -> bool {
        self.base == f64::INFINITY
    }
}

/// `log2(1 + x)`, via `ln_1p` for precision at small x.
fn log2_1p(x: f64) -> f64 {
    x.ln_1p() / std::f64::consts::LN_2
}

/// `kappa = base_gain + rl_gain * tau * h`, logits per doubling of effective thinking tokens.
pub fn kappa(p: &InferenceParams, tau: f64, progress: f64) -> f64 {
    p.base_gain + p.rl_gain * tau * progress
}

/// `T_ceil = min(base * (1 + max(tau, 0) * S / rl_scale_steps)^rl_exponent, max)`; inf when off
/// (`base = inf`), whatever `max`.
pub fn thought_ceiling(c: &CeilingParams, tau: f64, steps: f64) -> f64 {
    if c.is_off() {
        return f64::INFINITY;
    }
    let growth = 1.0 + tau.max(0.0) * steps / c.rl_scale_steps;
    (c.base * growth.powf(c.rl_exponent)).min(c.max)
}

/// Soft minimum `T_eff = (T^-k + T_ceil^-k)^(-1/k)`, evaluated as `m * (1 + (m/M)^k)^(-1/k)`
/// with `m = min(T, T_ceil)`, `M = max(T, T_ceil)` (the power taken as `exp(-ln_1p((m/M)^k) / k)`);
/// `T` when the ceiling is infinite, 0 when T = 0, `m` when k = inf. Never above `m`.
pub fn effective_tokens(tokens: f64, ceiling: f64, sharpness: f64) -> f64 {
    if tokens <= 0.0 {
        return 0.0;
    }
    if ceiling == f64::INFINITY {
        return tokens;
    }
    let m = tokens.min(ceiling);
    if sharpness == f64::INFINITY || m <= 0.0 {
        return m;
    }
    let big = tokens.max(ceiling);
    let r = (m / big).powf(sharpness);
    m * (-r.ln_1p() / sharpness).exp()
}

/// `overthink = overthinking * max(0, log2(T / T_ceil))`; 0 when T = 0, when the ceiling is off
/// or infinite, or when `overthinking = 0` (never `0 * inf`).
pub fn overthink(c: &CeilingParams, tokens: f64, ceiling: f64) -> f64 {
    if c.overthinking == 0.0 || tokens <= 0.0 || c.is_off() || ceiling == f64::INFINITY {
        return 0.0;
    }
    let ratio = tokens / ceiling;
    // Doublings past the ceiling; a difference of logs if the ratio overflows.
    let doublings = if ratio.is_finite() {
        ratio.log2()
    } else {
        tokens.log2() - ceiling.log2()
    };
    c.overthinking * doublings.max(0.0)
}

/// `inference = kappa * log2(1 + T_eff / T0) - overthink` for `tokens` T and ceiling `ceiling`,
/// with `T_eff` from [`effective_tokens`] (sharpness `p.ceiling.sharpness`) and `T0 = reference_tokens`.
pub fn term(p: &InferenceParams, kappa: f64, tokens: f64, ceiling: f64) -> f64 {
    let t_eff = effective_tokens(tokens, ceiling, p.ceiling.sharpness);
    kappa * log2_1p(t_eff / p.reference_tokens) - overthink(&p.ceiling, tokens, ceiling)
}

/// The thinking multiplier per OOM: the smallest m >= 1 with `term(m T) - term(T) >= slope`,
/// or inf (MODEL.md §5). Inf when T = 0 or kappa <= 0.
///
/// Closed form when `overthinking = 0` or the ceiling is infinite (off): with
/// `t = (T0 + T_eff) * 2^(slope/kappa) - T0`, inf unless `t < T_ceil` (`t <= T_ceil` when k = inf);
/// `T' = t * (1 - (t/T_ceil)^k)^(-1/k)` (`T' = t` when k = inf or no ceiling); `m = T'/T`.
/// Otherwise numeric: the first `m = 2^(j/64)`, `j = 0..=12800`, whose gain reaches `slope`, then
/// bisection between it and its predecessor to relative 1e-12; inf if none reaches it.
pub fn multiplier_per_oom(
    p: &InferenceParams,
    kappa: f64,
    tokens: f64,
    ceiling: f64,
    slope: f64,
) -> f64 {
    if tokens <= 0.0 || kappa <= 0.0 {
        return f64::INFINITY;
    }
    if p.ceiling.overthinking == 0.0 || ceiling == f64::INFINITY {
        closed_form_multiplier(p, kappa, tokens, ceiling, slope)
    } else {
        numeric_multiplier(p, kappa, tokens, ceiling, slope)
    }
}

/// The closed form of [`multiplier_per_oom`] (valid when the gain rises with m).
fn closed_form_multiplier(
    p: &InferenceParams,
    kappa: f64,
    tokens: f64,
    ceiling: f64,
    slope: f64,
) -> f64 {
    let k = p.ceiling.sharpness;
    let t0 = p.reference_tokens;
    let t_eff = effective_tokens(tokens, ceiling, k);
    let factor = (slope / kappa).exp2();
    if !factor.is_finite() {
        return f64::INFINITY;
    }
    // The effective tokens needed: kappa * log2((T0 + t) / (T0 + T_eff)) = slope.
    let t = (t0 + t_eff) * factor - t0;
    let needed = if ceiling == f64::INFINITY {
        t
    } else if k == f64::INFINITY {
        if t > ceiling {
            return f64::INFINITY;
        }
        t
    } else {
        if t >= ceiling {
            return f64::INFINITY;
        }
        // Inverse soft-min: T' = t * (1 - (t/T_ceil)^k)^(-1/k).
        let r = (t / ceiling).powf(k);
        t * (-(-r).ln_1p() / k).exp()
    };
    // m >= 1 by definition; rounding can put a tiny gain's m just below 1.
    (needed / tokens).max(1.0)
}

/// The numeric search of [`multiplier_per_oom`] (the gain may fall past the ceiling).
fn numeric_multiplier(
    p: &InferenceParams,
    kappa: f64,
    tokens: f64,
    ceiling: f64,
    slope: f64,
) -> f64 {
    let base = term(p, kappa, tokens, ceiling);
    let gain = |m: f64| term(p, kappa, m * tokens, ceiling) - base;

    // Shortcut, no change to the result: T_eff <= T_ceil and overthink >= 0, so no gain exceeds
    // `kappa * log2(1 + T_ceil/T0) - base`; a small margin keeps rounding on the safe side.
    let bound = kappa * log2_1p(ceiling / p.reference_tokens) - base;
    if bound + 1e-9 * (1.0 + bound.abs()) < slope {
        return f64::INFINITY;
    }

    let mut prev = 1.0;
    for j in 0..=12800u32 {
        let m = (f64::from(j) / 64.0).exp2();
        if gain(m) >= slope {
            if j == 0 {
                return m;
            }
            return bisect(&gain, prev, m, slope);
        }
        prev = m;
    }
    f64::INFINITY
}

/// Bisection of `gain(m) = slope` on `[lo, hi]` with `gain(lo) < slope <= gain(hi)`, until
/// `hi - lo <= 1e-12 * hi`; returns `hi`, the end that reaches `slope`.
fn bisect(gain: &impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, slope: f64) -> f64 {
    for _ in 0..200 {
        if hi - lo <= 1e-12 * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if gain(mid) >= slope {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const INF: f64 = f64::INFINITY;

    // Reference numbers were computed with python3 + mpmath at 40 digits, directly from the
    // textbook forms of MODEL.md §4-5 (e.g. the soft-min as (T^-k + C^-k)^(-1/k)).

    fn params(base: f64, max: f64, sharpness: f64, overthinking: f64) -> InferenceParams {
        InferenceParams {
            ceiling: CeilingParams {
                base,
                max,
                sharpness,
                overthinking,
                ..CeilingParams::default()
            },
            ..InferenceParams::default()
        }
    }

    /// `term(m T) - term(T)`.
    fn gain(p: &InferenceParams, kappa: f64, t: f64, ceil: f64, m: f64) -> f64 {
        term(p, kappa, m * t, ceil) - term(p, kappa, t, ceil)
    }

    /// Brute force: scan m = (1 + 1e-5)^i from 1 up to `m_max` and return the bracket
    /// `(last m with gain < s, first m with gain >= s)`, or None.
    fn brute_first_crossing(
        p: &InferenceParams,
        kappa: f64,
        t: f64,
        ceil: f64,
        s: f64,
        m_max: f64,
    ) -> Option<(f64, f64)> {
        let step = 1.0 + 1e-5;
        let mut prev = 1.0;
        let mut m = 1.0;
        while m <= m_max {
            if gain(p, kappa, t, ceil, m) >= s {
                return Some((prev, m));
            }
            prev = m;
            m *= step;
        }
        None
    }

    /// The result lies in the brute-force bracket, reaches s and is the smallest that does.
    fn check_against_brute_force(
        p: &InferenceParams,
        kappa: f64,
        t: f64,
        ceil: f64,
        s: f64,
    ) -> f64 {
        let m = multiplier_per_oom(p, kappa, t, ceil, s);
        assert!(m.is_finite() && m >= 1.0);
        let (lo, hi) =
            brute_first_crossing(p, kappa, t, ceil, s, 1e3).expect("brute force finds a crossing");
        assert!(
            m >= lo * (1.0 - 1e-12) && m <= hi * (1.0 + 1e-12),
            "m {m} outside [{lo}, {hi}]"
        );
        assert!(gain(p, kappa, t, ceil, m * (1.0 + 1e-10)) >= s);
        assert!(gain(p, kappa, t, ceil, m * (1.0 - 1e-9)) < s);
        m
    }

    #[test]
    fn defaults_match_model_md() {
        let p = InferenceParams::default();
        assert_eq!(
            (p.base_gain, p.rl_gain, p.reference_tokens, p.answer_tokens),
            (0.1, 0.2, 100.0, 500.0)
        );
        let c = p.ceiling;
        assert_eq!(
            (
                c.base,
                c.rl_scale_steps,
                c.rl_exponent,
                c.max,
                c.sharpness,
                c.overthinking
            ),
            (1000.0, 1000.0, 0.5, INF, 4.0, 0.0)
        );
        assert!(!c.is_off());
        assert!(CeilingParams { base: INF, ..c }.is_off());
    }

    #[test]
    fn kappa_values() {
        let p = InferenceParams::default();
        // 0.1 + 0.2 * 0.955 * 0.7387961250362586 = 0.24111005988192538
        assert_relative_eq!(
            kappa(&p, 0.955, 0.7387961250362586),
            0.2411100598819254,
            max_relative = 1e-14
        );
        assert_eq!(kappa(&p, 0.955, 0.0), 0.1);
        // negative transfer can push kappa below 0: 0.1 + 0.2 * (-1) * 1 = -0.1
        assert_relative_eq!(kappa(&p, -1.0, 1.0), -0.1, max_relative = 1e-14);
    }

    #[test]
    fn ceiling_values() {
        let c = CeilingParams::default();
        // 1000 * (1 + 0.955 * 1e4 / 1000)^0.5 = 1000 * sqrt(10.55) = 3248.076353782343
        assert_relative_eq!(
            thought_ceiling(&c, 0.955, 1e4),
            3248.076353782343,
            max_relative = 1e-14
        );
        // no RL: the base
        assert_eq!(thought_ceiling(&c, 0.955, 0.0), 1000.0);
        // negative tau counts as 0
        assert_eq!(thought_ceiling(&c, -0.3, 1e6), 1000.0);
        // rl_exponent 0.7, tau 0.5, S = 3000: 1000 * 2.5^0.7 = 1899.1444823309348
        let c7 = CeilingParams {
            rl_exponent: 0.7,
            ..c
        };
        assert_relative_eq!(
            thought_ceiling(&c7, 0.5, 3000.0),
            1899.1444823309348,
            max_relative = 1e-14
        );
        // capped at max
        let capped = CeilingParams { max: 2000.0, ..c };
        assert_eq!(thought_ceiling(&capped, 0.955, 1e4), 2000.0);
        // base = inf is off whatever max
        let off = CeilingParams {
            base: INF,
            max: 2000.0,
            ..c
        };
        assert_eq!(thought_ceiling(&off, 0.955, 1e4), INF);
    }

    #[test]
    fn soft_min_values() {
        // (1000^-4 + 3000^-4)^(-1/4) = 996.9371768941205
        assert_relative_eq!(
            effective_tokens(1000.0, 3000.0, 4.0),
            996.9371768941205,
            max_relative = 1e-14
        );
        // symmetric: (5000^-4 + 3000^-4)^(-1/4) = 2909.9805337525095
        assert_relative_eq!(
            effective_tokens(5000.0, 3000.0, 4.0),
            2909.9805337525095,
            max_relative = 1e-14
        );
        // k = 0.5: (1000^-0.5 + 3000^-0.5)^-2 = 401.92378864668405
        assert_relative_eq!(
            effective_tokens(1000.0, 3000.0, 0.5),
            401.92378864668405,
            max_relative = 1e-13
        );
        // T = T_ceil: T * 2^(-1/k) = 1000 * 2^(-1/4) = 840.8964152537145
        assert_relative_eq!(
            effective_tokens(1000.0, 1000.0, 4.0),
            840.8964152537145,
            max_relative = 1e-14
        );
        // k = inf: the minimum
        assert_eq!(effective_tokens(1000.0, 3000.0, INF), 1000.0);
        assert_eq!(effective_tokens(5000.0, 3000.0, INF), 3000.0);
        // T = 0 gives 0, also with k = inf and no ceiling
        assert_eq!(effective_tokens(0.0, 3000.0, 4.0), 0.0);
        assert_eq!(effective_tokens(0.0, 3000.0, INF), 0.0);
        assert_eq!(effective_tokens(0.0, INF, 4.0), 0.0);
        // ceiling off gives T
        assert_eq!(effective_tokens(1234.5, INF, 4.0), 1234.5);
        assert_eq!(effective_tokens(1234.5, INF, INF), 1234.5);
        // the naive form would overflow (1e-3^-300); the stable one does not:
        assert_relative_eq!(
            effective_tokens(1e9, 1e-3, 300.0),
            1e-3,
            max_relative = 1e-14
        );
        // (1e18 + 1e-6)^(-1/2) = 1e-3 * (1 + 1e-24)^(-1/2)
        assert_relative_eq!(effective_tokens(1e9, 1e-3, 2.0), 1e-3, max_relative = 1e-15);
        // very sharp and very soft stay finite
        assert!(effective_tokens(1000.0, 1000.0, 1e-3).is_finite());
        assert_eq!(effective_tokens(1000.0, 1000.0, 1e300), 1000.0);
    }

    #[test]
    fn overthink_values() {
        let c = CeilingParams {
            overthinking: 0.5,
            ..CeilingParams::default()
        };
        // 0.5 * log2(8000/1000) = 0.5 * 3 = 1.5
        assert_eq!(overthink(&c, 8000.0, 1000.0), 1.5);
        // below the ceiling: 0
        assert_eq!(overthink(&c, 500.0, 1000.0), 0.0);
        // T = 0, ceiling off, ceiling infinite, overthinking 0: 0
        assert_eq!(overthink(&c, 0.0, 1000.0), 0.0);
        assert_eq!(
            overthink(&CeilingParams { base: INF, ..c }, 8000.0, INF),
            0.0
        );
        assert_eq!(overthink(&c, 8000.0, INF), 0.0);
        assert_eq!(overthink(&CeilingParams::default(), 8000.0, 1000.0), 0.0);
    }

    #[test]
    fn term_values() {
        let p = InferenceParams::default();
        // 0.3 * log2(1 + 996.9371768941205/100) = 1.0366226993575542
        assert_relative_eq!(
            term(&p, 0.3, 1000.0, 3000.0),
            1.0366226993575542,
            max_relative = 1e-14
        );
        // no ceiling: 0.3 * log2(1 + 700/100) = 0.3 * 3 = 0.9
        assert_relative_eq!(term(&p, 0.3, 700.0, INF), 0.9, max_relative = 1e-15);
        // overthinking 0.5, T = 8000, ceiling 1000:
        // 0.3 * log2(1 + (8000^-4 + 1000^-4)^(-1/4)/100) - 0.5 * 3 = -0.4621945264431301
        let p = params(1000.0, INF, 4.0, 0.5);
        assert_relative_eq!(
            term(&p, 0.3, 8000.0, 1000.0),
            -0.4621945264431301,
            max_relative = 1e-13
        );
        assert_eq!(term(&p, 0.3, 0.0, 1000.0), 0.0);
    }

    #[test]
    fn multiplier_closed_form_no_ceiling() {
        let p = params(INF, INF, 4.0, 0.0);
        // t = (100 + 1000) * 2^(1/0.3) - 100 = 10987.305239074884; m = t / 1000
        let m = check_against_brute_force(&p, 0.3, 1000.0, INF, 1.0);
        assert_relative_eq!(m, 10.987305239074884, max_relative = 1e-12);
        // the closed form also holds with overthinking when the ceiling is off
        let p = params(INF, INF, 4.0, 0.7);
        assert_relative_eq!(
            multiplier_per_oom(&p, 0.3, 1000.0, INF, 1.0),
            10.987305239074884,
            max_relative = 1e-12
        );
    }

    #[test]
    fn multiplier_closed_form_with_soft_ceiling() {
        let p = params(1e5, INF, 4.0, 0.0);
        // T_eff = (1000^-4 + 1e5^-4)^(-1/4); t = (100 + T_eff) * 2^(1/0.3) - 100;
        // T' = t (1 - (t/1e5)^4)^(-1/4); m = T'/1000 = 10.987705559894257
        let m = check_against_brute_force(&p, 0.3, 1000.0, 1e5, 1.0);
        assert_relative_eq!(m, 10.987705559894257, max_relative = 1e-12);
        // k = 2, ceiling 1e4, T = 2000, kappa 0.25, s = 0.5: m = 7.018664461468442
        let p = params(1e4, INF, 2.0, 0.0);
        let m = check_against_brute_force(&p, 0.25, 2000.0, 1e4, 0.5);
        assert_relative_eq!(m, 7.018664461468442, max_relative = 1e-12);
    }

    #[test]
    fn multiplier_closed_form_hard_ceiling() {
        let p = params(1e5, INF, INF, 0.0);
        // k = inf below the ceiling: T' = t = 10987.305239074884, m = 10.987305239074884
        let m = check_against_brute_force(&p, 0.3, 1000.0, 1e5, 1.0);
        assert_relative_eq!(m, 10.987305239074884, max_relative = 1e-12);
        // t exactly at the ceiling: kappa 1, s 1, T 450: t = (100 + 450) * 2 - 100 = 1000 = T_ceil,
        // allowed with k = inf (m = 1000/450).
        let p = params(1000.0, INF, INF, 0.0);
        assert_relative_eq!(
            multiplier_per_oom(&p, 1.0, 450.0, 1000.0, 1.0),
            1000.0 / 450.0,
            max_relative = 1e-15
        );
        // The same with k = 4: T_eff = (450^-4 + 1000^-4)^(-1/4), t = 2 (100 + T_eff) - 100 = 991.003 < 1000,
        // T' = t (1 - (t/1000)^4)^(-1/4) close to the ceiling: m = 5.073288931331822.
        let p4 = params(1000.0, INF, 4.0, 0.0);
        let m = check_against_brute_force(&p4, 1.0, 450.0, 1000.0, 1.0);
        assert_relative_eq!(m, 5.073288931331822, max_relative = 1e-12);
        // T = 500: t = 2 (100 + T_eff(500)) - 100 = 1084.96 >= 1000: a finite k never gets there.
        assert_eq!(multiplier_per_oom(&p4, 1.0, 500.0, 1000.0, 1.0), INF);
        // past the ceiling with k = inf: more thinking never helps
        assert_eq!(multiplier_per_oom(&p, 1.0, 2000.0, 1000.0, 0.1), INF);
    }

    #[test]
    fn multiplier_unreachable_under_soft_ceiling() {
        // T = 1000, ceiling 3000, k = 4: T_eff = 996.94, t = 1096.94 * 2^(1/0.3) - 100 = 10956 > 3000
        let p = params(3000.0, INF, 4.0, 0.0);
        assert_eq!(multiplier_per_oom(&p, 0.3, 1000.0, 3000.0, 1.0), INF);
    }

    #[test]
    fn multiplier_inf_cases() {
        let p = InferenceParams::default();
        assert_eq!(multiplier_per_oom(&p, 0.3, 0.0, 3000.0, 1.0), INF);
        assert_eq!(multiplier_per_oom(&p, 0.0, 1000.0, 3000.0, 1.0), INF);
        assert_eq!(multiplier_per_oom(&p, -0.1, 1000.0, 3000.0, 1.0), INF);
        let pov = params(1000.0, INF, 4.0, 0.5);
        assert_eq!(multiplier_per_oom(&pov, 0.0, 1000.0, 3000.0, 1.0), INF);
        assert_eq!(multiplier_per_oom(&pov, 0.3, 0.0, 3000.0, 1.0), INF);
        // 2^(s/kappa) overflows
        let off = params(INF, INF, 4.0, 0.0);
        assert_eq!(multiplier_per_oom(&off, 1e-10, 1000.0, INF, 1.0), INF);
    }

    #[test]
    fn multiplier_numeric_with_overthinking() {
        // overthinking 0.5, ceiling 3000, k = 4, kappa 0.3, T = 300, s = 0.5. mpmath scan + bisection
        // of term(m T) - term(T) = 0.5 gives m = 3.9225345400177543 (m T < T_ceil: overthink inactive,
        // so it equals the closed form with overthinking 0).
        let p = params(3000.0, INF, 4.0, 0.5);
        let m = check_against_brute_force(&p, 0.3, 300.0, 3000.0, 0.5);
        assert_relative_eq!(m, 3.9225345400177543, max_relative = 1e-11);
        assert_relative_eq!(gain(&p, 0.3, 300.0, 3000.0, m), 0.5, max_relative = 1e-11);
        let p0 = params(3000.0, INF, 4.0, 0.0);
        assert_relative_eq!(
            multiplier_per_oom(&p0, 0.3, 300.0, 3000.0, 0.5),
            m,
            max_relative = 1e-11
        );

        // overthinking 0.05, s = 0.83: the crossing lies past the ceiling (m T = 3498 > 3000);
        // mpmath: m = 11.661737997557251
        let p = params(3000.0, INF, 4.0, 0.05);
        let m = check_against_brute_force(&p, 0.3, 300.0, 3000.0, 0.83);
        assert_relative_eq!(m, 11.661737997557251, max_relative = 1e-11);
        assert_relative_eq!(gain(&p, 0.3, 300.0, 3000.0, m), 0.83, max_relative = 1e-11);
    }

    #[test]
    fn multiplier_numeric_unreachable() {
        let p = params(3000.0, INF, 4.0, 0.5);
        // The largest gain (mpmath) is 0.81253 near m T = T_ceil; the no-overthink bound
        // 0.3 log2(31) - term(300) = 0.88627. s = 0.85 needs the full scan, s = 1 the shortcut.
        assert_eq!(multiplier_per_oom(&p, 0.3, 300.0, 3000.0, 0.85), INF);
        assert_eq!(multiplier_per_oom(&p, 0.3, 300.0, 3000.0, 1.0), INF);
        // ... and 0.81 is reached.
        assert!(multiplier_per_oom(&p, 0.3, 300.0, 3000.0, 0.81).is_finite());
    }
}
