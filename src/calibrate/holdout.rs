//! Out-of-sample backtest: calibrate on the observations released before a split year,
//! forecast every benchmark's frontier from there with the scenario's levers, and score the
//! forecast against the frontier actually observed later, beside two naive baselines: the
//! last frontier before the split carried forward, and a straight line through the logits of
//! the records set before the split.

use crate::error::InputErrors;
use crate::forecast::forecast;
use crate::model::Domain;
use crate::scenario::Scenario;

use super::frontier::{best_by, records};
use super::observations::Data;
use super::reasoners::logit_above;
use super::{calibrated_scenario, difficulty_on_scale, Calibration};

/// The forecasters compared.
pub const METHODS: [&str; 3] = ["model", "carried forward", "logit trend"];

/// One benchmark at one scored year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub year: f64,
    /// The best score released by `year`.
    pub observed: f64,
    /// Forecasts of [`METHODS`], in order (None when a baseline has too little to go on).
    pub forecasts: [Option<f64>; 3],
}

/// One benchmark's backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchmarkHoldout {
    pub benchmark: String,
    pub domain: String,
    pub rows: Vec<Row>,
    /// Records (release year, score) before the split, as the trend baseline saw them.
    pub records_before: Vec<(f64, f64)>,
    /// Every observed record, for charts.
    pub records: Vec<(f64, f64)>,
    /// The model's forecast on every grid year from the split (year, score), for charts.
    pub path: Vec<(f64, f64)>,
}

/// Mean absolute errors over a set of rows, per method (None when a method forecast none).
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    pub domain: String,
    /// The benchmarks pooled.
    pub benchmarks: Vec<String>,
    pub count: usize,
    /// Benchmarks of the domain with an observation before the split (a domain can have them
    /// and still nothing to score, when nothing lies between the split and `until`).
    pub with_past: usize,
    pub mae: [Option<f64>; 3],
}

/// The whole backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Holdout {
    pub split: f64,
    /// The end of the scored years: the `until` asked for, or the last release in the data if
    /// that is earlier (the frontier after it is not observed).
    pub until: f64,
    /// Grid years after the last release, up to the `until` asked for: not scored.
    pub unobserved_years: usize,
    pub benchmarks: Vec<BenchmarkHoldout>,
    /// Per scenario domain (the scored benchmarks of the domain pooled), in scenario order;
    /// domains with nothing to score are listed with a count of 0.
    pub domains: Vec<Scores>,
}

/// A straight line `a + b t` through the logits of `records`, least squares; flat at the best
/// logit when the records span no time (one record); None without records.
fn trend(records: &[(f64, f64)], floor: f64) -> Option<(f64, f64)> {
    let n = records.len() as f64;
    let ys: Vec<f64> = records
        .iter()
        .map(|&(_, s)| logit_above(s, floor))
        .collect();
    let mt = records.iter().map(|r| r.0).sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxx: f64 = records.iter().map(|r| (r.0 - mt).powi(2)).sum();
    if sxx <= 0.0 {
        return ys.iter().copied().reduce(f64::max).map(|y| (y, 0.0));
    }
    let sxy: f64 = records
        .iter()
        .zip(&ys)
        .map(|(r, y)| (r.0 - mt) * (y - my))
        .sum();
    let b = sxy / sxx;
    Some((my - b * mt, b))
}

/// The scenario with its domains replaced by one per calibrated benchmark (named by benchmark,
/// with the domain's verifiability) and its efficiency growth by the calibrated one.
fn forecasting_scenario(s: &Scenario, c: &Calibration) -> Scenario {
    let mut out = calibrated_scenario(s, c.rl, c.growth);
    let verifiability = |domain: &str| {
        s.domains
            .iter()
            .find(|d| d.name == domain)
            .map_or(0.5, |d| d.verifiability)
    };
    let mut domains = Vec::new();
    for b in &c.benchmarks {
        if let Some(curve) = &b.curve {
            let v = verifiability(&b.benchmark.domain);
            domains.push(Domain {
                name: b.benchmark.id.clone(),
                verifiability: v,
                slope: curve.link.slope,
                difficulty: difficulty_on_scale(&out, &curve.link, v),
                floor: curve.link.floor,
            });
        }
    }
    out.domains = domains;
    out
}

/// Score calibration `c` (made with observations before `split`) on `data`'s later frontier,
/// at the scenario's grid years after `split` up to `until` or the last release in `data`,
/// whichever is earlier.
pub fn holdout(
    data: &Data,
    s: &Scenario,
    c: &Calibration,
    split: f64,
    asked_until: f64,
) -> Result<Holdout, InputErrors> {
    let until = asked_until.min(data.last_release());
    let f = forecast(&forecasting_scenario(s, c))?;
    let years: Vec<f64> = f.years().collect();
    let unobserved_years = years
        .iter()
        .filter(|&&y| y > until + 1e-9 && y <= asked_until + 1e-9)
        .count();
    let mut benchmarks = Vec::new();
    for (d, name) in f.domains.iter().enumerate() {
        let b = c
            .benchmark(name)
            .expect("every forecast domain is a calibrated benchmark");
        let floor = b.floor();
        let scores: Vec<(f64, f64)> = data
            .observations
            .iter()
            .filter(|o| o.benchmark == *name)
            .map(|o| (o.year, o.score))
            .collect();
        let before: Vec<(f64, f64)> = scores.iter().copied().filter(|(y, _)| *y < split).collect();
        let carried = best_by(&before, split);
        let records_before = records(&before);
        let line = trend(&records_before, floor);
        let mut rows = Vec::new();
        let mut path = Vec::new();
        for (k, &year) in years.iter().enumerate() {
            if year < split || year > until + 1e-9 {
                continue;
            }
            let model = f.terms[d][k].capability;
            path.push((year, model));
            if year <= split {
                continue;
            }
            let Some(observed) = best_by(&scores, year) else {
                continue;
            };
            let trend =
                line.map(|(a, b)| floor + (1.0 - floor) * crate::model::sigmoid(a + b * year));
            rows.push(Row {
                year,
                observed,
                forecasts: [Some(model), carried, trend],
            });
        }
        benchmarks.push(BenchmarkHoldout {
            benchmark: name.clone(),
            domain: b.benchmark.domain.clone(),
            rows,
            records_before,
            records: records(&scores),
            path,
        });
    }
    // Benchmarks with nothing before the split cannot be forecast by any method: not scored.
    let scored = |h: &BenchmarkHoldout| !h.records_before.is_empty() && !h.rows.is_empty();
    let domains = s
        .domains
        .iter()
        .map(|d| {
            let hs: Vec<&BenchmarkHoldout> = benchmarks
                .iter()
                .filter(|h| h.domain == d.name && scored(h))
                .collect();
            let rows: Vec<&Row> = hs.iter().flat_map(|h| &h.rows).collect();
            let mae = std::array::from_fn(|m| {
                let errors: Vec<f64> = rows
                    .iter()
                    .filter_map(|r| r.forecasts[m].map(|x| (x - r.observed).abs()))
                    .collect();
                (!errors.is_empty() && errors.len() == rows.len())
                    .then(|| errors.iter().sum::<f64>() / errors.len() as f64)
            });
            Scores {
                domain: d.name.clone(),
                benchmarks: hs.iter().map(|h| h.benchmark.clone()).collect(),
                count: rows.len(),
                with_past: benchmarks
                    .iter()
                    .filter(|h| h.domain == d.name && !h.records_before.is_empty())
                    .count(),
                mae,
            }
        })
        .collect();
    Ok(Holdout {
        split,
        until,
        unobserved_years,
        benchmarks,
        domains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_through_logits() {
        // Two records one year apart: logits 0 and 1 above a floor of 0.25.
        let q = |l: f64| 0.25 + 0.75 * crate::model::sigmoid(l);
        let (a, b) = trend(&[(2022.0, q(0.0)), (2023.0, q(1.0))], 0.25).unwrap();
        assert!(
            (b - 1.0).abs() < 1e-12 && (a + 2022.0).abs() < 1e-9,
            "{a} {b}"
        );
        assert_eq!(trend(&[], 0.0), None);
        let flat = trend(&[(2022.0, 0.5)], 0.0).unwrap();
        assert!(flat.0.abs() < 1e-12 && flat.1 == 0.0, "{flat:?}");
    }
}
