//! Integration tests of `scalecast mc`: outputs and their columns, reproducibility across
//! thread counts, and input errors (exit code 2, nothing written).

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const SMALL: &str = r#"
[scenario]
name = "small"
[time]
start = 2024
end = 2028
step = 0.5
[pretraining]
params = { dist = "lognormal", p5 = 1e12, p95 = 4e12 }
tokens = 13e12
[rl]
steps = { start = 1e4, growth = { dist = "uniform", low = 3, high = 10 } }
transfer = { dist = "triangular", low = 0.0, mode = 0.05, high = 0.2 }
[inference]
tokens = { start = 1e3, growth = 3.0 }
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = { dist = "normal", mean = 28.3, sd = 0.3 }
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 27.0
[[milestone]]
domain = "math"
threshold = 0.8
[[milestone]]
domain = "writing"
threshold = 0.99
[[correlation]]
a = "pretraining.params"
b = "rl.steps.growth"
rank = -0.4
"#;

fn scalecast() -> Command {
    Command::cargo_bin("scalecast").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn mc(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    scalecast()
        .arg("mc")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn mc_writes_quantiles_levers_milestones_sensitivity_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    mc(
        &file,
        &out,
        &["--samples", "3000", "--seed", "7", "--write-samples"],
    )
    .success()
    .stdout(predicate::str::contains("math").and(predicate::str::contains("3000 samples")));
    let folder = out.join("small/mc");
    let q = fs::read_to_string(folder.join("quantiles.csv")).unwrap();
    let mut lines = q.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,year,domain,mean,p5,p25,p50,p75,p95,median_se"
    );
    // 9 years x 2 domains
    assert_eq!(lines.clone().count(), 18);
    for line in lines {
        let v: Vec<f64> = line
            .split(',')
            .skip(3)
            .map(|x| x.parse().unwrap())
            .collect();
        assert!(
            v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4] && v[4] <= v[5],
            "{line}"
        );
        assert!((0.0..=1.0).contains(&v[0]) && v[6] >= 0.0, "{line}");
    }
    let levers = fs::read_to_string(folder.join("levers_quantiles.csv")).unwrap();
    assert!(levers.starts_with("scenario,year,lever,mean,p5,p25,p50,p75,p95,median_se\n"));
    assert!(levers.contains("small,2024,params,"));
    let milestones = fs::read_to_string(folder.join("milestones.csv")).unwrap();
    let rows: Vec<&str> = milestones.lines().collect();
    assert_eq!(
        rows[0],
        "scenario,domain,threshold,p10,p50,p90,p_not_reached,deterministic"
    );
    // writing never reaches 0.99 here: reported as after the end, never as the last year
    assert!(
        rows[2].starts_with("small,writing,0.99,after 2028,after 2028,after 2028,1,after 2028"),
        "{}",
        rows[2]
    );
    let sensitivity = fs::read_to_string(folder.join("sensitivity.csv")).unwrap();
    assert!(sensitivity.contains("small,capability:math,2028,"));
    assert!(sensitivity.contains("milestone:writing>=0.99,,pretraining.params,"));
    let samples = fs::read_to_string(folder.join("samples.csv")).unwrap();
    assert!(samples.starts_with(
        "sample,pretraining.params,rl.steps.growth,rl.transfer,domain.math.difficulty\n0,"
    ));
    assert_eq!(samples.lines().count(), 3001);
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["samples"], 3000);
    assert_eq!(summary["sobol"]["base_samples"], 8192);
    assert_eq!(summary["sobol"]["evaluations"], 8192 * 6);
    // Sobol indices: one row per (domain, uncertain input), in file order.
    let sobol = fs::read_to_string(folder.join("sensitivity_sobol.csv")).unwrap();
    let rows: Vec<&str> = sobol.lines().collect();
    assert_eq!(
        rows[0],
        "scenario,target,year,input,first_order,first_order_se,total,total_se,variance"
    );
    assert_eq!(rows.len(), 1 + 2 * 4);
    assert!(rows[1].starts_with("small,capability:math,2028,pretraining.params,"));
    // writing's capability does not depend on math's difficulty: exactly 0, no error.
    let row = rows
        .iter()
        .find(|r| r.starts_with("small,capability:writing,2028,domain.math.difficulty,"))
        .unwrap();
    assert!(row.contains(",0,0,0,0,"), "{row}");
    for row in &rows[1..] {
        let v: Vec<f64> = row.split(',').skip(4).map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| x.is_finite()) && v[1] >= 0.0 && v[3] >= 0.0 && v[4] > 0.0);
    }
    for chart in [
        "fan-math",
        "fan-writing",
        "milestones",
        "tornado-math",
        "tornado-milestone-writing-0.99",
        "sobol-math",
        "sobol-writing",
    ] {
        assert!(folder.join(format!("{chart}.png")).is_file(), "{chart}");
        assert!(folder.join(format!("{chart}.svg")).is_file(), "{chart}");
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn one_and_two_threads_write_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "small.toml", SMALL);
    write(
        dir.path(),
        "other.toml",
        &SMALL.replace("name = \"small\"", "name = \"other\""),
    );
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        // Same relative paths in both runs, so the recorded commands agree too.
        let cwd = dir.path().join(format!("threads{threads}"));
        fs::create_dir(&cwd).unwrap();
        scalecast()
            .current_dir(&cwd)
            .env("RAYON_NUM_THREADS", threads)
            .args(["mc", "--samples", "5000", "--write-samples", "--out", "out"])
            .args(["../small.toml", "../other.toml"])
            .assert()
            .success();
        outputs.push(files(&cwd.join("out")));
    }
    assert!(outputs[0].len() > 20);
    assert_eq!(outputs[0].len(), outputs[1].len());
    for (a, b) in outputs[0].iter().zip(&outputs[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between 1 and 2 threads", a.0);
    }
}

#[test]
fn invalid_distributions_are_input_errors_with_line_and_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "difficulty = { dist = \"normal\", mean = 28.3, sd = 0.3 }",
            "difficulty = { dist = \"normal\", mean = 28.3, sd = 0 }",
            "small.toml:20:14: `domain.math.difficulty`: invalid normal distribution: sd must be > 0",
        ),
        (
            "params = { dist = \"lognormal\", p5 = 1e12, p95 = 4e12 }",
            "params = { dist = \"lognormal\", p5 = 4e12, p95 = 1e12 }",
            "`pretraining.params`: invalid lognormal distribution: p95 must be above p5",
        ),
        (
            "params = { dist = \"lognormal\", p5 = 1e12, p95 = 4e12 }",
            "params = { dist = \"lognormal\", median = 0, sigma = 1 }",
            "`pretraining.params`: invalid lognormal distribution: median and sigma must be > 0",
        ),
        (
            "slope = 1.0",
            "slope = { dist = \"normal\", mean = 1, sd = 0.2 }",
            "`domain.math.slope`: this normal distribution can take values in [-inf, inf]",
        ),
        (
            "rank = -0.4",
            "rank = 1.5",
            "`correlation[0].rank`: expected a rank correlation in (-1, 1)",
        ),
    ];
    for (from, to, want) in cases {
        let file = write(dir.path(), "small.toml", &SMALL.replacen(from, to, 1));
        let out = dir.path().join("out");
        mc(&file, &out, &["--samples", "100"])
            .code(2)
            .stderr(predicate::str::contains(want));
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn bad_flags_and_impossible_correlations_exit_2_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    mc(&file, &out, &["--samples", "0"])
        .code(2)
        .stderr(predicate::str::contains("expected 1 to 100000000 samples"));
    mc(&file, &out, &["--samples", "1000000000"]).code(2);
    mc(&file, &out, &["--samples", "2000000", "--write-samples"]).code(2);
    mc(&file, &out, &["--sobol", "1000001"])
        .code(2)
        .stderr(predicate::str::contains(
            "expected 0 to 1000000 base samples",
        ));
    mc(&file, &out, &["--year", "2024.3"])
        .code(2)
        .stderr(predicate::str::contains(
            "--year 2024.3 is not a year of the time grid",
        ));
    let text = format!(
        "{SMALL}[[correlation]]\na = \"rl.steps.growth\"\nb = \"rl.transfer\"\nrank = 0.9\n[[correlation]]\na = \"pretraining.params\"\nb = \"rl.transfer\"\nrank = 0.9\n"
    );
    let file = write(dir.path(), "small.toml", &text);
    mc(&file, &out, &[])
        .code(2)
        .stderr(
            predicate::str::contains("not positive definite").and(predicate::str::contains(
                "pretraining.params ~ rl.steps.growth (-0.4), rl.steps.growth ~ rl.transfer (0.9)",
            )),
        );
    assert!(!out.exists());
}

#[test]
fn sobol_0_writes_no_sobol_indices() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    mc(&file, &out, &["--samples", "500", "--sobol", "0"]).success();
    let folder = out.join("small/mc");
    assert!(folder.join("quantiles.csv").is_file());
    assert!(!folder.join("sensitivity_sobol.csv").exists());
    assert!(!folder.join("sobol-math.png").exists());
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
    assert!(summary["sobol"].is_null());
}

#[test]
fn a_sample_that_overflows_is_an_input_error_naming_sample_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let growth = |high: &str| {
        SMALL.replace(
            "tokens = { start = 1e3, growth = 3.0 }",
            &format!("tokens = {{ start = 1e3, growth = {{ dist = \"loguniform\", low = 1, high = {high} }} }}"),
        )
    };
    let out = dir.path().join("out");
    // p95 = 1e95: the sensitivity analysis overflows first
    let file = write(dir.path(), "small.toml", &growth("1e100"));
    mc(&file, &out, &["--samples", "500"])
        .code(2)
        .stderr(predicate::str::contains(
            "with `inference.tokens.growth` at its p95 (1",
        ));
    // p95 = 1e76 is fine, but about 5% of the samples overflow the thinking tokens (tiny
    // params keep flop_per_query finite at p95)
    let text = growth("1e80").replace(
        "params = { dist = \"lognormal\", p5 = 1e12, p95 = 4e12 }",
        "params = { dist = \"lognormal\", p5 = 1, p95 = 2 }",
    );
    let file = write(dir.path(), "small.toml", &text);
    mc(&file, &out, &["--samples", "500"]).code(2).stderr(
        predicate::str::contains("`inference.tokens`")
            .and(predicate::str::contains("in Monte Carlo sample"))
            .and(predicate::str::contains("inference.tokens.growth = ")),
    );
    assert!(!out.exists());
}

/// The last line names the folder written: the scenario's own for one scenario; for several,
/// the pattern and the comparison folder.
#[test]
fn mc_says_which_folders_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let other = write(
        dir.path(),
        "other.toml",
        &SMALL.replace("name = \"small\"", "name = \"other\""),
    );
    let out = dir.path().join("out");
    let shown = out.display();
    mc(&file, &out, &["--samples", "50", "--sobol", "0"])
        .success()
        .stdout(predicate::str::ends_with(format!(
            "wrote 1 scenario, 50 samples (seed 20240601), to {shown}/small/mc\n"
        )));
    scalecast()
        .arg("mc")
        .args([&file, &other])
        .arg("--out")
        .arg(&out)
        .args(["--samples", "50", "--sobol", "0", "--seed", "3"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!(
            "wrote 2 scenarios, 50 samples each (seed 3), to {shown}/<scenario>/mc and {shown}/comparison/mc\n"
        )));
}

/// Sample counts may be written in exponent form when they are whole numbers; anything else is
/// an input error saying what was expected.
#[test]
fn sample_counts_in_exponent_form() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    mc(&file, &out, &["--samples", "1e2", "--sobol", "1.6e1"])
        .success()
        .stdout(predicate::str::contains("100 samples"));
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("small/mc/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["samples"], 100);
    for (flag, value, wanted) in [
        (
            "--samples",
            "1.5",
            "error: --samples: expected a whole number of samples, found 1.5",
        ),
        (
            "--samples",
            "1.5e0",
            "error: --samples: expected a whole number of samples, found 1.5e0",
        ),
        (
            "--samples",
            "-5",
            "error: --samples: expected 1 to 100000000 samples, found -5",
        ),
        (
            "--samples",
            "-1e3",
            "error: --samples: expected 1 to 100000000 samples, found -1e3",
        ),
        (
            "--samples",
            "1e9",
            "error: --samples: expected 1 to 100000000 samples, found 1e9",
        ),
        (
            "--samples",
            "1e400",
            "error: --samples: expected 1 to 100000000 samples, found 1e400",
        ),
        (
            "--samples",
            "lots",
            "error: --samples: expected a whole number of samples, found lots",
        ),
        (
            "--sobol",
            "2.5e-1",
            "error: --sobol: expected a whole number of base samples, found 2.5e-1",
        ),
        (
            "--sobol",
            "-1",
            "error: --sobol: expected 0 to 1000000 base samples, found -1",
        ),
        (
            "--sobol",
            "1e7",
            "error: --sobol: expected 0 to 1000000 base samples, found 1e7",
        ),
    ] {
        mc(&file, &dir.path().join("bad"), &[flag, value])
            .code(2)
            .stderr(predicate::str::starts_with(wanted));
    }
    // backtest's samples too
    let bt = write(
        dir.path(),
        "bt.toml",
        &format!("{SMALL}[[observation]]\ndomain = \"math\"\nyear = 2025\nscore = 0.5\n"),
    );
    for (value, code) in [("2e2", 0), ("2.5", 2), ("-2e2", 2)] {
        scalecast()
            .args(["backtest"])
            .arg(&bt)
            .args(["--from", "2024", "--samples", value, "--out"])
            .arg(&out)
            .assert()
            .code(code);
    }
    assert!(!dir.path().join("bad").exists());
}
