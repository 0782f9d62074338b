//! What the fits report: the printed table, `fit.json` and the TOML snippet to paste into a
//! scenario, each returned as text.

use serde_json::{json, Map, Value};

use crate::fit::domain::DomainFit;
use crate::fit::pretraining::PretrainingFit;
use crate::fit::rl::RlFit;
use crate::fit::{Bootstrap, Interval, LEVEL};
use crate::report::csv::number;
use crate::report::json::number as json_number;

/// One reported quantity, with its bootstrap interval when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub name: &'static str,
    pub value: f64,
    pub interval: Option<Interval>,
    /// What the quantity is, for the table and the JSON.
    pub meaning: &'static str,
}

/// Where the data came from and how to re-run the fit.
#[derive(Clone, Debug)]
pub struct Source {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub command: String,
}

fn estimate(
    name: &'static str,
    value: f64,
    interval: Option<Interval>,
    meaning: &'static str,
) -> Estimate {
    Estimate {
        name,
        value,
        interval,
        meaning,
    }
}

/// The reported quantities of a pretraining fit.
pub fn pretraining_estimates(f: &PretrainingFit) -> Vec<Estimate> {
    let i = f.intervals.as_ref();
    vec![
        estimate("E", f.law.e, i.map(|i| i.e), "irreducible loss"),
        estimate("A", f.law.a, i.map(|i| i.a), "parameter term coefficient"),
        estimate("B", f.law.b, i.map(|i| i.b), "data term coefficient"),
        estimate(
            "alpha",
            f.law.alpha,
            i.map(|i| i.alpha),
            "parameter exponent",
        ),
        estimate("beta", f.law.beta, i.map(|i| i.beta), "data exponent"),
        estimate(
            "tokens_per_param",
            f.tokens_per_param,
            i.map(|i| i.tokens_per_param),
            "compute-optimal D/N at --at-compute",
        ),
        estimate(
            "objective",
            f.objective,
            None,
            "sum of Huber losses of ln L",
        ),
        estimate("rmse", f.rmse, None, "root-mean-square loss error"),
    ]
}

/// The reported quantities of a domain fit.
pub fn domain_estimates(f: &DomainFit) -> Vec<Estimate> {
    let i = f.intervals.as_ref();
    vec![
        estimate(
            "slope",
            f.link.slope,
            i.map(|i| i.slope),
            "logits per OOM of effective compute",
        ),
        estimate(
            "difficulty",
            f.link.difficulty,
            i.map(|i| i.difficulty),
            "u (log10 FLOP) at the midpoint",
        ),
        estimate(
            "floor",
            f.link.floor,
            i.and_then(|i| i.floor),
            if f.floor_fixed {
                "chance level (given, not fitted)"
            } else {
                "chance level"
            },
        ),
        estimate(
            "objective",
            f.objective,
            None,
            "sum of squared score errors",
        ),
        estimate("rmse", f.rmse, None, "root-mean-square score error"),
    ]
}

/// The reported quantities of an RL fit.
pub fn rl_estimates(f: &RlFit) -> Vec<Estimate> {
    let i = f.intervals.as_ref();
    vec![
        estimate(
            "midpoint_steps",
            f.curve.midpoint_steps,
            i.map(|i| i.midpoint_steps),
            "rl.midpoint_steps: steps at half progress",
        ),
        estimate(
            "exponent",
            f.curve.exponent,
            i.map(|i| i.exponent),
            "rl.exponent",
        ),
        estimate(
            "gain",
            f.curve.gain,
            i.map(|i| i.gain),
            "logit gain at full RL progress (see note)",
        ),
        estimate("l0", f.curve.l0, i.map(|i| i.l0), "logit with no RL"),
        estimate(
            "objective",
            f.objective,
            None,
            "sum of squared logit errors",
        ),
        estimate(
            "rmse_logit",
            f.rmse_logit,
            None,
            "root-mean-square logit error",
        ),
        estimate(
            "rmse_score",
            f.rmse_score,
            None,
            "root-mean-square score error",
        ),
    ]
}

/// What `g` means in the model (printed under the RL table and written in the outputs).
pub const RL_GAIN_NOTE: &str = "gain is the logit gain at full RL progress (h = 1) at the \
thinking budget the scores were measured with: in the model, tau * Gmax plus the extra thinking \
gain RL brings (inference.rl_gain * tau * log2(1 + T_eff/T0)), less any erosion. Set \
rl.max_gain from it once tau and the thinking term are known.";

/// The warnings of a pretraining fit ([`warnings`]).
pub fn pretraining_warnings(f: &PretrainingFit) -> Vec<String> {
    warnings(&pretraining_estimates(f), f.converged, "")
}

/// The warnings of a domain fit ([`warnings`]).
pub fn domain_warnings(f: &DomainFit) -> Vec<String> {
    let remedy = if f.floor_fixed {
        ""
    } else {
        ", or give the chance level with --floor"
    };
    warnings(&domain_estimates(f), f.converged, remedy)
}

/// The warnings of an RL fit ([`warnings`]).
pub fn rl_warnings(f: &RlFit) -> Vec<String> {
    warnings(&rl_estimates(f), f.converged, "")
}

/// Why a fit's estimates should not be trusted, one message each; empty for a sound fit. A fit is
/// poorly identified when the full-data fit did not converge ([`crate::fit::stationary`]) or
/// when a point estimate lies outside its own bootstrap interval (the replicates, refitted from
/// it, end elsewhere). `remedy` ends the advice, e.g. ", or give the chance level with --floor".
pub fn warnings(estimates: &[Estimate], converged: bool, remedy: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !converged {
        out.push(format!(
            "the fit did not converge (the optimiser stopped where the objective still slopes): these data identify the parameters poorly and the estimates are not a best fit; check the data's units and range{remedy}"
        ));
    }
    let outside: Vec<String> = estimates
        .iter()
        .filter_map(|e| {
            let i = e.interval?;
            (!i.contains(e.value)).then(|| {
                format!(
                    "{} {} is outside [{}, {}]",
                    e.name,
                    show(e.value),
                    show(i.low),
                    show(i.high)
                )
            })
        })
        .collect();
    if !outside.is_empty() {
        out.push(format!(
            "point estimates outside their own {:.0}% bootstrap intervals ({}): these data identify the parameters poorly, so neither the estimates nor the intervals can be trusted; check the data's units and range{remedy}",
            LEVEL * 100.0,
            outside.join("; ")
        ));
    }
    out
}

/// A number for the printed table: 5 significant digits.
fn show(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:.4e}")
    } else {
        let digits = if a == 0.0 {
            4
        } else {
            (4 - a.log10().floor() as i32).max(0) as usize
        };
        format!("{x:.digits$}")
    }
}

/// The printed table: quantity, value, interval, meaning.
pub fn table(estimates: &[Estimate]) -> String {
    let header = format!("{:.0}% interval", LEVEL * 100.0);
    let mut rows = vec![[
        "quantity".to_string(),
        "value".into(),
        header,
        "meaning".into(),
    ]];
    for e in estimates {
        let interval = e.interval.map_or(String::new(), |i| {
            format!("[{}, {}]", show(i.low), show(i.high))
        });
        rows.push([
            e.name.to_string(),
            show(e.value),
            interval,
            e.meaning.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:<w0$}  {:>w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `fit.json`: the estimates with their intervals, the method and where the data came from;
/// `warnings` ([`warnings`]) follow the estimates when there are any.
pub fn json(
    kind: &str,
    source: &Source,
    method: Value,
    estimates: &[Estimate],
    warnings: &[String],
    boot: Bootstrap,
    replicates: Option<usize>,
) -> String {
    let mut values = Map::new();
    for e in estimates {
        let mut m = Map::new();
        m.insert("value".into(), json_number(e.value));
        if let Some(i) = e.interval {
            m.insert(
                "interval".into(),
                json!([json_number(i.low), json_number(i.high)]),
            );
        }
        m.insert("meaning".into(), json!(e.meaning));
        values.insert(e.name.into(), Value::Object(m));
    }
    let mut doc = Map::new();
    doc.insert("fit".into(), json!(kind));
    doc.insert("estimates".into(), Value::Object(values));
    if !warnings.is_empty() {
        doc.insert("warnings".into(), json!(warnings));
    }
    let rest = json!({
        "method": method,
        "bootstrap": {
            "replicates": boot.replicates,
            "converged": replicates,
            "seed": boot.seed,
            "level": LEVEL,
            "intervals": "percentile, over rows resampled with replacement (ChaCha8, one stream per replicate)",
        },
        "data": {
            "file": source.file,
            "sha256": source.sha256,
            "rows": source.rows,
        },
        "command": source.command,
        "version": env!("CARGO_PKG_VERSION"),
    });
    if let Value::Object(rest) = rest {
        doc.extend(rest);
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(doc)).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The warnings as comment lines of a snippet (none when there are none).
fn warning_comment(warnings: &[String]) -> String {
    warnings
        .iter()
        .map(|w| format!("# warning: {w}\n"))
        .collect()
}

fn interval_comment(estimates: &[Estimate]) -> String {
    let parts: Vec<String> = estimates
        .iter()
        .filter_map(|e| {
            e.interval
                .map(|i| format!("{} [{}, {}]", e.name, show(i.low), show(i.high)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(
            "# {:.0}% bootstrap intervals: {}\n",
            LEVEL * 100.0,
            parts.join(", ")
        )
    }
}

/// `law.toml`: the fitted law as a `pretraining.law` value.
pub fn pretraining_toml(f: &PretrainingFit, source: &Source) -> String {
    let l = &f.law;
    format!(
        "# Fitted by `{}` ({} runs, Huber delta {}).\n{}{}# Paste into the [pretraining] table of a scenario.\nlaw = {{ E = {}, A = {}, B = {}, alpha = {}, beta = {} }}\n",
        source.command,
        source.rows,
        number(f.delta),
        interval_comment(&pretraining_estimates(f)),
        warning_comment(&pretraining_warnings(f)),
        number(l.e),
        number(l.a),
        number(l.b),
        number(l.alpha),
        number(l.beta)
    )
}

/// `domain.toml`: a `[[domain]]` table with the fitted slope, difficulty and floor.
pub fn domain_toml(f: &DomainFit, name: &str, u_source: &str, source: &Source) -> String {
    format!(
        "# Fitted by `{}` ({} scores; u {u_source}).\n{}{}[[domain]]\nname = \"{name}\"\n# verifiability = ?   # not fitted: the share of this domain's tasks with an automatic checker\nslope = {}\ndifficulty = {}\nfloor = {}\n",
        source.command,
        source.rows,
        interval_comment(&domain_estimates(f)),
        warning_comment(&domain_warnings(f)),
        number(f.link.slope),
        number(f.link.difficulty),
        number(f.link.floor),
    )
}

/// `rl.toml`: the fitted RL progress keys, with the gain as a comment.
pub fn rl_toml(f: &RlFit, source: &Source) -> String {
    format!(
        "# Fitted by `{}` ({} scores).\n{}{}# {}\n# gain = {} (logits)\n[rl]\nmidpoint_steps = {}\nexponent = {}\n",
        source.command,
        source.rows,
        interval_comment(&rl_estimates(f)),
        warning_comment(&rl_warnings(f)),
        RL_GAIN_NOTE,
        number(f.curve.gain),
        number(f.curve.midpoint_steps),
        number(f.curve.exponent),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::pretraining::Intervals;
    use crate::model::pretraining::Law;

    fn fitted() -> PretrainingFit {
        let i = Interval {
            low: 0.3,
            high: 0.4,
        };
        PretrainingFit {
            law: Law::EPOCH,
            objective: 0.01,
            rmse: 0.02,
            rows: 200,
            delta: 1e-3,
            at_compute: 1e24,
            tokens_per_param: 25.0,
            intervals: Some(Intervals {
                e: i,
                a: i,
                b: i,
                alpha: i,
                beta: i,
                tokens_per_param: i,
                replicates: 100,
            }),
            converged: true,
        }
    }

    fn source() -> Source {
        Source {
            file: "runs.csv".into(),
            sha256: "00".into(),
            rows: 200,
            command: "scalecast fit pretraining runs.csv".into(),
        }
    }

    #[test]
    fn law_snippet_parses_back_as_the_same_law() {
        let text = pretraining_toml(&fitted(), &source());
        let scenario = format!(
            "[pretraining]\nparams = 1e9\ntokens = 2e10\n{text}\n[[domain]]\nname = \"math\"\nverifiability = 1\nslope = 1\ndifficulty = 25\n"
        );
        let s = crate::scenario::Scenario::from_text("s.toml", "s", &scenario).unwrap();
        assert_eq!(s.pretraining.law, Law::EPOCH);
        assert!(text.contains("alpha [0.30000, 0.40000]"), "{text}");
    }

    #[test]
    fn json_has_values_intervals_and_provenance() {
        let f = fitted();
        let boot = Bootstrap {
            replicates: 100,
            seed: 1,
        };
        let text = json(
            "pretraining",
            &source(),
            json!({}),
            &pretraining_estimates(&f),
            &[],
            boot,
            Some(100),
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["estimates"]["alpha"]["value"], json!(0.3478));
        assert_eq!(v["estimates"]["alpha"]["interval"], json!([0.3, 0.4]));
        assert!(v["estimates"]["rmse"].get("interval").is_none());
        assert_eq!(v["data"]["rows"], json!(200));
    }

    #[test]
    fn warnings_name_estimates_outside_their_intervals_and_a_fit_that_did_not_converge() {
        let mut f = fitted();
        // E = 1.8172, A = 482.01, B = 2085.43 lie outside [0.3, 0.4]; alpha and beta inside
        let w = pretraining_warnings(&f);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("E 1.8172 is outside [0.30000, 0.40000]"),
            "{w:?}"
        );
        assert!(w[0].contains("B 2085.4 is outside"), "{w:?}");
        assert!(!w[0].contains("alpha"), "{w:?}");
        assert!(w[0].contains("identify the parameters poorly"), "{w:?}");
        f.converged = false;
        let w = pretraining_warnings(&f);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("the fit did not converge"), "{w:?}");
        // recorded in fit.json after the estimates, and as comments in the snippet
        let text = json(
            "pretraining",
            &source(),
            json!({}),
            &pretraining_estimates(&f),
            &w,
            Bootstrap {
                replicates: 100,
                seed: 1,
            },
            Some(100),
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["warnings"], json!(w));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "fit",
                "estimates",
                "warnings",
                "method",
                "bootstrap",
                "data",
                "command",
                "version"
            ]
        );
        let toml = pretraining_toml(&f, &source());
        assert_eq!(toml.matches("\n# warning: ").count(), 2, "{toml}");
        // a sound fit, or one without intervals, warns of nothing
        f.converged = true;
        f.intervals = None;
        assert!(pretraining_warnings(&f).is_empty());
        assert!(!pretraining_toml(&f, &source()).contains("warning"));
    }

    #[test]
    fn json_without_warnings_has_no_warnings_key() {
        let f = fitted();
        let text = json(
            "pretraining",
            &source(),
            json!({}),
            &pretraining_estimates(&f),
            &[],
            Bootstrap {
                replicates: 100,
                seed: 1,
            },
            Some(100),
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v.get("warnings").is_none());
    }

    #[test]
    fn table_shows_intervals() {
        let t = table(&pretraining_estimates(&fitted()));
        assert!(t.starts_with("quantity"), "{t}");
        assert!(t.contains("alpha"), "{t}");
        assert!(t.contains("[0.30000, 0.40000]"), "{t}");
    }
}
