//! Integration tests of `scalecast data build`: the committed observations table is exactly what
//! its committed sources build (and what an independent Python build gives), real rows spot
//! checked, the curation of models.csv checked against Epoch's model_versions.csv, and each kind
//! of bad data an input error (exit code 2) at its file, line and column, with nothing written.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A copy of the shipped data folder's inputs (not its observations.csv) in `dir/data`.
fn copy_inputs(dir: &Path) -> PathBuf {
    let to = dir.join("data");
    fs::create_dir_all(to.join("epoch")).unwrap();
    for f in ["benchmarks.csv", "models.csv"] {
        fs::copy(data().join(f), to.join(f)).unwrap();
    }
    for e in fs::read_dir(data().join("epoch")).unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, to.join("epoch").join(p.file_name().unwrap())).unwrap();
    }
    to
}

/// Rows of a CSV file as maps from header to cell.
fn records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|c| c.trim().to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn the_committed_table_is_a_fresh_build_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = copy_inputs(dir.path());
    scalecast()
        .args(["data", "build", arg(&inputs)])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("otis_aime *          math         86")
                .and(predicate::str::contains(
                    "dropped 42 source rows: 37 no model version, 2 no release date, 3 released on or after 2025-07-01, 0 empty score",
                ))
                .and(predicate::str::contains("250 model versions, 0 named by no benchmark row"))
                .and(predicate::str::contains("observations.csv (637 rows)")),
        );
    let fresh = fs::read(inputs.join("observations.csv")).unwrap();
    let committed = fs::read(data().join("observations.csv")).unwrap();
    assert!(
        fresh == committed,
        "data/observations.csv differs from a fresh build: run `scalecast data build` and commit it"
    );
    // The default folder is ./data, and building again gives the same bytes.
    scalecast()
        .current_dir(dir.path())
        .args(["data", "build"])
        .assert()
        .success();
    assert_eq!(fs::read(inputs.join("observations.csv")).unwrap(), fresh);
    let left: Vec<_> = fs::read_dir(&inputs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporaries left behind: {left:?}");
}

#[test]
fn the_table_matches_an_independent_python_build() {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .status();
    if !python.is_ok_and(|s| s.success()) {
        eprintln!("python3 not found: the cross-check with the Python build is not run");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/observations.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(data())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Cells as text (numbers in Python's shortest round-trip form) or null when empty.
    let reference: Vec<Vec<Option<String>>> = serde_json::from_slice(&out.stdout).unwrap();
    let mut r = csv::Reader::from_path(data().join("observations.csv")).unwrap();
    let numeric: Vec<bool> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| ["year", "training_compute", "params", "tokens", "score"].contains(&h))
        .collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), reference.len());
    for (row, want) in rows.iter().zip(&reference) {
        assert_eq!(row.len(), want.len(), "{row:?}");
        for ((cell, want), numeric) in row.iter().zip(want).zip(&numeric) {
            match want {
                None => assert_eq!(cell, "", "{row:?}"),
                // Exact: both sides are the double nearest the same decimal or quotient.
                Some(x) if *numeric => assert_eq!(
                    cell.parse::<f64>().unwrap(),
                    x.parse::<f64>().unwrap(),
                    "{row:?}"
                ),
                Some(s) => assert_eq!(cell, s, "{row:?}"),
            }
        }
    }
}

#[test]
fn real_rows_hold_their_sources_values() {
    let rows = records(&data().join("observations.csv"));
    let find = |version: &str, benchmark: &str| {
        let found: Vec<_> = rows
            .iter()
            .filter(|r| r["model_version"] == version && r["benchmark"] == benchmark)
            .collect();
        assert_eq!(found.len(), 1, "{version} on {benchmark}");
        found[0].clone()
    };
    let o1 = find("o1-2024-12-17_medium", "otis_aime");
    assert_eq!(o1["score"], "0.733");
    assert_eq!(o1["reasoner"], "true");
    assert_eq!(o1["contemporary"], "gpt-4o-2024-11-20");
    assert_eq!(o1["domain"], "math");
    assert_eq!(o1["release_date"], "2024-12-17");
    // Day 352 of the leap year 2024.
    assert_eq!(o1["year"].parse::<f64>().unwrap(), 2024.0 + 351.0 / 366.0);
    assert_eq!(o1["training_compute"], "", "the compute file has no o1 row");
    assert!(o1["source_link"].ends_with("/KvcqycaJpCQMBigiEosyzC.eval"));
    // Two contemporaries in models.csv: on each benchmark the first one scored there.
    let flash = "gemini-2.0-flash-thinking-exp-01-21";
    assert_eq!(
        find(flash, "otis_aime")["contemporary"],
        "gemini-2.0-flash-001"
    );
    assert_eq!(
        find(flash, "lech_mazur_writing")["contemporary"],
        "gemini-2.0-flash-exp"
    );
    let gpt4o = find("gpt-4o-2024-11-20", "otis_aime");
    assert_eq!(gpt4o["score"], "0.063");
    assert_eq!(gpt4o["reasoner"], "false");
    assert_eq!(gpt4o["model"], "GPT-4o");
    assert_eq!(gpt4o["training_compute"], "3.810001e25");
    assert_eq!(
        find("o1-2024-12-17_medium", "lech_mazur_writing")["score"],
        "0.702"
    );
    assert_eq!(
        find("gpt-4o-2024-11-20", "lech_mazur_writing")["score"],
        "0.818"
    );
    // Percent scales, with and without the sign.
    assert_eq!(
        find("gemini-2.5-pro-preview-06-05", "simple_bench")["score"],
        "0.624"
    );
    assert_eq!(
        find("o3-pro-2025-06-10_high", "aider_polyglot")["score"],
        "0.849"
    );
    // MMLU: the highest of several sources and shot counts, with that row's link.
    let mmlu = find("gpt-4o-mini-2024-07-18", "mmlu");
    let source = records(&data().join("epoch/external_benchmark_mmlu.csv"));
    let scores: Vec<&BTreeMap<String, String>> = source
        .iter()
        .filter(|r| r["Model version"] == "gpt-4o-mini-2024-07-18")
        .collect();
    assert!(scores.len() > 1);
    let best = scores
        .iter()
        .max_by(|a, b| {
            let p = |r: &BTreeMap<String, String>| {
                r["EM"].trim_end_matches('%').parse::<f64>().unwrap()
            };
            p(a).partial_cmp(&p(b)).unwrap()
        })
        .unwrap();
    assert_eq!(
        mmlu["score"].parse::<f64>().unwrap(),
        best["EM"].trim_end_matches('%').parse::<f64>().unwrap() / 100.0
    );
    assert_eq!(mmlu["source_link"], best["Source link"]);
    assert_eq!(
        mmlu["distilled"], "true",
        "Epoch: distilled, medium confidence"
    );
    assert_eq!(
        find("claude-3-5-haiku-20241022", "otis_aime")["distilled"],
        "false",
        "Epoch: distilled, low confidence"
    );
    // Compute through a name that differs between the files.
    assert_eq!(find("grok-3-beta", "gpqa_diamond")["model"], "Grok-3");
    // Released after the cut or undated: not in the table.
    assert!(!rows
        .iter()
        .any(|r| r["model_version"].starts_with("claude-sonnet-4-5")
            || r["model_version"] == "claude-instant-1.1"));
}

#[test]
fn the_table_is_sorted_unique_and_in_range() {
    let rows = records(&data().join("observations.csv"));
    let models = records(&data().join("models.csv"));
    let reasoners: BTreeSet<&str> = models
        .iter()
        .filter(|m| m["reasoner"] == "yes")
        .map(|m| m["model_version"].as_str())
        .collect();
    let mut seen = BTreeSet::new();
    let mut last: Option<(String, String, String)> = None;
    for r in &rows {
        assert!(seen.insert((r["model_version"].clone(), r["benchmark"].clone())));
        let key = (
            r["benchmark"].clone(),
            r["release_date"].clone(),
            r["model_version"].clone(),
        );
        if let Some(prev) = &last {
            assert!(prev < &key, "{prev:?} before {key:?}");
        }
        last = Some(key);
        let score: f64 = r["score"].parse().unwrap();
        assert!((0.0..=1.0).contains(&score), "{r:?}");
        assert!(r["release_date"].as_str() < "2025-07-01", "{r:?}");
        let year: f64 = r["year"].parse().unwrap();
        let y: f64 = r["release_date"][..4].parse().unwrap();
        assert!(year >= y && year < y + 1.0, "{r:?}");
        let reasoner = reasoners.contains(r["model_version"].as_str());
        assert_eq!(r["reasoner"], if reasoner { "true" } else { "false" });
        if !r["contemporary"].is_empty() {
            assert!(reasoner && !reasoners.contains(r["contemporary"].as_str()));
        }
    }
}

/// Every departure of models.csv from Epoch's model_versions.csv is explained in its note: a
/// release date other than Epoch's, and a compute model other than Epoch's `Model` where the
/// compute file has that name.
#[test]
fn models_csv_departs_from_model_versions_only_with_a_note() {
    let epoch: BTreeMap<String, BTreeMap<String, String>> =
        records(&data().join("epoch/model_versions.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r))
            .collect();
    let compute: BTreeSet<String> = records(&data().join("epoch/ai_models_compute.csv"))
        .into_iter()
        .map(|r| r["Model"].clone())
        .collect();
    for m in records(&data().join("models.csv")) {
        let id = &m["model_version"];
        let e = &epoch
            .get(id)
            .unwrap_or_else(|| panic!("{id} is not in model_versions.csv"));
        let explained = !m["note"].is_empty();
        let epoch_date = &e["Version release date"];
        if !epoch_date.is_empty() && epoch_date != &m["release_date"] {
            assert!(
                m["note"].contains(&format!("model_versions.csv gives {epoch_date}")),
                "{id}: the date differs from Epoch's without a note"
            );
        }
        if epoch_date.is_empty() && !m["release_date"].is_empty() {
            assert!(
                explained,
                "{id}: a date Epoch does not give, without a note"
            );
        }
        let epoch_model = &e["Model"];
        if compute.contains(epoch_model) && epoch_model != &m["model"] {
            assert!(
                explained,
                "{id}: the model differs from Epoch's without a note"
            );
        }
        if !compute.contains(epoch_model) && !m["model"].is_empty() {
            assert!(
                explained,
                "{id}: a compute model Epoch does not name, without a note"
            );
        }
    }
}

/// One bad-data case: `edit` changes the copied inputs and returns (the file, its 1-based line
/// and column, the key path) where the error must be reported, plus a phrase of its message.
fn rejects(edit: impl FnOnce(&Path) -> (String, usize, usize, String, String)) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = copy_inputs(dir.path());
    let (file, line, column, path, phrase) = edit(&inputs);
    let place = format!(
        "{}:{line}:{column}: `{path}`: ",
        inputs.join(&file).display()
    );
    scalecast()
        .args(["data", "build", arg(&inputs)])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(place.clone()).and(predicate::str::contains(phrase)));
    assert!(
        !inputs.join("observations.csv").exists(),
        "a failed build wrote observations.csv"
    );
    assert_eq!(
        fs::read_dir(&inputs).unwrap().count(),
        3,
        "only benchmarks.csv, models.csv and epoch/"
    );
}

/// Replace the first `from` in `dir/file` (after `after`, when given) by `to`; returns the line
/// and column (1-based) where `to` starts.
fn replace(dir: &Path, file: &str, after: &str, from: &str, to: &str) -> (usize, usize) {
    let p = dir.join(file);
    let text = fs::read_to_string(&p).unwrap();
    let base = text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {file}"));
    let at = base
        + text[base..]
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} in {file}"));
    fs::write(
        &p,
        format!("{}{to}{}", &text[..at], &text[at + from.len()..]),
    )
    .unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[test]
fn a_missing_column_names_the_nearest_header() {
    rejects(|d| {
        replace(d, "models.csv", "", "release_date", "released");
        (
            "models.csv".into(),
            1,
            1,
            "release_date".into(),
            "did you mean `released`?".into(),
        )
    });
    rejects(|d| {
        let (l, c) = replace(
            d,
            "benchmarks.csv",
            "aider_polyglot",
            "Percent correct",
            "Percent corect",
        );
        (
            "benchmarks.csv".into(),
            l,
            c,
            "score_column".into(),
            "did you mean `Percent correct`?".into(),
        )
    });
}

#[test]
fn an_unparseable_date_is_an_input_error() {
    rejects(|d| {
        let (l, c) = replace(
            d,
            "models.csv",
            "\nDeepSeek-V3,",
            "2024-12-26",
            "2024-12-32",
        );
        (
            "models.csv".into(),
            l,
            c,
            "release_date".into(),
            "expected a date YYYY-MM-DD".into(),
        )
    });
}

#[test]
fn an_unparseable_score_is_an_input_error() {
    rejects(|d| {
        let file = "epoch/external_benchmark_simple_bench.csv";
        let (l, c) = replace(d, file, "gemini-2.5-pro-preview-06-05", "62.4%", "62.4 pct");
        (
            file.into(),
            l,
            c,
            "Score (AVG@5)".into(),
            "expected a percentage".into(),
        )
    });
    rejects(|d| {
        let file = "epoch/benchmarks_runs.csv";
        let (l, c) = replace(d, file, "o1-2024-12-17_medium,", "0.733", "73.3");
        (
            file.into(),
            l,
            c,
            "Best score (across scorers)".into(),
            "expected a score between 0 and 1, found `73.3`".into(),
        )
    });
}

#[test]
fn a_domain_outside_the_six_is_an_input_error() {
    rejects(|d| {
        let (l, c) = replace(d, "benchmarks.csv", "\nbalrog,", ",strategy,", ",planning,");
        (
            "benchmarks.csv".into(),
            l,
            c + 1,
            "domain".into(),
            "expected one of `math`, `code`, `exams`, `writing`, `empathy`, `strategy`, found `planning`".into(),
        )
    });
}

#[test]
fn two_anchors_in_a_domain_are_an_input_error() {
    rejects(|d| {
        let (l, c) = replace(d, "benchmarks.csv", "\nmmlu,", ",exams,no,", ",exams,yes,");
        (
            "benchmarks.csv".into(),
            l,
            c + ",exams,".len(),
            "anchor".into(),
            "a second anchor for the domain `exams`: `gpqa_diamond`".into(),
        )
    });
}

#[test]
fn a_model_version_missing_from_models_csv_is_an_input_error() {
    rejects(|d| {
        let file = "epoch/external_benchmark_lech_mazur_writing.csv";
        let (l, c) = replace(
            d,
            file,
            "",
            ",o3-2025-04-16_medium,",
            ",o3-2025-04-16-medium,",
        );
        (
            file.into(),
            l,
            c + 1,
            "Model version".into(),
            "the model version `o3-2025-04-16-medium` is not in".into(),
        )
    });
}

#[test]
fn a_bad_contemporary_is_an_input_error() {
    rejects(|d| {
        let (l, c) = replace(
            d,
            "models.csv",
            "\nQwQ-32B,",
            "qwen2.5-32b-instruct",
            "qwen2.5-32b",
        );
        (
            "models.csv".into(),
            l,
            c,
            "contemporary".into(),
            "the contemporary `qwen2.5-32b` is not a model version of this file".into(),
        )
    });
    rejects(|d| {
        let (l, c) = replace(
            d,
            "models.csv",
            "\nDeepSeek-R1-0528,",
            "DeepSeek-V3-0324",
            "DeepSeek-R1",
        );
        (
            "models.csv".into(),
            l,
            c,
            "contemporary".into(),
            "the contemporary `DeepSeek-R1` is itself a reasoner".into(),
        )
    });
}

#[test]
fn a_model_name_missing_from_the_compute_file_is_an_input_error() {
    rejects(|d| {
        let (l, c) = replace(d, "models.csv", "\ngrok-3-beta,", "Grok-3", "Grok 3");
        (
            "models.csv".into(),
            l,
            c,
            "model".into(),
            "the model `Grok 3` is not in".into(),
        )
    });
}

#[test]
fn a_failed_build_keeps_the_previous_table() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = copy_inputs(dir.path());
    scalecast()
        .args(["data", "build", arg(&inputs)])
        .assert()
        .success();
    let before = fs::read(inputs.join("observations.csv")).unwrap();
    replace(
        &inputs,
        "models.csv",
        "\nDeepSeek-V3,",
        "2024-12-26",
        "26/12/2024",
    );
    scalecast()
        .args(["data", "build", arg(&inputs)])
        .assert()
        .code(2);
    assert_eq!(fs::read(inputs.join("observations.csv")).unwrap(), before);
}

#[test]
fn a_missing_data_folder_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    scalecast()
        .args(["data", "build", arg(&dir.path().join("nowhere"))])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("benchmarks.csv"));
}
