//! Scenario files: TOML text -> checked, typed [`Scenario`] (MODEL.md §0-4, §6, §8).
//!
//! Reading happens in two passes. [`Reader`] turns the file's tree into a `Scenario`, checking
//! shapes and types and rejecting unknown keys; [`Scenario::validate`] then checks every number
//! against its key's range and the rules that span several keys. Both report problems by key path,
//! and [`Document::error`] places each one at its line and column. Sweeps reuse the second pass
//! after [`Scenario::set`] has changed a value.

use std::path::Path;

use crate::distribution::{Dist, Family};
use crate::document::{Document, Kind, Node};
use crate::error::{nearest, InputError, InputErrors};
use crate::model::{CeilingParams, Domain, ErosionParams, InferenceParams, Law, RlParams};
use crate::trajectory::{TimeGrid, Trajectory, MAX_TIME_POINTS};

/// How model size is given: directly, or from compute.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSize {
    /// `pretraining.params` and `pretraining.tokens`.
    ParamsTokens {
        params: Trajectory,
        tokens: Trajectory,
    },
    /// `pretraining.compute` with `tokens_per_param` r: `N = sqrt(C / (6 r))`, `D = r N`.
    Compute {
        compute: Trajectory,
        tokens_per_param: f64,
    },
}

/// How the RL lever is given.
#[derive(Clone, Debug, PartialEq)]
pub enum RlSteps {
    /// `rl.steps` (absent: constant 0).
    Steps(Trajectory),
    /// `rl.compute_fraction` f: `S = 0.75 f D / tokens_per_step`.
    ComputeFraction(Trajectory),
}

/// The `[pretraining]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Pretraining {
    pub size: ModelSize,
    /// `"epoch"`, `"chinchilla"` or `"custom"` (a table, or a law changed by a sweep).
    pub law_name: String,
    pub law: Law,
    pub efficiency: Trajectory,
}

/// A `[[milestone]]`: a capability threshold in one domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestone {
    pub domain: String,
    pub threshold: f64,
}

/// A `[[correlation]]` between two uncertain inputs, by key path.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub a: String,
    pub b: String,
    pub rank: f64,
}

/// A measured point, `[[observation]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub domain: String,
    pub score: f64,
    pub year: Option<f64>,
    pub params: Option<f64>,
    pub tokens: Option<f64>,
    pub rl_steps: Option<f64>,
    pub thinking_tokens: Option<f64>,
    pub label: Option<String>,
}

/// The `[sweep]` table, kept as written; the sweep command parses it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SweepTable {
    pub vary: Vec<String>,
    pub at: Option<f64>,
}

/// A number given as a distribution, by key path.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub path: String,
    pub dist: Dist,
}

/// A checked scenario: every default filled in, every distribution at its median.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub time: TimeGrid,
    pub pretraining: Pretraining,
    pub rl_steps: RlSteps,
    pub rl: RlParams,
    pub erosion: ErosionParams,
    /// `inference.tokens` (absent: constant 0).
    pub thinking_tokens: Trajectory,
    pub inference: InferenceParams,
    /// `cost.usd_per_eflop`, dollars per 1e18 FLOP.
    pub usd_per_eflop: Trajectory,
    pub domains: Vec<Domain>,
    pub milestones: Vec<Milestone>,
    pub correlations: Vec<Correlation>,
    pub observations: Vec<Observation>,
    pub sweep: Option<SweepTable>,
    /// Inputs given as distributions, in file order.
    pub uncertain: Vec<Uncertain>,
    /// Numbers set after the file was read ([`Scenario::edit`]): one (key path, value) per key,
    /// its last value, in the order the keys were first set. Set again in one `edit` on the file,
    /// they give the scenario that every edit in turn gave: a key's number is its last value
    /// whatever came before, every key set is pinned, and a key of the law makes it `custom`.
    pub edits: Vec<(String, f64)>,
    /// The parsed file, for locating errors found later (sweeps, non-finite levers).
    pub document: Document,
}

/// The range a number must lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    Finite,
    Positive,
    NonNegative,
    /// [0, 1]
    Unit,
    /// [0, 1)
    Floor,
    /// [-1, 1]
    Transfer,
    /// >= 1
    AtLeastOne,
    /// > 0, and `inf` allowed
    PositiveOrInf,
    /// finite or `inf` (a trajectory's `until`)
    FiniteOrInf,
}

impl Rule {
    /// Whether `x` is allowed.
    pub fn admits(self, x: f64) -> bool {
        match self {
            Rule::Finite => x.is_finite(),
            Rule::Positive => x.is_finite() && x > 0.0,
            Rule::NonNegative => x.is_finite() && x >= 0.0,
            Rule::Unit => (0.0..=1.0).contains(&x),
            Rule::Floor => (0.0..1.0).contains(&x),
            Rule::Transfer => (-1.0..=1.0).contains(&x),
            Rule::AtLeastOne => x.is_finite() && x >= 1.0,
            Rule::PositiveOrInf => x > 0.0 && x != f64::NEG_INFINITY && !x.is_nan(),
            Rule::FiniteOrInf => x.is_finite() || x == f64::INFINITY,
        }
    }

    /// Whether every value of a support `[lo, hi]` (lo excluded when `lo_open`) is allowed.
    pub fn admits_support(self, lo: f64, hi: f64, lo_open: bool) -> bool {
        // Infinite ends are never reached: probe with the largest finite numbers instead.
        let lo = if lo == f64::NEG_INFINITY {
            f64::MIN
        } else if lo_open {
            lo.next_up()
        } else {
            lo
        };
        let hi = if hi == f64::INFINITY { f64::MAX } else { hi };
        self.admits(lo) && self.admits(hi)
    }

    /// "a number > 0", for messages.
    pub fn expected(self) -> &'static str {
        match self {
            Rule::Finite => "a finite number",
            Rule::Positive => "a finite number > 0",
            Rule::NonNegative => "a finite number >= 0",
            Rule::Unit => "a number in [0, 1]",
            Rule::Floor => "a number in [0, 1)",
            Rule::Transfer => "a number in [-1, 1]",
            Rule::AtLeastOne => "a finite number >= 1",
            Rule::PositiveOrInf => "a number > 0 (or inf)",
            Rule::FiniteOrInf => "a finite number or inf",
        }
    }
}

/// One numeric input of a scenario: its key path, its place in the struct and its range.
pub struct Leaf<'a> {
    pub path: String,
    pub value: &'a mut f64,
    pub rule: Rule,
}

const TOP_KEYS: &[&str] = &[
    "scenario",
    "time",
    "pretraining",
    "rl",
    "erosion",
    "inference",
    "cost",
    "domain",
    "milestone",
    "correlation",
    "observation",
    "sweep",
];
/// Longest scenario or domain name: names become folder names and CSV cells.
pub const MAX_NAME: usize = 100;

/// What the commands write at the top of an output folder beside the scenario folders, by
/// name, with the command that writes it (`index` is kept free for the report page too).
const RESERVED_NAMES: &[(&str, &str)] = &[
    ("comparison", "run"),
    ("index.html", "run"),
    ("index", "run"),
];

/// Prefixes of the folders commands write at the top of an output folder (`backtest-<scenario>`,
/// `calibrate-<file stem>`, `fit-rl-<data file stem>`...), with the command that writes them.
const RESERVED_PREFIXES: &[(&str, &str)] = &[
    ("backtest-", "backtest"),
    ("calibrate-", "calibrate"),
    ("holdout-", "calibrate --holdout"),
    ("fit-pretraining-", "fit pretraining"),
    ("fit-domain-", "fit domain"),
    ("fit-rl-", "fit rl"),
];

/// If a scenario named `name` would share its output folder with something a command writes
/// beside the scenario folders (compared without case, as on a case-insensitive file system),
/// the error's message and hint.
fn reserved_name(name: &str) -> Option<(String, String)> {
    let lower = name.to_ascii_lowercase();
    if let Some((taken, command)) = RESERVED_NAMES.iter().find(|(n, _)| lower == *n) {
        return Some((
            format!("{name:?} is reserved for the run's own outputs"),
            format!(
                "`scalecast {command}` writes DIR/{taken} beside the scenario folders: choose another name"
            ),
        ));
    }
    RESERVED_PREFIXES
        .iter()
        .find(|(p, _)| lower.starts_with(p))
        .map(|(prefix, command)| {
            (
                format!("{name:?} is reserved for the outputs of `scalecast {command}`"),
                format!(
                    "it writes DIR/{prefix}... beside the scenario folders: choose a name that does not start with `{prefix}`"
                ),
            )
        })
}

const LAW_KEYS: &[&str] = &["E", "A", "B", "alpha", "beta"];

impl Scenario {
    /// Read and check a scenario file. `file` is the name used in messages and defaults.
    pub fn from_file(path: &Path) -> Result<Scenario, InputErrors> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(InputError::new(
                &shown,
                "",
                None,
                "",
                "is a directory, expected a scenario file".into(),
            )
            .with_hint("pass the directory to `run` to read every *.toml in it")
            .into());
        }
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::new(&shown, "", None, "", format!("cannot read the file: {e}"))
                .with_hint("check the path (a relative path is read from the current folder)")
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or("");
            InputError::new(
                &shown,
                valid,
                Some(at..at),
                "",
                "the file is not valid UTF-8".into(),
            )
            .with_hint("save the scenario as UTF-8 text")
        })?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Scenario::from_text(&shown, &stem, &text)
    }

    /// Read and check scenario text; `default_name` is used when `[scenario] name` is absent.
    /// A `[scenario] base` file is read relative to the folder of `file`.
    pub fn from_text(file: &str, default_name: &str, text: &str) -> Result<Scenario, InputErrors> {
        let document = Document::load(file, text)?;
        let mut reader = Reader {
            errors: Vec::new(),
            uncertain: Vec::new(),
            doc: &document,
        };
        let scenario = reader.scenario(default_name);
        let mut errors: Vec<InputError> = reader.errors;
        let uncertain = reader.uncertain;
        let Some(mut scenario) = scenario else {
            return Err(InputErrors(errors));
        };
        scenario.uncertain = uncertain;
        if errors.is_empty() {
            errors = scenario.check();
        }
        if errors.is_empty() {
            Ok(scenario)
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The time grid's years.
    pub fn years(&self) -> Vec<f64> {
        self.time.years().collect()
    }

    /// Every numeric input with its key path and range, in a fixed order.
    pub fn leaves(&mut self) -> Vec<Leaf<'_>> {
        let mut out = Vec::new();
        let s = self;
        push("time.start", &mut s.time.start, Rule::Finite, &mut out);
        push("time.end", &mut s.time.end, Rule::Finite, &mut out);
        push("time.step", &mut s.time.step, Rule::Positive, &mut out);
        match &mut s.pretraining.size {
            ModelSize::ParamsTokens { params, tokens } => {
                trajectory_leaves("pretraining.params", params, Rule::Positive, &mut out);
                trajectory_leaves("pretraining.tokens", tokens, Rule::Positive, &mut out);
            }
            ModelSize::Compute {
                compute,
                tokens_per_param,
            } => {
                trajectory_leaves("pretraining.compute", compute, Rule::Positive, &mut out);
                push(
                    "pretraining.tokens_per_param",
                    tokens_per_param,
                    Rule::Positive,
                    &mut out,
                );
            }
        }
        let law = &mut s.pretraining.law;
        for (key, v) in LAW_KEYS.iter().zip([
            &mut law.e,
            &mut law.a,
            &mut law.b,
            &mut law.alpha,
            &mut law.beta,
        ]) {
            push(
                &format!("pretraining.law.{key}"),
                v,
                Rule::Positive,
                &mut out,
            );
        }
        trajectory_leaves(
            "pretraining.efficiency",
            &mut s.pretraining.efficiency,
            Rule::Positive,
            &mut out,
        );
        match &mut s.rl_steps {
            RlSteps::Steps(t) => trajectory_leaves("rl.steps", t, Rule::NonNegative, &mut out),
            RlSteps::ComputeFraction(t) => {
                trajectory_leaves("rl.compute_fraction", t, Rule::NonNegative, &mut out)
            }
        }
        let rl = &mut s.rl;
        push("rl.transfer", &mut rl.transfer, Rule::Transfer, &mut out);
        push(
            "rl.midpoint_steps",
            &mut rl.midpoint_steps,
            Rule::Positive,
            &mut out,
        );
        push("rl.exponent", &mut rl.exponent, Rule::Positive, &mut out);
        push("rl.max_gain", &mut rl.max_gain, Rule::Finite, &mut out);
        push(
            "rl.gain_per_oom",
            &mut rl.gain_per_oom,
            Rule::Finite,
            &mut out,
        );
        push(
            "rl.reference_log10_compute",
            &mut rl.reference_log10_compute,
            Rule::Finite,
            &mut out,
        );
        push(
            "rl.tokens_per_step",
            &mut rl.tokens_per_step,
            Rule::Positive,
            &mut out,
        );
        let e = &mut s.erosion;
        push("erosion.rate", &mut e.rate, Rule::NonNegative, &mut out);
        push(
            "erosion.onset_steps",
            &mut e.onset_steps,
            Rule::Positive,
            &mut out,
        );
        push(
            "erosion.size_exponent",
            &mut e.size_exponent,
            Rule::NonNegative,
            &mut out,
        );
        push(
            "erosion.reference_params",
            &mut e.reference_params,
            Rule::Positive,
            &mut out,
        );
        push("erosion.power", &mut e.power, Rule::AtLeastOne, &mut out);
        trajectory_leaves(
            "inference.tokens",
            &mut s.thinking_tokens,
            Rule::NonNegative,
            &mut out,
        );
        let i = &mut s.inference;
        push(
            "inference.base_gain",
            &mut i.base_gain,
            Rule::NonNegative,
            &mut out,
        );
        push(
            "inference.rl_gain",
            &mut i.rl_gain,
            Rule::NonNegative,
            &mut out,
        );
        push(
            "inference.reference_tokens",
            &mut i.reference_tokens,
            Rule::Positive,
            &mut out,
        );
        push(
            "inference.answer_tokens",
            &mut i.answer_tokens,
            Rule::NonNegative,
            &mut out,
        );
        let c = &mut i.ceiling;
        push(
            "inference.ceiling.base",
            &mut c.base,
            Rule::PositiveOrInf,
            &mut out,
        );
        push(
            "inference.ceiling.rl_scale_steps",
            &mut c.rl_scale_steps,
            Rule::Positive,
            &mut out,
        );
        push(
            "inference.ceiling.rl_exponent",
            &mut c.rl_exponent,
            Rule::NonNegative,
            &mut out,
        );
        push(
            "inference.ceiling.max",
            &mut c.max,
            Rule::PositiveOrInf,
            &mut out,
        );
        push(
            "inference.ceiling.sharpness",
            &mut c.sharpness,
            Rule::PositiveOrInf,
            &mut out,
        );
        push(
            "inference.ceiling.overthinking",
            &mut c.overthinking,
            Rule::NonNegative,
            &mut out,
        );
        trajectory_leaves(
            "cost.usd_per_eflop",
            &mut s.usd_per_eflop,
            Rule::Positive,
            &mut out,
        );
        for d in &mut s.domains {
            let p = format!("domain.{}", d.name);
            push(
                &format!("{p}.verifiability"),
                &mut d.verifiability,
                Rule::Unit,
                &mut out,
            );
            push(
                &format!("{p}.slope"),
                &mut d.slope,
                Rule::Positive,
                &mut out,
            );
            push(
                &format!("{p}.difficulty"),
                &mut d.difficulty,
                Rule::Finite,
                &mut out,
            );
            push(&format!("{p}.floor"), &mut d.floor, Rule::Floor, &mut out);
        }
        out
    }

    /// Every numeric input as `(key path, value)`.
    pub fn parameters(&self) -> Vec<(String, f64)> {
        let mut copy = self.clone();
        copy.leaves()
            .into_iter()
            .map(|l| (l.path, *l.value))
            .collect()
    }

    /// Every numeric key path, for "did you mean" and sweep checks.
    pub fn key_paths(&self) -> Vec<String> {
        self.parameters().into_iter().map(|(p, _)| p).collect()
    }

    /// The number at `path` (a distribution's median, as a deterministic run uses it).
    pub fn get(&self, path: &str) -> Result<f64, InputError> {
        self.parameters()
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, x)| x)
            .ok_or_else(|| self.no_such_key(path))
    }

    /// Set the number at `path`. A law changed this way becomes `custom`. The caller should run
    /// [`Scenario::check`] afterwards.
    pub fn set(&mut self, path: &str, value: f64) -> Result<(), InputError> {
        let mut found = false;
        for leaf in self.leaves() {
            if leaf.path == path {
                *leaf.value = value;
                found = true;
                break;
            }
        }
        if !found {
            return Err(self.no_such_key(path));
        }
        if path.starts_with("pretraining.law.") {
            self.pretraining.law_name = "custom".into();
        }
        Ok(())
    }

    fn no_such_key(&self, path: &str) -> InputError {
        let paths = self.key_paths();
        let near = nearest(path, paths.iter().map(String::as_str), 3);
        let mut e = self
            .document
            .error(path, "no such numeric key in this scenario");
        e.hint = Some(if near.is_empty() {
            "run `scalecast explain FILE` to list the scenario's key paths".into()
        } else {
            format!(
                "did you mean {}?",
                near.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        e
    }

    /// Make the number at `path` a plain number: a distribution there no longer is one and
    /// leaves any `[[correlation]]`.
    pub fn pin(&mut self, path: &str) {
        self.uncertain.retain(|u| u.path != path);
        self.correlations.retain(|c| c.a != path && c.b != path);
    }

    /// Set and pin every `(path, value)`, then check the scenario (`run --set`, and the Python
    /// package's `sc[path] = value`); the edits are recorded in `edits`, a key set before
    /// keeping its place there with the new value. The check's errors say that `by` set the
    /// values (see [`set_by`]). On error the scenario is left part-edited.
    pub fn edit(&mut self, edits: &[(String, f64)], by: &str) -> Result<(), InputErrors> {
        let mut errors = Vec::new();
        for (path, value) in edits {
            match self.set(path, *value) {
                Ok(()) => self.pin(path),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            errors = set_by(by, edits, self.check());
        }
        if errors.is_empty() {
            for (path, value) in edits {
                match self.edits.iter_mut().find(|(p, _)| p == path) {
                    Some(known) => known.1 = *value,
                    None => self.edits.push((path.clone(), *value)),
                }
            }
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }

    /// Check every number against its range and the rules that span several keys.
    pub fn check(&mut self) -> Vec<InputError> {
        let values: Vec<(String, f64, Rule)> = self
            .leaves()
            .into_iter()
            .map(|l| (l.path, *l.value, l.rule))
            .collect();
        let doc = &self.document;
        let uncertain = &self.uncertain;
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (path, x, rule) in values {
            if !rule.admits(x) && !uncertain.iter().any(|u| u.path == path) {
                errors.push(
                    doc.error(
                        &path,
                        format!("expected {}, found {}", rule.expected(), show(x)),
                    )
                    .with_hint(hint_for(&path)),
                );
            }
            rules.push((path, rule));
        }
        for u in uncertain {
            let Some((_, rule)) = rules.iter().find(|(p, _)| *p == u.path) else {
                continue;
            };
            let (lo, hi, open) = u.dist.support();
            if !rule.admits_support(lo, hi, open) {
                errors.push(
                    doc.error(
                        &u.path,
                        format!(
                            "this {} distribution can take values in [{}, {}], but the key needs {}",
                            u.dist.family.name(),
                            show(lo),
                            show(hi),
                            rule.expected()
                        ),
                    )
                    .with_hint("narrow the distribution or clamp it with `min` / `max` inside the key's range"),
                );
            }
        }
        let t = self.time;
        if t.start.is_finite() && t.end.is_finite() && t.step > 0.0 {
            if t.end <= t.start {
                errors.push(doc.error(
                    "time.end",
                    format!(
                        "expected a year after time.start ({}), found {}",
                        show(t.start),
                        show(t.end)
                    ),
                ));
            } else if t.last_index() + 1.0 > MAX_TIME_POINTS as f64 {
                errors.push(
                    doc.error(
                        "time.step",
                        format!(
                            "the grid would have {} points; the limit is {MAX_TIME_POINTS}",
                            t.last_index() + 1.0
                        ),
                    )
                    .with_hint("use a larger step or a shorter span"),
                );
            }
        }
        let mut trajectories: Vec<(&str, &Trajectory)> = vec![
            ("pretraining.efficiency", &self.pretraining.efficiency),
            ("inference.tokens", &self.thinking_tokens),
            ("cost.usd_per_eflop", &self.usd_per_eflop),
        ];
        match &self.pretraining.size {
            ModelSize::ParamsTokens { params, tokens } => {
                trajectories.push(("pretraining.params", params));
                trajectories.push(("pretraining.tokens", tokens));
            }
            ModelSize::Compute { compute, .. } => {
                trajectories.push(("pretraining.compute", compute))
            }
        }
        match &self.rl_steps {
            RlSteps::Steps(t) => trajectories.push(("rl.steps", t)),
            RlSteps::ComputeFraction(t) => trajectories.push(("rl.compute_fraction", t)),
        }
        for (path, traj) in trajectories {
            match traj {
                Trajectory::Exponential { from, until, .. } if until < from => errors.push(
                    doc.error(
                        &format!("{path}.until"),
                        format!(
                            "expected a year >= from ({}), found {}",
                            show(*from),
                            show(*until)
                        ),
                    )
                    .with_hint(
                        "`until` is the year the lever stops growing; it cannot precede `from`",
                    ),
                ),
                Trajectory::Points(points) => {
                    // A year given as a distribution spans its support: every draw must keep
                    // the years in order, so supports may not overlap.
                    let span = |i: usize, y: f64| {
                        let p = format!("{path}.points[{i}][0]");
                        uncertain.iter().find(|u| u.path == p).map_or((y, y), |u| {
                            let (lo, hi, _) = u.dist.support();
                            (lo, hi)
                        })
                    };
                    for (i, w) in points.windows(2).enumerate() {
                        let (a, b) = (span(i, w[0].0).1, span(i + 1, w[1].0).0);
                        if b <= a && (b, a) != (w[1].0, w[0].0) {
                            errors.push(
                                doc.error(
                                    &format!("{path}.points[{}][0]", i + 1),
                                    format!(
                                        "draws of these years can reach {} after {}: their ranges overlap",
                                        show(b),
                                        show(a)
                                    ),
                                )
                                .with_hint("give point years ranges that cannot cross, or fixed years"),
                            );
                        } else if w[1].0 <= w[0].0 {
                            errors.push(
                                doc.error(
                                    &format!("{path}.points[{}][0]", i + 1),
                                    format!(
                                        "years must strictly increase: {} follows {}",
                                        show(w[1].0),
                                        show(w[0].0)
                                    ),
                                )
                                .with_hint("sort the points by year and drop duplicates"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        for (i, m) in self.milestones.iter().enumerate() {
            match self.domains.iter().find(|d| d.name == m.domain) {
                None => {
                    errors.push(self.unknown_domain(&format!("milestone[{i}].domain"), &m.domain))
                }
                Some(d) if !(m.threshold > d.floor && m.threshold < 1.0) => errors.push(doc.error(
                    &format!("milestone[{i}].threshold"),
                    format!(
                        "expected a number in ({}, 1) (above the domain's floor), found {}",
                        show(d.floor),
                        show(m.threshold)
                    ),
                )),
                _ => {}
            }
        }
        for (i, o) in self.observations.iter().enumerate() {
            if !self.domains.iter().any(|d| d.name == o.domain) {
                errors.push(self.unknown_domain(&format!("observation[{i}].domain"), &o.domain));
            }
        }
        for (i, c) in self.correlations.iter().enumerate() {
            for (key, p) in [("a", &c.a), ("b", &c.b)] {
                if !uncertain.iter().any(|u| u.path == *p) {
                    let near = nearest(p, uncertain.iter().map(|u| u.path.as_str()), 3);
                    errors.push(
                        doc.error(
                            &format!("correlation[{i}].{key}"),
                            format!("`{p}` is not a key given as a distribution"),
                        )
                        .with_hint(if near.is_empty() {
                            "correlations join two keys that are distribution tables".to_string()
                        } else {
                            format!("did you mean {}?", near.join(", "))
                        }),
                    );
                }
            }
            if c.a == c.b {
                errors.push(doc.error(
                    &format!("correlation[{i}].b"),
                    "a key cannot be correlated with itself",
                ));
            }
        }
        errors
    }

    fn unknown_domain(&self, path: &str, name: &str) -> InputError {
        let names: Vec<&str> = self.domains.iter().map(|d| d.name.as_str()).collect();
        self.document
            .error(path, format!("no domain named {name:?}"))
            .with_hint(format!("the domains are: {}", names.join(", ")))
    }
}

fn push<'a>(path: &str, value: &'a mut f64, rule: Rule, out: &mut Vec<Leaf<'a>>) {
    out.push(Leaf {
        path: path.to_string(),
        value,
        rule,
    });
}

fn trajectory_leaves<'a>(prefix: &str, t: &'a mut Trajectory, rule: Rule, out: &mut Vec<Leaf<'a>>) {
    let mut push =
        |path: String, value: &'a mut f64, rule: Rule| out.push(Leaf { path, value, rule });
    match t {
        Trajectory::Constant(v) => push(prefix.to_string(), v, rule),
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            push(format!("{prefix}.start"), start, rule);
            push(format!("{prefix}.growth"), growth, Rule::Positive);
            push(format!("{prefix}.from"), from, Rule::Finite);
            push(format!("{prefix}.until"), until, Rule::FiniteOrInf);
        }
        Trajectory::Points(points) => {
            for (i, (year, value)) in points.iter_mut().enumerate() {
                push(format!("{prefix}.points[{i}][0]"), year, Rule::Finite);
                push(format!("{prefix}.points[{i}][1]"), value, Rule::Positive);
            }
        }
    }
}

/// Whether key path `path` is `prefix` or lies under it (`rl.steps.growth` under `rl.steps`).
pub fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// `errors` of a scenario checked after `by` (`the sweep`, `--set`) set the values `edits`, each
/// message prefixed with the values that caused it ("the sweep sets `rl.transfer` = 2: expected
/// a number in [-1, 1], found 2"): an error is placed at the line of the file that holds the
/// key, so it must say the value is not the one written there. An error about an edited key
/// names that edit; any other (a rule across keys) names every edit.
pub fn set_by(by: &str, edits: &[(String, f64)], errors: Vec<InputError>) -> Vec<InputError> {
    errors
        .into_iter()
        .map(|mut e| {
            let own: Vec<&(String, f64)> = edits
                .iter()
                .filter(|(p, _)| under(&e.path, p) || under(p, &e.path))
                .collect();
            let named = if own.is_empty() {
                edits.iter().collect()
            } else {
                own
            };
            let values: Vec<String> = named
                .iter()
                .map(|(p, x)| format!("`{p}` = {}", show(*x)))
                .collect();
            e.message = format!("{by} sets {}: {}", values.join(" and "), e.message);
            e
        })
        .collect()
}

/// A number as the user would write it in TOML.
pub fn show(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x}")
    }
}

fn hint_for(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let h = match last {
        "transfer" => "transfer x: 0 means RL helps only verifiable tasks, 1 full transfer, negative hurts the rest",
        "verifiability" => "the share of the domain's tasks with an automatic checker, from 0 to 1",
        "floor" => "chance level on the domain's tasks, at least 0 and below 1",
        "power" => "powers below 1 would make erosion jump at the onset",
        "base" | "max" | "sharpness" => "this key accepts inf (turns the limit off)",
        "step" => "the grid step in years, e.g. 0.25",
        "growth" => "the multiplier per year, e.g. 3.0 for tripling; 1 for flat",
        _ => "see MODEL.md for the key's range; only ceiling.base/max/sharpness and `until` may be inf",
    };
    h.to_string()
}

/// Turns the document tree into a `Scenario`, collecting errors by key path.
struct Reader<'d> {
    errors: Vec<InputError>,
    uncertain: Vec<Uncertain>,
    doc: &'d Document,
}

impl<'d> Reader<'d> {
    fn err(&mut self, path: &str, message: impl Into<String>, hint: Option<String>) {
        let mut e = self.doc.error(path, message);
        e.hint = hint;
        self.errors.push(e);
    }

    /// The table at `path` (None if absent or not a table), with unknown keys reported.
    fn table(&mut self, node: Option<&'d Node>, path: &str, allowed: &[&str]) -> Option<&'d Node> {
        let node = node?;
        let Some(entries) = node.as_table() else {
            self.err(
                path,
                format!("expected a table, found {}", node.describe()),
                Some(format!("write it as [{path}]")),
            );
            return None;
        };
        for (k, _) in entries {
            if !allowed.contains(&k.as_str()) {
                let near = nearest(k, allowed.iter().copied(), 1);
                let full = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let hint = match near.first() {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("allowed keys here: {}", allowed.join(", ")),
                };
                self.errors.push(
                    self.doc
                        .key_error(&full, format!("unknown key `{k}`"))
                        .with_hint(hint),
                );
            }
        }
        Some(node)
    }

    fn string(&mut self, t: Option<&'d Node>, key: &str, path: &str) -> Option<String> {
        let node = t?.get(key)?;
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.err(
                    path,
                    format!("expected a string, found {}", node.describe()),
                    Some(format!("quote it: {key} = \"...\"")),
                );
                None
            }
        }
    }

    /// A plain number (no distribution allowed).
    fn plain(&mut self, node: &Node, path: &str) -> Option<f64> {
        match node.as_number() {
            Some(x) if x.is_nan() => {
                self.err(path, "NaN is not allowed", Some("write a number".into()));
                None
            }
            Some(x) => Some(x),
            None => {
                self.err(
                    path,
                    format!("expected a number, found {}", node.describe()),
                    None,
                );
                None
            }
        }
    }

    /// A number or a distribution table (its median is used; the distribution is recorded).
    fn number(&mut self, node: &'d Node, path: &str) -> Option<f64> {
        if node.get("dist").is_some() {
            let dist = self.dist(node, path)?;
            self.uncertain.push(Uncertain {
                path: path.to_string(),
                dist,
            });
            return Some(dist.median());
        }
        if node.as_table().is_some() {
            self.err(
                path,
                "expected a number or a distribution table with a `dist` key, found a table without `dist`",
                Some("e.g. { dist = \"uniform\", low = 0.0, high = 0.1 }".into()),
            );
            return None;
        }
        self.plain(node, path)
    }

    /// `key` of table `t` as a number, `default` when absent.
    fn num(&mut self, t: Option<&'d Node>, key: &str, path: &str, default: f64) -> f64 {
        match t.and_then(|t| t.get(key)) {
            None => default,
            Some(n) => self.number(n, path).unwrap_or(default),
        }
    }

    fn dist(&mut self, node: &'d Node, path: &str) -> Option<Dist> {
        let name = match node.get("dist").map(|n| &n.kind) {
            Some(Kind::Str(s)) => s.clone(),
            _ => {
                self.err(
                    &format!("{path}.dist"),
                    "expected the family name as a string",
                    Some(FAMILIES.into()),
                );
                return None;
            }
        };
        let forms: &[&[&str]] = match name.as_str() {
            "fixed" => &[&["value"]],
            "normal" => &[&["mean", "sd"], &["p5", "p95"]],
            "lognormal" => &[&["median", "sigma"], &["p5", "p95"]],
            "uniform" | "loguniform" => &[&["low", "high"]],
            "triangular" => &[&["low", "mode", "high"]],
            _ => {
                let near = nearest(&name, FAMILY_NAMES.iter().copied(), 1);
                let hint = near.first().map_or(FAMILIES.to_string(), |n| {
                    format!("did you mean \"{n}\"? {FAMILIES}")
                });
                self.err(
                    &format!("{path}.dist"),
                    format!("unknown distribution {name:?}"),
                    Some(hint),
                );
                return None;
            }
        };
        let entries = node.as_table()?;
        let given: Vec<&str> = entries
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !matches!(*k, "dist" | "min" | "max"))
            .collect();
        let Some(form) = forms
            .iter()
            .find(|f| f.len() == given.len() && f.iter().all(|k| given.contains(k)))
        else {
            let want: Vec<String> = forms
                .iter()
                .map(|f| format!("{{{}}}", f.join(", ")))
                .collect();
            self.err(
                path,
                format!(
                    "a {name} distribution takes {}, found {{{}}}",
                    want.join(" or "),
                    given.join(", ")
                ),
                Some("optional `min` / `max` clamp the values".into()),
            );
            return None;
        };
        let mut v = Vec::new();
        for k in form.iter() {
            v.push(self.plain(node.get(k)?, &format!("{path}.{k}"))?);
        }
        let clamp =
            |r: &mut Self, k: &str| node.get(k).and_then(|n| r.plain(n, &format!("{path}.{k}")));
        let (min, max) = (clamp(self, "min"), clamp(self, "max"));
        let bad = |r: &mut Self, msg: &str| {
            r.err(path, format!("invalid {name} distribution: {msg}"), None);
            None
        };
        if v.iter().any(|x| !x.is_finite()) {
            return bad(self, "its parameters must be finite");
        }
        let family = match (name.as_str(), form[0]) {
            ("fixed", _) => Family::Fixed { value: v[0] },
            ("normal", "mean") if v[1] <= 0.0 => return bad(self, "sd must be > 0"),
            ("normal", "mean") => Family::Normal {
                mean: v[0],
                sd: v[1],
            },
            ("normal", _) if v[1] <= v[0] => return bad(self, "p95 must be above p5"),
            ("normal", _) => Family::normal_from_percentiles(v[0], v[1]),
            ("lognormal", "median") if v[0] <= 0.0 || v[1] <= 0.0 => {
                return bad(self, "median and sigma must be > 0")
            }
            ("lognormal", "median") => Family::LogNormal {
                median: v[0],
                sigma: v[1],
            },
            ("lognormal", _) if v[0] <= 0.0 => return bad(self, "p5 must be > 0"),
            ("lognormal", _) if v[1] <= v[0] => return bad(self, "p95 must be above p5"),
            ("lognormal", _) => Family::lognormal_from_percentiles(v[0], v[1]),
            ("uniform", _) if v[1] <= v[0] => return bad(self, "high must be above low"),
            ("uniform", _) => Family::Uniform {
                low: v[0],
                high: v[1],
            },
            ("loguniform", _) if v[0] <= 0.0 => return bad(self, "low must be > 0"),
            ("loguniform", _) if v[1] <= v[0] => return bad(self, "high must be above low"),
            ("loguniform", _) => Family::LogUniform {
                low: v[0],
                high: v[1],
            },
            (_, _) if !(v[0] <= v[1] && v[1] <= v[2] && v[0] < v[2]) => {
                return bad(self, "needs low <= mode <= high and low < high")
            }
            (_, _) => Family::Triangular {
                low: v[0],
                mode: v[1],
                high: v[2],
            },
        };
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                return bad(self, "min must not exceed max");
            }
        }
        Some(Dist { family, min, max })
    }

    /// A trajectory at `t.key`: a number, a distribution, `{start, growth, from, until}` or `{points}`.
    fn trajectory(
        &mut self,
        t: Option<&'d Node>,
        key: &str,
        path: &str,
        start_year: f64,
    ) -> Option<Trajectory> {
        let node = t?.get(key)?;
        if node.as_table().is_none() || node.get("dist").is_some() {
            return self.number(node, path).map(Trajectory::Constant);
        }
        if node.get("points").is_some() {
            self.table(Some(node), path, &["points"])?;
            let pts_path = format!("{path}.points");
            let pts = node.get("points")?;
            let Kind::Array(items) = &pts.kind else {
                self.err(
                    &pts_path,
                    format!(
                        "expected an array of [year, value] pairs, found {}",
                        pts.describe()
                    ),
                    None,
                );
                return None;
            };
            if items.is_empty() {
                self.err(&pts_path, "expected at least one [year, value] point", None);
                return None;
            }
            let mut points = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match &item.kind {
                    Kind::Array(pair) if pair.len() == 2 => {
                        let year = self.number(&pair[0], &format!("{pts_path}[{i}][0]"));
                        let value = self.number(&pair[1], &format!("{pts_path}[{i}][1]"));
                        points.push((year?, value?));
                    }
                    _ => {
                        self.err(
                            &format!("{pts_path}[{i}]"),
                            format!("expected a [year, value] pair, found {}", item.describe()),
                            None,
                        );
                        return None;
                    }
                }
            }
            return Some(Trajectory::Points(points));
        }
        self.table(Some(node), path, &["start", "growth", "from", "until"])?;
        if node.get("start").is_none() {
            self.err(
                path,
                "a growing lever needs `start`",
                Some("write { start = 1e4, growth = 3.0 } or { points = [[2024, 1e4], [2030, 1e7]] }".into()),
            );
            return None;
        }
        let start = self.num(Some(node), "start", &format!("{path}.start"), f64::NAN);
        let growth = self.num(Some(node), "growth", &format!("{path}.growth"), 1.0);
        let from = self.num(Some(node), "from", &format!("{path}.from"), start_year);
        let until = self.num(Some(node), "until", &format!("{path}.until"), f64::INFINITY);
        Some(Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        })
    }

    fn scenario(&mut self, default_name: &str) -> Option<Scenario> {
        let root = self.table(Some(&self.doc.root), "", TOP_KEYS)?;
        let meta = self.table(root.get("scenario"), "scenario", &["name", "description"]);
        let name = self
            .string(meta, "name", "scenario.name")
            .unwrap_or_else(|| default_name.to_string());
        let description = self
            .string(meta, "description", "scenario.description")
            .unwrap_or_default();
        self.check_name(&name);

        let time = self.time(root.get("time"));
        let pre = self.pretraining(root.get("pretraining"), time.start);
        let (rl_steps, rl) = self.rl(root.get("rl"), time.start);
        let erosion = self.erosion(root.get("erosion"));
        let (thinking_tokens, inference) = self.inference(root.get("inference"), time.start);
        let cost = self.table(root.get("cost"), "cost", &["usd_per_eflop"]);
        let usd_per_eflop = self
            .trajectory(cost, "usd_per_eflop", "cost.usd_per_eflop", time.start)
            .unwrap_or(Trajectory::Exponential {
                start: 1.0,
                growth: 0.76,
                from: time.start,
                until: f64::INFINITY,
            });
        let domains = self.domains(root.get("domain"));
        let milestones = self.array(root, "milestone", &["domain", "threshold"], |r, t, p| {
            Some(Milestone {
                domain: r.required_string(t, "domain", p)?,
                threshold: r.required_plain(t, "threshold", p)?,
            })
        });
        let correlations = self.array(root, "correlation", &["a", "b", "rank"], |r, t, p| {
            let c = Correlation {
                a: r.required_string(t, "a", p)?,
                b: r.required_string(t, "b", p)?,
                rank: r.required_plain(t, "rank", p)?,
            };
            if !(c.rank > -1.0 && c.rank < 1.0) {
                r.err(
                    &format!("{p}.rank"),
                    format!(
                        "expected a rank correlation in (-1, 1), found {}",
                        show(c.rank)
                    ),
                    None,
                );
                return None;
            }
            Some(c)
        });
        let observations = self.array(
            root,
            "observation",
            &[
                "domain",
                "score",
                "year",
                "params",
                "tokens",
                "rl_steps",
                "thinking_tokens",
                "label",
            ],
            |r, t, p| r.observation(t, p),
        );
        let sweep = self.sweep(root.get("sweep"));

        let pre = pre?;
        Some(Scenario {
            name,
            description,
            time,
            pretraining: pre,
            rl_steps,
            rl,
            erosion,
            thinking_tokens,
            inference,
            usd_per_eflop,
            domains,
            milestones,
            correlations,
            observations,
            sweep,
            uncertain: Vec::new(),
            edits: Vec::new(),
            document: self.doc.clone(),
        })
    }

    fn check_name(&mut self, name: &str) {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if name.len() > MAX_NAME {
            self.err(
                "scenario.name",
                format!(
                    "the name is {} characters long; the limit is {MAX_NAME}",
                    name.len()
                ),
                None,
            );
        } else if !ok || name == "." || name == ".." {
            self.err(
                "scenario.name",
                format!(
                    "{name:?} cannot name an output folder: use letters, digits, '.', '_' and '-'"
                ),
                Some("set [scenario] name = \"my-scenario\"".into()),
            );
        } else if let Some((message, hint)) = reserved_name(name) {
            self.err("scenario.name", message, Some(hint));
        }
    }

    fn time(&mut self, node: Option<&'d Node>) -> TimeGrid {
        let mut grid = TimeGrid::default();
        let Some(t) = self.table(node, "time", &["start", "end", "step"]) else {
            return grid;
        };
        for (key, slot) in [
            ("start", &mut grid.start),
            ("end", &mut grid.end),
            ("step", &mut grid.step),
        ] {
            if let Some(n) = t.get(key) {
                if n.as_table().is_some() {
                    self.err(
                        &format!("time.{key}"),
                        "the time grid cannot be uncertain: expected a number",
                        None,
                    );
                } else if let Some(x) = self.plain(n, &format!("time.{key}")) {
                    *slot = x;
                }
            }
        }
        grid
    }

    fn pretraining(&mut self, node: Option<&'d Node>, start: f64) -> Option<Pretraining> {
        let keys = [
            "params",
            "tokens",
            "compute",
            "tokens_per_param",
            "law",
            "efficiency",
        ];
        let Some(t) = self.table(node, "pretraining", &keys) else {
            if node.is_none() {
                self.err(
                    "pretraining",
                    "the [pretraining] table is required",
                    Some("add [pretraining] with params and tokens, or compute".into()),
                );
            }
            return None;
        };
        let has = |k: &str| t.get(k).is_some();
        let size = if has("compute") {
            for k in ["params", "tokens"] {
                if has(k) {
                    self.err(
                        &format!("pretraining.{k}"),
                        "give either params and tokens, or compute, not both",
                        Some("one form per lever: remove this key or `compute`".into()),
                    );
                }
            }
            let compute = self.trajectory(Some(t), "compute", "pretraining.compute", start)?;
            let r = self.num(
                Some(t),
                "tokens_per_param",
                "pretraining.tokens_per_param",
                20.0,
            );
            ModelSize::Compute {
                compute,
                tokens_per_param: r,
            }
        } else {
            if has("tokens_per_param") {
                self.err(
                    "pretraining.tokens_per_param",
                    "tokens_per_param goes with the compute form",
                    Some("remove it, or give `compute` instead of params and tokens".into()),
                );
            }
            let missing: Vec<&str> = ["params", "tokens"]
                .into_iter()
                .filter(|k| !has(k))
                .collect();
            if !missing.is_empty() {
                self.err(
                    "pretraining",
                    format!("missing {}", missing.join(" and ")),
                    Some(
                        "give params and tokens (e.g. params = 1.8e12, tokens = 13e12), or compute"
                            .into(),
                    ),
                );
                return None;
            }
            let params = self.trajectory(Some(t), "params", "pretraining.params", start)?;
            let tokens = self.trajectory(Some(t), "tokens", "pretraining.tokens", start)?;
            ModelSize::ParamsTokens { params, tokens }
        };
        let (law_name, law) = match t.get("law") {
            None => ("epoch".to_string(), Law::EPOCH),
            Some(n) => match &n.kind {
                Kind::Str(s) if s == "epoch" => ("epoch".into(), Law::EPOCH),
                Kind::Str(s) if s == "chinchilla" => ("chinchilla".into(), Law::CHINCHILLA),
                Kind::Table(_) => {
                    let lt = self.table(Some(n), "pretraining.law", LAW_KEYS)?;
                    let mut v = [0.0; 5];
                    for (slot, key) in v.iter_mut().zip(LAW_KEYS) {
                        let path = format!("pretraining.law.{key}");
                        match lt.get(key) {
                            Some(x) => *slot = self.number(x, &path)?,
                            None => {
                                self.err(
                                    &path,
                                    format!("a law table needs all of {}", LAW_KEYS.join(", ")),
                                    None,
                                );
                                return None;
                            }
                        }
                    }
                    (
                        "custom".into(),
                        Law {
                            e: v[0],
                            a: v[1],
                            b: v[2],
                            alpha: v[3],
                            beta: v[4],
                        },
                    )
                }
                _ => {
                    self.err(
                        "pretraining.law",
                        format!("expected \"epoch\", \"chinchilla\" or a table {{ E, A, B, alpha, beta }}, found {}", n.describe()),
                        None,
                    );
                    return None;
                }
            },
        };
        let efficiency = self
            .trajectory(Some(t), "efficiency", "pretraining.efficiency", start)
            .unwrap_or(Trajectory::Constant(1.0));
        Some(Pretraining {
            size,
            law_name,
            law,
            efficiency,
        })
    }

    fn rl(&mut self, node: Option<&'d Node>, start: f64) -> (RlSteps, RlParams) {
        let keys = [
            "steps",
            "compute_fraction",
            "transfer",
            "midpoint_steps",
            "exponent",
            "max_gain",
            "gain_per_oom",
            "reference_log10_compute",
            "tokens_per_step",
        ];
        let d = RlParams::default();
        let t = self.table(node, "rl", &keys);
        let steps = match (
            t.and_then(|t| t.get("steps")),
            t.and_then(|t| t.get("compute_fraction")),
        ) {
            (Some(_), Some(_)) => {
                self.err(
                    "rl.compute_fraction",
                    "give either steps or compute_fraction, not both",
                    Some("one form per lever".into()),
                );
                RlSteps::Steps(Trajectory::Constant(0.0))
            }
            (None, Some(_)) => RlSteps::ComputeFraction(
                self.trajectory(t, "compute_fraction", "rl.compute_fraction", start)
                    .unwrap_or(Trajectory::Constant(0.0)),
            ),
            _ => RlSteps::Steps(
                self.trajectory(t, "steps", "rl.steps", start)
                    .unwrap_or(Trajectory::Constant(0.0)),
            ),
        };
        let p = RlParams {
            transfer: self.num(t, "transfer", "rl.transfer", d.transfer),
            midpoint_steps: self.num(t, "midpoint_steps", "rl.midpoint_steps", d.midpoint_steps),
            exponent: self.num(t, "exponent", "rl.exponent", d.exponent),
            max_gain: self.num(t, "max_gain", "rl.max_gain", d.max_gain),
            gain_per_oom: self.num(t, "gain_per_oom", "rl.gain_per_oom", d.gain_per_oom),
            reference_log10_compute: self.num(
                t,
                "reference_log10_compute",
                "rl.reference_log10_compute",
                d.reference_log10_compute,
            ),
            tokens_per_step: self.num(
                t,
                "tokens_per_step",
                "rl.tokens_per_step",
                d.tokens_per_step,
            ),
        };
        (steps, p)
    }

    fn erosion(&mut self, node: Option<&'d Node>) -> ErosionParams {
        let d = ErosionParams::default();
        let t = self.table(
            node,
            "erosion",
            &[
                "rate",
                "onset_steps",
                "size_exponent",
                "reference_params",
                "power",
            ],
        );
        ErosionParams {
            rate: self.num(t, "rate", "erosion.rate", d.rate),
            onset_steps: self.num(t, "onset_steps", "erosion.onset_steps", d.onset_steps),
            size_exponent: self.num(t, "size_exponent", "erosion.size_exponent", d.size_exponent),
            reference_params: self.num(
                t,
                "reference_params",
                "erosion.reference_params",
                d.reference_params,
            ),
            power: self.num(t, "power", "erosion.power", d.power),
        }
    }

    fn inference(&mut self, node: Option<&'d Node>, start: f64) -> (Trajectory, InferenceParams) {
        let d = InferenceParams::default();
        let keys = [
            "tokens",
            "base_gain",
            "rl_gain",
            "reference_tokens",
            "answer_tokens",
            "ceiling",
        ];
        let t = self.table(node, "inference", &keys);
        let tokens = self
            .trajectory(t, "tokens", "inference.tokens", start)
            .unwrap_or(Trajectory::Constant(0.0));
        let ckeys = [
            "base",
            "rl_scale_steps",
            "rl_exponent",
            "max",
            "sharpness",
            "overthinking",
        ];
        let c = self.table(
            t.and_then(|t| t.get("ceiling")),
            "inference.ceiling",
            &ckeys,
        );
        let dc = CeilingParams::default();
        let ceiling = CeilingParams {
            base: self.num(c, "base", "inference.ceiling.base", dc.base),
            rl_scale_steps: self.num(
                c,
                "rl_scale_steps",
                "inference.ceiling.rl_scale_steps",
                dc.rl_scale_steps,
            ),
            rl_exponent: self.num(
                c,
                "rl_exponent",
                "inference.ceiling.rl_exponent",
                dc.rl_exponent,
            ),
            max: self.num(c, "max", "inference.ceiling.max", dc.max),
            sharpness: self.num(c, "sharpness", "inference.ceiling.sharpness", dc.sharpness),
            overthinking: self.num(
                c,
                "overthinking",
                "inference.ceiling.overthinking",
                dc.overthinking,
            ),
        };
        let p = InferenceParams {
            base_gain: self.num(t, "base_gain", "inference.base_gain", d.base_gain),
            rl_gain: self.num(t, "rl_gain", "inference.rl_gain", d.rl_gain),
            reference_tokens: self.num(
                t,
                "reference_tokens",
                "inference.reference_tokens",
                d.reference_tokens,
            ),
            answer_tokens: self.num(
                t,
                "answer_tokens",
                "inference.answer_tokens",
                d.answer_tokens,
            ),
            ceiling,
        };
        (tokens, p)
    }

    /// Elements of an array of tables `key` (`[[key]]`), each read by `f` with path `key[i]`.
    fn array<T>(
        &mut self,
        root: &'d Node,
        key: &str,
        allowed: &[&str],
        mut f: impl FnMut(&mut Self, &'d Node, &str) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = root.get(key) else {
            return Vec::new();
        };
        let Kind::Array(items) = &node.kind else {
            self.err(
                key,
                format!(
                    "expected an array of tables [[{key}]], found {}",
                    node.describe()
                ),
                None,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{key}[{i}]");
            if let Some(t) = self.table(Some(item), &path, allowed) {
                if let Some(v) = f(self, t, &path) {
                    out.push(v);
                }
            }
        }
        out
    }

    fn required_string(&mut self, t: &'d Node, key: &str, path: &str) -> Option<String> {
        let p = format!("{path}.{key}");
        if t.get(key).is_none() {
            self.err(&p, format!("missing `{key}`"), None);
        }
        self.string(Some(t), key, &p)
    }

    fn required_plain(&mut self, t: &'d Node, key: &str, path: &str) -> Option<f64> {
        let p = format!("{path}.{key}");
        match t.get(key) {
            None => {
                self.err(&p, format!("missing `{key}`"), None);
                None
            }
            Some(n) => self.plain(n, &p).filter(|x| {
                let ok = x.is_finite();
                if !ok {
                    self.err(
                        &p,
                        format!("expected a finite number, found {}", show(*x)),
                        None,
                    );
                }
                ok
            }),
        }
    }

    fn domains(&mut self, node: Option<&'d Node>) -> Vec<Domain> {
        if node.is_none() {
            self.err(
                "domain",
                "at least one [[domain]] is required",
                Some("add [[domain]] with name, verifiability, slope, difficulty".into()),
            );
            return Vec::new();
        };
        let root = &self.doc.root;
        let mut domains: Vec<Domain> = Vec::new();
        let keys = ["name", "verifiability", "slope", "difficulty", "floor"];
        let read = self.array(root, "domain", &keys, |r, t, p| {
            let name = r.required_string(t, "name", p)?;
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if name.len() > MAX_NAME {
                let msg = format!(
                    "the name is {} characters long; the limit is {MAX_NAME}",
                    name.len()
                );
                r.err(&format!("{p}.name"), msg, None);
                return None;
            }
            if !valid {
                r.err(
                    &format!("{p}.name"),
                    format!("{name:?} is not a valid domain name"),
                    Some("use letters, digits, '_' and '-'".into()),
                );
                return None;
            }
            let dp = format!("domain.{name}");
            for k in ["verifiability", "slope", "difficulty"] {
                if t.get(k).is_none() {
                    r.err(
                        &format!("{dp}.{k}"),
                        format!("missing `{k}`"),
                        Some("every domain needs verifiability, slope and difficulty".into()),
                    );
                }
            }
            Some(Domain {
                verifiability: r.num(
                    Some(t),
                    "verifiability",
                    &format!("{dp}.verifiability"),
                    f64::NAN,
                ),
                slope: r.num(Some(t), "slope", &format!("{dp}.slope"), f64::NAN),
                difficulty: r.num(Some(t), "difficulty", &format!("{dp}.difficulty"), f64::NAN),
                floor: r.num(Some(t), "floor", &format!("{dp}.floor"), 0.0),
                name,
            })
        });
        for (i, d) in read.into_iter().enumerate() {
            if domains.iter().any(|e| e.name == d.name) {
                self.err(
                    &format!("domain[{i}].name"),
                    format!("domain {:?} is defined twice", d.name),
                    Some("domain names must be unique".into()),
                );
            } else {
                domains.push(d);
            }
        }
        domains
    }

    fn observation(&mut self, t: &'d Node, p: &str) -> Option<Observation> {
        let domain = self.required_string(t, "domain", p)?;
        let score = self.required_plain(t, "score", p)?;
        if !(0.0..=1.0).contains(&score) {
            self.err(
                &format!("{p}.score"),
                format!("expected a score in [0, 1], found {}", show(score)),
                None,
            );
        }
        let opt = |r: &mut Self, k: &str| {
            t.get(k)
                .and_then(|n| r.plain(n, &format!("{p}.{k}")))
                .filter(|x| {
                    let ok = x.is_finite() && (k == "year" || *x >= 0.0);
                    if !ok {
                        r.err(
                            &format!("{p}.{k}"),
                            format!(
                                "expected a finite number{}, found {}",
                                if k == "year" { "" } else { " >= 0" },
                                show(*x)
                            ),
                            None,
                        );
                    }
                    ok
                })
        };
        let o = Observation {
            domain,
            score,
            year: opt(self, "year"),
            params: opt(self, "params"),
            tokens: opt(self, "tokens"),
            rl_steps: opt(self, "rl_steps"),
            thinking_tokens: opt(self, "thinking_tokens"),
            label: self.string(Some(t), "label", &format!("{p}.label")),
        };
        if o.year.is_none() && o.params.is_none() {
            self.err(
                p,
                "an observation needs a `year`, or the levers (`params`, `tokens`, ...)",
                None,
            );
        }
        Some(o)
    }

    fn sweep(&mut self, node: Option<&'d Node>) -> Option<SweepTable> {
        let t = self.table(node, "sweep", &["vary", "at"])?;
        let mut vary = Vec::new();
        match t.get("vary").map(|n| &n.kind) {
            Some(Kind::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match &item.kind {
                        Kind::Str(s) => vary.push(s.clone()),
                        _ => self.err(
                            &format!("sweep.vary[{i}]"),
                            format!("expected a string \"PATH=SPEC\", found {}", item.describe()),
                            None,
                        ),
                    }
                }
            }
            Some(_) => self.err(
                "sweep.vary",
                "expected an array of strings \"PATH=SPEC\"",
                None,
            ),
            None => self.err(
                "sweep.vary",
                "missing `vary`",
                Some("e.g. vary = [\"rl.transfer=lin:0:1:11\"]".into()),
            ),
        }
        let at = t.get("at").and_then(|n| self.plain(n, "sweep.at"));
        Some(SweepTable { vary, at })
    }
}

const FAMILY_NAMES: &[&str] = &[
    "fixed",
    "normal",
    "lognormal",
    "uniform",
    "loguniform",
    "triangular",
];
const FAMILIES: &str = "families: fixed {value}, normal {mean, sd} or {p5, p95}, lognormal {median, sigma} or {p5, p95}, \
uniform {low, high}, loguniform {low, high}, triangular {low, mode, high}";

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[pretraining]\nparams = 1e12\ntokens = 2e13\n[[domain]]\nname = \"math\"\nverifiability = 0.9\nslope = 1\ndifficulty = 27\n";

    fn read(text: &str) -> Result<Scenario, InputErrors> {
        Scenario::from_text("t.toml", "t", text)
    }

    fn first_error(text: &str) -> InputError {
        read(text).expect_err("should fail").0.remove(0)
    }

    const UNCERTAIN: &str = "[pretraining]\nparams = 1e12\ntokens = 2e13\n[rl]\nsteps = 1e4\ntransfer = { dist = \"uniform\", low = 0.0, high = 0.2 }\nmax_gain = { dist = \"uniform\", low = 2.0, high = 4.0 }\n[[correlation]]\na = \"rl.transfer\"\nb = \"rl.max_gain\"\nrank = 0.5\n[[domain]]\nname = \"math\"\nverifiability = 0.9\nslope = 1\ndifficulty = 27\n";

    #[test]
    fn get_reads_a_number_or_names_the_nearest_keys() {
        let s = read(UNCERTAIN).unwrap();
        assert_eq!(s.get("pretraining.params").unwrap(), 1e12);
        // a distribution reads as its median
        assert!((s.get("rl.transfer").unwrap() - 0.1).abs() < 1e-15);
        let e = s.get("rl.transfr").unwrap_err();
        assert_eq!(e.path, "rl.transfr");
        assert_eq!(e.message, "no such numeric key in this scenario");
        assert_eq!(e.hint.as_deref(), Some("did you mean `rl.transfer`?"));
        assert_eq!(e, s.clone().set("rl.transfr", 0.3).unwrap_err());
    }

    #[test]
    fn pin_makes_a_distribution_a_number_and_drops_its_correlations() {
        let mut s = read(UNCERTAIN).unwrap();
        assert_eq!(s.uncertain.len(), 2);
        assert_eq!(s.correlations.len(), 1);
        s.pin("rl.transfer");
        let left: Vec<&str> = s.uncertain.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(left, ["rl.max_gain"]);
        assert!(s.correlations.is_empty());
    }

    #[test]
    fn edit_sets_pins_and_checks() {
        let mut s = read(UNCERTAIN).unwrap();
        s.edit(
            &[
                ("rl.transfer".into(), 0.3),
                ("pretraining.params".into(), 2e12),
            ],
            "--set",
        )
        .unwrap();
        assert_eq!(s.get("rl.transfer").unwrap(), 0.3);
        assert_eq!(s.get("pretraining.params").unwrap(), 2e12);
        assert_eq!(s.uncertain.len(), 1);
        assert_eq!(
            s.edits,
            [
                ("rl.transfer".to_string(), 0.3),
                ("pretraining.params".into(), 2e12)
            ]
        );
        // A key set again keeps its place with its new value, and the recorded edits set on the
        // file give the same scenario.
        s.edit(
            &[
                ("rl.max_gain".into(), 2.0),
                ("rl.transfer".into(), 0.4),
                ("rl.transfer".into(), 0.2),
            ],
            "--set",
        )
        .unwrap();
        assert_eq!(
            s.edits,
            [
                ("rl.transfer".to_string(), 0.2),
                ("pretraining.params".into(), 2e12),
                ("rl.max_gain".into(), 2.0)
            ]
        );
        let mut again = read(UNCERTAIN).unwrap();
        again.edit(&s.edits.clone(), "--set").unwrap();
        assert_eq!(again.parameters(), s.parameters());
        assert!(again.uncertain.is_empty() && s.uncertain.is_empty());
        // out of range: the check's error, saying the value was set
        let e = s
            .clone()
            .edit(&[("rl.transfer".into(), 1.5)], "--set")
            .unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].path, "rl.transfer");
        assert_eq!(
            e.0[0].message,
            "--set sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5"
        );
        // of several edits, an error names the one of its key ...
        let e = s
            .clone()
            .edit(
                &[("rl.transfer".into(), 1.5), ("erosion.rate".into(), 0.1)],
                "--set",
            )
            .unwrap_err();
        assert!(e.0[0]
            .message
            .starts_with("--set sets `rl.transfer` = 1.5: "));
        // ... and a rule across keys all of them
        let e = s
            .clone()
            .edit(
                &[("time.start".into(), 2030.0), ("time.end".into(), 2029.0)],
                "--set",
            )
            .unwrap_err();
        assert_eq!(e.0[0].path, "time.end");
        assert!(e.0[0].message.starts_with("--set sets `time.end` = 2029: "));
        let e = s
            .clone()
            .edit(
                &[("time.start".into(), 2040.0), ("erosion.rate".into(), 0.1)],
                "--set",
            )
            .unwrap_err();
        assert_eq!(e.0[0].path, "time.end");
        assert!(
            e.0[0]
                .message
                .starts_with("--set sets `time.start` = 2040 and `erosion.rate` = 0.1: "),
            "{}",
            e.0[0].message
        );
        // every unknown key is reported, and nothing is checked before they are fixed
        let e = s
            .clone()
            .edit(
                &[
                    ("a.b".into(), 1.0),
                    ("rl.transfer".into(), 9.0),
                    ("c".into(), 1.0),
                ],
                "--set",
            )
            .unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["a.b", "c"]);
        // a law key makes the law custom
        s.edit(&[("pretraining.law.alpha".into(), 0.4)], "--set")
            .unwrap();
        assert_eq!(s.pretraining.law_name, "custom");
    }

    #[test]
    fn defaults_fill_absent_tables() {
        let s = read(BASE).unwrap();
        assert_eq!(s.name, "t");
        assert_eq!(s.time, TimeGrid::default());
        assert_eq!(s.rl_steps, RlSteps::Steps(Trajectory::Constant(0.0)));
        assert_eq!(s.rl, RlParams::default());
        assert_eq!(s.erosion, ErosionParams::default());
        assert_eq!(s.inference, InferenceParams::default());
        assert_eq!(s.thinking_tokens, Trajectory::Constant(0.0));
        assert_eq!(s.pretraining.law, Law::EPOCH);
        assert_eq!(s.domains[0].floor, 0.0);
        assert_eq!(
            s.usd_per_eflop,
            Trajectory::Exponential {
                start: 1.0,
                growth: 0.76,
                from: 2024.0,
                until: f64::INFINITY
            }
        );
    }

    #[test]
    fn alternative_forms_and_named_laws() {
        let s = read(&BASE.replace(
            "params = 1e12\ntokens = 2e13",
            "compute = 1e25\nlaw = \"chinchilla\"",
        ))
        .unwrap();
        assert_eq!(
            s.pretraining.size,
            ModelSize::Compute {
                compute: Trajectory::Constant(1e25),
                tokens_per_param: 20.0
            }
        );
        assert_eq!(s.pretraining.law, Law::CHINCHILLA);
        let s = read(&format!(
            "{BASE}[rl]\ncompute_fraction = {{ points = [[2024, 0.01], [2030, 0.5]] }}\n"
        ))
        .unwrap();
        assert_eq!(
            s.rl_steps,
            RlSteps::ComputeFraction(Trajectory::Points(vec![(2024.0, 0.01), (2030.0, 0.5)]))
        );
        let s = read(&BASE.replace(
            "tokens = 2e13",
            "tokens = 2e13\nlaw = { E = 1, A = 2, B = 3, alpha = 0.3, beta = 0.4 }",
        ))
        .unwrap();
        assert_eq!(s.pretraining.law_name, "custom");
        assert_eq!(s.pretraining.law.beta, 0.4);
    }

    #[test]
    fn distributions_use_medians_and_are_recorded_by_path() {
        let s = read(&BASE.replace(
            "slope = 1",
            "slope = { dist = \"lognormal\", p5 = 0.5, p95 = 2.0 }",
        ))
        .unwrap();
        assert!((s.domains[0].slope - 1.0).abs() < 1e-15);
        assert_eq!(s.uncertain[0].path, "domain.math.slope");
        let s = read(&format!("{BASE}[rl]\nsteps = {{ start = {{ dist = \"loguniform\", low = 1e2, high = 1e4 }}, growth = 2 }}\n")).unwrap();
        assert_eq!(s.uncertain[0].path, "rl.steps.start");
        assert!((s.rl_steps_start() - 1e3).abs() < 1e-9);
    }

    impl Scenario {
        fn rl_steps_start(&self) -> f64 {
            match &self.rl_steps {
                RlSteps::Steps(Trajectory::Exponential { start, .. }) => *start,
                _ => f64::NAN,
            }
        }
    }

    #[test]
    fn errors_are_located_by_key_path() {
        let e = first_error(&BASE.replace("slope = 1", "slope = 0"));
        assert_eq!((e.line, e.path.as_str()), (7, "domain.math.slope"));
        let e = first_error(&format!(
            "{BASE}[rl]\nsteps = {{ points = [[2024, 1e3], [2024, 1e4]] }}\n"
        ));
        assert_eq!(e.path, "rl.steps.points[1][0]");
        assert_eq!(e.line, 10);
        let e = first_error(&format!("{BASE}[inference.ceiling]\nsharpnes = 3\n"));
        assert_eq!(e.path, "inference.ceiling.sharpnes");
        assert_eq!(e.hint.as_deref(), Some("did you mean `sharpness`?"));
        let e = first_error("[pretraining]\nparams = 1e12\n[[domain]]\nname = \"m\"\nverifiability = 0.5\nslope = 1\ndifficulty = 1\n");
        assert_eq!(e.message, "missing tokens");
        let e = first_error(&BASE.replace("params = 1e12", "params = nan"));
        assert_eq!(e.path, "pretraining.params");
        let e = first_error(&format!(
            "{BASE}[time]\nstart = 2024\nend = 3000\nstep = 0.001\n"
        ));
        assert!(e.message.contains("limit is 100000"), "{}", e.message);
        let e = first_error(&format!("[scenario]\nname = \"comparison\"\n{BASE}"));
        assert!(e.message.contains("reserved"));
    }

    #[test]
    fn names_of_other_outputs_are_reserved() {
        // What the commands write beside the scenario folders of an output folder, and names
        // equal to them but for case (one folder on a case-insensitive file system).
        for name in [
            "comparison",
            "index",
            "index.html",
            "Index.HTML",
            "backtest-reasoners",
            "calibrate-reasoners",
            "holdout-reasoners-2024-01-01",
            "fit-pretraining-runs",
            "fit-domain-math",
            "FIT-RL-steps",
        ] {
            let e = first_error(&format!("[scenario]\nname = \"{name}\"\n{BASE}"));
            assert_eq!(e.path, "scenario.name", "{name}");
            assert!(e.message.contains("reserved"), "{name}: {}", e.message);
        }
        for name in [
            "indexed",
            "index-html",
            "backtest",
            "fit-rl",
            "my-backtest-1",
            "fitness",
        ] {
            assert!(
                read(&format!("[scenario]\nname = \"{name}\"\n{BASE}")).is_ok(),
                "{name}"
            );
        }
    }

    #[test]
    fn set_then_check_is_how_sweeps_edit_scenarios() {
        let mut s = read(BASE).unwrap();
        s.set("domain.math.difficulty", 30.0).unwrap();
        assert_eq!(s.domains[0].difficulty, 30.0);
        assert!(s.check().is_empty());
        s.set("rl.transfer", 2.0).unwrap();
        let errors = s.check();
        assert_eq!(errors[0].path, "rl.transfer");
        let e = s.set("rl.tranfser", 0.5).unwrap_err();
        assert!(e.hint.unwrap().contains("`rl.transfer`"));
        s.set("pretraining.law.alpha", 0.3).unwrap();
        assert_eq!(s.pretraining.law_name, "custom");
    }

    #[test]
    fn key_paths_cover_every_numeric_input_once() {
        let s = read(BASE).unwrap();
        let paths = s.key_paths();
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), paths.len());
        for p in [
            "time.step",
            "pretraining.params",
            "rl.steps",
            "erosion.power",
            "inference.ceiling.overthinking",
            "cost.usd_per_eflop.growth",
            "domain.math.floor",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p}");
        }
    }
}
