//! Uncertain numbers (MODEL.md §6): the six distribution families, their medians and supports.

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

impl Dist {
    /// Apply the clamp.
    pub fn clamp(&self, x: f64) -> f64 {
        let x = self.min.map_or(x, |m| x.max(m));
        self.max.map_or(x, |m| x.min(m))
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
}
