//! What is known of each model version: `models.csv` (the curated mapping from version ids to
//! the compute file's model names, release dates, reasoners and their contemporaries), the
//! training compute of Epoch AI's "Data on Notable AI Models" and Epoch's distillation flags.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{listed, nearest, InputError};
use crate::fit::data::Table;

use super::date::Date;
use super::{columns_of, one_of};

/// The columns of `models.csv`.
pub const COLUMNS: [&str; 6] = [
    "model_version",
    "model",
    "release_date",
    "reasoner",
    "contemporary",
    "note",
];

/// The columns read from the compute file: the model's name, then the three numbers.
pub const COMPUTE_COLUMNS: [&str; 4] = [
    "Model",
    "Training compute (FLOP)",
    "Parameters",
    "Training dataset size (datapoints)",
];

/// The columns read from the distillation flags.
pub const DISTILLED_COLUMNS: [&str; 3] = ["model", "distilled", "confidence"];

/// A model's training compute (FLOP), parameters and training dataset size (datapoints), each
/// when known.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Compute {
    pub training_compute: Option<f64>,
    pub params: Option<f64>,
    pub tokens: Option<f64>,
}

/// One row of `models.csv`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelVersion {
    /// The compute file's model name whose compute applies; empty when there is none.
    pub model: String,
    /// `None` when unknown: the version's observations are dropped.
    pub release: Option<Date>,
    pub reasoner: bool,
    /// For a reasoner, the version ids of its non-reasoning contemporaries in order of
    /// preference (the cell's ids separated by `;`): on each benchmark the first with a score
    /// there is compared with it. May be empty.
    pub contemporary: Vec<String>,
}

/// The compute file: its rows by model name (the first row of a name).
pub struct ComputeFile<'a> {
    table: &'a Table,
    columns: Vec<usize>,
    rows: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> ComputeFile<'a> {
    /// Index `table` (Epoch AI's Data on Notable AI Models) by model name.
    pub fn read(table: &'a Table) -> Result<ComputeFile<'a>, Vec<InputError>> {
        let columns = columns_of(
            table,
            &COMPUTE_COLUMNS,
            "the compute file is Epoch AI's Data on Notable AI Models",
        )?;
        let mut rows: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for row in 0..table.len() {
            rows.entry(table.cell(row, columns[0]))
                .or_default()
                .push(row);
        }
        Ok(ComputeFile {
            table,
            columns,
            rows,
        })
    }

    pub fn file(&self) -> &str {
        &self.table.file
    }

    pub fn contains(&self, model: &str) -> bool {
        self.rows.contains_key(model)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().copied()
    }

    /// The numbers of `model`, a name the file has. Only the rows a build uses are read, so a
    /// bad cell elsewhere in the file does not matter; in a used row, a number that is not
    /// positive, or a second row of the name, is an error.
    pub fn compute(&self, model: &str) -> Result<Compute, Vec<InputError>> {
        let (t, c) = (self.table, &self.columns);
        let rows = &self.rows[model];
        let row = rows[0];
        let mut errors = Vec::new();
        if let Some(&second) = rows.get(1) {
            errors.push(
                t.cell_error(
                    second,
                    c[0],
                    &format!("the model `{model}` is also row {}", row + 1),
                )
                .with_hint("keep one row per model"),
            );
        }
        let mut number = |i: usize| {
            let cell = t.cell(row, c[i]);
            if cell.is_empty() {
                return None;
            }
            match cell.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Some(x),
                _ => {
                    errors.push(
                        t.cell_error(
                            row,
                            c[i],
                            &format!("expected a positive number, found `{cell}`"),
                        )
                        .with_hint("leave the cell empty when the number is unknown"),
                    );
                    None
                }
            }
        };
        let compute = Compute {
            training_compute: number(1),
            params: number(2),
            tokens: number(3),
        };
        if errors.is_empty() {
            Ok(compute)
        } else {
            Err(errors)
        }
    }
}

/// Whether a distillation flag counts: Epoch says distilled with medium or high confidence.
pub fn counts_as_distilled(distilled: bool, confidence: &str) -> bool {
    distilled && matches!(confidence, "medium" | "high")
}

/// The version ids that [`counts_as_distilled`] in `table` (the distillation flags).
pub fn read_distilled(table: &Table) -> Result<BTreeSet<String>, Vec<InputError>> {
    let c = columns_of(
        table,
        &DISTILLED_COLUMNS,
        "the file is Epoch AI's distilled_models.csv",
    )?;
    let mut out = BTreeSet::new();
    let mut errors = Vec::new();
    for row in 0..table.len() {
        let distilled = match table.cell(row, c[1]) {
            "TRUE" => true,
            "FALSE" => false,
            _ => {
                errors.push(one_of(table, row, c[1], &["TRUE", "FALSE"]));
                continue;
            }
        };
        let confidence = table.cell(row, c[2]);
        if !["low", "medium", "high"].contains(&confidence) {
            errors.push(one_of(table, row, c[2], &["low", "medium", "high"]));
        } else if counts_as_distilled(distilled, confidence) {
            out.insert(table.cell(row, c[0]).to_string());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The rows of `table` (a `models.csv`) by version id, checked against the compute file's
/// model names.
pub fn read_models(
    table: &Table,
    compute: &ComputeFile,
) -> Result<BTreeMap<String, ModelVersion>, Vec<InputError>> {
    let c = columns_of(
        table,
        &COLUMNS,
        "the columns are those of the shipped models.csv",
    )?;
    let mut out: BTreeMap<String, ModelVersion> = BTreeMap::new();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for row in 0..table.len() {
        let bad = |i: usize, message: String, hint: String| {
            table.cell_error(row, c[i], &message).with_hint(hint)
        };
        let id = table.cell(row, c[0]);
        if id.is_empty() {
            errors.push(bad(
                0,
                "the model version is empty".into(),
                "give the version id used by the benchmark files".into(),
            ));
            continue;
        }
        if let Some(first) = rows.get(id) {
            errors.push(bad(
                0,
                format!("the model version `{id}` is also row {}", first + 1),
                "each model version has one row".into(),
            ));
            continue;
        }
        let model = table.cell(row, c[1]);
        if !model.is_empty() && !compute.contains(model) {
            let near = nearest(model, compute.names(), 3);
            let near = if near.is_empty() {
                String::new()
            } else {
                format!("the nearest names are {}; ", listed(&near))
            };
            errors.push(bad(
                1,
                format!("the model `{model}` is not in {}", compute.file()),
                format!("{near}write its exact `Model` name there, or leave the cell empty when the compute file has no row for it"),
            ));
        }
        let date = table.cell(row, c[2]);
        let release = Date::parse(date);
        if !date.is_empty() && release.is_none() {
            errors.push(bad(
                2,
                format!("expected a date YYYY-MM-DD or an empty cell, found `{date}`"),
                "write the release date as e.g. 2024-12-17; leave it empty when unknown (the version's rows are then dropped)".into(),
            ));
        }
        let reasoner = match table.cell(row, c[3]) {
            "yes" => true,
            "no" => false,
            _ => {
                errors.push(one_of(table, row, c[3], &["yes", "no"]));
                false
            }
        };
        let contemporary = table.cell(row, c[4]);
        if !reasoner && !contemporary.is_empty() {
            errors.push(bad(
                4,
                format!("`{id}` is not a reasoner, so it has no contemporary"),
                "leave the cell empty, or set reasoner = yes".into(),
            ));
        }
        rows.insert(id.to_string(), row);
        out.insert(
            id.to_string(),
            ModelVersion {
                model: model.to_string(),
                release,
                reasoner,
                contemporary: alternatives(contemporary),
            },
        );
    }
    for (id, m) in &out {
        let row = rows[id];
        for contemporary in &m.contemporary {
            let problem = match out.get(contemporary) {
                _ if contemporary.is_empty() => "is empty".to_string(),
                None => "is not a model version of this file".to_string(),
                Some(other) if other.reasoner => "is itself a reasoner".to_string(),
                Some(_) if m.contemporary.iter().filter(|c| *c == contemporary).count() > 1 => {
                    "is named twice".to_string()
                }
                Some(_) => continue,
            };
            errors.push(
                table
                    .cell_error(
                        row,
                        c[4],
                        &format!("the contemporary `{contemporary}` {problem}"),
                    )
                    .with_hint(
                        "name version ids of non-reasoning models with a row here, separated by `;` in order of preference, or leave the cell empty",
                    ),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// The ids of a `contemporary` cell: separated by `;`, spaces around them ignored; none
/// when the cell is empty.
fn alternatives(cell: &str) -> Vec<String> {
    if cell.trim().is_empty() {
        return Vec::new();
    }
    cell.split(';').map(|id| id.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPUTE: &str = "Model,Organization,Training compute (FLOP),Parameters,Training dataset size (datapoints)\n\
        GPT-4o,OpenAI,3.810001e+25,,\n\
        \"Llama 3.3 70B\",Meta AI,6.8649768e+24,70000000000.0,15000000000000.0\n";

    fn compute_table() -> Table {
        Table::from_text("compute.csv", COMPUTE).unwrap()
    }

    #[test]
    fn compute_rows_keep_known_numbers() {
        let t = compute_table();
        let c = ComputeFile::read(&t).unwrap();
        assert_eq!(
            c.compute("GPT-4o").unwrap(),
            Compute {
                training_compute: Some(3.810001e25),
                params: None,
                tokens: None
            }
        );
        let llama = c.compute("Llama 3.3 70B").unwrap();
        assert_eq!(llama.params, Some(7e10));
        assert_eq!(llama.tokens, Some(1.5e13));
        let bad = "Model,Training compute (FLOP),Parameters,Training dataset size (datapoints)\nX,-1,,\nX,,ten,\nY,1e20,0.0,\nZ,1e20,,\n";
        let t = Table::from_text("c.csv", bad).unwrap();
        let c = ComputeFile::read(&t).unwrap();
        assert!(c.compute("Z").is_ok(), "only the rows used are read");
        let e: Vec<String> = c
            .compute("X")
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            e[0].starts_with("c.csv:3:1: `Model`: row 2: the model `X` is also row 1"),
            "{e:#?}"
        );
        assert!(e[1].starts_with("c.csv:2:3: `Training compute (FLOP)`: row 1: expected a positive number, found `-1`"), "{e:#?}");
        assert_eq!(e.len(), 2, "{e:#?}");
        let e = c.compute("Y").unwrap_err();
        assert!(
            e[0].to_string().starts_with(
                "c.csv:4:8: `Parameters`: row 3: expected a positive number, found `0.0`"
            ),
            "{}",
            e[0]
        );
    }

    #[test]
    fn distilled_needs_medium_or_high_confidence() {
        assert!(counts_as_distilled(true, "high"));
        assert!(counts_as_distilled(true, "medium"));
        assert!(!counts_as_distilled(true, "low"));
        assert!(!counts_as_distilled(false, "high"));
        let text = "model,distilled,confidence,notes\na,TRUE,high,\nb,TRUE,medium,\nc,TRUE,low,\nd,FALSE,high,\n";
        let d = read_distilled(&Table::from_text("d.csv", text).unwrap()).unwrap();
        assert_eq!(d.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        let text = "model,distilled,confidence\na,yes,high\nb,TRUE,sure\n";
        let e = read_distilled(&Table::from_text("d.csv", text).unwrap()).unwrap_err();
        assert!(
            e[0].to_string().starts_with(
                "d.csv:2:3: `distilled`: row 1: expected one of `TRUE`, `FALSE`, found `yes`"
            ),
            "{}",
            e[0]
        );
        assert!(
            e[1].to_string()
                .starts_with("d.csv:3:8: `confidence`: row 2"),
            "{}",
            e[1]
        );
    }

    const HEADER: &str = "model_version,model,release_date,reasoner,contemporary,note\n";

    fn models(rows: &str) -> Result<BTreeMap<String, ModelVersion>, Vec<String>> {
        let t = Table::from_text("models.csv", &format!("{HEADER}{rows}")).unwrap();
        let c = compute_table();
        read_models(&t, &ComputeFile::read(&c).unwrap())
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reads_versions_with_their_contemporaries() {
        let m = models(
            "gpt-4o-2024-11-20,GPT-4o,2024-11-20,no,,\n\
             o1-2024-12-17_medium,,2024-12-17,yes,gpt-4o-2024-11-20,\n\
             claude-instant-1.1,,,no,,no documented date\n",
        )
        .unwrap();
        assert_eq!(
            m["o1-2024-12-17_medium"].contemporary,
            ["gpt-4o-2024-11-20"]
        );
        assert!(m["o1-2024-12-17_medium"].reasoner);
        assert_eq!(m["gpt-4o-2024-11-20"].model, "GPT-4o");
        assert_eq!(m["claude-instant-1.1"].release, None);
    }

    /// A cell naming several contemporaries keeps them in order; each is checked.
    #[test]
    fn several_contemporaries_are_alternatives_each_checked() {
        let m = models(
            "a,,2024-11-20,no,,
             b,,2024-11-20,no,,
             r,,2024-12-17,yes,a; b,
",
        )
        .unwrap();
        assert_eq!(m["r"].contemporary, ["a", "b"]);
        let e = models(
            "a,,2024-11-20,no,,
             r,,2024-12-17,yes,a;zz,
             s,,2024-12-17,yes,a;,
             t,,2024-12-17,yes,a;a,
             u,,2024-12-17,yes,a;r,
",
        )
        .unwrap_err();
        for (line, problem) in [
            (3, "`zz` is not a model version of this file"),
            (4, "`` is empty"),
            (5, "`a` is named twice"),
            (6, "`r` is itself a reasoner"),
        ] {
            assert!(
                e.iter()
                    .any(|x| x.starts_with(&format!("models.csv:{line}:")) && x.contains(problem)),
                "{problem}: {e:#?}"
            );
        }
    }

    #[test]
    fn bad_rows_are_located() {
        let e = models(
            "a,GPT 4o,2024-11-20,no,,\n\
             b,,2024-02-30,yes,a,\n\
             c,,2024-01-01,perhaps,,\n\
             d,,2024-01-01,yes,b,\n\
             e,,2024-01-01,yes,zz,\n\
             f,,2024-01-01,no,a,\n\
             a,,,no,,\n",
        )
        .unwrap_err();
        let has = |s: &str| e.iter().any(|x| x.starts_with(s));
        assert!(
            has("models.csv:2:3: `model`: row 1: the model `GPT 4o` is not in compute.csv"),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|x| x.contains("the nearest names are `GPT-4o`")),
            "{e:#?}"
        );
        assert!(
            has("models.csv:3:4: `release_date`: row 2: expected a date YYYY-MM-DD"),
            "{e:#?}"
        );
        assert!(
            has("models.csv:4:15: `reasoner`: row 3: expected one of `yes`, `no`, found `perhaps`"),
            "{e:#?}"
        );
        assert!(
            has(
                "models.csv:5:19: `contemporary`: row 4: the contemporary `b` is itself a reasoner"
            ),
            "{e:#?}"
        );
        assert!(has("models.csv:6:19: `contemporary`: row 5: the contemporary `zz` is not a model version of this file"), "{e:#?}");
        assert!(has("models.csv:7:18: `contemporary`: row 6: `f` is not a reasoner, so it has no contemporary"), "{e:#?}");
        assert!(
            has("models.csv:8:1: `model_version`: row 7: the model version `a` is also row 1"),
            "{e:#?}"
        );
        assert_eq!(e.len(), 7, "{e:#?}");
    }
}
