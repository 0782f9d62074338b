//! Scenarios side by side (`DIR/comparison/`): one capability chart per domain overlaying every
//! scenario, the verifiable-minus-unverifiable gap per scenario, and `comparison.csv`.
//!
//! A scenario keeps its colour everywhere: [`series_colour`] of its position in the run. A domain
//! counts as verifiable when its verifiability is at least [`VERIFIABLE`]; the gap is the mean
//! capability of a scenario's verifiable domains minus that of its unverifiable ones.

use anyhow::Result;

use crate::forecast::Forecast;
use crate::report::charts::{
    capability_axis, check_shape, finite, line_chart, nice_axis, series_colour, year_span_axis,
    Axis, Chart, Key, Series, LINE_PX,
};
use crate::report::csv::number;
use crate::scenario::Scenario;

/// Verifiability from which a domain counts as verifiable in the gap.
pub const VERIFIABLE: f64 = 0.5;

/// Domain names across the run, in order of first appearance.
pub fn domains(runs: &[(&Scenario, &Forecast)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, f) in runs {
        for d in &f.domains {
            if !out.contains(d) {
                out.push(d.clone());
            }
        }
    }
    out
}

/// Per year: (mean capability of verifiable domains, of unverifiable ones, their difference);
/// `None` when the scenario lacks either kind.
pub fn gap(s: &Scenario, f: &Forecast) -> Option<Vec<(f64, f64, f64)>> {
    let kinds: Vec<bool> = s
        .domains
        .iter()
        .map(|d| d.verifiability >= VERIFIABLE)
        .collect();
    let count = kinds.iter().filter(|v| **v).count();
    if count == 0 || count == kinds.len() {
        return None;
    }
    let rows = (0..f.levers.len())
        .map(|k| {
            let (mut ver, mut unver) = (0.0, 0.0);
            for (d, verifiable) in kinds.iter().enumerate() {
                if *verifiable {
                    ver += f.terms[d][k].capability;
                } else {
                    unver += f.terms[d][k].capability;
                }
            }
            let ver = ver / count as f64;
            let unver = unver / (kinds.len() - count) as f64;
            (ver, unver, ver - unver)
        })
        .collect();
    Some(rows)
}

/// `comparison.csv`: one row per (scenario, year, domain) with the domain's verifiability and
/// capability, and the scenario's verifiable and unverifiable means and gap that year (empty
/// when the scenario lacks either kind of domain).
pub fn csv(runs: &[(&Scenario, &Forecast)]) -> String {
    let mut out = String::from(
        "scenario,year,domain,verifiability,capability,verifiable_mean,unverifiable_mean,gap\n",
    );
    for (s, f) in runs {
        let gaps = gap(s, f);
        for (k, l) in f.levers.iter().enumerate() {
            let means = gaps
                .as_ref()
                .map_or([String::new(), String::new(), String::new()], |g| {
                    [number(g[k].0), number(g[k].1), number(g[k].2)]
                });
            for (d, dom) in s.domains.iter().enumerate() {
                out.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    f.scenario,
                    number(l.year),
                    dom.name,
                    number(dom.verifiability),
                    number(f.terms[d][k].capability),
                    means.join(",")
                ));
            }
        }
    }
    out
}

/// The year axis spanning every forecast of the run.
fn run_years(runs: &[(&Scenario, &Forecast)]) -> Axis {
    let first = runs
        .iter()
        .filter_map(|(_, f)| f.levers.first().map(|l| l.year))
        .fold(f64::INFINITY, f64::min);
    let last = runs
        .iter()
        .filter_map(|(_, f)| f.levers.last().map(|l| l.year))
        .fold(f64::NEG_INFINITY, f64::max);
    year_span_axis(first, last, 10)
}

/// Capability in `domain` for every scenario of the run, one colour per scenario.
pub fn domain_chart(runs: &[(&Scenario, &Forecast)], domain: &str) -> Result<Chart> {
    let mut series = Vec::with_capacity(runs.len());
    for (i, (_, f)) in runs.iter().enumerate() {
        check_shape(f)?;
        let colour = series_colour(i);
        let Some(d) = f.domains.iter().position(|n| n == domain) else {
            let mut key = Key::line(format!("{} (no {domain})", f.scenario), colour, LINE_PX);
            key.drawn = false;
            series.push(Series { key, runs: vec![] });
            continue;
        };
        let points = f
            .levers
            .iter()
            .zip(&f.terms[d])
            .map(|(l, t)| {
                let what = || format!("capability of '{domain}'");
                Ok((l.year, finite(f, what, l.year, t.capability)?))
            })
            .collect::<Result<Vec<_>>>()?;
        series.push(Series {
            key: Key::line(f.scenario.as_str(), colour, LINE_PX),
            runs: vec![points],
        });
    }
    line_chart(
        format!("{domain}: capability by scenario"),
        run_years(runs),
        capability_axis(),
        "capability (share of tasks solved)",
        series,
        "no scenario has this domain",
    )
}

/// The verifiable-minus-unverifiable gap in mean capability, one line per scenario.
pub fn gap_chart(runs: &[(&Scenario, &Forecast)]) -> Result<Chart> {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    let mut series = Vec::with_capacity(runs.len());
    for (i, (s, f)) in runs.iter().enumerate() {
        check_shape(f)?;
        let colour = series_colour(i);
        let Some(rows) = gap(s, f) else {
            let mut key = Key::line(
                format!("{} (needs verifiable and unverifiable domains)", f.scenario),
                colour,
                LINE_PX,
            );
            key.drawn = false;
            series.push(Series { key, runs: vec![] });
            continue;
        };
        let mut points = Vec::with_capacity(rows.len());
        for (l, (_, _, g)) in f.levers.iter().zip(rows) {
            let g = finite(f, || "capability gap".into(), l.year, g)?;
            lo = lo.min(g);
            hi = hi.max(g);
            points.push((l.year, g));
        }
        series.push(Series {
            key: Key::line(f.scenario.as_str(), colour, LINE_PX),
            runs: vec![points],
        });
    }
    line_chart(
        format!("Verifiable minus unverifiable domains (verifiability >= {VERIFIABLE})"),
        run_years(runs),
        nice_axis(lo, hi, 8),
        "gap in mean capability",
        series,
        "no scenarios",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    fn scenario(name: &str, growth: f64, writing: bool) -> (Scenario, Forecast) {
        let mut text = format!(
            r#"
[scenario]
name = "{name}"
[time]
start = 2024
end = 2026
step = 1
[pretraining]
compute = {{ start = 1.4e26, growth = {growth} }}
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
"#
        );
        if writing {
            text.push_str(
                "[[domain]]\nname = \"writing\"\nverifiability = 0.1\nslope = 0.8\ndifficulty = 26.5\n",
            );
        }
        let s = Scenario::from_text("c.toml", name, &text).unwrap();
        let f = forecast(&s).unwrap();
        (s, f)
    }

    #[test]
    fn gap_is_verifiable_mean_minus_unverifiable_mean() {
        let (s, f) = scenario("a", 4.0, true);
        let g = gap(&s, &f).unwrap();
        for (k, (ver, unver, diff)) in g.iter().enumerate() {
            assert_eq!(*ver, f.terms[0][k].capability);
            assert_eq!(*unver, f.terms[1][k].capability);
            assert_eq!(*diff, ver - unver);
        }
        let (s, f) = scenario("b", 4.0, false);
        assert!(gap(&s, &f).is_none());
    }

    #[test]
    fn csv_rows_and_charts_cover_every_scenario() {
        let (a, fa) = scenario("a", 4.0, true);
        let (b, fb) = scenario("b", 1.0, false);
        let runs = [(&a, &fa), (&b, &fb)];
        assert_eq!(domains(&runs), ["math", "writing"]);
        let text = csv(&runs);
        let lines: Vec<&str> = text.lines().collect();
        // a: 3 years x 2 domains, b: 3 years x 1 domain
        assert_eq!(lines.len(), 1 + 6 + 3);
        assert!(lines[1].starts_with("a,2024,math,0.95,"));
        assert!(lines[7].starts_with("b,2024,math,0.95,") && lines[7].ends_with(",,"));
        let chart = domain_chart(&runs, "writing").unwrap();
        assert!(chart.svg.contains("writing: capability by scenario"));
        assert!(chart.svg.contains("b (no writing)"));
        let gap = gap_chart(&runs).unwrap();
        assert!(gap.svg.contains("needs verifiable and unverifiable"));
    }
}
