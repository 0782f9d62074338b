//! Backtest outputs: `backtest.csv` (one row per scored observation), `backtest.json` (errors
//! and provenance) and the printed table, each returned as text.

use serde_json::{json, Value};

use crate::backtest::Backtest;
use crate::report::csv::number;
use crate::report::json::{number as json_number, Provenance};

/// A CSV cell: quoted when it holds a comma, quote or line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `backtest.csv`: `scenario, observation, label, domain, year, observed, forecast, error`, and
/// with samples `p5, p25, p50, p75, p95, in_50, in_90`.
pub fn csv(b: &Backtest) -> String {
    let mut out = String::from("scenario,observation,label,domain,year,observed,forecast,error");
    if b.sampling.is_some() {
        out.push_str(",p5,p25,p50,p75,p95,in_50,in_90");
    }
    out.push('\n');
    for r in &b.scored {
        let mut cells = vec![
            cell(&b.scenario),
            r.index.to_string(),
            cell(r.label.as_deref().unwrap_or("")),
            cell(&r.domain),
            number(r.year),
            number(r.observed),
            number(r.forecast),
            number(r.error),
        ];
        if let Some(x) = r.bands {
            cells.extend([x.p5, x.p25, x.p50, x.p75, x.p95].map(number));
            cells.extend([x.in_50, x.in_90].map(|v| v.to_string()));
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `backtest.json`: the summaries, every scored observation and provenance.
pub fn json(b: &Backtest, provenance: &Provenance) -> String {
    let summaries: Vec<Value> = b
        .summaries
        .iter()
        .map(|s| {
            json!({
                "domain": s.domain.as_deref().unwrap_or("all"),
                "count": s.count,
                "mean_absolute_error": json_number(s.mean_absolute_error),
                "mean_error": json_number(s.mean_error),
                "share_in_50_band": s.share_in_50,
                "share_in_90_band": s.share_in_90,
            })
        })
        .collect();
    let rows: Vec<Value> = b
        .scored
        .iter()
        .map(|r| {
            let bands = r.bands.map(|x| {
                json!({
                    "p5": json_number(x.p5),
                    "p25": json_number(x.p25),
                    "p50": json_number(x.p50),
                    "p75": json_number(x.p75),
                    "p95": json_number(x.p95),
                    "in_50": x.in_50,
                    "in_90": x.in_90,
                })
            });
            json!({
                "observation": r.index,
                "label": r.label,
                "domain": r.domain,
                "year": json_number(r.year),
                "observed": json_number(r.observed),
                "forecast": json_number(r.forecast),
                "error": json_number(r.error),
                "bands": bands,
            })
        })
        .collect();
    let doc = json!({
        "scenario": b.scenario,
        "from": json_number(b.from),
        "error": "forecast - observed, the deterministic forecast evaluated at each observation's year",
        "summaries": summaries,
        "observations": rows,
        "not_scored": { "before_from": b.before, "without_year": b.without_year },
        "sampling": b.sampling.map(|m| json!({
            "samples": m.samples,
            "seed": m.seed,
            "method": "every distribution drawn as by `mc`: ChaCha8, one stream per sample, [[correlation]] through a Gaussian copula",
        })),
        "provenance": {
            "file": provenance.file,
            "sha256": provenance.sha256,
            "base_files": provenance.bases_json(),
            "command": provenance.command,
            "version": env!("CARGO_PKG_VERSION"),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The printed table: one row per scored observation, then the mean absolute errors.
pub fn table(b: &Backtest) -> String {
    let mut rows = vec![[
        "domain".to_string(),
        "year".into(),
        "observed".into(),
        "forecast".into(),
        "error".into(),
        "label".into(),
    ]];
    for r in &b.scored {
        rows.push([
            r.domain.clone(),
            format!("{}", r.year),
            format!("{:.3}", r.observed),
            format!("{:.3}", r.forecast),
            format!("{:+.3}", r.error),
            r.label.clone().unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for s in &b.summaries {
        out.push_str(&format!(
            "mean absolute error ({}, {} observation(s)): {:.4}, mean error {:+.4}",
            s.domain.as_deref().unwrap_or("all"),
            s.count,
            s.mean_absolute_error,
            s.mean_error
        ));
        if let (Some(a), Some(b)) = (s.share_in_50, s.share_in_90) {
            out.push_str(&format!(
                "; in the 50% band {:.0}%, in the 90% band {:.0}%",
                100.0 * a,
                100.0 * b
            ));
        }
        out.push('\n');
    }
    if b.before + b.without_year > 0 {
        out.push_str(&format!(
            "not scored: {} observation(s) before {}, {} without a year\n",
            b.before, b.from, b.without_year
        ));
    }
    out
}
