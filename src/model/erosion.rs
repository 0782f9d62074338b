//! Competency erosion under heavy RL, on the unverifiable part of a domain (MODEL.md §4).

/// `[erosion]` keys. `Default` holds MODEL.md's defaults (rate 0: off).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErosionParams {
    pub rate: f64,
    pub onset_steps: f64,
    pub size_exponent: f64,
    pub reference_params: f64,
    pub power: f64,
}

impl Default for ErosionParams {
    fn default() -> Self {
        ErosionParams { rate: 0.0, onset_steps: 1e4, size_exponent: 0.0, reference_params: 1e12, power: 1.0 }
    }
}

/// `(1 - v) * rate * (N_ref / N)^size_exponent * max(0, log10(S / onset))^power`; exactly 0 when S <= onset.
pub fn term(p: &ErosionParams, verifiability: f64, params: f64, steps: f64) -> f64 {
    todo!()
}
