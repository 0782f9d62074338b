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
    pub const EPOCH: Law = Law {
        e: 1.8172,
        a: 482.01,
        b: 2085.43,
        alpha: 0.3478,
        beta: 0.3658,
    };
    /// Hoffmann et al. 2022.
    pub const CHINCHILLA: Law = Law {
        e: 1.69,
        a: 406.4,
        b: 410.7,
        alpha: 0.34,
        beta: 0.28,
    };

    /// `R = A/N^alpha + B/D^beta`, computed directly (never as `L - E`).
    pub fn reducible_loss(&self, params: f64, tokens: f64) -> f64 {
        self.a / params.powf(self.alpha) + self.b / tokens.powf(self.beta)
    }

    /// `L = E + R` with `R` from [`Law::reducible_loss`].
    pub fn loss(&self, params: f64, tokens: f64) -> f64 {
        self.e + self.reducible_loss(params, tokens)
    }

    /// `gamma = alpha*beta/(alpha+beta)`: the exponent of the compute-optimal frontier `R = K (C/6)^-gamma`.
    pub fn gamma(&self) -> f64 {
        self.alpha * self.beta / (self.alpha + self.beta)
    }

    /// `G = (alpha*A/(beta*B))^(1/(alpha+beta))`: compute-optimal `N = G (C/6)^(beta/(alpha+beta))`.
    pub fn g(&self) -> f64 {
        (self.alpha * self.a / (self.beta * self.b)).powf(1.0 / (self.alpha + self.beta))
    }

    /// `K = A/G^alpha + B*G^beta`: the reducible loss of the compute-optimal model at `C/6 = 1`.
    pub fn k(&self) -> f64 {
        let g = self.g();
        self.a / g.powf(self.alpha) + self.b * g.powf(self.beta)
    }

    /// `u = log10(6) + log10(K/R)/gamma + log10(efficiency)`, log10 FLOP: the compute-optimal
    /// training compute that reaches the loss of `(N, D)`, times the algorithmic `efficiency`.
    pub fn effective_log10_compute(&self, params: f64, tokens: f64, efficiency: f64) -> f64 {
        let r = self.reducible_loss(params, tokens);
        6f64.log10() + (self.k() / r).log10() / self.gamma() + efficiency.log10()
    }

    /// Compute-optimal `(N, D)` for a budget of `C = compute` FLOP:
    /// `N = G (C/6)^(beta/(alpha+beta))`, `D = (C/6)^(alpha/(alpha+beta)) / G` (so `6 N D = C`).
    pub fn optimal_split(&self, compute: f64) -> (f64, f64) {
        let x = compute / 6.0;
        let sum = self.alpha + self.beta;
        let g = self.g();
        let n = g * x.powf(self.beta / sum);
        let d = x.powf(self.alpha / sum) / g;
        (n, d)
    }
}

impl Default for Law {
    fn default() -> Self {
        Law::EPOCH
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // Reference values below were computed with python3 + mpmath at 40 digits from the
    // decimal constants of MODEL.md §2, independently of this code.

    #[test]
    fn epoch_constants() {
        let l = Law::EPOCH;
        // gamma = 0.3478*0.3658/(0.3478+0.3658) = 0.12722524/0.7136
        assert_relative_eq!(l.gamma(), 0.17828649103139013, max_relative = 1e-14);
        // G = (0.3478*482.01/(0.3658*2085.43))^(1/0.7136)
        assert_relative_eq!(l.g(), 0.11962984977039545, max_relative = 1e-12);
        // K = 482.01/G^0.3478 + 2085.43*G^0.3658
        assert_relative_eq!(l.k(), 1967.861778576378, max_relative = 1e-12);
    }

    #[test]
    fn reducible_loss_and_loss() {
        let l = Law::EPOCH;
        // R = 482.01/1.8e12^0.3478 + 2085.43/13e12^0.3658
        let r = l.reducible_loss(1.8e12, 13e12);
        assert_relative_eq!(r, 0.05961820282788134, max_relative = 1e-12);
        assert_relative_eq!(
            l.loss(1.8e12, 13e12),
            1.8768182028278813,
            max_relative = 1e-14
        );
        // R = 482.01/1e9^0.3478 + 2085.43/2e10^0.3658
        assert_relative_eq!(
            l.reducible_loss(1e9, 2e10),
            0.7128503236787036,
            max_relative = 1e-12
        );
    }

    #[test]
    fn gpt4_scale_effective_compute_epoch() {
        // MODEL.md §2: N = 1.8e12, D = 13e12 gives u = 26.12 under the epoch law.
        // u = log10(6) + log10(K/R)/gamma with K, R, gamma as above = 26.122840487474600...
        let u = Law::EPOCH.effective_log10_compute(1.8e12, 13e12, 1.0);
        assert_relative_eq!(u, 26.1228404874746, max_relative = 1e-9);
        assert!((u - 26.12).abs() < 0.005);
    }

    #[test]
    fn chinchilla_effective_compute_and_efficiency() {
        let l = Law::CHINCHILLA;
        // Same formula with E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28: u = 25.847590906712576
        assert_relative_eq!(
            l.effective_log10_compute(1.8e12, 13e12, 1.0),
            25.847590906712576,
            max_relative = 1e-9
        );
        // efficiency 3 adds log10(3): 26.324712161432235
        assert_relative_eq!(
            l.effective_log10_compute(1.8e12, 13e12, 3.0),
            26.324712161432235,
            max_relative = 1e-9
        );
    }

    #[test]
    fn optimal_split_values() {
        // C = 1e25: x = C/6; N = G x^(0.3658/0.7136), D = x^(0.3478/0.7136)/G
        let (n, d) = Law::EPOCH.optimal_split(1e25);
        assert_relative_eq!(n, 312070340941.8871, max_relative = 1e-10);
        assert_relative_eq!(d, 5340676277137.88, max_relative = 1e-10);
        assert_relative_eq!(6.0 * n * d, 1e25, max_relative = 1e-12);
    }

    #[test]
    fn optimal_split_round_trips_to_log10_compute() {
        // At the optimum R = K (C/6)^-gamma, so u = log10(6) + log10(C/6) = log10(C).
        for law in [
            Law::EPOCH,
            Law::CHINCHILLA,
            Law {
                e: 1.0,
                a: 50.0,
                b: 3000.0,
                alpha: 0.5,
                beta: 0.2,
            },
        ] {
            for lc in [18.0, 22.5, 25.0, 26.3, 30.0, 35.0] {
                let (n, d) = law.optimal_split(10f64.powf(lc));
                let u = law.effective_log10_compute(n, d, 1.0);
                assert_relative_eq!(u, lc, max_relative = 1e-12);
            }
        }
    }

    #[test]
    fn more_params_more_compute() {
        let l = Law::EPOCH;
        let a = l.effective_log10_compute(1e11, 1e13, 1.0);
        let b = l.effective_log10_compute(1e12, 1e13, 1.0);
        assert!(b > a);
    }
}
