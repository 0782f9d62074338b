//! `scalecast calibrate` as a user runs it: its outputs, their independence from the thread
//! count, and bad data or flags as located input errors that write nothing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{arg, scalecast, write};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies of the shipped tables in `dir`, the observations edited by `edit`.
fn tables(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let obs = fs::read_to_string(root().join("data/observations.csv")).unwrap();
    let bench = fs::read_to_string(root().join("data/benchmarks.csv")).unwrap();
    write(dir, "benchmarks.csv", &bench);
    write(dir, "observations.csv", &edit(obs))
}

fn present() -> PathBuf {
    root().join("scenarios/base/present.toml")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn outputs_are_the_same_bytes_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = tables(dir.path(), |s| s);
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        scalecast()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "calibrate",
                arg(&data),
                "--scenario",
                arg(&present()),
                "--bootstrap",
                "20",
            ])
            .args([
                "--holdout",
                "2024-01-01",
                "--until",
                "2025-07-01",
                "--out",
                arg(&out),
            ])
            .assert()
            .success();
        runs.push(files(&out.join("holdout-present-2024-01-01")));
    }
    assert_eq!(runs[0], runs[1]);
    let names: Vec<&str> = runs[0].iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "calibrated.toml",
        "calibration.json",
        "curves.csv",
        "pairs.csv",
        "frontier.csv",
        "holdout.csv",
        "holdout.json",
        "calibrate_math.png",
        "calibrate_exams.svg",
        "holdout_math.png",
        "holdout_exams.svg",
    ] {
        assert!(names.contains(&want), "no {want} in {names:?}");
    }
    // Before 2024 only math and exams have frontier observations: no other domain is charted.
    assert!(!names.contains(&"calibrate_writing.png"));
}

#[test]
fn the_calibrated_file_is_a_base_a_scenario_can_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = tables(dir.path(), |s| s);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "calibrate",
            arg(&data),
            "--scenario",
            arg(&present()),
            "--bootstrap",
            "10",
        ])
        .args(["--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicates::str::contains("rl.transfer"));
    // Beside the scenario it names, the calibrated file reads as a scenario of its own.
    let base = dir.path().join("base");
    fs::create_dir(&base).unwrap();
    fs::copy(present(), base.join("present.toml")).unwrap();
    fs::copy(
        out.join("calibrate-present/calibrated.toml"),
        base.join("calibrated.toml"),
    )
    .unwrap();
    scalecast()
        .args(["check", arg(&base.join("calibrated.toml"))])
        .assert()
        .success();
}

/// Runs calibrate on edited data or flags; checks exit 2, the message, and that nothing is
/// written.
fn refused(
    edit: impl Fn(String) -> String,
    extra: &[&str],
    scenario: Option<&str>,
    wants: &[&str],
) {
    let dir = tempfile::tempdir().unwrap();
    let data = tables(dir.path(), edit);
    let scenario = match scenario {
        Some(text) => write(dir.path(), "mine.toml", text),
        None => present(),
    };
    let out = dir.path().join("out");
    let result = scalecast()
        .args([
            "calibrate",
            arg(&data),
            "--scenario",
            arg(&scenario),
            "--bootstrap",
            "5",
        ])
        .args(extra)
        .args(["--out", arg(&out)])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&result.get_output().stderr).into_owned();
    for want in wants {
        assert!(stderr.contains(want), "{want:?} not in:\n{stderr}");
    }
    assert!(
        !out.exists() || fs::read_dir(&out).unwrap().next().is_none(),
        "something was written"
    );
}

#[test]
fn bad_data_and_flags_are_located_input_errors() {
    // An unparseable score on the second data row (line 3).
    refused(
        |s| {
            let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
            let cells: Vec<&str> = lines[2].split(',').collect();
            let fixed: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 12 {
                        "high".to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            lines[2] = fixed.join(",");
            lines.join("\n") + "\n"
        },
        &[],
        None,
        &[
            "observations.csv:3:",
            "`score`",
            "row 2: expected a number in [0, 1], found `high`",
        ],
    );
    // A benchmark that the benchmarks table does not list has no domain.
    refused(
        |s| s.replacen(",aider_polyglot,code,", ",humaneval,code,", 1),
        &[],
        None,
        &[
            "observations.csv:2:",
            "`humaneval` is not in the benchmarks table, so it has no domain",
        ],
    );
    // A missing column.
    refused(
        |s| s.replacen("distilled", "distiled", 1),
        &[],
        None,
        &["observations.csv:1:1", "no column `distilled`"],
    );
    // A holdout that ends before it starts.
    refused(
        |s| s,
        &["--holdout", "2024-01-01", "--until", "2023-01-01"],
        None,
        &["--until 2023-01-01 is not after --holdout 2024-01-01"],
    );
    // A split after the last release leaves nothing to score.
    refused(
        |s| s,
        &["--holdout", "2026-01-01"],
        None,
        &[
            "--holdout 2026-01-01 is not before the last release",
            "nothing after it to score",
        ],
    );
    // A date that is not one.
    refused(
        |s| s,
        &["--holdout", "2024-13-01"],
        None,
        &["--holdout", "expected a date YYYY-MM-DD"],
    );
    // A scenario domain that no benchmark anchors.
    let mine = fs::read_to_string(present())
        .unwrap()
        .replace("name = \"empathy\"", "name = \"poetry\"");
    refused(
        |s| s,
        &[],
        Some(&mine),
        &[
            "mine.toml:",
            "`domain.poetry`",
            "no benchmark of",
            "is this domain's anchor",
        ],
    );
}

/// A holdout scores only the years the data observe: `--until` past the last release scores
/// the same rows as `--until` at it or none, and says how many grid years it left out.
#[test]
fn a_holdout_scores_no_year_after_the_last_release() {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("data/observations.csv");
    let scenario = root().join("data/backtest/reasoners-2024.toml");
    let run = |until: &str, out: &str| {
        let out = dir.path().join(out);
        let result = scalecast()
            .args(["calibrate", arg(&data), "--scenario", arg(&scenario)])
            .args(["--bootstrap", "5", "--holdout", "2024-01-01"])
            .args(if until.is_empty() {
                vec![]
            } else {
                vec!["--until", until]
            })
            .args(["--out", arg(&out)])
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&result.get_output().stdout).into_owned();
        let csv =
            fs::read_to_string(out.join("holdout-reasoners-2024-2024-01-01/holdout.csv")).unwrap();
        (stdout, csv)
    };
    let (at_cut, rows) = run("2025-07-01", "a");
    let (past, rows_past) = run("2027-01-01", "b");
    let (default, rows_default) = run("", "c");
    assert_eq!(rows, rows_past);
    assert_eq!(rows, rows_default);
    // Nothing is said of years left out where none were asked for.
    assert!(!at_cut.contains("not scored)"), "{at_cut}");
    assert!(!default.contains("not scored)"), "{default}");
    assert!(
        past.contains("7 grid years of --until lie after the last release"),
        "{past}"
    );
}
