//! Sensitivity of the outputs to each uncertain input: the one-at-a-time tornado (each input at
//! its p5 and p95, the others at their medians).

use crate::error::InputErrors;
use crate::scenario::Scenario;

/// One input's swing: the output with the input at its p5 and at its p95, all others at their
/// medians.
#[derive(Clone, Debug, PartialEq)]
pub struct Swing {
    pub input: String,
    pub low_input: f64,
    pub high_input: f64,
    /// None: a milestone not reached within the grid.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `|high - low|`, a milestone not reached counting as one step after the last year.
    pub swing: f64,
}

/// A tornado: one output's swings, largest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// `capability:DOMAIN` or `milestone:DOMAIN>=THRESHOLD`.
    pub target: String,
    /// The output at the medians.
    pub base: Option<f64>,
    pub swings: Vec<Swing>,
}

/// Sensitivity of every domain's capability at grid year `year_index`, and of every milestone's
/// arrival year, to each uncertain input (deterministic forecasts, others at their medians).
pub fn sensitivity(s: &Scenario, year_index: usize) -> Result<Vec<Tornado>, InputErrors> {
    let base = crate::forecast::forecast(s)?;
    let after = s.time.year(s.time.len() - 1) + s.time.step;
    let mut ends = Vec::new();
    for u in &s.uncertain {
        let mut pair = Vec::new();
        for (p, name) in [(0.05, "p5"), (0.95, "p95")] {
            let x = u.dist.quantile(p);
            let mut t = s.clone();
            t.set(&u.path, x)?;
            let f = crate::forecast::forecast(&t).map_err(|mut e| {
                for err in &mut e.0 {
                    err.message = format!(
                        "{} with `{}` at its {name} ({}), in the sensitivity analysis",
                        err.message,
                        u.path,
                        crate::report::csv::number(x)
                    );
                }
                e
            })?;
            pair.push((x, f));
        }
        ends.push(pair);
    }
    let mut out = Vec::new();
    let tornado = |target: String, get: &dyn Fn(&crate::forecast::Forecast) -> Option<f64>| {
        let mut swings: Vec<Swing> = s
            .uncertain
            .iter()
            .zip(&ends)
            .map(|(u, pair)| {
                let (low, high) = (get(&pair[0].1), get(&pair[1].1));
                Swing {
                    input: u.path.clone(),
                    low_input: pair[0].0,
                    high_input: pair[1].0,
                    low,
                    high,
                    swing: (high.unwrap_or(after) - low.unwrap_or(after)).abs(),
                }
            })
            .collect();
        swings.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        Tornado {
            target,
            base: get(&base),
            swings,
        }
    };
    for (d, name) in base.domains.iter().enumerate() {
        out.push(tornado(format!("capability:{name}"), &|f| {
            Some(f.terms[d][year_index].capability)
        }));
    }
    for m in &s.milestones {
        out.push(tornado(
            format!("milestone:{}>={}", m.domain, m.threshold),
            &|f| crate::report::json::milestone_year(f, &m.domain, m.threshold),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

    #[test]
    fn sensitivity_sorts_by_swing_and_says_after_end() {
        let s = scenario(SCENARIO);
        let last = s.time.len() - 1;
        let tornadoes = sensitivity(&s, last).unwrap();
        assert_eq!(tornadoes.len(), 4);
        let math = &tornadoes[0];
        assert_eq!(math.target, "capability:math");
        assert_eq!(math.swings.len(), s.uncertain.len());
        assert!(math.swings.windows(2).all(|w| w[0].swing >= w[1].swing));
        // the slope of math moves math; the writing difficulty does not
        let slope = math
            .swings
            .iter()
            .find(|w| w.input == "domain.math.slope")
            .unwrap();
        assert!(slope.swing > 0.0);
        let other = math
            .swings
            .iter()
            .find(|w| w.input == "domain.writing.difficulty")
            .unwrap();
        assert_eq!(other.swing, 0.0);
        // writing never reaches 0.99 here: "after the end", not the last year
        let writing = &tornadoes[3];
        assert_eq!(writing.base, None);
        let never = writing
            .swings
            .iter()
            .find(|w| w.input == "domain.math.slope")
            .unwrap();
        assert_eq!((never.low, never.high, never.swing), (None, None, 0.0));
    }
}
