//! Backtests: score a scenario's deterministic forecast against its `[[observation]]` rows that
//! have a `year` at or after a cut-off year (MODEL.md §8).
//!
//! Each observation is compared with the model evaluated at the observation's own year (the
//! levers are trajectories, defined at any year), so observations need not sit on the time
//! grid; they must lie within the grid's span. Error = forecast - observed.

use crate::error::{InputError, InputErrors};
use crate::forecast::levers_at;
use crate::model::{domain_terms, LeverPoint, TermParams};
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
}

/// The deterministic capability of `domain` (an index into `s.domains`) in `year`.
pub fn capability_at(s: &Scenario, domain: usize, year: f64) -> f64 {
    let l = levers_at(s, year);
    let point = LeverPoint {
        params: l.params,
        effective_log10_compute: l.effective_log10_compute,
        rl_steps: l.rl_steps,
        rl_progress: l.rl_progress,
        thinking_tokens: l.thinking_tokens,
    };
    let params = TermParams {
        rl: s.rl,
        erosion: s.erosion,
        inference: s.inference,
    };
    domain_terms(&s.domains[domain], &params, &point).capability
}

/// Score the observations of `s` with a year at or after `from`.
///
/// Errors (exit code 2): an observation year outside the time grid's span, a forecast that is not
/// finite there, or no observation to score.
pub fn backtest(s: &Scenario, from: f64) -> Result<Backtest, InputErrors> {
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
    })
}

fn summary(domain: Option<String>, rows: &[Scored]) -> Summary {
    let n = rows.len() as f64;
    Summary {
        domain,
        count: rows.len(),
        mean_absolute_error: rows.iter().map(|r| r.error.abs()).sum::<f64>() / n,
        mean_error: rows.iter().map(|r| r.error).sum::<f64>() / n,
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
        let b = backtest(&s, 2026.0).unwrap();
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
        let e = backtest(&s, 2029.0).unwrap_err().to_string();
        assert!(
            e.contains("no [[observation]] has a `year` at or after 2029"),
            "{e}"
        );
        let text = SCENARIO.replace("year = 2027", "year = 2031");
        let s = Scenario::from_text("s.toml", "s", &text).unwrap();
        let e = backtest(&s, 2026.0).unwrap_err().to_string();
        assert!(e.contains("`observation[2].year`"), "{e}");
        assert!(
            e.contains("outside the forecast's years 2024 to 2030"),
            "{e}"
        );
    }
}
