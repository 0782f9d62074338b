//! Integration tests of `scalecast fit` and `scalecast backtest`: outputs, determinism across
//! thread counts, and bad data as input errors (exit code 2) naming the row and column.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

#[test]
fn fit_pretraining_writes_json_snippet_and_chart_identically_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = example("pretraining-runs.csv");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        scalecast()
            .env("RAYON_NUM_THREADS", threads)
            .args(["fit", "pretraining", arg(&data), "--bootstrap", "20"])
            .args(["--seed", "3", "--out", arg(&out)])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("alpha").and(predicate::str::contains("90% interval")),
            );
        outputs.push(out.join("fit-pretraining-pretraining-runs"));
    }
    for file in ["fit.json", "law.toml", "fit.png", "fit.svg"] {
        let a = fs::read(outputs[0].join(file)).unwrap();
        assert_eq!(
            a,
            fs::read(outputs[1].join(file)).unwrap(),
            "{file} differs"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(outputs[0].join("fit.json")).unwrap()).unwrap();
    let alpha = json["estimates"]["alpha"]["value"].as_f64().unwrap();
    let interval = json["estimates"]["alpha"]["interval"].as_array().unwrap();
    assert!(interval[0].as_f64().unwrap() <= alpha && alpha <= interval[1].as_f64().unwrap());
    // The data are synthetic from the Epoch law (alpha 0.3478): a loose sanity bound.
    assert!((alpha - 0.3478).abs() < 0.05, "{alpha}");
    assert_eq!(json["bootstrap"]["replicates"], 20);
    // The snippet pastes into a scenario that then checks.
    let law = fs::read_to_string(outputs[0].join("law.toml")).unwrap();
    let scenario = write(
        dir.path(),
        "s.toml",
        &format!("[pretraining]\nparams = 1e9\ntokens = 2e10\n{law}\n[[domain]]\nname = \"math\"\nverifiability = 1\nslope = 1\ndifficulty = 25\n"),
    );
    scalecast()
        .args(["check", arg(&scenario)])
        .assert()
        .success();
}

#[test]
fn fit_pretraining_reads_tokens_from_a_flop_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(example("pretraining-runs.csv")).unwrap();
    let mut csv = String::from("n,flop,final_loss\n");
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        csv.push_str(&format!("{},{},{}\n", v[0], 6.0 * v[0] * v[1], v[2]));
    }
    let data = write(dir.path(), "flop.csv", &csv);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "fit",
            "pretraining",
            arg(&data),
            "--params",
            "n",
            "--flop",
            "flop",
        ])
        .args([
            "--loss",
            "final_loss",
            "--bootstrap",
            "0",
            "--out",
            arg(&out),
        ])
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("fit-pretraining-flop/fit.json")).unwrap())
            .unwrap();
    assert_eq!(json["method"]["tokens"], "FLOP / (6 N)");
    assert!(json["estimates"]["alpha"].get("interval").is_none());
}

#[test]
fn bad_data_is_an_input_error_naming_row_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cases = [
        (
            "params,tokens,los\n1e8,2e9,3\n",
            "no column `loss`",
            "did you mean `los`",
        ),
        (
            "params,tokens,loss\n1e8,2e9,3\n2e8,0,2.9\n",
            "bad.csv:3:5: `tokens`: row 2: expected a positive number, found `0`",
            "row 2",
        ),
        (
            "params,tokens,loss\n1e8,2e9,NaN\n",
            "bad.csv:2:9: `loss`: row 1: expected a positive number, found `NaN`",
            "row 1",
        ),
        (
            "params,tokens,loss\n1e8,2e9,3\n2e8,4e9,2.9\n",
            "2 data row(s), but the pretraining fit has 5 parameters",
            "more rows than parameters",
        ),
    ];
    for (text, message, hint) in cases {
        let data = write(dir.path(), "bad.csv", text);
        scalecast()
            .args(["fit", "pretraining", arg(&data), "--out", arg(&out)])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message).and(predicate::str::contains(hint)));
    }
    let data = write(dir.path(), "bad.csv", "rl_steps,score\n0,0.2\n100,1\n");
    scalecast()
        .args(["fit", "rl", arg(&data), "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`score`: row 2: expected a number strictly between 0 and 1, found `1`",
        ));
    scalecast()
        .args([
            "fit",
            "domain",
            arg(&example("math-scores.csv")),
            "--law",
            "epoc",
        ])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown law"));
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn fit_domain_and_rl_write_their_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    scalecast()
        .args([
            "fit",
            "domain",
            arg(&example("math-scores.csv")),
            "--name",
            "math",
        ])
        .args(["--bootstrap", "20", "--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicate::str::contains("difficulty"))
        .stderr(predicate::str::contains("warning").not());
    let snippet = fs::read_to_string(out.join("fit-domain-math-scores/domain.toml")).unwrap();
    assert!(!snippet.contains("warning"), "{snippet}");
    assert!(snippet.contains("[[domain]]\nname = \"math\""), "{snippet}");
    // math-scores.csv is synthetic: slope 0.9, difficulty 25.5, floor 0.25.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("fit-domain-math-scores/fit.json")).unwrap())
            .unwrap();
    let difficulty = json["estimates"]["difficulty"]["value"].as_f64().unwrap();
    assert!((difficulty - 25.5).abs() < 0.3, "{difficulty}");
    assert!(json.get("warnings").is_none(), "{json}");

    scalecast()
        .args([
            "fit",
            "rl",
            arg(&example("rl-curve.csv")),
            "--bootstrap",
            "20",
        ])
        .args(["--out", arg(&out)])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("midpoint_steps").and(predicate::str::contains("tau * Gmax")),
        );
    let snippet = fs::read_to_string(out.join("fit-rl-rl-curve/rl.toml")).unwrap();
    assert!(snippet.contains("[rl]\nmidpoint_steps = "), "{snippet}");
    assert!(out.join("fit-rl-rl-curve/fit.png").exists());
}

#[test]
fn fit_domain_rejects_a_u_column_that_is_not_log10_flop() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // `params` is a raw count (1e8 to 1e11), not log10 of FLOP
    scalecast()
        .args(["fit", "domain", arg(&example("math-scores.csv")), "--u", "params"])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "math-scores.csv:3:4: `params`: row 1: u is `1.179e+09`, which is not log10 of a FLOP count",
            )
            .and(predicate::str::contains("30 of 30 rows are outside"))
            .and(predicate::str::contains(
                "hint: u is log10 of effective compute in FLOP, e.g. 25.3",
            )),
        );
    assert!(!out.exists(), "nothing is written on bad input");
    // log10 of the same runs' compute is accepted
    let text = fs::read_to_string(example("math-scores.csv")).unwrap();
    let mut csv = String::from("u,score\n");
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (n, d): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        csv.push_str(&format!("{},{}\n", (6.0 * n * d).log10(), f[3]));
    }
    let data = write(dir.path(), "log-compute.csv", &csv);
    scalecast()
        .args(["fit", "domain", arg(&data), "--u", "u", "--bootstrap", "20"])
        .args(["--out", arg(&out)])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn a_poorly_identified_fit_warns_and_records_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // near-perfect scores with two dips: no sigmoid fits them, and the replicates disagree
    let data = write(
        dir.path(),
        "dips.csv",
        "u,score\n17.701,0.9952\n17.768,1\n17.987,1\n18.028,1\n18.098,1\n18.136,1\n18.393,0.8292\n18.433,0.8961\n18.539,1\n18.543,1\n18.648,1\n",
    );
    scalecast()
        .args(["fit", "domain", arg(&data), "--u", "u", "--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicate::str::contains("difficulty"))
        .stderr(
            predicate::str::contains("warning: the fit did not converge")
                .and(predicate::str::contains(
                    "warning: point estimates outside their own 90% bootstrap intervals (slope ",
                ))
                .and(predicate::str::contains(
                    "give the chance level with --floor",
                )),
        );
    let folder = out.join("fit-domain-dips");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(folder.join("fit.json")).unwrap()).unwrap();
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{json}");
    // the point estimate really lies outside its interval
    let slope = &json["estimates"]["slope"];
    let (value, low, high) = (
        slope["value"].as_f64().unwrap(),
        slope["interval"][0].as_f64().unwrap(),
        slope["interval"][1].as_f64().unwrap(),
    );
    assert!(value < low || value > high, "{slope}");
    let snippet = fs::read_to_string(folder.join("domain.toml")).unwrap();
    assert_eq!(snippet.matches("\n# warning: ").count(), 2, "{snippet}");
}

const BACKTEST: &str = r#"
[scenario]
name = "bt"
[time]
start = 2022
end = 2030
step = 0.5
[pretraining]
compute = { start = 1e24, growth = 4.0 }
[[domain]]
name = "math"
verifiability = 0.95
slope = 0.8
difficulty = 26.5
[[observation]]
domain = "math"
score = 0.3
year = 2022.5
[[observation]]
domain = "math"
score = 0.55
year = 2024.0
label = "model A"
"#;

#[test]
fn backtest_scores_observations_from_the_year_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bt.toml", BACKTEST);
    let out = dir.path().join("out");
    scalecast()
        .args(["backtest", arg(&file), "--from", "2024", "--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "mean absolute error (all, 1 observation(s))",
        ));
    let csv = fs::read_to_string(out.join("backtest-bt/backtest.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,observation,label,domain,year,observed,forecast,error"
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&row[..6], &["bt", "1", "model A", "math", "2024", "0.55"]);
    let (forecast, error): (f64, f64) = (row[6].parse().unwrap(), row[7].parse().unwrap());
    assert_eq!(error, forecast - 0.55);
    // The forecast at a grid year is run's own capability there.
    let run_out = dir.path().join("run");
    scalecast()
        .args(["run", arg(&file), "--out", arg(&run_out)])
        .assert()
        .success();
    let caps = fs::read_to_string(run_out.join("bt/capabilities.csv")).unwrap();
    let at_2024 = caps
        .lines()
        .find(|l| l.starts_with("bt,2024,math,"))
        .unwrap();
    assert_eq!(at_2024.split(',').nth(3).unwrap(), row[6]);
    assert!(out.join("backtest-bt/backtest.png").exists());

    scalecast()
        .args(["backtest", arg(&file), "--from", "2025", "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no [[observation]] has a `year` at or after 2025",
        ));
}

#[test]
fn backtest_samples_add_bands_identically_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let text = BACKTEST.replace(
        "slope = 0.8",
        "slope = { dist = \"uniform\", low = 0.5, high = 1.1 }",
    );
    let file = write(dir.path(), "bt.toml", &text);
    let mut csvs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        scalecast()
            .env("RAYON_NUM_THREADS", threads)
            .args(["backtest", arg(&file), "--from", "2024", "--samples", "500"])
            .args(["--out", arg(&out)])
            .assert()
            .success()
            .stdout(predicate::str::contains("in the 90% band"));
        csvs.push(fs::read_to_string(out.join("backtest-bt/backtest.csv")).unwrap());
        let json = fs::read(out.join("backtest-bt/backtest.json")).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["sampling"]["samples"], 500);
    }
    assert_eq!(csvs[0], csvs[1]);
    let mut lines = csvs[0].lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",p5,p25,p50,p75,p95,in_50,in_90"));
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let p: Vec<f64> = row[8..13].iter().map(|x| x.parse().unwrap()).collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    let observed: f64 = row[5].parse().unwrap();
    assert_eq!(row[14], (p[0] <= observed && observed <= p[4]).to_string());
}

/// A flag value out of range hints at the help of the command that was run.
#[test]
fn flag_errors_hint_at_the_help_of_the_command_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bt.toml", BACKTEST);
    let data = write(dir.path(), "runs.csv", "params,tokens,loss\n");
    let f = arg(&file);
    let cases: [(&[&str], &str, &str); 6] = [
        (&["backtest", f, "--from", "inf"], "--from", "backtest"),
        (
            &["backtest", f, "--from", "2024", "--samples", "0"],
            "--samples",
            "backtest",
        ),
        (
            &["fit", "pretraining", arg(&data), "--delta", "0"],
            "--delta",
            "fit pretraining",
        ),
        (
            &["fit", "domain", arg(&data), "--floor", "1"],
            "--floor",
            "fit domain",
        ),
        (
            &[
                "calibrate",
                arg(&data),
                "--scenario",
                f,
                "--reasoner-steps",
                "0",
            ],
            "--reasoner-steps",
            "calibrate",
        ),
        (
            &["calibrate", arg(&data), "--scenario", f, "--scale-band=-1"],
            "--scale-band",
            "calibrate",
        ),
    ];
    for (args, flag, command) in cases {
        scalecast()
            .args(args)
            .args(["--out", arg(&dir.path().join("out"))])
            .assert()
            .code(2)
            .stderr(
                predicate::str::starts_with(format!("error: {flag}: expected")).and(
                    predicate::str::contains(format!("hint: see `scalecast {command} --help`")),
                ),
            );
    }
}
