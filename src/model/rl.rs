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

/// `tau = v + (1 - v) * x`.
pub fn transfer_share(verifiability: f64, transfer: f64) -> f64 {
    todo!()
}

/// `h = 1 / (1 + (S_mid / S)^beta_rl)` for S > 0, else 0.
pub fn progress(steps: f64, midpoint_steps: f64, exponent: f64) -> f64 {
    todo!()
}

/// `Gmax = max(0, max_gain + gain_per_oom * (u - reference_log10_compute))`.
pub fn max_gain(p: &RlParams, effective_log10_compute: f64) -> f64 {
    todo!()
}

/// `rl = tau * Gmax * h`.
pub fn term(tau: f64, gmax: f64, progress: f64) -> f64 {
    todo!()
}
