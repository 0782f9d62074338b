//! Uncertain numbers (MODEL.md §6): the six distribution families, their medians, supports and
//! quantile functions (inverse CDFs), and the standard normal CDF and its inverse that the
//! Gaussian copula of Monte Carlo runs needs.

/// z of the 95th percentile of the standard normal.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution family with its parameters, in the form the file gave them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    Fixed { value: f64 },
    Normal { mean: f64, sd: f64 },
    LogNormal { median: f64, sigma: f64 },
    Uniform { low: f64, high: f64 },
    LogUniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
}

/// A distribution with its optional clamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dist {
    pub family: Family,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Family {
    /// `normal {p5, p95}` in its `{mean, sd}` form.
    pub fn normal_from_percentiles(p5: f64, p95: f64) -> Family {
        Family::Normal {
            mean: (p5 + p95) / 2.0,
            sd: (p95 - p5) / (2.0 * Z95),
        }
    }

    /// `lognormal {p5, p95}` in its `{median, sigma}` form.
    pub fn lognormal_from_percentiles(p5: f64, p95: f64) -> Family {
        Family::LogNormal {
            median: p5.sqrt() * p95.sqrt(),
            sigma: (p95.ln() - p5.ln()) / (2.0 * Z95),
        }
    }

    /// The family's name as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            Family::Fixed { .. } => "fixed",
            Family::Normal { .. } => "normal",
            Family::LogNormal { .. } => "lognormal",
            Family::Uniform { .. } => "uniform",
            Family::LogUniform { .. } => "loguniform",
            Family::Triangular { .. } => "triangular",
        }
    }

    /// The median before clamping, by MODEL.md §6's formulas.
    pub fn median(&self) -> f64 {
        match *self {
            Family::Fixed { value } => value,
            Family::Normal { mean, .. } => mean,
            Family::LogNormal { median, .. } => median,
            Family::Uniform { low, high } => (low + high) / 2.0,
            Family::LogUniform { low, high } => low.sqrt() * high.sqrt(),
            Family::Triangular { low, mode, high } => {
                if mode >= (low + high) / 2.0 {
                    low + ((high - low) * (mode - low) / 2.0).sqrt()
                } else {
                    high - ((high - low) * (high - mode) / 2.0).sqrt()
                }
            }
        }
    }

    /// Closed support `[lo, hi]`, and whether `lo` is excluded (lognormal and loguniform never
    /// reach 0... a loguniform reaches its `low`, a lognormal stays above 0).
    pub fn support(&self) -> (f64, f64, bool) {
        match *self {
            Family::Fixed { value } => (value, value, false),
            Family::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY, true),
            Family::LogNormal { .. } => (0.0, f64::INFINITY, true),
            Family::Uniform { low, high }
            | Family::LogUniform { low, high }
            | Family::Triangular { low, high, .. } => (low, high, false),
        }
    }
}

/// The standard normal CDF `Phi(x)`, accurate to a few ulps in relative terms in both tails:
/// a Taylor series of `Phi(x) - 1/2` for `|x| <= 3`, Laplace's continued fraction for the tail
/// `Q(|x|)` beyond.
pub fn phi(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.abs() <= 3.0 {
        // Phi(x) = 1/2 + pdf(x) * (x + x^3/3 + x^5/(3*5) + ...)
        let (mut term, mut sum) = (x, x);
        let x2 = x * x;
        let mut k = 1.0;
        while term.abs() > 1e-17 * sum.abs() {
            k += 2.0;
            term *= x2 / k;
            sum += term;
        }
        0.5 + pdf(x) * sum
    } else {
        let t = x.abs();
        // Q(t) = pdf(t) / (t + 1/(t + 2/(t + 3/(t + ...)))), evaluated from the back.
        let mut f = t;
        for k in (1..=60).rev() {
            f = t + f64::from(k) / f;
        }
        let q = pdf(t) / f;
        if x < 0.0 {
            q
        } else {
            1.0 - q
        }
    }
}

/// The standard normal density.
fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// The inverse of [`phi`]: Acklam's rational approximation (relative error 1.2e-9) refined by
/// one Halley step on [`phi`], which brings it to full double precision. `-inf` at 0, `inf` at 1.
pub fn inverse_phi(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p > 0.5 {
        // 1 - p is exact for p >= 1/2.
        return -inverse_phi(1.0 - p);
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let x = if p < 0.02425 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // Halley: e = Phi(x) - p, u = e / pdf(x), x -= u / (1 + x u / 2).
    let u = (phi(x) - p) / pdf(x);
    x - u / (1.0 + 0.5 * x * u)
}

impl Family {
    /// The family's quantile function (inverse CDF) at `p` in (0, 1), before clamping.
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Family::Fixed { value } => value,
            Family::Normal { mean, sd } => mean + sd * inverse_phi(p),
            Family::LogNormal { median, sigma } => median * (sigma * inverse_phi(p)).exp(),
            _ => self.from_uniform(p),
        }
    }

    /// The value at standard normal score `z`: `quantile(Phi(z))`, without the round trip
    /// through `Phi` for the normal and lognormal families.
    pub fn from_normal(&self, z: f64) -> f64 {
        match *self {
            Family::Normal { mean, sd } => mean + sd * z,
            Family::LogNormal { median, sigma } => median * (sigma * z).exp(),
            _ => self.from_uniform(phi(z)),
        }
    }

    /// Whether [`Family::from_normal`] is the cheap way to draw this family (else
    /// [`Family::from_uniform`]).
    pub fn is_gaussian(&self) -> bool {
        matches!(self, Family::Normal { .. } | Family::LogNormal { .. })
    }

    /// The quantile at `u` in (0, 1) for the families drawn from a uniform; the normal and
    /// lognormal go through [`inverse_phi`].
    pub fn from_uniform(&self, u: f64) -> f64 {
        match *self {
            Family::Fixed { value } => value,
            Family::Normal { .. } | Family::LogNormal { .. } => self.from_normal(inverse_phi(u)),
            Family::Uniform { low, high } => low + (high - low) * u,
            Family::LogUniform { low, high } => (low.ln() + (high.ln() - low.ln()) * u).exp(),
            Family::Triangular { low, mode, high } => {
                let width = high - low;
                if u * width < mode - low {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
        }
    }
}

impl Dist {
    /// Apply the clamp.
    pub fn clamp(&self, x: f64) -> f64 {
        let x = self.min.map_or(x, |m| x.max(m));
        self.max.map_or(x, |m| x.min(m))
    }

    /// The quantile at `p` in (0, 1), clamped: `p = 0.05` and `0.95` are the p5 / p95 that
    /// sensitivity analysis uses.
    pub fn quantile(&self, p: f64) -> f64 {
        self.clamp(self.family.quantile(p))
    }

    /// The value a deterministic run uses: the family's median, clamped.
    pub fn median(&self) -> f64 {
        self.clamp(self.family.median())
    }

    /// Support after clamping: `(lo, hi, lo_open)`. `lo_open` means values get arbitrarily close
    /// to `lo` without reaching it.
    pub fn support(&self) -> (f64, f64, bool) {
        let (mut lo, mut hi, mut open) = self.family.support();
        if let Some(m) = self.min {
            if m >= lo {
                open = false;
                lo = m;
            }
            hi = hi.max(m);
        }
        if let Some(m) = self.max {
            if m < hi {
                hi = m;
            }
            if m <= lo {
                lo = m;
                open = false;
            }
        }
        (lo, hi, open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn medians_follow_model_md() {
        assert_eq!(Family::Normal { mean: 2.0, sd: 1.0 }.median(), 2.0);
        assert_eq!(Family::normal_from_percentiles(1.0, 3.0).median(), 2.0);
        // sqrt(4) * sqrt(9) = 6
        assert_relative_eq!(
            Family::lognormal_from_percentiles(4.0, 9.0).median(),
            6.0,
            max_relative = 1e-15
        );
        assert_eq!(
            Family::Uniform {
                low: 0.0,
                high: 0.1
            }
            .median(),
            0.05
        );
        // sqrt(1e2) * sqrt(1e4) = 1e3
        assert_relative_eq!(
            Family::LogUniform {
                low: 1e2,
                high: 1e4
            }
            .median(),
            1e3,
            max_relative = 1e-15
        );
        // mode 8 >= 5: 0 + sqrt(10 * 8 / 2) = sqrt(40)
        assert_relative_eq!(
            Family::Triangular {
                low: 0.0,
                mode: 8.0,
                high: 10.0
            }
            .median(),
            40f64.sqrt()
        );
        // mode 2 < 5: 10 - sqrt(10 * 8 / 2)
        assert_relative_eq!(
            Family::Triangular {
                low: 0.0,
                mode: 2.0,
                high: 10.0
            }
            .median(),
            10.0 - 40f64.sqrt()
        );
    }

    #[test]
    fn percentile_forms_put_p5_and_p95_at_z95() {
        let Family::Normal { mean, sd } = Family::normal_from_percentiles(1.0, 3.0) else {
            unreachable!()
        };
        assert_relative_eq!(mean + Z95 * sd, 3.0, max_relative = 1e-15);
        let Family::LogNormal { median, sigma } = Family::lognormal_from_percentiles(4.0, 9.0)
        else {
            unreachable!()
        };
        assert_relative_eq!(median * (Z95 * sigma).exp(), 9.0, max_relative = 1e-14);
    }

    #[test]
    fn clamp_applies_to_median_and_support() {
        let d = Dist {
            family: Family::Normal {
                mean: -1.0,
                sd: 1.0,
            },
            min: Some(0.5),
            max: None,
        };
        assert_eq!(d.median(), 0.5);
        assert_eq!(d.support(), (0.5, f64::INFINITY, false));
        let d = Dist {
            family: Family::Uniform {
                low: 0.0,
                high: 1.0,
            },
            min: None,
            max: Some(0.25),
        };
        assert_eq!(d.support(), (0.0, 0.25, false));
    }

    #[test]
    fn phi_and_its_inverse_match_reference_values() {
        // Reference values from mpmath (ncdf, sqrt(2) erfinv(2p - 1)) at 40 digits.
        for (x, want) in [
            (1.0, 0.841_344_746_068_542_9),
            (-3.0, 0.001_349_898_031_630_094_5),
            (-8.0, 6.220_960_574_271_784e-16),
            (0.5, 0.691_462_461_274_013_1),
            (3.5, 0.999_767_370_920_964_5),
        ] {
            assert_relative_eq!(phi(x), want, max_relative = 1e-14);
        }
        assert_eq!(phi(0.0), 0.5);
        for (p, want) in [
            (0.95, 1.644_853_626_951_472_7),
            (0.975, 1.959_963_984_540_054_2),
            (1e-10, -6.361_340_902_404_056),
            (0.3, -0.524_400_512_708_040_8),
            (1.0 - 2f64.powi(-20), 4.763_001_034_267_814),
        ] {
            assert_relative_eq!(inverse_phi(p), want, max_relative = 1e-13);
        }
        assert_eq!(inverse_phi(0.5), 0.0);
        assert_eq!(inverse_phi(0.0), f64::NEG_INFINITY);
        for i in 1..200 {
            let p = f64::from(i) / 200.0;
            assert_relative_eq!(phi(inverse_phi(p)), p, max_relative = 1e-14);
        }
    }

    #[test]
    fn quantiles_of_each_family_by_hand() {
        let z = Z95;
        let normal = Family::Normal { mean: 2.0, sd: 3.0 };
        assert_relative_eq!(normal.quantile(0.95), 2.0 + 3.0 * z, max_relative = 1e-14);
        assert_relative_eq!(normal.quantile(0.5), 2.0);
        // percentile form gives back its p5 and p95
        let n = Family::normal_from_percentiles(10.0, 20.0);
        assert_relative_eq!(n.quantile(0.05), 10.0, max_relative = 1e-14);
        assert_relative_eq!(n.quantile(0.95), 20.0, max_relative = 1e-14);
        let l = Family::lognormal_from_percentiles(1e3, 1e5);
        assert_relative_eq!(l.quantile(0.05), 1e3, max_relative = 1e-13);
        assert_relative_eq!(l.quantile(0.95), 1e5, max_relative = 1e-13);
        assert_relative_eq!(l.quantile(0.5), 1e4, max_relative = 1e-14);
        let u = Family::Uniform {
            low: 1.0,
            high: 3.0,
        };
        assert_eq!(u.quantile(0.25), 1.5);
        // loguniform on [1, 100]: p = 0.5 -> 10, p = 0.25 -> 10^0.5
        let lu = Family::LogUniform {
            low: 1.0,
            high: 100.0,
        };
        assert_relative_eq!(lu.quantile(0.5), 10.0, max_relative = 1e-14);
        assert_relative_eq!(lu.quantile(0.25), 10f64.sqrt(), max_relative = 1e-14);
        // triangular (0, 2, 10): F(2) = 0.2; p = 0.1 -> sqrt(0.1 * 10 * 2) = sqrt(2);
        // p = 0.6 -> 10 - sqrt(0.4 * 10 * 8) = 10 - sqrt(32)
        let t = Family::Triangular {
            low: 0.0,
            mode: 2.0,
            high: 10.0,
        };
        assert_relative_eq!(t.quantile(0.1), 2f64.sqrt(), max_relative = 1e-14);
        assert_relative_eq!(t.quantile(0.6), 10.0 - 32f64.sqrt(), max_relative = 1e-14);
        // the median formula of MODEL.md is the quantile at 1/2
        for f in [
            t,
            Family::Triangular {
                low: 0.0,
                mode: 8.0,
                high: 10.0,
            },
            lu,
            u,
            l,
            n,
        ] {
            assert_relative_eq!(f.quantile(0.5), f.median(), max_relative = 1e-13);
        }
        assert_eq!(Family::Fixed { value: 4.0 }.quantile(0.9), 4.0);
        // from_normal agrees with quantile(Phi(z))
        for f in [t, lu, u, l, n] {
            assert_relative_eq!(
                f.from_normal(0.7),
                f.quantile(phi(0.7)),
                max_relative = 1e-12
            );
        }
        // clamping applies to quantiles
        let d = Dist {
            family: normal,
            min: Some(0.0),
            max: Some(5.0),
        };
        assert_eq!(d.quantile(0.001), 0.0);
        assert_eq!(d.quantile(0.999), 5.0);
    }
}
