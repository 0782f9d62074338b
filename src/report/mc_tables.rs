//! The tables of `scalecast mc`: quantiles, lever quantiles, milestones, sensitivity, drawn
//! samples and `mc/summary.json`, each returned as text.

use serde_json::{json, Value};

use crate::montecarlo::{McResult, Sampler, Sobol, Summary, Tornado, LEVER_NAMES};
use crate::report::csv::{number, Cell, Table};
use crate::report::json::{self, Provenance};
use crate::scenario::Scenario;

/// The columns of a [`Summary`] in `quantiles.csv` and `levers_quantiles.csv`.
pub const SUMMARY_COLUMNS: [&str; 7] = ["mean", "p5", "p25", "p50", "p75", "p95", "median_se"];

fn summary_numbers(s: &Summary) -> [f64; 7] {
    let q = s.quantiles;
    [s.mean, q[0], q[1], q[2], q[3], q[4], s.median_se]
}

/// A table of summaries per (scenario, year, `what`): `scenario, year, <what>, mean, p5, ...`,
/// years outer; `summaries(r)[j][k]` is item `j` (named `names(r)[j]`) at grid year `k`.
fn summary_table<'a>(
    results: &[&'a McResult],
    what: &str,
    names: impl Fn(&'a McResult) -> Vec<&'a str>,
    summaries: impl Fn(&'a McResult) -> &'a [Vec<Summary>],
) -> Table {
    let columns = ["scenario", "year", what]
        .into_iter()
        .chain(SUMMARY_COLUMNS);
    let mut table = Table::new(columns, &["scenario", what]);
    for &r in results {
        let (names, summaries) = (names(r), summaries(r));
        for (k, &year) in r.years.iter().enumerate() {
            for (name, row) in names.iter().zip(summaries) {
                let cells = [
                    Cell::Text(&r.scenario),
                    Cell::Number(year),
                    Cell::Text(name),
                ]
                .into_iter()
                .chain(summary_numbers(&row[k]).map(Cell::Number));
                table.push(cells);
            }
        }
    }
    table
}

/// `quantiles.csv` as columns: one row per (scenario, year, domain), years outer.
pub fn quantiles_table(results: &[&McResult]) -> Table {
    summary_table(
        results,
        "domain",
        |r| r.domains.iter().map(String::as_str).collect(),
        |r| &r.capability,
    )
}

/// `quantiles.csv`.
pub fn quantiles(results: &[&McResult]) -> String {
    quantiles_table(results).csv()
}

/// `levers_quantiles.csv` as columns: one row per (scenario, year, lever), years outer.
pub fn levers_quantiles_table(results: &[&McResult]) -> Table {
    summary_table(results, "lever", |_| LEVER_NAMES.to_vec(), |r| &r.levers)
}

/// `levers_quantiles.csv`.
pub fn levers_quantiles(results: &[&McResult]) -> String {
    levers_quantiles_table(results).csv()
}

/// A milestone year, or `after END` when not reached within the grid.
pub fn arrival(year: Option<f64>, end: f64) -> String {
    year.map_or_else(|| format!("after {}", number(end)), number)
}

/// `milestones.csv`: per milestone the p10, p50 and p90 arrival years among all samples,
/// P(not reached by the last year) and the deterministic run's year.
pub fn milestones(r: &McResult, deterministic: &[Option<f64>]) -> String {
    let end = r.years.last().copied().unwrap_or(f64::NAN);
    let mut out = "scenario,domain,threshold,p10,p50,p90,p_not_reached,deterministic\n".to_string();
    for (m, det) in r.milestones.iter().zip(deterministic) {
        let q = |p| arrival(m.quantile(&r.years, p), end);
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.scenario,
            m.domain,
            number(m.threshold),
            q(0.1),
            q(0.5),
            q(0.9),
            number(m.not_reached()),
            arrival(*det, end)
        ));
    }
    out
}

/// `sensitivity.csv`: per target (domain capability at `year`, milestone arrival), one row per
/// input, largest swing first.
pub fn sensitivity(scenario: &str, year: f64, end: f64, tornadoes: &[Tornado]) -> String {
    let mut out = "scenario,target,year,input,input_p5,input_p95,output_at_p5,output_at_p95,swing,output_at_medians\n".to_string();
    for t in tornadoes {
        let is_milestone = t.target.starts_with("milestone:");
        let show = |v: Option<f64>| {
            if is_milestone {
                arrival(v, end)
            } else {
                v.map_or_else(String::new, number)
            }
        };
        let at = if is_milestone {
            String::new()
        } else {
            number(year)
        };
        for w in &t.swings {
            out.push_str(&format!(
                "{scenario},{},{at},{},{},{},{},{},{},{}\n",
                t.target,
                w.input,
                number(w.low_input),
                number(w.high_input),
                show(w.low),
                show(w.high),
                number(w.swing),
                show(t.base)
            ));
        }
    }
    out
}

/// `sensitivity_sobol.csv`: per domain (capability at `year`) and uncertain input, the
/// first-order and total Sobol indices and their standard errors, and the output's variance.
pub fn sobol(scenario: &str, year: f64, sobol: &[Sobol]) -> String {
    let mut out = "scenario,target,year,input,first_order,first_order_se,total,total_se,variance\n"
        .to_string();
    for t in sobol {
        for i in &t.indices {
            out.push_str(&format!(
                "{scenario},{},{},{},{},{},{},{},{}\n",
                t.target,
                number(year),
                i.input,
                number(i.first),
                number(i.first_se),
                number(i.total),
                number(i.total_se),
                number(t.variance)
            ));
        }
    }
    out
}

/// `samples.csv`: each sample's drawn inputs; columns are key paths.
pub fn samples(sampler: &Sampler, n: usize) -> String {
    let mut out = String::from("sample");
    for p in &sampler.paths {
        out.push(',');
        out.push_str(p);
    }
    out.push('\n');
    crate::montecarlo::drawn_inputs(sampler, n, |i, row| {
        out.push_str(&i.to_string());
        for &v in row {
            out.push(',');
            out.push_str(&number(v));
        }
        out.push('\n');
    });
    out
}

/// `mc/summary.json`: samples, seed, methods, the uncertain inputs and correlations, provenance.
pub fn summary(
    s: &Scenario,
    r: &McResult,
    year: f64,
    sobol: usize,
    provenance: &Provenance,
) -> String {
    let uncertain: Vec<Value> = s
        .uncertain
        .iter()
        .map(|u| {
            json!({
                "path": u.path,
                "distribution": json::dist(&u.dist),
                "p5": json::number(u.dist.quantile(0.05)),
                "median": json::number(u.dist.median()),
                "p95": json::number(u.dist.quantile(0.95)),
            })
        })
        .collect();
    let correlations: Vec<Value> = s
        .correlations
        .iter()
        .map(|c| json!({ "a": c.a, "b": c.b, "rank": json::number(c.rank) }))
        .collect();
    let doc = json!({
        "scenario": s.name,
        "samples": r.samples,
        "seed": r.seed,
        "rng": "ChaCha8, stream = sample index",
        "quantiles": "inverse empirical CDF from 2048-bin histograms fitted to the first 2048 samples (linear bins for capability, log-scale bins for positive levers), linear within a bin",
        "median_se": "sqrt(0.25 / n) * (Q(0.5 + h) - Q(0.5 - h)) / (2 h), h = min(0.25, n^(-1/3))",
        "sensitivity_year": json::number(year),
        "sobol": if sobol == 0 { Value::Null } else { json!({
            "base_samples": sobol,
            "evaluations": sobol * (s.uncertain.len() + 2),
            "rng": "ChaCha8, row i of A from stream 2^62 + 2i, of B from stream 2^62 + 2i + 1",
            "inputs": "independent, from their marginals (correlations ignored)",
            "first_order": "Saltelli 2010: mean(f(B) (f(A_B^j) - f(A))) / V",
            "total": "Jansen 1999: mean((f(A) - f(A_B^j))^2) / (2 V)",
            "standard_error": "delta method on the means of the per-row terms",
        }) },
        "uncertain": uncertain,
        "correlations": correlations,
        "provenance": {
            "tool": "scalecast",
            "version": env!("CARGO_PKG_VERSION"),
            "scenario_file": provenance.file,
            "scenario_sha256": provenance.sha256,
            "base_files": provenance.bases_json(),
            "command": provenance.command,
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
