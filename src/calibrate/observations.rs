//! The measurements a calibration reads: the observations table (one row per model and
//! benchmark, built by `scalecast data build`) and the benchmarks table that says which domain
//! each benchmark stands for, its chance level and how it is graded.

use std::path::Path;

use crate::error::{InputError, InputErrors};
use crate::fit::data::{Rule, Table};

/// One score of one model version on one benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub model_version: String,
    pub benchmark: String,
    pub domain: String,
    /// Release date as a decimal year.
    pub year: f64,
    /// Training compute, FLOP; None when unknown.
    pub compute: Option<f64>,
    pub reasoner: bool,
    /// For a reasoner, the model version of its non-reasoning contemporary.
    pub contemporary: Option<String>,
    pub distilled: bool,
    /// In [0, 1].
    pub score: f64,
}

/// One benchmark of the benchmarks table.
#[derive(Clone, Debug, PartialEq)]
pub struct Benchmark {
    pub id: String,
    pub domain: String,
    /// The benchmark whose scale a domain's capability is on (one per domain).
    pub anchor: bool,
    /// Chance-level score; None when unknown (the floor is then fitted).
    pub chance: Option<f64>,
    /// Share of items graded by an automatic checker.
    pub verifiable: f64,
}

/// Both tables, checked against each other.
#[derive(Clone, Debug)]
pub struct Data {
    pub observations: Vec<Observation>,
    pub benchmarks: Vec<Benchmark>,
    /// The observations file, as named.
    pub file: String,
}

/// Columns of the observations table that a calibration reads.
pub const OBSERVATION_COLUMNS: [&str; 9] = [
    "model_version",
    "benchmark",
    "domain",
    "year",
    "training_compute",
    "reasoner",
    "contemporary",
    "distilled",
    "score",
];

/// Columns of the benchmarks table that a calibration reads.
pub const BENCHMARK_COLUMNS: [&str; 5] = ["benchmark", "domain", "anchor", "chance", "verifiable"];

impl Data {
    /// The release year of the latest observation (`-inf` without any).
    pub fn last_release(&self) -> f64 {
        self.observations
            .iter()
            .map(|o| o.year)
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Read `observations` and the benchmarks table `benchmarks`.
    pub fn read(observations: &Path, benchmarks: &Path) -> Result<Data, InputErrors> {
        let b = Table::from_file(benchmarks)?;
        let o = Table::from_file(observations)?;
        Data::from_tables(&o, &b)
    }

    /// Check and type two parsed tables.
    pub fn from_tables(o: &Table, b: &Table) -> Result<Data, InputErrors> {
        let benchmarks = read_benchmarks(b)?;
        let observations = read_observations(o, &benchmarks)?;
        Ok(Data {
            observations,
            benchmarks,
            file: o.file.clone(),
        })
    }

    pub fn benchmark(&self, id: &str) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.id == id)
    }
}

fn indices<const N: usize>(t: &Table, names: [&str; N]) -> Result<[usize; N], InputErrors> {
    let mut errors = Vec::new();
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        match t.column(name, "the data build") {
            Ok(c) => *slot = c,
            Err(e) => errors.push(e.with_hint(format!(
                "the table needs the columns {}; rebuild it with `scalecast data build`",
                names.join(", ")
            ))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(errors))
    }
}

/// Cells of one table, each checked where it is read; problems are collected.
struct Cells<'t> {
    table: &'t Table,
    errors: Vec<InputError>,
}

impl Cells<'_> {
    fn text(&mut self, row: usize, col: usize, required: bool) -> String {
        let cell = self.table.cell(row, col).to_string();
        if required && cell.is_empty() {
            self.errors.push(self.table.cell_error(
                row,
                col,
                "expected a value, found an empty cell",
            ));
        }
        cell
    }

    fn number(&mut self, row: usize, col: usize, rule: Rule, optional: bool) -> Option<f64> {
        let cell = self.table.cell(row, col);
        if optional && cell.is_empty() {
            return None;
        }
        match cell.parse::<f64>() {
            Ok(x) if rule.admits(x) => Some(x),
            _ => {
                let found = if cell.is_empty() {
                    "an empty cell".to_string()
                } else {
                    format!("`{cell}`")
                };
                self.errors.push(located(
                    self.table,
                    row,
                    col,
                    format!("expected {}, found {found}", rule.expected()),
                ));
                None
            }
        }
    }

    fn flag(&mut self, row: usize, col: usize, yes: &str, no: &str) -> bool {
        match self.table.cell(row, col) {
            c if c == yes => true,
            c if c == no => false,
            c => {
                self.errors.push(located(
                    self.table,
                    row,
                    col,
                    format!("expected `{yes}` or `{no}`, found `{c}`"),
                ));
                false
            }
        }
    }
}

/// An error at a cell, with the hint to fix or remove its row.
fn located(t: &Table, row: usize, col: usize, message: String) -> InputError {
    t.cell_error(row, col, &message).with_hint(format!(
        "fix or remove row {} (rows count from 1 after the header)",
        row + 1
    ))
}

fn read_benchmarks(t: &Table) -> Result<Vec<Benchmark>, InputErrors> {
    let [id, domain, anchor, chance, verifiable] = indices(t, BENCHMARK_COLUMNS)?;
    let mut c = Cells {
        table: t,
        errors: Vec::new(),
    };
    let mut out: Vec<Benchmark> = Vec::new();
    for row in 0..t.len() {
        let b = Benchmark {
            id: c.text(row, id, true),
            domain: c.text(row, domain, true),
            anchor: c.flag(row, anchor, "yes", "no"),
            chance: c.number(row, chance, Rule::Unit, true),
            verifiable: c.number(row, verifiable, Rule::Unit, false).unwrap_or(0.0),
        };
        if b.chance.is_some_and(|x| x >= 1.0) {
            c.errors.push(located(
                t,
                row,
                chance,
                "a chance level of 1 leaves no room to score".into(),
            ));
        }
        if out.iter().any(|o| o.id == b.id) {
            c.errors.push(located(
                t,
                row,
                id,
                format!("benchmark `{}` is listed twice", b.id),
            ));
        }
        if b.anchor && out.iter().any(|o| o.anchor && o.domain == b.domain) {
            c.errors.push(located(
                t,
                row,
                anchor,
                format!(
                    "a second anchor for domain `{}` (one benchmark per domain sets its scale)",
                    b.domain
                ),
            ));
        }
        out.push(b);
    }
    if c.errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(c.errors))
    }
}

fn read_observations(t: &Table, benchmarks: &[Benchmark]) -> Result<Vec<Observation>, InputErrors> {
    let [version, benchmark, domain, year, compute, reasoner, contemporary, distilled, score] =
        indices(t, OBSERVATION_COLUMNS)?;
    let mut c = Cells {
        table: t,
        errors: Vec::new(),
    };
    let mut out = Vec::with_capacity(t.len());
    for row in 0..t.len() {
        let o = Observation {
            model_version: c.text(row, version, true),
            benchmark: c.text(row, benchmark, true),
            domain: c.text(row, domain, true),
            year: c.number(row, year, Rule::Finite, false).unwrap_or(f64::NAN),
            compute: c.number(row, compute, Rule::Positive, true),
            reasoner: c.flag(row, reasoner, "true", "false"),
            contemporary: Some(c.text(row, contemporary, false)).filter(|s| !s.is_empty()),
            distilled: c.flag(row, distilled, "true", "false"),
            score: c.number(row, score, Rule::Unit, false).unwrap_or(f64::NAN),
        };
        match benchmarks.iter().find(|b| b.id == o.benchmark) {
            None if !o.benchmark.is_empty() => c.errors.push(
                located(
                    t,
                    row,
                    benchmark,
                    format!(
                        "benchmark `{}` is not in the benchmarks table, so it has no domain",
                        o.benchmark
                    ),
                )
                .with_hint("add it to the benchmarks table with its domain, or drop its rows"),
            ),
            Some(b) if b.domain != o.domain => c.errors.push(located(
                t,
                row,
                domain,
                format!(
                    "benchmark `{}` belongs to domain `{}` in the benchmarks table, found `{}`",
                    o.benchmark, b.domain, o.domain
                ),
            )),
            _ => {}
        }
        out.push(o);
    }
    if c.errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(c.errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const BENCHMARKS: &str = "benchmark,file,domain,anchor,chance,verifiable\n\
        aime,x.csv,math,yes,0,1\n\
        gpqa,x.csv,exams,yes,0.25,1\n\
        writing,x.csv,writing,yes,,0\n";

    const HEADER: &str = "model_version,model,benchmark,domain,release_date,year,training_compute,reasoner,contemporary,distilled,score\n";

    fn data(rows: &str) -> Result<Data, InputErrors> {
        let o = Table::from_text("obs.csv", &format!("{HEADER}{rows}")).unwrap();
        let b = Table::from_text("bench.csv", BENCHMARKS).unwrap();
        Data::from_tables(&o, &b)
    }

    #[test]
    fn reads_typed_rows() {
        let d = data(
            "gpt-4o,GPT-4o,aime,math,2024-05-13,2024.36,3.8e25,false,,false,0.063\n\
             o1,o1,aime,math,2024-12-17,2024.96,,true,gpt-4o,false,0.733\n",
        )
        .unwrap();
        assert_eq!(d.observations.len(), 2);
        let o1 = &d.observations[1];
        assert!(o1.reasoner && o1.compute.is_none());
        assert_eq!(o1.contemporary.as_deref(), Some("gpt-4o"));
        assert_eq!(d.observations[0].compute, Some(3.8e25));
        assert_eq!(d.benchmark("writing").unwrap().chance, None);
        assert_eq!(d.benchmark("gpqa").unwrap().chance, Some(0.25));
    }

    #[test]
    fn bad_cells_are_located() {
        let cases = [
            (
                "m,M,aime,math,2024-01-01,2024.0,3e25,maybe,,false,0.5\n",
                "obs.csv:2:",
                "expected `true` or `false`",
            ),
            (
                "m,M,aime,math,2024-01-01,2024.0,3e25,false,,false,1.5\n",
                "obs.csv:2:",
                "expected a number in [0, 1]",
            ),
            (
                "m,M,aime,math,2024-01-01,x,3e25,false,,false,0.5\n",
                "obs.csv:2:",
                "expected a finite number",
            ),
            (
                "m,M,aime,math,2024-01-01,2024.0,-1,false,,false,0.5\n",
                "obs.csv:2:",
                "expected a positive number",
            ),
            (
                "m,M,hle,math,2024-01-01,2024.0,,false,,false,0.5\n",
                "obs.csv:2:",
                "so it has no domain",
            ),
            (
                "m,M,aime,code,2024-01-01,2024.0,,false,,false,0.5\n",
                "obs.csv:2:",
                "belongs to domain `math`",
            ),
        ];
        for (row, place, want) in cases {
            let e = data(row).unwrap_err().to_string();
            assert!(e.contains(place) && e.contains(want), "{e}");
        }
        let o = Table::from_text("obs.csv", "model_version,benchmark\nm,aime\n").unwrap();
        let b = Table::from_text("bench.csv", BENCHMARKS).unwrap();
        let e = Data::from_tables(&o, &b).unwrap_err().to_string();
        assert!(e.contains("no column `domain`"), "{e}");
        let b = Table::from_text(
            "bench.csv",
            "benchmark,domain,anchor,chance,verifiable\na,math,yes,0,1\nb,math,yes,0,1\n",
        )
        .unwrap();
        let o = Table::from_text("obs.csv", HEADER).unwrap();
        let e = Data::from_tables(&o, &b).unwrap_err().to_string();
        assert!(
            e.contains("bench.csv:3:") && e.contains("a second anchor"),
            "{e}"
        );
    }
}
