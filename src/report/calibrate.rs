//! What `calibrate` writes: the calibrated base file (TOML a scenario can name as its `base`),
//! `calibration.json`, `curves.csv`, `pairs.csv` and `frontier.csv`, the holdout's
//! `holdout.csv` and `holdout.json`, and the printed tables, each returned as text.

use std::fmt::Write;

use serde_json::{json, Value};

use super::csv::number as csv_number;
use super::json::number;
use crate::calibrate::holdout::{Holdout, METHODS};
use crate::calibrate::observations::Data;
use crate::calibrate::{effective_compute, Calibration};
use crate::fit::Interval;
use crate::scenario::Scenario;

/// How the calibration was made, for headers and provenance.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The command line that re-runs it (without `--out`, which changes no number).
    pub command: String,
    /// `(file, SHA-256)` of every input: the observations, the benchmarks table, the scenario
    /// and its bases.
    pub inputs: Vec<(String, String)>,
    /// The scenario's file name, which the calibrated file names as its base (so it belongs
    /// beside that scenario).
    pub base: String,
}

impl Origin {
    /// The provenance block of the JSON files: tool, version, inputs with their SHA-256, command.
    fn json(&self) -> Value {
        json!({
            "tool": "scalecast",
            "version": env!("CARGO_PKG_VERSION"),
            "inputs": self.inputs.iter().map(|(f, h)| json!({"file": f, "sha256": h})).collect::<Vec<_>>(),
            "command": self.command,
        })
    }
}

fn pretty(doc: &Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("JSON values serialise");
    s.push('\n');
    s
}

fn interval_json(i: Option<Interval>) -> Value {
    match i {
        Some(i) => json!([number(i.low), number(i.high)]),
        None => Value::Null,
    }
}

fn interval_comment(i: Option<Interval>) -> String {
    match i {
        Some(i) => format!("  # 90% interval [{}, {}]", short(i.low), short(i.high)),
        None => String::new(),
    }
}

/// A year as a date-like label: `2024` for whole years, else to two decimals.
pub fn year_text(y: f64) -> String {
    if y.fract() == 0.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.2}")
    }
}

/// The calibrated base file: efficiency growth, the present's compute, RL gain and transfer,
/// and one `[[domain]]` per scenario domain (its anchor's curve), each with its interval.
pub fn base_toml(c: &Calibration, o: &Origin) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "# Calibrated present: written by `{}`.", o.command);
    let _ = writeln!(
        t,
        "# Do not edit by hand: change the data or the scenario that names this file, then re-run that command."
    );
    let _ = writeln!(
        t,
        "# Data: Epoch AI (2025), \"A Rosetta Stone for AI Benchmarks\" data (Benchmarking Hub runs and external"
    );
    let _ = writeln!(
        t,
        "# benchmark scores), and Epoch AI, \"Data on Notable AI Models\" (training compute); see data/epoch/README.md."
    );
    let _ = writeln!(
        t,
        "# {} observations{}; {} bootstrap replicates.",
        c.used,
        c.settings.before.map_or(String::new(), |y| format!(
            " released before {}",
            year_text(y)
        )),
        c.replicates
    );
    let _ = writeln!(t);
    let _ = writeln!(t, "[scenario]");
    let _ = writeln!(
        t,
        "base = \"{}\"  # the scenario this was calibrated for: its levers, law and verifiabilities",
        o.base
    );
    let _ = writeln!(t);
    let _ = writeln!(t, "[pretraining]");
    let _ = writeln!(
        t,
        "# Effective compute at a fixed training compute grows {} orders of magnitude a year along the frontier of",
        short(c.growth)
    );
    let _ = writeln!(
        t,
        "# observations ({}x a year){}.",
        short(10f64.powf(c.growth)),
        match c.growth_interval {
            Some(i) => format!(
                ", 90% interval {}x to {}x",
                short(10f64.powf(i.low)),
                short(10f64.powf(i.high))
            ),
            None if c.settings.efficiency_growth.is_some() =>
                ", fixed by --efficiency-growth".into(),
            None => ", no interval (no bootstrap)".into(),
        }
    );
    if c.growth_interval.is_some() {
        let _ = writeln!(
            t,
            "# Written as a lognormal whose median is the estimate and whose sigma matches the interval's"
        );
        let _ = writeln!(
            t,
            "# width (the interval itself is not symmetric about the estimate), so that Monte Carlo carries it."
        );
    }
    let growth = match c.growth_interval {
        Some(i) => format!(
            "{{ dist = \"lognormal\", median = {}, sigma = {} }}",
            csv_number(10f64.powf(c.growth)),
            csv_number(spread(i) * std::f64::consts::LN_10)
        ),
        None => csv_number(10f64.powf(c.growth)),
    };
    let _ = writeln!(t, "efficiency = {{ start = 1.0, growth = {growth} }}");
    if let Some(rl) = c.rl {
        let _ = writeln!(t);
        let _ = writeln!(t, "[rl]");
        let _ = writeln!(
            t,
            "# Fitted to the logit gains of reasoners over their non-reasoning contemporaries (pairs.csv), at a"
        );
        let _ = writeln!(
            t,
            "# reference reasoner of {} RL steps and {} thinking tokens.",
            csv_number(c.settings.reasoner_steps),
            csv_number(c.settings.reasoner_tokens)
        );
        if c.max_gain_interval.is_some() {
            let _ = writeln!(
                t,
                "# Written as normal distributions around the estimates with the width of their bootstrap intervals,"
            );
            let _ = writeln!(
                t,
                "# so that Monte Carlo carries the calibration's uncertainty; a deterministic run uses the estimates."
            );
        }
        let _ = writeln!(
            t,
            "max_gain = {}{}",
            normal(rl.max_gain, c.max_gain_interval, (0.0, f64::INFINITY)),
            interval_comment(c.max_gain_interval)
        );
        if let Some(x) = rl.transfer {
            let _ = writeln!(
                t,
                "transfer = {}{}",
                normal(x, c.transfer_interval, (-1.0, 1.0)),
                interval_comment(c.transfer_interval)
            );
        }
    }
    for d in &c.domains {
        let b = c
            .benchmark(&d.anchor)
            .and_then(|b| b.curve.as_ref())
            .expect("a domain's anchor has a curve");
        let _ = writeln!(t);
        let _ = writeln!(t, "[[domain]]");
        let _ = writeln!(
            t,
            "name = \"{}\"  # anchor benchmark: {} ({} frontier models of {})",
            d.name,
            d.anchor,
            b.frontier.len(),
            b.eligible
        );
        let _ = writeln!(
            t,
            "slope = {}{}",
            csv_number(d.domain.slope),
            interval_comment(b.slope)
        );
        let _ = writeln!(
            t,
            "difficulty = {}{}",
            csv_number(d.domain.difficulty),
            interval_comment(d.difficulty)
        );
        let _ = writeln!(
            t,
            "floor = {}{}",
            csv_number(d.domain.floor),
            if b.floor.is_some() {
                interval_comment(b.floor)
            } else {
                "  # the benchmark's chance level".into()
            }
        );
    }
    t
}

/// The standard deviation of a normal whose central 90% is as wide as `i`.
fn spread(i: Interval) -> f64 {
    (i.high - i.low) / (2.0 * crate::calibrate::Z90)
}

/// `x` as a normal distribution with the spread of interval `i`, clamped to `range` (a plain
/// number without an interval).
fn normal(x: f64, i: Option<Interval>, (lo, hi): (f64, f64)) -> String {
    match i {
        Some(i) => {
            let mut t = format!(
                "{{ dist = \"normal\", mean = {}, sd = {}",
                csv_number(x),
                csv_number(spread(i))
            );
            if lo.is_finite() {
                t.push_str(&format!(", min = {}", csv_number(lo)));
            }
            if hi.is_finite() {
                t.push_str(&format!(", max = {}", csv_number(hi)));
            }
            t.push_str(" }");
            t
        }
        None => csv_number(x),
    }
}

/// 3 significant digits.
fn short(x: f64) -> String {
    super::fit_charts::short(x)
}

/// `calibration.json`: settings, every benchmark's curve and gain, the RL fit, the domains,
/// provenance.
pub fn json(c: &Calibration, o: &Origin) -> String {
    let benchmarks: Vec<Value> = c
        .benchmarks
        .iter()
        .map(|b| {
            let curve = b.curve.as_ref().map_or(Value::Null, |k| {
                json!({
                    "slope": number(k.link.slope),
                    "slope_interval": interval_json(k.slope),
                    "difficulty": number(k.link.difficulty),
                    "difficulty_interval": interval_json(k.difficulty),
                    "floor": number(k.link.floor),
                    "floor_fitted": b.benchmark.chance.is_none(),
                    "floor_interval": interval_json(k.floor),
                    "eligible_observations": k.eligible,
                    "frontier_observations": k.frontier.len(),
                    "rmse": number(k.rmse),
                    "at_present": number(k.present),
                    "at_present_interval": interval_json(k.present_interval),
                    "at_present_prediction_interval": interval_json(k.present_prediction),
                })
            });
            let gain = b.gain.as_ref().map_or(Value::Null, |g| {
                json!({
                    "mean_logits": number(g.gain.mean),
                    "interval": interval_json(g.interval),
                    "pairs": g.pairs.iter().map(|(r, c, d)| json!({"reasoner": r, "contemporary": c, "logits": number(*d)})).collect::<Vec<_>>(),
                })
            });
            json!({
                "benchmark": b.benchmark.id,
                "domain": b.benchmark.domain,
                "anchor": b.benchmark.anchor,
                "verifiable": number(b.benchmark.verifiable),
                "curve": curve,
                "reasoner_gain": gain,
                "observed_best_before_present": b.observed_present.map_or(Value::Null, number),
            })
        })
        .collect();
    let domains: Vec<Value> = c
        .domains
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "anchor": d.anchor,
                "verifiability": number(d.domain.verifiability),
                "slope": number(d.domain.slope),
                "difficulty": number(d.domain.difficulty),
                "difficulty_interval": interval_json(d.difficulty),
                "floor": number(d.domain.floor),
            })
        })
        .collect();
    let doc = json!({
        "present_year": number(c.present_year),
        "present_compute": number(c.present_compute),
        "present_effective_compute": number(c.present_u),
        "largest_observed_compute_before_present": number(c.largest_observed_compute),
        "before": c.settings.before.map_or(Value::Null, number),
        "efficiency_growth_ooms_per_year": number(c.growth),
        "efficiency_growth_interval": interval_json(c.growth_interval),
        "efficiency_growth_fitted": c.settings.efficiency_growth.is_none(),
        "reference_reasoner": {
            "rl_steps": number(c.settings.reasoner_steps),
            "thinking_tokens": number(c.settings.reasoner_tokens),
            "contemporary_thinking_tokens": number(c.reference.contemporary.thinking_tokens),
        },
        "rl": c.rl.map_or(Value::Null, |r| json!({
            "max_gain": number(r.max_gain),
            "max_gain_interval": interval_json(c.max_gain_interval),
            "transfer": r.transfer.map_or(Value::Null, number),
            "transfer_interval": interval_json(c.transfer_interval),
            "transfer_replicates": c.transfer_replicates,
            "weighted_squared_error": number(r.cost),
        })),
        "domains": domains,
        "benchmarks": benchmarks,
        "bootstrap": {
            "replicates_asked": c.settings.bootstrap.replicates,
            "replicates_fitted": c.replicates,
            "seed": c.settings.bootstrap.seed,
            "level": crate::fit::LEVEL,
        },
        "method": "Curves score = floor + (1 - floor) sigmoid(slope (u - difficulty)) per benchmark, one slope per domain, least squares on the score over the benchmark's frontier (non-reasoning, non-distilled models with a training compute within the scale band of the largest released by then, that no such model with no more compute and no later release beats); u = the scenario's effective compute of the training compute + g (year - present year), g shared by all benchmarks. Reasoner gains: mean logit difference over the floor between each reasoner and its non-reasoning contemporary. rl.max_gain and rl.transfer: weighted least squares of the model's reasoner-minus-contemporary logit difference on those gains, through each benchmark's share of automatically graded items. Difficulties on the scenario's scale: shifted so that a non-reasoner at the scenario's first-year levers sits on its curve.",
        "provenance": o.json(),
    });
    pretty(&doc)
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), csv_number)
}

/// `curves.csv`: one row per benchmark.
pub fn curves_csv(c: &Calibration) -> String {
    let mut out = String::from("benchmark,domain,anchor,verifiable,eligible,frontier,slope,slope_low,slope_high,difficulty,difficulty_low,difficulty_high,floor,floor_low,floor_high,rmse,at_present,at_present_low,at_present_high,prediction_low,prediction_high,observed_best_before_present,reasoner_gain,reasoner_gain_low,reasoner_gain_high,pairs,contemporaries\n");
    for b in &c.benchmarks {
        let k = b.curve.as_ref();
        let i = |f: &dyn Fn(&crate::calibrate::Curve) -> Option<Interval>, lo: bool| {
            opt(k.and_then(f).map(|i| if lo { i.low } else { i.high }))
        };
        let g = b.gain.as_ref();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            b.benchmark.id,
            b.benchmark.domain,
            b.benchmark.anchor,
            csv_number(b.benchmark.verifiable),
            k.map_or(String::new(), |k| k.eligible.to_string()),
            k.map_or(String::new(), |k| k.frontier.len().to_string()),
            opt(k.map(|k| k.link.slope)),
            i(&|k| k.slope, true),
            i(&|k| k.slope, false),
            opt(k.map(|k| k.link.difficulty)),
            i(&|k| k.difficulty, true),
            i(&|k| k.difficulty, false),
            opt(k.map(|k| k.link.floor)),
            i(&|k| k.floor, true),
            i(&|k| k.floor, false),
            opt(k.map(|k| k.rmse)),
            opt(k.map(|k| k.present)),
            i(&|k| k.present_interval, true),
            i(&|k| k.present_interval, false),
            i(&|k| k.present_prediction, true),
            i(&|k| k.present_prediction, false),
            opt(b.observed_present),
            opt(g.map(|g| g.gain.mean)),
            opt(g.and_then(|g| g.interval).map(|i| i.low)),
            opt(g.and_then(|g| g.interval).map(|i| i.high)),
            g.map_or(String::new(), |g| g.gain.pairs.to_string()),
            g.map_or(String::new(), |g| g.contemporaries().to_string()),
        );
    }
    out
}

/// `pairs.csv`: every reasoner paired with its contemporary, per benchmark.
pub fn pairs_csv(c: &Calibration) -> String {
    let mut out = String::from("benchmark,domain,reasoner,contemporary,logit_gain\n");
    for b in &c.benchmarks {
        if let Some(g) = &b.gain {
            for (r, k, d) in &g.pairs {
                let _ = writeln!(
                    out,
                    "{},{},{r},{k},{}",
                    b.benchmark.id,
                    b.benchmark.domain,
                    csv_number(*d)
                );
            }
        }
    }
    out
}

/// `frontier.csv`: every observation of a benchmark with a curve, its effective compute (when
/// its compute is known), its role in the fit and the curve's score there.
pub fn frontier_csv(c: &Calibration, data: &Data, s: &Scenario) -> String {
    let mut out = String::from(
        "benchmark,model_version,year,training_compute,effective_compute,role,score,curve\n",
    );
    for b in &c.benchmarks {
        let Some(k) = &b.curve else { continue };
        for (i, o) in data.observations.iter().enumerate() {
            if o.benchmark != b.benchmark.id {
                continue;
            }
            let u = o
                .compute
                .map(|x| effective_compute(s, x).0 + c.growth * (o.year - c.present_year));
            let role = if c.settings.before.is_some_and(|y| o.year >= y) {
                "after split"
            } else if k.frontier.contains(&i) {
                "frontier"
            } else if o.reasoner {
                "reasoner"
            } else if o.distilled {
                "distilled"
            } else if o.compute.is_none() {
                "no compute"
            } else {
                "below frontier"
            };
            let _ = writeln!(
                out,
                "{},{},{},{},{},{role},{},{}",
                b.benchmark.id,
                o.model_version,
                csv_number(o.year),
                opt(o.compute),
                opt(u),
                csv_number(o.score),
                opt(u.map(|u| k.link.score(u))),
            );
        }
    }
    out
}

fn cell(x: Option<f64>, digits: usize) -> String {
    x.map_or("-".into(), |x| format!("{x:.digits$}"))
}

fn range(i: Option<Interval>, digits: usize) -> String {
    i.map_or(String::new(), |i| {
        format!("[{:.digits$}, {:.digits$}]", i.low, i.high)
    })
}

/// The printed summary: per domain its anchor's curve and the present, then the RL fit.
pub fn table(c: &Calibration) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "efficiency growth {} OOM/year ({}x a year){}; present {}: compute {} FLOP (largest observed before it: {}), u = {:.3}",
        short(c.growth),
        short(10f64.powf(c.growth)),
        c.growth_interval.map_or(String::new(), |i| format!(" {}", range(Some(i), 3))),
        year_text(c.present_year),
        short(c.present_compute),
        short(c.largest_observed_compute),
        c.present_u
    );
    let _ = writeln!(
        t,
        "{:<9} {:<19} {:>7} {:<17} {:>8} {:<17} {:>6} {:>8} {:<17} {:>8}",
        "domain",
        "anchor",
        "slope",
        "90% interval",
        "difficulty",
        "90% interval",
        "floor",
        "present",
        "90% prediction",
        "observed"
    );
    for d in &c.domains {
        let b = c.benchmark(&d.anchor).expect("the anchor is a benchmark");
        let k = b.curve.as_ref().expect("the anchor has a curve");
        let _ = writeln!(
            t,
            "{:<9} {:<19} {:>7.3} {:<17} {:>8.3} {:<17} {:>6.3} {:>8.3} {:<17} {:>8}",
            d.name,
            d.anchor,
            d.domain.slope,
            range(k.slope, 3),
            d.domain.difficulty,
            range(d.difficulty, 2),
            d.domain.floor,
            k.present,
            range(k.present_prediction, 3),
            cell(b.observed_present, 3),
        );
    }
    let _ = writeln!(t, "reasoner gains (logits over the contemporary):");
    for b in &c.benchmarks {
        if let Some(g) = &b.gain {
            let _ = writeln!(
                t,
                "  {:<20} {:<9} {:+.3} {:<18} {} pair(s) with {} contemporaries, verifiable {}",
                b.benchmark.id,
                b.benchmark.domain,
                g.gain.mean,
                range(g.interval, 2),
                g.gain.pairs,
                g.contemporaries(),
                short(b.benchmark.verifiable)
            );
        }
    }
    match c.rl {
        Some(rl) => {
            let _ = writeln!(
                t,
                "rl.max_gain = {:.3} {}; rl.transfer = {} {}",
                rl.max_gain,
                range(c.max_gain_interval, 3),
                rl.transfer.map_or(
                    "not identified (no benchmark graded without a checker has pairs)".into(),
                    |x| format!("{x:.3}")
                ),
                range(c.transfer_interval, 3)
            );
            if rl.transfer.is_some() && c.transfer_replicates < c.replicates {
                let _ = writeln!(
                    t,
                    "  (the transfer's interval is from the {} of {} replicates whose resampled pairs identify it)",
                    c.transfer_replicates, c.replicates
                );
            }
        }
        None => {
            let _ = writeln!(
                t,
                "no reasoner pairs: rl.max_gain and rl.transfer keep the scenario's values"
            );
        }
    }
    t
}

/// `holdout.csv`: one row per benchmark and scored year.
pub fn holdout_csv(h: &Holdout) -> String {
    let mut out =
        String::from("benchmark,domain,year,observed,model,carried_forward,logit_trend\n");
    for b in &h.benchmarks {
        for r in &b.rows {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{}",
                b.benchmark,
                b.domain,
                csv_number(r.year),
                csv_number(r.observed),
                opt(r.forecasts[0]),
                opt(r.forecasts[1]),
                opt(r.forecasts[2]),
            );
        }
    }
    out
}

/// `holdout.json`: the split, the mean absolute errors per domain and method, the rows.
pub fn holdout_json(h: &Holdout, c: &Calibration, o: &Origin) -> String {
    let domains: Vec<Value> = h
        .domains
        .iter()
        .map(|d| {
            let mut mae = serde_json::Map::new();
            for (m, x) in METHODS.iter().zip(d.mae) {
                mae.insert((*m).to_string(), x.map_or(Value::Null, number));
            }
            json!({
                "domain": d.domain,
                "benchmarks": d.benchmarks,
                "scored": d.count,
                "mean_absolute_error": mae,
            })
        })
        .collect();
    let doc = json!({
        "split": number(h.split),
        "until": number(h.until),
        "efficiency_growth_ooms_per_year": number(c.growth),
        "calibrated_on_observations": c.used,
        "domains": domains,
        "method": "Calibrated on observations released before the split; the model forecasts each benchmark from the scenario's levers with the calibrated curves and efficiency growth; 'carried forward' keeps the best score released before the split; 'logit trend' is a least-squares line in time through the logits (over the floor) of the records set before the split. Scored at the scenario's grid years after the split up to 'until', against the best score released by each year.",
        "provenance": o.json(),
    });
    pretty(&doc)
}

/// The printed holdout table: MAE per domain and method, the best marked.
pub fn holdout_table(h: &Holdout) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "holdout: calibrated before {}, scored at the grid years after it up to {}",
        year_text(h.split),
        year_text(h.until)
    );
    if h.unobserved_years > 0 {
        let _ = writeln!(
            t,
            "({} grid years of --until lie after the last release in the data: the frontier there is not observed, so they are not scored)",
            h.unobserved_years
        );
    }
    let _ = writeln!(
        t,
        "{:<9} {:<34} {:>6} {:>9} {:>16} {:>12}",
        "domain", "benchmarks", "scored", METHODS[0], METHODS[1], METHODS[2]
    );
    for d in &h.domains {
        if d.count == 0 {
            let _ = writeln!(
                t,
                "{:<9} no observation before the split: not scored",
                d.domain
            );
            continue;
        }
        let best = d
            .mae
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.map(|x| (i, x)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        let show = |i: usize| {
            let mark = if best == Some(i) { "*" } else { " " };
            format!("{}{mark}", cell(d.mae[i], 3))
        };
        let _ = writeln!(
            t,
            "{:<9} {:<34} {:>6} {:>9} {:>16} {:>12}",
            d.domain,
            d.benchmarks.join(", "),
            d.count,
            show(0),
            show(1),
            show(2)
        );
    }
    let _ = writeln!(
        t,
        "(mean absolute error of the frontier score; * the lowest)"
    );
    t
}
