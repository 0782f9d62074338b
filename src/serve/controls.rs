//! The page's controls: one per numeric key path, with its slider's scale and range, from the
//! key's [`Rule`] (the contract's range) and its value in the file.
//!
//! - Keys bounded on both sides (verifiability, floor, transfer) slide linearly over their
//!   whole range.
//! - Keys that must be positive slide on a log scale over two decades either side of the
//!   value; keys that may also be 0 get a `0` stop at the left end, keys that may be `inf` an
//!   `inf` stop at the right end (an infinite value centres the slider on the contract's
//!   default, or on the ceiling's base for `ceiling.max`).
//! - Years (trajectory `from`, `until`, point years) slide linearly from ten years before the
//!   grid to ten after; other finite keys over the value plus or minus a fifth of it (at least 2).
//! - Keys of `[time]` are shown but cannot be edited: a sweep cannot vary them either.

use serde_json::{json, Value};

use crate::model::CeilingParams;
use crate::report::json::number;
use crate::scenario::{Rule, Scenario};

/// How far a log slider reaches either side of the value, in decades.
const LOG_DECADES: f64 = 2.0;

/// One control.
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    pub path: String,
    pub value: f64,
    pub rule: Rule,
    pub log: bool,
    pub min: f64,
    pub max: f64,
    /// A `0` stop left of `min`.
    pub zero: bool,
    /// An `inf` stop right of `max`.
    pub inf: bool,
    /// Why the key cannot be edited, if it cannot.
    pub fixed: Option<String>,
    /// The distribution the file gives, if any (the page shows its median).
    pub dist: Option<String>,
}

/// Every numeric key of `s`, in key-path order.
pub fn controls(s: &Scenario) -> Vec<Control> {
    let rules: Vec<(String, Rule)> = s
        .clone()
        .leaves()
        .into_iter()
        .map(|l| (l.path, l.rule))
        .collect();
    let years = (s.time.year(0), s.time.year(s.time.len() - 1));
    rules
        .into_iter()
        .zip(s.parameters())
        .map(|((path, rule), (_, value))| {
            let (log, min, max, zero, inf) = range(s, &path, value, rule, years);
            Control {
                fixed: path.starts_with("time.").then(|| {
                    "keys of [time] are fixed: every view shares the file's time grid, as in a sweep"
                        .to_string()
                }),
                dist: s.uncertain.iter().find(|u| u.path == path).map(|u| {
                    format!(
                        "a {} distribution in the file: shown at its median; an edit pins it",
                        u.dist.family.name()
                    )
                }),
                path,
                value,
                rule,
                log,
                min,
                max,
                zero,
                inf,
            }
        })
        .collect()
}

/// Whether a key holds a year.
fn is_year(path: &str) -> bool {
    path == "time.start"
        || path == "time.end"
        || path.ends_with(".from")
        || path.ends_with(".until")
        || (path.contains(".points[") && path.ends_with("][0]"))
}

/// `(log, min, max, zero stop, inf stop)` of a key's slider.
fn range(
    s: &Scenario,
    path: &str,
    value: f64,
    rule: Rule,
    (first, last): (f64, f64),
) -> (bool, f64, f64, bool, bool) {
    let decades = 10f64.powf(LOG_DECADES);
    match rule {
        Rule::Unit => (false, 0.0, 1.0, false, false),
        Rule::Floor => (false, 0.0, 0.99, false, false),
        Rule::Transfer => (false, -1.0, 1.0, false, false),
        Rule::AtLeastOne => (false, 1.0, (2.0 * value).max(4.0), false, false),
        Rule::Finite | Rule::FiniteOrInf if is_year(path) => {
            let v = if value.is_finite() { value } else { last };
            (
                false,
                (v.min(first) - 10.0).floor(),
                (v.max(last) + 10.0).ceil(),
                false,
                rule == Rule::FiniteOrInf,
            )
        }
        Rule::Finite | Rule::FiniteOrInf => {
            let span = (value.abs() / 5.0).max(2.0);
            (
                false,
                value - span,
                value + span,
                false,
                rule == Rule::FiniteOrInf,
            )
        }
        Rule::Positive => (true, value / decades, value * decades, false, false),
        Rule::NonNegative => {
            let centre = if value > 0.0 { value } else { 1.0 };
            (true, centre / decades, centre * decades, true, false)
        }
        Rule::PositiveOrInf => {
            let centre = if value.is_finite() {
                value
            } else if path.ends_with(".sharpness") {
                CeilingParams::default().sharpness
            } else if s.inference.ceiling.base.is_finite() {
                s.inference.ceiling.base
            } else {
                CeilingParams::default().base
            };
            (true, centre / decades, centre * decades, false, true)
        }
    }
}

impl Control {
    /// The control as the page reads it.
    pub fn json(&self) -> Value {
        json!({
            "path": self.path,
            "value": number(self.value),
            "expected": self.rule.expected(),
            "scale": if self.log { "log" } else { "linear" },
            "min": number(self.min),
            "max": number(self.max),
            "zero": self.zero,
            "inf": self.inf,
            "fixed": self.fixed,
            "dist": self.dist,
        })
    }
}

/// The two switches: erosion (`erosion.rate` 0 or its value) and the thought ceiling
/// (`inference.ceiling.base` inf or its value). `on` is the value that turns it on: the file's,
/// or the contract's default ceiling; erosion that is off in the file has none (drag the rate).
pub fn toggles(s: &Scenario) -> Value {
    let rate = s.erosion.rate;
    let base = s.inference.ceiling.base;
    json!({
        "erosion": {
            "path": "erosion.rate",
            "off": number(0.0),
            "on": if rate > 0.0 { number(rate) } else { Value::Null },
        },
        "ceiling": {
            "path": "inference.ceiling.base",
            "off": number(f64::INFINITY),
            "on": number(if base.is_finite() { base } else { CeilingParams::default().base }),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(file: &str) -> Scenario {
        Scenario::from_file(std::path::Path::new(file)).unwrap()
    }

    /// A fixed scenario (the reasoners world as first shipped), so these ranges do not move with
    /// the calibration.
    const PLAYGROUND: &str = "tests/fixtures/playground.toml";

    fn control<'a>(cs: &'a [Control], path: &str) -> &'a Control {
        cs.iter().find(|c| c.path == path).unwrap()
    }

    #[test]
    fn ranges_follow_the_rules() {
        let cs = controls(&scenario(PLAYGROUND));
        assert_eq!(cs.len(), scenario(PLAYGROUND).parameters().len());
        let c = control(&cs, "pretraining.params");
        assert!(c.log && !c.zero && !c.inf);
        assert_eq!((c.min, c.max), (1.8e10, 1.8e14));
        let c = control(&cs, "rl.transfer");
        assert!(!c.log);
        assert_eq!((c.min, c.max, c.value), (-1.0, 1.0, 0.05));
        assert!(c.dist.as_deref().unwrap().contains("uniform"));
        let c = control(&cs, "domain.math.verifiability");
        assert_eq!((c.min, c.max), (0.0, 1.0));
        let c = control(&cs, "domain.math.floor");
        assert_eq!((c.min, c.max), (0.0, 0.99));
        let c = control(&cs, "rl.steps.until");
        assert!(!c.log && c.inf);
        assert_eq!((c.min, c.max), (2014.0, 2044.0));
        let c = control(&cs, "erosion.rate");
        assert!(c.log && c.zero);
        assert_eq!((c.min, c.max), (0.003, 30.0));
        let c = control(&cs, "inference.ceiling.max");
        assert!(c.log && c.inf && c.value.is_infinite());
        assert_eq!((c.min, c.max), (10.0, 100000.0));
        let c = control(&cs, "domain.math.difficulty");
        assert_eq!((c.min, c.max), (28.3 - 28.3 / 5.0, 28.3 + 28.3 / 5.0));
        let c = control(&cs, "rl.max_gain");
        assert_eq!((c.min, c.max), (0.0, 4.0));
        let c = control(&cs, "erosion.power");
        assert_eq!((c.min, c.max), (1.0, 4.0));
        assert!(control(&cs, "time.step").fixed.is_some());
        assert!(control(&cs, "rl.midpoint_steps").fixed.is_none());
    }

    #[test]
    fn an_infinite_ceiling_centres_on_the_default() {
        let s = scenario("scenarios/inference-unlock.toml");
        let cs = controls(&s);
        let c = control(&cs, "inference.ceiling.base");
        assert!(c.value.is_infinite() && c.inf);
        assert_eq!((c.min, c.max), (10.0, 100000.0));
        let t = toggles(&s);
        assert_eq!(t["ceiling"]["on"], json!(1000.0));
        assert_eq!(t["ceiling"]["off"], json!("inf"));
        assert_eq!(t["erosion"]["on"], json!(0.3));
    }
}
