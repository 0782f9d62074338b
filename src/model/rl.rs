//! RL post-training: transfer, RL progress (ScaleRL sigmoid) and the RL term (MODEL.md §3-4).

/// `[rl]` keys other than the lever itself. `Default` holds MODEL.md's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RlParams {
    /// `rl.transfer` x in [-1, 1].
    pub transfer: f64,
    /// `rl.midpoint_steps` S_mid > 0.
    pub midpoint_steps: f64,
    /// `rl.exponent` beta_rl > 0.
    pub exponent: f64,
    /// `rl.max_gain`.
    pub max_gain: f64,
    /// `rl.gain_per_oom`.
    pub gain_per_oom: f64,
    /// `rl.reference_log10_compute`.
    pub reference_log10_compute: f64,
    /// `rl.tokens_per_step` > 0.
    pub tokens_per_step: f64,
}

impl Default for RlParams {
    fn default() -> Self {
        RlParams {
            transfer: 0.0,
            midpoint_steps: 5000.0,
            exponent: 1.5,
            max_gain: 2.0,
            gain_per_oom: 0.0,
            reference_log10_compute: 26.0,
            tokens_per_step: 1e7,
        }
    }
}

/// `tau = v + (1 - v) * x`: the share of a domain's tasks that RL helps (MODEL.md §3).
pub fn transfer_share(verifiability: f64, transfer: f64) -> f64 {
    verifiability + (1.0 - verifiability) * transfer
}

/// `h = 1 / (1 + (S_mid / S)^beta_rl)` for S > 0, else 0 (the ScaleRL sigmoid over steps).
///
/// For tiny S the ratio `S_mid / S` overflows to inf and h is 0; for huge S it underflows to 0
/// and h is 1; never NaN for S in `[0, inf]`.
pub fn progress(steps: f64, midpoint_steps: f64, exponent: f64) -> f64 {
    if steps <= 0.0 {
        return 0.0;
    }
    1.0 / (1.0 + (midpoint_steps / steps).powf(exponent))
}

/// `Gmax = max(0, max_gain + gain_per_oom * (u - reference_log10_compute))`.
pub fn max_gain(p: &RlParams, effective_log10_compute: f64) -> f64 {
    (p.max_gain + p.gain_per_oom * (effective_log10_compute - p.reference_log10_compute)).max(0.0)
}

/// `rl = tau * Gmax * h`.
pub fn term(tau: f64, gmax: f64, progress: f64) -> f64 {
    tau * gmax * progress
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn defaults_match_model_md() {
        let p = RlParams::default();
        assert_eq!(p.transfer, 0.0);
        assert_eq!(p.midpoint_steps, 5000.0);
        assert_eq!(p.exponent, 1.5);
        assert_eq!(p.max_gain, 2.0);
        assert_eq!(p.gain_per_oom, 0.0);
        assert_eq!(p.reference_log10_compute, 26.0);
        assert_eq!(p.tokens_per_step, 1e7);
    }

    #[test]
    fn transfer_share_values() {
        // 0.95 + 0.05 * 0.1 = 0.955
        assert_relative_eq!(transfer_share(0.95, 0.1), 0.955, max_relative = 1e-15);
        // 0.3 + 0.7 * (-0.5) = -0.05
        assert_relative_eq!(transfer_share(0.3, -0.5), -0.05, max_relative = 1e-12);
        // x = 0: tau = v; x = 1: tau = 1; v = 1: tau = 1 whatever x
        assert_eq!(transfer_share(0.4, 0.0), 0.4);
        assert_eq!(transfer_share(0.4, 1.0), 1.0);
        assert_eq!(transfer_share(1.0, -1.0), 1.0);
    }

    #[test]
    fn progress_half_at_midpoint() {
        // (S_mid/S)^beta = 1^beta = 1, so h = 1/2 exactly.
        assert_eq!(progress(5000.0, 5000.0, 1.5), 0.5);
        assert_eq!(progress(123.0, 123.0, 0.3), 0.5);
    }

    #[test]
    fn progress_values() {
        // 1/(1 + 0.5^1.5) = 1/(1 + 0.35355339...) = 0.7387961250362586
        assert_relative_eq!(
            progress(1e4, 5000.0, 1.5),
            0.7387961250362586,
            max_relative = 1e-14
        );
        // 1/(1 + 2^1.5) = 1/(1 + 2.8284271...) = 0.2612038749637414
        assert_relative_eq!(
            progress(2500.0, 5000.0, 1.5),
            0.2612038749637414,
            max_relative = 1e-14
        );
        // 1/(1 + 0.005^0.7) = 0.9760798257171182
        assert_relative_eq!(
            progress(1e6, 5000.0, 0.7),
            0.9760798257171182,
            max_relative = 1e-14
        );
    }

    #[test]
    fn progress_extremes() {
        assert_eq!(progress(0.0, 5000.0, 1.5), 0.0);
        assert_eq!(progress(-1.0, 5000.0, 1.5), 0.0);
        // (5000/1e-300)^1.5 overflows to inf: h = 1/inf = 0, not NaN.
        assert_eq!(progress(1e-300, 5000.0, 1.5), 0.0);
        // (5000/1e-3)^1.5 = 5e6^1.5 = 11180339887.49895: h = 8.94427190079e-11
        assert_relative_eq!(
            progress(1e-3, 5000.0, 1.5),
            8.944271909199159e-11,
            max_relative = 1e-12
        );
        assert_eq!(progress(1e300, 5000.0, 1.5), 1.0);
        assert_eq!(progress(f64::INFINITY, 5000.0, 1.5), 1.0);
        assert_eq!(progress(f64::MIN_POSITIVE / 1e10, 1e300, 50.0), 0.0);
    }

    #[test]
    fn max_gain_values() {
        let mut p = RlParams::default();
        // gain_per_oom = 0: Gmax = max_gain = 2
        assert_eq!(max_gain(&p, 30.0), 2.0);
        p.gain_per_oom = 0.5;
        // 2 + 0.5 * (26.1228404874746 - 26) = 2.0614202437373
        assert_relative_eq!(
            max_gain(&p, 26.1228404874746),
            2.0614202437373,
            max_relative = 1e-13
        );
        // 2 + 0.5 * (20 - 26) = -1, clamped to 0
        assert_eq!(max_gain(&p, 20.0), 0.0);
    }

    #[test]
    fn term_value() {
        // 0.955 * 2 * 0.7387961250362586 = 1.411100598819254
        assert_relative_eq!(
            term(0.955, 2.0, 0.7387961250362586),
            1.411100598819254,
            max_relative = 1e-14
        );
        assert_eq!(term(0.5, 2.0, 0.0), 0.0);
    }
}
