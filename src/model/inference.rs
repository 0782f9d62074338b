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
        todo!()
    }
}

/// `kappa = base_gain + rl_gain * tau * h`, logits per doubling.
pub fn kappa(p: &InferenceParams, tau: f64, progress: f64) -> f64 {
    todo!()
}

/// `T_ceil = min(base * (1 + max(tau, 0) * S / rl_scale_steps)^rl_exponent, max)`; inf when off.
pub fn thought_ceiling(c: &CeilingParams, tau: f64, steps: f64) -> f64 {
    todo!()
}

/// Soft minimum `(T^-k + T_ceil^-k)^(-1/k)`, evaluated as `m * (1 + (m/M)^k)^(-1/k)`;
/// `T` when the ceiling is infinite, 0 when T = 0, `min` when k = inf.
pub fn effective_tokens(tokens: f64, ceiling: f64, sharpness: f64) -> f64 {
    todo!()
}

/// `overthinking * max(0, log2(T / T_ceil))`; 0 when T = 0 or the ceiling is off.
pub fn overthink(c: &CeilingParams, tokens: f64, ceiling: f64) -> f64 {
    todo!()
}

/// `kappa * log2(1 + T_eff / T0) - overthink` for `tokens` T and ceiling `ceiling`.
pub fn term(p: &InferenceParams, kappa: f64, tokens: f64, ceiling: f64) -> f64 {
    todo!()
}

/// The smallest m >= 1 with `term(m T) - term(T) >= slope`, or inf (MODEL.md §5).
pub fn multiplier_per_oom(p: &InferenceParams, kappa: f64, tokens: f64, ceiling: f64, slope: f64) -> f64 {
    todo!()
}
