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
        ErosionParams {
            rate: 0.0,
            onset_steps: 1e4,
            size_exponent: 0.0,
            reference_params: 1e12,
            power: 1.0,
        }
    }
}

/// `(1 - v) * rate * (N_ref / N)^size_exponent * max(0, log10(S / onset))^power`; exactly 0 when
/// S <= onset, and also when `rate = 0` or `v = 1` (so an infinite size factor cannot make NaN).
pub fn term(p: &ErosionParams, verifiability: f64, params: f64, steps: f64) -> f64 {
    if steps <= p.onset_steps || p.rate == 0.0 || verifiability == 1.0 {
        return 0.0;
    }
    let ratio = steps / p.onset_steps;
    // Decades of steps past onset; fall back to a difference of logs if the ratio overflows.
    let decades = if ratio.is_finite() {
        ratio.log10()
    } else {
        steps.log10() - p.onset_steps.log10()
    };
    if decades <= 0.0 {
        return 0.0;
    }
    (1.0 - verifiability)
        * p.rate
        * (p.reference_params / params).powf(p.size_exponent)
        * decades.powf(p.power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn on(rate: f64) -> ErosionParams {
        ErosionParams {
            rate,
            ..ErosionParams::default()
        }
    }

    #[test]
    fn defaults_match_model_md() {
        let p = ErosionParams::default();
        assert_eq!(
            (
                p.rate,
                p.onset_steps,
                p.size_exponent,
                p.reference_params,
                p.power
            ),
            (0.0, 1e4, 0.0, 1e12, 1.0)
        );
    }

    #[test]
    fn exactly_zero_at_and_below_onset() {
        let p = on(0.3);
        assert_eq!(term(&p, 0.2, 1e12, 1e4), 0.0);
        assert_eq!(term(&p, 0.2, 1e12, 9999.0), 0.0);
        assert_eq!(term(&p, 0.2, 1e12, 0.0), 0.0);
        // rate 0 (the default) is off even far past onset, and even with an infinite size factor.
        let off = ErosionParams {
            size_exponent: 2.0,
            ..ErosionParams::default()
        };
        assert_eq!(term(&off, 0.2, 1e-300, 1e12), 0.0);
        // fully verifiable domains do not erode.
        assert_eq!(term(&p, 1.0, 1e12, 1e12), 0.0);
    }

    #[test]
    fn hand_value_above_onset() {
        // v = 0.3, rate = 0.3, N_ref/N = 1e12/4e11 = 2.5, size_exponent = 0.5, S/onset = 100:
        // 0.7 * 0.3 * 2.5^0.5 * log10(100) = 0.21 * 1.5811388300841898 * 2 = 0.6640783086353597
        let p = ErosionParams {
            rate: 0.3,
            size_exponent: 0.5,
            ..ErosionParams::default()
        };
        assert_relative_eq!(
            term(&p, 0.3, 4e11, 1e6),
            0.6640783086353597,
            max_relative = 1e-14
        );
        // power 1.5, N = N_ref, v = 0.5, S = 3e5: 0.5 * 0.3 * log10(30)^1.5 = 0.2692870570687683
        let p = ErosionParams {
            rate: 0.3,
            power: 1.5,
            ..ErosionParams::default()
        };
        assert_relative_eq!(
            term(&p, 0.5, 1e12, 3e5),
            0.2692870570687683,
            max_relative = 1e-13
        );
    }

    #[test]
    fn continuous_at_onset() {
        // Just past onset: 0.5 * 1 * log10(1.0000000001) = 2.1714731e-11 (power 1)
        let p = on(1.0);
        let e = term(&p, 0.5, 1e12, 10000.000001);
        assert_relative_eq!(e, 2.171473144528739e-11, max_relative = 1e-5);
    }

    #[test]
    fn huge_steps_finite() {
        let p = ErosionParams {
            rate: 0.3,
            onset_steps: 1e-300,
            ..ErosionParams::default()
        };
        // S/onset overflows; log10(1e300) - log10(1e-300) = 600 decades: 0.5 * 0.3 * 600 = 90
        assert_relative_eq!(term(&p, 0.5, 1e12, 1e300), 90.0, max_relative = 1e-12);
    }
}
