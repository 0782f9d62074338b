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

/// `fit.json`: the estimates with their intervals, the method and where the data came from.
pub fn json(
    kind: &str,
    source: &Source,
    method: Value,
    estimates: &[Estimate],
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
    let doc = json!({
        "fit": kind,
        "estimates": values,
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
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    s.push('\n');
    s
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
        "# Fitted by `{}` ({} runs, Huber delta {}).\n{}# Paste into the [pretraining] table of a scenario.\nlaw = {{ E = {}, A = {}, B = {}, alpha = {}, beta = {} }}\n",
        source.command,
        source.rows,
        number(f.delta),
        interval_comment(&pretraining_estimates(f)),
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
        "# Fitted by `{}` ({} scores; u {u_source}).\n{}[[domain]]\nname = \"{name}\"\n# verifiability = ?   # not fitted: the share of this domain's tasks with an automatic checker\nslope = {}\ndifficulty = {}\nfloor = {}\n",
        source.command,
        source.rows,
        interval_comment(&domain_estimates(f)),
        number(f.link.slope),
        number(f.link.difficulty),
        number(f.link.floor),
    )
}

/// `rl.toml`: the fitted RL progress keys, with the gain as a comment.
pub fn rl_toml(f: &RlFit, source: &Source) -> String {
    format!(
        "# Fitted by `{}` ({} scores).\n{}# {}\n# gain = {} (logits)\n[rl]\nmidpoint_steps = {}\nexponent = {}\n",
        source.command,
        source.rows,
        interval_comment(&rl_estimates(f)),
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
    fn table_shows_intervals() {
        let t = table(&pretraining_estimates(&fitted()));
        assert!(t.starts_with("quantity"), "{t}");
        assert!(t.contains("alpha"), "{t}");
        assert!(t.contains("[0.30000, 0.40000]"), "{t}");
    }
}
