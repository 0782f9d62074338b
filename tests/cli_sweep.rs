//! Integration tests of `sweep`, `merge` and `allocate`: sweep rows against `run` on edited
//! scenarios, shards merged byte for byte, input errors and the allocation search.

mod common;
use common::*;
use std::fs;
use std::path::Path;

use predicates::prelude::*;

/// `capabilities.csv` rows of `text` run as a scenario, without the header.
fn run_rows(dir: &Path, text: &str) -> Vec<String> {
    let file = write(dir, "edited.toml", text);
    let out = dir.join("run-out");
    scalecast()
        .args(["run", arg(&file), "--out", arg(&out)])
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("mini/capabilities.csv")).unwrap();
    csv.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn sweep_rows_equal_run_on_the_edited_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "sweep",
            arg(&file),
            "--vary",
            "rl.transfer=list:0,0.5",
            "--vary",
            "domain.writing.difficulty=lin:26:28:3",
            "--out",
            arg(&out),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("swept 6 grid points (60 rows)"));
    let csv = fs::read_to_string(out.join("mini/sweep/sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "rl.transfer,domain.writing.difficulty,scenario,year,domain,capability,logit,pretrain,rl,erosion,inference,thought_ceiling,effective_thinking_tokens,thinking_multiplier_per_oom"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6 * 5 * 2);
    let mut point = 0;
    for transfer in ["0", "0.5"] {
        for difficulty in ["26", "27", "28"] {
            let edited = MINIMAL
                .replace(
                    r#"transfer = { dist = "uniform", low = 0.0, high = 0.1 }"#,
                    &format!("transfer = {transfer}"),
                )
                .replace("difficulty = 27.0", &format!("difficulty = {difficulty}"));
            let want = run_rows(dir.path(), &edited);
            let prefix = format!("{transfer},{difficulty},");
            let got: Vec<&str> = rows[point * 10..(point + 1) * 10]
                .iter()
                .map(|r| r.strip_prefix(&prefix).expect(r))
                .collect();
            assert_eq!(got, want, "grid point {transfer}, {difficulty}");
            point += 1;
        }
    }
    assert!(out.join("mini/sweep/sweep.png").exists());
    assert!(out.join("mini/sweep/sweep.svg").exists());
}

#[test]
fn sweep_at_keeps_one_year_and_reads_the_sweep_table() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("{MINIMAL}[sweep]\nvary = [\"pretraining.params=log:1e11:1e13:3\"]\nat = 2025.5\n");
    let file = write(dir.path(), "mini.toml", &text);
    let out = dir.path().join("out");
    scalecast()
        .args(["sweep", arg(&file), "--out", arg(&out)])
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("mini/sweep/sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3 * 2);
    assert!(rows.iter().all(|r| r.split(',').nth(2) == Some("2025.5")));
    let want = run_rows(
        dir.path(),
        &MINIMAL.replace("params = 1.8e12", "params = 1e12"),
    );
    let want: Vec<&String> = want.iter().filter(|r| r.contains(",2025.5,")).collect();
    let got: Vec<&str> = rows[2..4]
        .iter()
        .map(|r| r.strip_prefix("1000000000000,").unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn merged_shards_equal_the_unsharded_output_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let vary = [
        "--vary",
        "pretraining.params=log:1e11:1e14:7",
        "--vary",
        "inference.tokens.start=log:1e2:1e5:5",
    ];
    let whole = dir.path().join("whole");
    scalecast()
        .arg("sweep")
        .arg(&file)
        .args(vary)
        .args(["--out", arg(&whole)])
        .assert()
        .success();
    let parts = dir.path().join("parts");
    for k in 1..=4 {
        scalecast()
            .arg("sweep")
            .arg(&file)
            .args(vary)
            .args(["--shard", &format!("{k}/4"), "--out", arg(&parts)])
            .assert()
            .success();
    }
    let shards = parts.join("mini/sweep-shards");
    assert_eq!(fs::read_dir(&shards).unwrap().count(), 4);
    // missing a shard is an input error
    scalecast()
        .args([
            "merge",
            arg(&shards.join("sweep.shard-1-of-4.csv")),
            "--out",
            arg(&parts),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2/4, 3/4, 4/4 missing"));
    // a cut shard is an input error naming it
    let cut = dir.path().join("cut");
    fs::create_dir(&cut).unwrap();
    for k in 1..=4 {
        let name = format!("sweep.shard-{k}-of-4.csv");
        let text = fs::read_to_string(shards.join(&name)).unwrap();
        let keep = if k == 3 {
            text.lines().count() - 1
        } else {
            usize::MAX
        };
        let lines: Vec<&str> = text.lines().take(keep).collect();
        fs::write(cut.join(&name), lines.join("\n") + "\n").unwrap();
    }
    scalecast()
        .args([
            "merge",
            arg(&cut),
            "--out",
            arg(&dir.path().join("cut-out")),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweep.shard-3-of-4.csv"))
        .stderr(predicate::str::contains("ends early"));
    assert!(
        !dir.path().join("cut-out").exists(),
        "a failed merge leaves no folders"
    );
    scalecast()
        .args(["merge", arg(&shards), "--out", arg(&parts)])
        .assert()
        .success();
    for name in ["sweep.csv", "sweep.png", "sweep.svg"] {
        let a = fs::read(whole.join("mini/sweep").join(name)).unwrap();
        let b = fs::read(parts.join("mini/sweep").join(name)).unwrap();
        assert!(a == b, "{name} differs after merging");
    }
}

#[test]
fn a_bad_path_or_spec_is_an_input_error_naming_the_nearest_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args(["sweep", arg(&file), "--vary", "rl.tranfser=lin:0:1:3"])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`rl.tranfser` is not a numeric key",
        ))
        .stderr(predicate::str::contains("did you mean `rl.transfer`"));
    // A size key of the form the scenario does not use names the form it uses; a long list of
    // values is abridged in the message.
    let values: Vec<String> = (1..=40).map(|k| format!("{k}e11")).collect();
    scalecast()
        .args(["sweep", "scenarios/reasoners.toml", "--vary"])
        .arg(format!("pretraining.params=list:{}", values.join(",")))
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`--vary pretraining.params=list:1e11,2e11,",
        ))
        .stderr(predicate::str::contains(
            ",...`: `pretraining.params` is not a numeric key",
        ))
        .stderr(predicate::str::contains(
            "it sets `pretraining.compute`; sweep one of `pretraining.compute.start`",
        ))
        .stderr(predicate::str::contains("40e11").not());
    scalecast()
        .args(["sweep", arg(&file), "--vary", "rl.transfer=lin:0:1"])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad SPEC"))
        .stderr(predicate::str::contains("lin:A:B:N"));
    scalecast()
        .args(["sweep", arg(&file), "--vary", "rl.transfer=lin:0:3:4"])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the sweep sets `rl.transfer` = 3"));
    scalecast()
        .args(["sweep", arg(&file), "--vary", "rl.transfer=lin:0:1:3"])
        .args(["--at", "2025.3", "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a year of the time grid"));
    // a bad entry of the [sweep] table is located in the file
    let table = write(
        dir.path(),
        "table.toml",
        &format!("{MINIMAL}[sweep]\nvary = [\"domain.math.slop=lin:1:2:3\"]\n"),
    );
    scalecast()
        .args(["sweep", arg(&table), "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("table.toml:30:"))
        .stderr(predicate::str::contains("`domain.math.slope`"));
    scalecast()
        .args(["check", arg(&table)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`sweep.vary[0]`"));
    assert!(!out.exists(), "nothing is written on input errors");
}

#[test]
fn an_invalid_grid_point_fails_the_sweep_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "sweep",
            arg(&file),
            "--vary",
            "rl.steps.until=list:2026,2024.5",
        ])
        .args(["--vary", "rl.steps.from=list:2024,2025", "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "at the grid point rl.steps.until = 2024.5, rl.steps.from = 2025",
        ));
    assert!(!out.exists());
}

#[test]
fn huge_sweeps_need_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args(["sweep", arg(&file), "--vary", "rl.transfer=lin:0:1:2000001"])
        .args(["--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("20000010 rows"))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists());
}

#[test]
fn allocate_prints_the_best_split_and_writes_the_simplex() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args(["allocate", arg(&file), "--budget", "1e27", "--year", "2025"])
        .args(["--domain", "writing", "--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicate::str::contains("best"))
        .stdout(predicate::str::contains("all pretraining"));
    let folder = out.join("mini/allocate/writing-2025");
    let csv = fs::read_to_string(folder.join("allocate.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 + 5050);
    let cap = |row: &str| -> f64 { row.split(',').nth(8).unwrap().parse().unwrap() };
    let lines: Vec<&str> = csv.lines().collect();
    assert!(cap(lines[1]) >= cap(lines[2]));
    assert!(lines[3..].iter().all(|r| cap(r) <= cap(lines[1])));
    assert!(folder.join("simplex.png").exists());
    // a tiny budget still gives a valid answer; budgets print in one form at any size
    scalecast()
        .args(["allocate", arg(&file), "--budget", "1e6", "--year", "2024"])
        .args(["--domain", "math", "--out", arg(&out)])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "mini: math in 2024, budget 1e6 FLOP, 1e9 queries\n",
        ));
    for (budget, shown) in [("1e10", "1e10"), ("2.5e26", "2.5e26"), ("1e27", "1e27")] {
        scalecast()
            .args(["allocate", arg(&file), "--budget", budget, "--year", "2024"])
            .args(["--domain", "math", "--out", arg(&out)])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(format!(
                "mini: math in 2024, budget {shown} FLOP,"
            )));
    }
    scalecast()
        .args(["allocate", arg(&file), "--budget", "1e27", "--year", "2025"])
        .args(["--domain", "writng", "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean writing"));
    scalecast()
        .args(["allocate", arg(&file), "--budget", "-1", "--year", "2025"])
        .args(["--domain", "math", "--out", arg(&out)])
        .assert()
        .code(2);
}
