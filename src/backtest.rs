//! Backtests: score a scenario's deterministic forecast against its `[[observation]]` rows that
//! have a `year` at or after a cut-off year (MODEL.md §8).
//!
//! Each observation is compared with the model evaluated at the observation's own year (the
//! levers are trajectories, defined at any year), so observations need not sit on the time
//! grid; they must lie within the grid's span. Error = forecast - observed.
//!
//! With samples, every distribution of the scenario is drawn as `mc` draws it (the same streams,
//! correlations through the copula), the forecast at each observation is recomputed per
//! sample, and each observation is checked against the central 50% and 90% bands.

use rayon::prelude::*;

use crate::error::{InputError, InputErrors};
use crate::forecast::{levers_at, term_params};
use crate::model::domain_terms;
use crate::montecarlo::Sampler;
use crate::scenario::Scenario;

/// One scored observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// Index among the scenario's `[[observation]]` tables.
    pub index: usize,
    pub domain: String,
    pub year: f64,
    pub label: Option<String>,
    pub observed: f64,
    pub forecast: f64,
    /// `forecast - observed`.
    pub error: f64,
    /// Sampled forecast percentiles, when sampling.
    pub bands: Option<Bands>,
}

/// Percentiles of the sampled forecast at one observation, and whether it falls inside.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    /// `p25 <= observed <= p75`.
    pub in_50: bool,
    /// `p5 <= observed <= p95`.
    pub in_90: bool,
}

/// Monte Carlo settings of a backtest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampling {
    pub samples: usize,
    pub seed: u64,
}

/// The mean absolute error over some scored observations.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// None for all domains.
    pub domain: Option<String>,
    pub count: usize,
    pub mean_absolute_error: f64,
    /// Mean of `forecast - observed`: > 0 means the forecast ran ahead of reality.
    pub mean_error: f64,
    /// Shares of observations inside the 50% and 90% bands, when sampling.
    pub share_in_50: Option<f64>,
    pub share_in_90: Option<f64>,
}

/// A backtest of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    pub scenario: String,
    pub from: f64,
    pub scored: Vec<Scored>,
    /// All domains first, then one per domain in the scenario's order (those with scores).
    pub summaries: Vec<Summary>,
    /// Observations with a year before `from` (drawn, not scored).
    pub before: usize,
    /// Observations given by levers rather than a year (not scored).
    pub without_year: usize,
    pub sampling: Option<Sampling>,
}

/// The deterministic capability of `domain` (an index into `s.domains`) in `year`.
pub fn capability_at(s: &Scenario, domain: usize, year: f64) -> f64 {
    let l = levers_at(s, year);
    domain_terms(&s.domains[domain], &term_params(s), &l.point()).capability
}

/// Score the observations of `s` with a year at or after `from`.
///
/// Errors (exit code 2): an observation year outside the time grid's span, a forecast that is not
/// finite there, or no observation to score.
pub fn backtest(
    s: &Scenario,
    from: f64,
    sampling: Option<Sampling>,
) -> Result<Backtest, InputErrors> {
    let years = s.years();
    let (first, last) = (years[0], years[years.len() - 1]);
    let mut scored = Vec::new();
    let mut errors: Vec<InputError> = Vec::new();
    let (mut before, mut without_year) = (0, 0);
    for (index, o) in s.observations.iter().enumerate() {
        let Some(year) = o.year else {
            without_year += 1;
            continue;
        };
        if year < from {
            before += 1;
            continue;
        }
        let path = format!("observation[{index}].year");
        if year < first - 1e-9 || year > last + 1e-9 {
            errors.push(
                s.document
                    .error(
                        &path,
                        format!(
                            "the year {year} lies outside the forecast's years {first} to {last}"
                        ),
                    )
                    .with_hint("widen [time] to cover every observation you backtest"),
            );
            continue;
        }
        let Some(d) = s.domains.iter().position(|d| d.name == o.domain) else {
            // Scenario validation rejects unknown domains; nothing to score.
            continue;
        };
        let forecast = capability_at(s, d, year);
        if !forecast.is_finite() {
            errors.push(s.document.error(
                &path,
                format!("the forecast of '{}' in {year} is not finite", o.domain),
            ));
            continue;
        }
        scored.push(Scored {
            index,
            domain: o.domain.clone(),
            year,
            label: o.label.clone(),
            observed: o.score,
            forecast,
            error: forecast - o.score,
            bands: None,
        });
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    if scored.is_empty() {
        let message = format!(
            "no [[observation]] has a `year` at or after {from} ({} observation(s) in all, {before} before it, {without_year} without a year)",
            s.observations.len()
        );
        return Err(s
            .document
            .error("", message)
            .with_hint("add [[observation]] tables with `domain`, `score` and `year`, or pass an earlier --from")
            .into());
    }
    if let Some(m) = sampling {
        add_bands(s, m, &mut scored)?;
    }
    let mut summaries = vec![summary(None, &scored)];
    for d in &s.domains {
        let rows: Vec<Scored> = scored
            .iter()
            .filter(|r| r.domain == d.name)
            .cloned()
            .collect();
        if !rows.is_empty() {
            summaries.push(summary(Some(d.name.clone()), &rows));
        }
    }
    Ok(Backtest {
        scenario: s.name.clone(),
        from,
        scored,
        summaries,
        before,
        without_year,
        sampling,
    })
}

/// Draw every distribution of `s` for sample `index` with the Monte Carlo sampler (its own
/// stream per sample, correlations through the copula) and set the drawn values in a copy.
fn sample_scenario(s: &Scenario, sampler: &Sampler, index: u64) -> Result<Scenario, InputError> {
    let mut values = vec![0.0; sampler.len()];
    sampler.draw(index, &mut values, &mut Vec::new());
    let mut drawn = s.clone();
    for (path, v) in sampler.paths.iter().zip(values) {
        drawn.set(path, v)?;
    }
    Ok(drawn)
}

/// Percentiles of each scored observation's forecast over the samples (in parallel, collected in
/// sample order, so the result does not depend on the thread count).
fn add_bands(s: &Scenario, m: Sampling, scored: &mut [Scored]) -> Result<(), InputErrors> {
    let domains: Vec<usize> = scored
        .iter()
        .map(|r| {
            s.domains
                .iter()
                .position(|d| d.name == r.domain)
                .unwrap_or(0)
        })
        .collect();
    let sampler = Sampler::new(s, m.seed)?;
    let draws: Vec<Result<Vec<f64>, InputError>> = (0..m.samples as u64)
        .into_par_iter()
        .map(|i| {
            let drawn = sample_scenario(s, &sampler, i)?;
            Ok(scored
                .iter()
                .zip(&domains)
                .map(|(r, &d)| capability_at(&drawn, d, r.year))
                .collect())
        })
        .collect();
    let mut columns = vec![Vec::with_capacity(m.samples); scored.len()];
    for (i, draw) in draws.into_iter().enumerate() {
        for (k, x) in draw?.into_iter().enumerate() {
            if !x.is_finite() {
                let r = &scored[k];
                return Err(s
                    .document
                    .error(
                        &format!("observation[{}].year", r.index),
                        format!(
                            "the forecast of '{}' in {} is not finite in sample {i}",
                            r.domain, r.year
                        ),
                    )
                    .with_hint("narrow the distributions that drive this domain")
                    .into());
            }
            columns[k].push(x);
        }
    }
    for (r, values) in scored.iter_mut().zip(&columns) {
        let q = |p| crate::fit::quantile(values, p);
        let (p5, p25, p50, p75, p95) = (q(0.05), q(0.25), q(0.5), q(0.75), q(0.95));
        r.bands = Some(Bands {
            p5,
            p25,
            p50,
            p75,
            p95,
            in_50: p25 <= r.observed && r.observed <= p75,
            in_90: p5 <= r.observed && r.observed <= p95,
        });
    }
    Ok(())
}

fn summary(domain: Option<String>, rows: &[Scored]) -> Summary {
    let n = rows.len() as f64;
    let share = |inside: fn(&Bands) -> bool| {
        rows.iter()
            .map(|r| r.bands.map(|b| inside(&b)))
            .collect::<Option<Vec<bool>>>()
            .map(|v| v.iter().filter(|x| **x).count() as f64 / n)
    };
    Summary {
        domain,
        count: rows.len(),
        mean_absolute_error: rows.iter().map(|r| r.error.abs()).sum::<f64>() / n,
        mean_error: rows.iter().map(|r| r.error).sum::<f64>() / n,
        share_in_50: share(|b| b.in_50),
        share_in_90: share(|b| b.in_90),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    const SCENARIO: &str = r#"
[time]
start = 2024
end = 2030
step = 1
[pretraining]
compute = { start = 1e24, growth = 10.0 }
[[domain]]
name = "math"
verifiability = 1
slope = 1
difficulty = 26
[[domain]]
name = "writing"
verifiability = 0
slope = 0.5
difficulty = 27
[[observation]]
domain = "math"
score = 0.2
year = 2025
[[observation]]
domain = "math"
score = 0.5
year = 2026.5
label = "mid-year"
[[observation]]
domain = "writing"
score = 0.4
year = 2027
[[observation]]
domain = "writing"
score = 0.9
params = 1e12
"#;

    #[test]
    fn scores_observations_from_the_cut_off_year() {
        let s = Scenario::from_text("s.toml", "s", SCENARIO).unwrap();
        let b = backtest(&s, 2026.0, None).unwrap();
        assert_eq!(b.scored.len(), 2);
        assert_eq!((b.before, b.without_year), (1, 1));
        // On a grid year the score is the forecast's own number.
        let f = forecast(&s).unwrap();
        let writing = &b.scored[1];
        assert_eq!(writing.forecast, f.terms[1][3].capability);
        assert_eq!(writing.error, f.terms[1][3].capability - 0.4);
        // Off the grid the model is evaluated at the year itself.
        let math = &b.scored[0];
        assert_eq!(math.label.as_deref(), Some("mid-year"));
        assert_eq!(math.forecast, capability_at(&s, 0, 2026.5));
        let mae = (math.error.abs() + writing.error.abs()) / 2.0;
        assert_eq!(b.summaries[0].mean_absolute_error, mae);
        assert_eq!(b.summaries[0].count, 2);
        assert_eq!(b.summaries.len(), 3);
    }

    #[test]
    fn nothing_to_score_and_years_off_the_grid_are_input_errors() {
        let s = Scenario::from_text("s.toml", "s", SCENARIO).unwrap();
        let e = backtest(&s, 2029.0, None).unwrap_err().to_string();
        assert!(
            e.contains("no [[observation]] has a `year` at or after 2029"),
            "{e}"
        );
        let text = SCENARIO.replace("year = 2027", "year = 2031");
        let s = Scenario::from_text("s.toml", "s", &text).unwrap();
        let e = backtest(&s, 2026.0, None).unwrap_err().to_string();
        assert!(e.contains("`observation[2].year`"), "{e}");
        assert!(
            e.contains("outside the forecast's years 2024 to 2030"),
            "{e}"
        );
    }

    #[test]
    fn samples_give_bands_around_the_median_forecast() {
        let text = SCENARIO.replace(
            "slope = 1\n",
            "slope = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
        );
        let s = Scenario::from_text("s.toml", "s", &text).unwrap();
        let m = Sampling {
            samples: 400,
            seed: 9,
        };
        let b = backtest(&s, 2026.0, Some(m)).unwrap();
        let again = backtest(&s, 2026.0, Some(m)).unwrap();
        assert_eq!(b, again);
        let math = b.scored[0].bands.unwrap();
        assert!(math.p5 < math.p25 && math.p25 < math.p75 && math.p75 < math.p95);
        // The deterministic forecast uses the median slope; capability is monotone in it.
        assert!((math.p50 - b.scored[0].forecast).abs() < 0.02, "{math:?}");
        // writing has no uncertain input: its band is a point
        let writing = b.scored[1].bands.unwrap();
        assert_eq!(writing.p5, writing.p95);
        assert!(b.summaries[0].share_in_90.is_some());
    }
}
