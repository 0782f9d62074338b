//! The CSV outputs of MODEL.md §7: long format, floats written so they round-trip.

use crate::forecast::{Forecast, Levers};
use crate::model::Terms;

/// Columns of `capabilities.csv`.
pub const CAPABILITY_COLUMNS: [&str; 12] = [
    "scenario",
    "year",
    "domain",
    "capability",
    "logit",
    "pretrain",
    "rl",
    "erosion",
    "inference",
    "thought_ceiling",
    "effective_thinking_tokens",
    "thinking_multiplier_per_oom",
];

/// Columns of `levers.csv`.
pub const LEVER_COLUMNS: [&str; 15] = [
    "scenario",
    "year",
    "params",
    "tokens",
    "loss",
    "effective_log10_compute",
    "rl_steps",
    "rl_progress",
    "thinking_tokens",
    "pretrain_flop",
    "rl_flop",
    "flop_per_query",
    "training_usd",
    "rl_usd",
    "usd_per_query",
];

/// An f64 as the shortest text that parses back to the same value; `inf` for infinity.
/// Plain decimals between 1e-5 and 1e16, scientific notation outside (`1.8e12` stays readable).
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let a = x.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The numbers of one `capabilities.csv` row, in the order of [`CAPABILITY_COLUMNS`] after
/// `scenario, year, domain`.
pub fn term_numbers(t: &Terms) -> [f64; 9] {
    [
        t.capability,
        t.logit,
        t.pretrain,
        t.rl,
        t.erosion,
        t.inference,
        t.thought_ceiling,
        t.effective_thinking_tokens,
        t.thinking_multiplier_per_oom,
    ]
}

/// The numbers of one `levers.csv` row, in the order of [`LEVER_COLUMNS`] after `scenario`
/// (the year first).
pub fn lever_numbers(l: &Levers) -> [f64; 14] {
    [
        l.year,
        l.params,
        l.tokens,
        l.loss,
        l.effective_log10_compute,
        l.rl_steps,
        l.rl_progress,
        l.thinking_tokens,
        l.pretrain_flop,
        l.rl_flop,
        l.flop_per_query,
        l.training_usd,
        l.rl_usd,
        l.usd_per_query,
    ]
}

fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().collect();
    out.push_str(&cells.join(","));
    out.push('\n');
}

/// One row of `capabilities.csv` (year `k`, domain `d`), without the line end.
pub fn capability_row(f: &Forecast, k: usize, d: usize) -> String {
    [
        f.scenario.clone(),
        number(f.levers[k].year),
        f.domains[d].clone(),
    ]
    .into_iter()
    .chain(term_numbers(&f.terms[d][k]).map(number))
    .collect::<Vec<_>>()
    .join(",")
}

/// The rows of `capabilities.csv` for one forecast, without the header.
pub fn capability_rows(f: &Forecast, out: &mut String) {
    for k in 0..f.levers.len() {
        for d in 0..f.domains.len() {
            out.push_str(&capability_row(f, k, d));
            out.push('\n');
        }
    }
}

/// `capabilities.csv`: one row per (scenario, year, domain), years outer, domains in file order.
pub fn capabilities(forecasts: &[&Forecast]) -> String {
    let mut out = CAPABILITY_COLUMNS.join(",") + "\n";
    for f in forecasts {
        capability_rows(f, &mut out);
    }
    out
}

/// `levers.csv`: one row per (scenario, year).
pub fn levers(forecasts: &[&Forecast]) -> String {
    let mut out = LEVER_COLUMNS.join(",") + "\n";
    for f in forecasts {
        for l in &f.levers {
            line(
                &mut out,
                std::iter::once(f.scenario.clone()).chain(lever_numbers(l).map(number)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_read_well() {
        for x in [
            0.0,
            1.0,
            0.1,
            2024.25,
            1.8e12,
            13e12,
            1e16,
            1e-300,
            5e-324,
            f64::MAX,
            -3.5e-7,
            0.1 + 0.2,
        ] {
            let s = number(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(number(1.8e12), "1800000000000");
        assert_eq!(number(2e16), "2e16");
        assert_eq!(number(2024.25), "2024.25");
        assert_eq!(number(f64::INFINITY), "inf");
    }
}
