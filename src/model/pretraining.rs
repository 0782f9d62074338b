//! Pretraining: the loss law `L(N, D) = E + A/N^alpha + B/D^beta` and effective compute (MODEL.md §2).

/// A Chinchilla-form loss law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Law {
    pub e: f64,
    pub a: f64,
    pub b: f64,
    pub alpha: f64,
    pub beta: f64,
}

impl Law {
    /// Besiroglu et al. 2024, the Epoch refit of Chinchilla (the default).
    pub const EPOCH: Law = Law { e: 1.8172, a: 482.01, b: 2085.43, alpha: 0.3478, beta: 0.3658 };
    /// Hoffmann et al. 2022.
    pub const CHINCHILLA: Law = Law { e: 1.69, a: 406.4, b: 410.7, alpha: 0.34, beta: 0.28 };

    /// `A/N^alpha + B/D^beta`, computed directly (never as `L - E`).
    pub fn reducible_loss(&self, params: f64, tokens: f64) -> f64 {
        todo!()
    }
    /// `E + reducible_loss`.
    pub fn loss(&self, params: f64, tokens: f64) -> f64 {
        todo!()
    }
    /// `alpha*beta/(alpha+beta)`.
    pub fn gamma(&self) -> f64 {
        todo!()
    }
    /// `G = (alpha*A/(beta*B))^(1/(alpha+beta))`.
    pub fn g(&self) -> f64 {
        todo!()
    }
    /// `K = A/G^alpha + B*G^beta`.
    pub fn k(&self) -> f64 {
        todo!()
    }
    /// `u = log10(6) + log10(K/R)/gamma + log10(efficiency)`, log10 FLOP.
    pub fn effective_log10_compute(&self, params: f64, tokens: f64, efficiency: f64) -> f64 {
        todo!()
    }
    /// Compute-optimal `(N, D)` for a budget of `compute` FLOP.
    pub fn optimal_split(&self, compute: f64) -> (f64, f64) {
        todo!()
    }
}

impl Default for Law {
    fn default() -> Self {
        Law::EPOCH
    }
}
