//! The observations table: real benchmark scores of real model versions, built from Epoch AI's
//! data (a data folder's `epoch/` files) through the curated `benchmarks.csv` and `models.csv`.
//!
//! One row per (model version, benchmark): the release date and decimal year, the training
//! compute, parameters and tokens when known, whether the version is a reasoner and which
//! non-reasoning version it is compared with, Epoch's distillation flag, the score as a fraction
//! and where it comes from. Rows released on or after [`CUT`], or with no release date, score or
//! model version, are dropped and counted; anything malformed is an input error.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{listed, nearest, InputError, InputErrors};
use crate::fit::data::Table;
use crate::report::csv::number;

pub mod benchmarks;
pub mod date;
pub mod models;

use benchmarks::{Benchmark, DOMAINS};
use date::Date;
use models::{Compute, ModelVersion};

/// Releases on or after this day are dropped: the table ends with June 2025.
pub const CUT: Date = Date {
    year: 2025,
    month: 7,
    day: 1,
};

/// The compute file under `epoch/`.
pub const COMPUTE_FILE: &str = "ai_models_compute.csv";
/// Epoch's distillation flags under `epoch/`.
pub const DISTILLED_FILE: &str = "distilled_models.csv";
/// The built table, in the data folder.
pub const OBSERVATIONS_FILE: &str = "observations.csv";

/// The columns of `observations.csv`.
pub const COLUMNS: [&str; 15] = [
    "model_version",
    "model",
    "benchmark",
    "domain",
    "release_date",
    "year",
    "training_compute",
    "params",
    "tokens",
    "reasoner",
    "contemporary",
    "distilled",
    "score",
    "source",
    "source_link",
];

/// Why a source row is not in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drop {
    NoModelVersion,
    NoReleaseDate,
    AfterCut,
    EmptyScore,
}

impl Drop {
    pub const ALL: [Drop; 4] = [
        Drop::NoModelVersion,
        Drop::NoReleaseDate,
        Drop::AfterCut,
        Drop::EmptyScore,
    ];

    pub fn reason(self) -> &'static str {
        match self {
            Drop::NoModelVersion => "no model version",
            Drop::NoReleaseDate => "no release date",
            Drop::AfterCut => "released on or after 2025-07-01",
            Drop::EmptyScore => "empty score",
        }
    }
}

/// One row of the observations table.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub model_version: String,
    pub model: String,
    pub benchmark: String,
    pub domain: String,
    pub release: Date,
    pub compute: Compute,
    pub reasoner: bool,
    pub contemporary: String,
    pub distilled: bool,
    /// In [0, 1].
    pub score: f64,
    /// The source file's name.
    pub source: String,
    pub source_link: String,
}

/// The built table and what happened to the source rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    /// Sorted by benchmark, release date, model version.
    pub observations: Vec<Observation>,
    /// The benchmarks, in the order of `benchmarks.csv`.
    pub benchmarks: Vec<Benchmark>,
    /// Source rows dropped, per reason.
    pub dropped: BTreeMap<Drop, usize>,
    /// Source rows that were a second score of a (version, benchmark) pair, so not kept.
    pub merged: usize,
    /// Rows of `models.csv`, and those whose version no benchmark row names.
    pub versions: usize,
    pub unused_versions: Vec<String>,
}

/// The indices of `names` in `table`'s header; a missing column is an error (placed at the
/// header) naming the nearest header and ending in `what_to_do`.
pub(crate) fn columns_of(
    table: &Table,
    names: &[&str],
    what_to_do: &str,
) -> Result<Vec<usize>, Vec<InputError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        match table.position(name) {
            Some(i) => out.push(i),
            None => errors.push(table.missing_column(name, what_to_do)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The error for a cell that is not one of `allowed`.
pub(crate) fn one_of(table: &Table, row: usize, col: usize, allowed: &[&str]) -> InputError {
    let found = table.cell(row, col);
    let list = listed(allowed);
    let e = table.cell_error(
        row,
        col,
        &format!("expected one of {list}, found `{found}`"),
    );
    match nearest(found, allowed.iter().copied(), 1).first() {
        Some(near) => e.with_hint(format!("did you mean `{near}`?")),
        None => e.with_hint(format!("write one of {list}")),
    }
}

/// The inputs of a build, read: the data folder's `benchmarks.csv` and `models.csv`, and the
/// source files of its `epoch/` folder by file name.
pub struct Inputs {
    pub benchmarks: Table,
    pub models: Table,
    pub sources: BTreeMap<String, Table>,
}

impl Inputs {
    /// Read the data folder `dir`: its two tables, the compute file, the distillation flags and
    /// every source file `benchmarks.csv` names.
    pub fn read(dir: &Path) -> Result<Inputs, InputErrors> {
        let benchmarks = Table::from_file(&dir.join("benchmarks.csv"))?;
        let models = Table::from_file(&dir.join("models.csv"))?;
        let epoch = dir.join("epoch");
        let mut sources = BTreeMap::new();
        let mut errors = Vec::new();
        for name in [COMPUTE_FILE, DISTILLED_FILE] {
            match Table::from_file(&epoch.join(name)) {
                Ok(t) => {
                    sources.insert(name.to_string(), t);
                }
                Err(e) => errors.extend(e.0),
            }
        }
        if let Some(file_col) = benchmarks.position("file") {
            for row in 0..benchmarks.len() {
                let name = benchmarks.cell(row, file_col);
                if sources.contains_key(name) || name.is_empty() || name.contains(['/', '\\']) {
                    continue;
                }
                let path = epoch.join(name);
                if !path.is_file() {
                    errors.push(
                        benchmarks
                            .cell_error(
                                row,
                                file_col,
                                &format!("no file `{name}` in {}", shown(&epoch)),
                            )
                            .with_hint("name a source file of the epoch folder"),
                    );
                    continue;
                }
                match Table::from_file(&path) {
                    Ok(t) => {
                        sources.insert(name.to_string(), t);
                    }
                    Err(e) => errors.extend(e.0),
                }
            }
        }
        if errors.is_empty() {
            Ok(Inputs {
                benchmarks,
                models,
                sources,
            })
        } else {
            Err(InputErrors(errors))
        }
    }
}

fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

/// The column of a source file holding each row's link: the first header that starts with
/// `Source link`, else `logs` (the Benchmarking Hub's run log).
fn link_column(table: &Table) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| h.starts_with("Source link"))
        .or_else(|| table.position("logs"))
}

/// Build the observations table from read inputs; every problem of every file is reported.
pub fn build(inputs: &Inputs) -> Result<Build, InputErrors> {
    let mut errors = Vec::new();
    let compute = ok(
        &mut errors,
        models::ComputeFile::read(&inputs.sources[COMPUTE_FILE]),
    );
    let distilled = ok(
        &mut errors,
        models::read_distilled(&inputs.sources[DISTILLED_FILE]),
    );
    let benchmarks = ok(&mut errors, benchmarks::read(&inputs.benchmarks));
    let versions = match &compute {
        Some(c) => ok(&mut errors, models::read_models(&inputs.models, c)),
        None => None,
    };
    let (Some(compute), Some(distilled), Some(benchmarks), Some(versions)) =
        (compute, distilled, benchmarks, versions)
    else {
        return Err(InputErrors(errors));
    };
    let mut computes: BTreeMap<&str, Compute> = BTreeMap::new();
    for v in versions.values().filter(|v| !v.model.is_empty()) {
        if computes.contains_key(v.model.as_str()) {
            continue;
        }
        match compute.compute(&v.model) {
            Ok(c) => {
                computes.insert(&v.model, c);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let mut candidates = Vec::new();
    let mut dropped: BTreeMap<Drop, usize> = Drop::ALL.iter().map(|d| (*d, 0)).collect();
    let mut named = std::collections::BTreeSet::new();
    for b in &benchmarks {
        let rows = match select(inputs, b, &versions) {
            Ok(rows) => rows,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        for row in rows {
            match row {
                Selected::Dropped(d, version) => {
                    *dropped.entry(d).or_default() += 1;
                    named.extend(version);
                }
                Selected::Kept {
                    version,
                    release,
                    score,
                    link,
                } => {
                    let v = &versions[&version];
                    candidates.push(Observation {
                        model: v.model.clone(),
                        benchmark: b.id.clone(),
                        domain: b.domain.clone(),
                        release,
                        compute: computes.get(v.model.as_str()).copied().unwrap_or_default(),
                        reasoner: v.reasoner,
                        contemporary: v.contemporary.first().cloned().unwrap_or_default(),
                        distilled: distilled.contains(&version),
                        score,
                        source: b.file.clone(),
                        source_link: link,
                        model_version: version.clone(),
                    });
                    named.insert(version);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let (mut observations, merged) = keep_highest(candidates);
    choose_contemporaries(&mut observations, &versions);
    observations.sort_by(|a, b| {
        (&a.benchmark, a.release, &a.model_version).cmp(&(
            &b.benchmark,
            b.release,
            &b.model_version,
        ))
    });
    Ok(Build {
        observations,
        benchmarks,
        dropped,
        merged,
        versions: versions.len(),
        unused_versions: versions
            .keys()
            .filter(|v| !named.contains(*v))
            .cloned()
            .collect(),
    })
}

/// Each reasoner's contemporary on each benchmark: the first of its row's contemporaries with
/// a score on that benchmark, else the first (whose missing score makes no pair).
fn choose_contemporaries(
    observations: &mut [Observation],
    versions: &BTreeMap<String, ModelVersion>,
) {
    let scored: std::collections::BTreeSet<(String, String)> = observations
        .iter()
        .map(|o| (o.model_version.clone(), o.benchmark.clone()))
        .collect();
    for o in observations.iter_mut() {
        let alternatives = &versions[&o.model_version].contemporary;
        if let Some(c) = alternatives
            .iter()
            .find(|c| scored.contains(&((*c).clone(), o.benchmark.clone())))
        {
            o.contemporary = c.clone();
        }
    }
}

/// The value of `result`, or `None` with its errors added to `errors`.
fn ok<T>(errors: &mut Vec<InputError>, result: Result<T, Vec<InputError>>) -> Option<T> {
    result.map_err(|e| errors.extend(e)).ok()
}

/// What became of one source row of a benchmark.
enum Selected {
    /// Dropped, with its model version when it has one.
    Dropped(Drop, Option<String>),
    Kept {
        version: String,
        release: Date,
        /// As a fraction.
        score: f64,
        link: String,
    },
}

/// The rows of `b`'s source file that belong to it, each dropped or kept.
fn select(
    inputs: &Inputs,
    b: &Benchmark,
    versions: &BTreeMap<String, ModelVersion>,
) -> Result<Vec<Selected>, Vec<InputError>> {
    let table = &inputs.sources[&b.file];
    let bt = &inputs.benchmarks;
    let at = |name: &str| bt.position(name).expect("benchmarks.csv was read");
    let mut errors = Vec::new();
    let mut column = |name: &str, of: &str| {
        let found = table.position(name);
        if found.is_none() {
            let near = table
                .nearest_header(name)
                .map_or(String::new(), |n| format!("did you mean `{n}`? "));
            errors.push(
                bt.cell_error(
                    b.row,
                    at(of),
                    &format!("no column `{name}` in {}", table.file),
                )
                .with_hint(format!("{near}name a column of that file's header")),
            );
        }
        found
    };
    let model_col = column(&b.model_column, "model_column");
    let score_col = column(&b.score_column, "score_column");
    let task_col = table.position("task");
    match (&task_col, b.task.is_empty()) {
        (None, false) => errors.push(
            bt.cell_error(
                b.row,
                at("task"),
                &format!("{} has no `task` column", table.file),
            )
            .with_hint("leave the task empty for a file that holds one benchmark"),
        ),
        (Some(_), true) => errors.push(
            bt.cell_error(
                b.row,
                at("task"),
                &format!("{} holds several tasks: name one", table.file),
            )
            .with_hint("write the `task` value of this benchmark's rows"),
        ),
        _ => {}
    }
    let link_col = link_column(table);
    if link_col.is_none() {
        errors.push(table.missing_column(
            "Source link",
            "each row's link is read from the first column whose name starts with `Source link`, else from `logs`",
        ));
    }
    let (Some(model_col), Some(score_col), Some(link_col), true) =
        (model_col, score_col, link_col, errors.is_empty())
    else {
        return Err(errors);
    };
    let mut out = Vec::new();
    for row in 0..table.len() {
        if let Some(t) = task_col {
            if table.cell(row, t) != b.task {
                continue;
            }
        }
        let version = table.cell(row, model_col);
        if version.is_empty() {
            out.push(Selected::Dropped(Drop::NoModelVersion, None));
            continue;
        }
        let Some(v) = versions.get(version) else {
            errors.push(
                table
                    .cell_error(
                        row,
                        model_col,
                        &format!(
                            "the model version `{version}` is not in {}",
                            inputs.models.file
                        ),
                    )
                    .with_hint(format!(
                        "add a row for it to {} ({})",
                        inputs.models.file,
                        models::COLUMNS.join(",")
                    )),
            );
            continue;
        };
        let version = version.to_string();
        let cell = table.cell(row, score_col);
        let release = match v.release {
            None => Err(Drop::NoReleaseDate),
            Some(d) if d >= CUT => Err(Drop::AfterCut),
            Some(_) if cell.is_empty() => Err(Drop::EmptyScore),
            Some(d) => Ok(d),
        };
        let release = match release {
            Ok(d) => d,
            Err(d) => {
                out.push(Selected::Dropped(d, Some(version)));
                continue;
            }
        };
        match b.scale.fraction(cell) {
            Some(score) => out.push(Selected::Kept {
                version,
                release,
                score,
                link: table.cell(row, link_col).to_string(),
            }),
            None => errors.push(
                table
                    .cell_error(
                        row,
                        score_col,
                        &format!("expected {}, found `{cell}`", b.scale.expected()),
                    )
                    .with_hint(format!(
                        "the benchmark `{}` reads this column on the `{}` scale ({})",
                        b.id,
                        b.scale.name(),
                        bt.file
                    )),
            ),
        }
    }
    if out.is_empty() && !b.task.is_empty() && errors.is_empty() {
        let tasks: std::collections::BTreeSet<&str> = task_col
            .map(|t| (0..table.len()).map(|r| table.cell(r, t)).collect())
            .unwrap_or_default();
        let near = nearest(&b.task, tasks.iter().copied(), 1)
            .first()
            .map_or(String::new(), |n| format!("did you mean `{n}`? "));
        errors.push(
            bt.cell_error(
                b.row,
                at("task"),
                &format!("no row of {} has the task `{}`", table.file, b.task),
            )
            .with_hint(format!("{near}write a `task` value of that file")),
        );
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One observation per (model version, benchmark): the highest score, the first in source
/// order among equals; returns the kept rows (in first-seen order) and how many were merged.
pub fn keep_highest(candidates: Vec<Observation>) -> (Vec<Observation>, usize) {
    let mut at: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out: Vec<Observation> = Vec::new();
    let mut merged = 0;
    for c in candidates {
        let key = (c.model_version.clone(), c.benchmark.clone());
        match at.get(&key) {
            Some(&i) => {
                merged += 1;
                if c.score > out[i].score {
                    out[i] = c;
                }
            }
            None => {
                at.insert(key, out.len());
                out.push(c);
            }
        }
    }
    (out, merged)
}

/// The table as CSV text, header first, floats as the shortest text that reads back the same.
pub fn to_csv(observations: &[Observation]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let opt = |x: Option<f64>| x.map_or(String::new(), number);
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    w.write_record(COLUMNS).expect("writing to memory");
    for o in observations {
        w.write_record([
            o.model_version.clone(),
            o.model.clone(),
            o.benchmark.clone(),
            o.domain.clone(),
            o.release.to_string(),
            number(o.release.decimal_year()),
            opt(o.compute.training_compute),
            opt(o.compute.params),
            opt(o.compute.tokens),
            flag(o.reasoner),
            o.contemporary.clone(),
            flag(o.distilled),
            number(o.score),
            o.source.clone(),
            o.source_link.clone(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 cells")
}

/// The summary printed by `scalecast data build`: rows per benchmark and domain, with compute
/// and reasoners, then the dropped and merged source rows.
pub fn summary(build: &Build) -> String {
    let obs = &build.observations;
    let count = |f: &dyn Fn(&Observation) -> bool| obs.iter().filter(|o| f(o)).count();
    let mut s = format!(
        "{:<20} {:<9} {:>5} {:>8} {:>10}\n",
        "benchmark", "domain", "rows", "compute", "reasoners"
    );
    let line = |s: &mut String, name: &str, domain: &str, f: &dyn Fn(&Observation) -> bool| {
        s.push_str(&format!(
            "{name:<20} {domain:<9} {:>5} {:>8} {:>10}\n",
            count(&|o| f(o)),
            count(&|o| f(o) && o.compute.training_compute.is_some()),
            count(&|o| f(o) && o.reasoner),
        ));
    };
    for b in &build.benchmarks {
        let anchor = if b.anchor { " *" } else { "" };
        line(&mut s, &format!("{}{anchor}", b.id), &b.domain, &|o| {
            o.benchmark == b.id
        });
    }
    for d in DOMAINS {
        if build.benchmarks.iter().any(|b| b.domain == d) {
            line(&mut s, "(domain)", d, &|o| o.domain == d);
        }
    }
    line(&mut s, "(all)", "", &|_| true);
    s.push_str("* the domain's anchor; compute: rows with a training compute\n");
    let total: usize = build.dropped.values().sum();
    let reasons: Vec<String> = build
        .dropped
        .iter()
        .map(|(d, n)| format!("{n} {}", d.reason()))
        .collect();
    s.push_str(&format!(
        "dropped {total} source rows: {}\n",
        reasons.join(", ")
    ));
    s.push_str(&format!(
        "merged {} more scores of a (model version, benchmark) pair: the highest kept\n",
        build.merged
    ));
    let unused = &build.unused_versions;
    s.push_str(&format!(
        "{} model versions, {} named by no benchmark row{}\n",
        build.versions,
        unused.len(),
        if unused.is_empty() {
            String::new()
        } else {
            format!(": {}", unused.join(", "))
        }
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(version: &str, benchmark: &str, score: f64, link: &str) -> Observation {
        Observation {
            model_version: version.into(),
            model: String::new(),
            benchmark: benchmark.into(),
            domain: "exams".into(),
            release: Date::parse("2024-05-13").unwrap(),
            compute: Compute::default(),
            reasoner: false,
            contemporary: String::new(),
            distilled: false,
            score,
            source: "external_benchmark_mmlu.csv".into(),
            source_link: link.into(),
        }
    }

    #[test]
    fn keeps_the_highest_score_of_each_pair() {
        let (kept, merged) = keep_highest(vec![
            obs("a", "mmlu", 0.70, "first"),
            obs("b", "mmlu", 0.50, "b"),
            obs("a", "mmlu", 0.80, "second"),
            obs("a", "gpqa_diamond", 0.30, "other benchmark"),
            obs("a", "mmlu", 0.80, "tie, later"),
            obs("a", "mmlu", 0.60, "lower"),
        ]);
        assert_eq!(merged, 3);
        let got: Vec<(&str, &str, f64, &str)> = kept
            .iter()
            .map(|o| {
                (
                    o.model_version.as_str(),
                    o.benchmark.as_str(),
                    o.score,
                    o.source_link.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", "mmlu", 0.80, "second"),
                ("b", "mmlu", 0.50, "b"),
                ("a", "gpqa_diamond", 0.30, "other benchmark"),
            ]
        );
    }

    #[test]
    fn csv_rows_write_numbers_round_trip_and_quote_commas() {
        let mut o = obs("gpt-4o-2024-05-13", "mmlu", 0.887, "https://x.org/a,b");
        o.model = "GPT-4o".into();
        o.compute.training_compute = Some(3.810001e25);
        o.compute.params = Some(7e10);
        let text = to_csv(&[o]);
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        // 13 May 2024 is day 31+29+31+30+13 = 134 of a leap year.
        let year = number(2024.0 + 133.0 / 366.0);
        assert_eq!(
            lines.next().unwrap(),
            format!("gpt-4o-2024-05-13,GPT-4o,mmlu,exams,2024-05-13,{year},3.810001e25,70000000000,,false,,false,0.887,external_benchmark_mmlu.csv,\"https://x.org/a,b\"")
        );
        assert_eq!(lines.next(), None);
        assert!(text.ends_with('\n'));
    }
}
