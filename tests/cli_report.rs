//! Integration tests for the run-wide outputs (`comparison/`, `index.html`) and `explain`.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

fn scenario(name: &str, growth: f64) -> String {
    format!(
        r#"# {name}: a test world.
[scenario]
name = "{name}"
description = "compute grows {growth}x a year"
[time]
start = 2024
end = 2026
step = 0.5
[pretraining]
compute = {{ start = 1.4e26, growth = {growth} }}   # a test figure
[rl]
steps = {{ start = 1e4, growth = 10.0 }}
[inference]
tokens = 1000
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 26.5
"#
    )
}

/// Two scenarios in a folder, run into `out`.
fn run_two(dir: &Path) -> PathBuf {
    let inputs = dir.join("in");
    fs::create_dir_all(&inputs).unwrap();
    fs::write(inputs.join("fast.toml"), scenario("fast", 4.0)).unwrap();
    fs::write(inputs.join("slow.toml"), scenario("slow", 1.5)).unwrap();
    let out = dir.join("out");
    scalecast()
        .arg("run")
        .arg(&inputs)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("index.html"));
    out
}

#[test]
fn comparison_overlays_every_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_two(dir.path());
    let cmp = out.join("comparison");
    for f in [
        "comparison.csv",
        "gap.png",
        "gap.svg",
        "capability_math.png",
        "capability_math.svg",
        "capability_writing.png",
        "capability_writing.svg",
    ] {
        assert!(cmp.join(f).is_file(), "missing comparison/{f}");
    }
    let csv = fs::read_to_string(cmp.join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,year,domain,verifiability,capability,verifiable_mean,unverifiable_mean,gap"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // 2 scenarios x 5 years x 2 domains
    assert_eq!(rows.len(), 20);
    for r in &rows {
        let (ver, unver, gap): (f64, f64, f64) = (
            r[5].parse().unwrap(),
            r[6].parse().unwrap(),
            r[7].parse().unwrap(),
        );
        assert_eq!(gap, ver - unver);
    }
    // capabilities match each scenario's own capabilities.csv
    let own = fs::read_to_string(out.join("fast/capabilities.csv")).unwrap();
    let first = own.lines().nth(1).unwrap().split(',').nth(3).unwrap();
    assert_eq!(rows[0][..3], ["fast", "2024", "math"]);
    assert_eq!(rows[0][4], first);
    let math = fs::read_to_string(cmp.join("capability_math.svg")).unwrap();
    // legend entries are text lines of their own
    assert!(math.lines().any(|l| l.trim() == "fast") && math.lines().any(|l| l.trim() == "slow"));
    // each scenario folder has its multiplier chart
    assert!(out.join("slow/thinking_multiplier.svg").is_file());
}

#[test]
fn index_html_is_self_contained_and_has_every_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_two(dir.path());
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for name in ["fast", "slow"] {
        assert!(html.contains(&format!("id=\"scenario-{name}\"")), "{name}");
        assert!(
            html.contains(&format!("scenario {name} at 2026")),
            "card {name}"
        );
    }
    assert!(html.contains("id=\"comparison\""));
    // four charts per scenario, the gap and two domain comparisons, all inline
    assert_eq!(html.matches("<svg").count(), 2 * 4 + 3);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    for attr in ["src=", "href=", "url("] {
        for (i, _) in html.match_indices(attr) {
            let value = &html[i + attr.len()..(i + attr.len() + 12).min(html.len())];
            assert!(
                !value.contains("http:") && !value.contains("https:") && !value.contains("//"),
                "{attr} fetches {value}"
            );
        }
    }
    // the assumptions table carries the file's comments
    assert!(html.contains("a test figure"));
}

#[test]
fn one_scenario_still_writes_comparison_and_index() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("solo.toml");
    fs::write(&file, scenario("solo", 2.0)).unwrap();
    let out = dir.path().join("out");
    scalecast()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("comparison/comparison.csv")).unwrap();
    assert!(csv.lines().skip(1).all(|l| l.starts_with("solo,")));
    assert!(out.join("index.html").is_file());
}

#[test]
fn explain_prints_the_card_at_a_grid_year() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fast.toml");
    fs::write(&file, scenario("fast", 4.0)).unwrap();
    let last = scalecast().arg("explain").arg(&file).assert().success();
    let text = String::from_utf8(last.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("scenario fast at 2026"));
    for needle in [
        "## Effective compute u",
        "## pretrain = s (u - b)",
        "## rl = tau Gmax h",
        "## erosion",
        "## inference = kappa log2(1 + T_eff / T0) - overthink",
        "## Logit and capability in 2026",
        "pretraining.compute.growth",
        "domain.writing.difficulty",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    scalecast()
        .args(["explain", file.to_str().unwrap(), "--year", "2025.5"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("scenario fast at 2025.5"));
}

#[test]
fn explain_off_grid_year_and_bad_file_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fast.toml");
    fs::write(&file, scenario("fast", 4.0)).unwrap();
    for year in ["2025.3", "2030", "2023.5"] {
        scalecast()
            .args(["explain", file.to_str().unwrap(), "--year", year])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("not a year of the time grid"))
            .stderr(predicate::str::contains("2024 to 2026 every 0.5"))
            .stderr(predicate::str::contains("hint: the "));
    }
    let bad = dir.path().join("bad.toml");
    fs::write(
        &bad,
        scenario("bad", 4.0).replace("slope = 1.0", "slope = -1.0"),
    )
    .unwrap();
    scalecast()
        .args(["explain", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("domain.math.slope"));
}
