//! Integration tests: the binary on fixture scenarios, checking files and exit codes.

mod common;
use common::*;
use std::fs;
use std::path::Path;

use predicates::prelude::*;

#[test]
fn run_writes_every_output_with_the_contract_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("math").and(predicate::str::contains("writing")));
    let folder = out.join("mini");
    let caps = fs::read_to_string(folder.join("capabilities.csv")).unwrap();
    let mut lines = caps.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,year,domain,capability,logit,pretrain,rl,erosion,inference,thought_ceiling,effective_thinking_tokens,thinking_multiplier_per_oom"
    );
    // 5 years x 2 domains
    assert_eq!(lines.clone().count(), 10);
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&first[..3], &["mini", "2024", "math"]);
    let cap: f64 = first[3].parse().unwrap();
    assert!((0.0..=1.0).contains(&cap));
    // logit = pretrain + rl - erosion + inference
    let v: Vec<f64> = first[4..9].iter().map(|s| s.parse().unwrap()).collect();
    assert!((v[0] - (v[1] + v[2] - v[3] + v[4])).abs() < 1e-12);
    let levers = fs::read_to_string(folder.join("levers.csv")).unwrap();
    assert_eq!(
        levers.lines().next().unwrap(),
        "scenario,year,params,tokens,loss,effective_log10_compute,rl_steps,rl_progress,thinking_tokens,pretrain_flop,rl_flop,flop_per_query,training_usd,rl_usd,usd_per_query"
    );
    assert_eq!(levers.lines().count(), 6);
    let row: Vec<&str> = levers.lines().nth(1).unwrap().split(',').collect();
    let u: f64 = row[5].parse().unwrap();
    assert!((u - 26.12).abs() < 0.01, "u = {u}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenario"], "mini");
    assert_eq!(summary["parameters"]["rl.transfer"], 0.05);
    assert_eq!(summary["parameters"]["inference.ceiling.max"], "inf");
    assert_eq!(summary["uncertain"][0]["path"], "rl.transfer");
    assert_eq!(
        summary["provenance"]["scenario_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(summary["provenance"]["command"]
        .as_str()
        .unwrap()
        .starts_with("scalecast run "));
    for chart in ["capability", "levers", "terms"] {
        let png = fs::read(folder.join(format!("{chart}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let svg = fs::read_to_string(folder.join(format!("{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg"));
    }
}

#[test]
fn rerun_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mini.toml", MINIMAL);
    let read_all = |out: &Path| {
        let mut files: Vec<_> = ["mini", "comparison"]
            .iter()
            .flat_map(|d| fs::read_dir(out.join(d)).unwrap())
            .map(|e| e.unwrap().path())
            .chain([out.join("index.html")])
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| (f.file_name().unwrap().to_owned(), fs::read(f).unwrap()))
            .collect::<Vec<_>>()
    };
    let out = dir.path().join("out");
    let run = || {
        scalecast()
            .current_dir(dir.path())
            .args(["run", "mini.toml", "--out", "out"])
            .assert()
            .success();
        read_all(&out)
    };
    let a = run();
    let b = run();
    // 11 scenario files, 2 domain charts + the gap chart (PNG and SVG) + the CSV, index.html
    assert_eq!(a.len(), 11 + 7 + 1);
    assert!(a == b, "outputs differ between runs");
    let mut leftovers: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, ["comparison", "index.html", "mini"]);
}

#[test]
fn bad_input_exits_2_names_place_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = MINIMAL.replace("rate = 0.3", "rate = 0.3\nrat = 1");
    let file = write(dir.path(), "bad.toml", &bad);
    let out = dir.path().join("out");
    scalecast()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.toml:16:1")
                .and(predicate::str::contains("`erosion.rat`"))
                .and(predicate::str::contains("did you mean `rate`")),
        );
    assert!(!out.exists(), "nothing may be written on bad input");
}

#[test]
fn one_bad_file_among_good_ones_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", MINIMAL);
    write(
        dir.path(),
        "b.toml",
        &MINIMAL
            .replace("\"mini\"", "\"other\"")
            .replace("slope = 1.0", "slope = -1.0"),
    );
    let out = dir.path().join("out");
    scalecast()
        .args([
            "run",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`domain.math.slope`").and(predicate::str::contains(
                "expected a finite number > 0, found -1",
            )),
        );
    assert!(!out.exists());
}

#[test]
fn check_reports_ok_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", MINIMAL);
    scalecast()
        .args(["check", good.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("OK").and(predicate::str::contains(
            "(mini, 2 domains, 5 time points from 2024 to 2026)",
        )));
    let one = write(
        dir.path(),
        "one.toml",
        &MINIMAL[..MINIMAL.find("[[domain]]\nname = \"writing\"").unwrap()],
    );
    scalecast()
        .args(["check", arg(&one)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(mini, 1 domain, 5 time points from 2024 to 2026)",
        ));
    let cases = [
        ("syntax.toml", "[time\nstart = 1", "invalid TOML"),
        (
            "range.toml",
            &MINIMAL.replace("verifiability = 0.95", "verifiability = 1.5"),
            "`domain.math.verifiability`",
        ),
        (
            "dist.toml",
            &MINIMAL.replace("low = 0.0, high = 0.1", "low = 0.2, high = 0.1"),
            "high must be above low",
        ),
        (
            "support.toml",
            &MINIMAL.replace(
                "transfer = { dist = \"uniform\", low = 0.0, high = 0.1 }",
                "transfer = { dist = \"normal\", mean = 0.0, sd = 0.1 }",
            ),
            "needs a number in [-1, 1]",
        ),
        (
            "forms.toml",
            &MINIMAL.replace("params = 1.8e12", "params = 1.8e12\ncompute = 1e25"),
            "not both",
        ),
        (
            "until.toml",
            &MINIMAL.replace("until = 2025.0", "until = 2020.0"),
            "`rl.steps.until`",
        ),
        (
            "inf.toml",
            &MINIMAL.replace("slope = 1.0", "slope = inf"),
            "found inf",
        ),
        (
            "overflow.toml",
            &MINIMAL.replace("growth = 3.0", "growth = 1e300"),
            "`inference.tokens`",
        ),
        (
            "dup.toml",
            &MINIMAL.replace("name = \"writing\"", "name = \"math\""),
            "defined twice",
        ),
        (
            "nodomain.toml",
            &MINIMAL[..MINIMAL.find("[[domain]]").unwrap()],
            "at least one [[domain]]",
        ),
    ];
    for (name, text, want) in cases {
        let f = write(dir.path(), name, text);
        scalecast()
            .args(["check", f.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(name).and(predicate::str::contains(want)));
    }
}

#[test]
fn missing_file_and_directory_errors_exit_2() {
    scalecast()
        .args(["check", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no such file")
                .and(predicate::str::contains(
                    "hint: check the path; `scalecast check` takes scenario files or folders of them",
                ))
                .and(predicate::str::contains("scalecast run").not()),
        );
    // A command that reads scenarios/ without an argument says so in its own name.
    for command in ["run", "mc", "serve"] {
        scalecast()
            .args([command, "no/such/file.toml"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "hint: `scalecast {command}` with no argument reads scenarios/ in the current folder"
            )));
    }
    let dir = tempfile::tempdir().unwrap();
    scalecast()
        .args(["run", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.toml"));
}

/// SIGTERM at any moment leaves the previous complete folder or none, and no temporaries.
#[test]
fn interrupted_runs_leave_complete_outputs_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let slow = MINIMAL.replace("end = 2026\nstep = 0.5", "end = 2100\nstep = 0.01");
    write(dir.path(), "mini.toml", &slow);
    let out = dir.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("scalecast");
    // What a complete folder holds: an uninterrupted run's.
    let status = std::process::Command::new(&bin)
        .current_dir(dir.path())
        .args(["run", "mini.toml", "--out", "reference"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let reference = dir.path().join("reference/mini");
    let complete = fs::read_dir(&reference).unwrap().count();
    let reference_caps = fs::read_to_string(reference.join("capabilities.csv")).unwrap();
    assert_eq!(reference_caps.lines().count(), 1 + 7601 * 2);
    let mut seen_complete = 0;
    for i in 0..12u64 {
        let mut child = std::process::Command::new(&bin)
            .current_dir(dir.path())
            .args(["run", "mini.toml", "--out", "out"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(15 * i));
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
        if !out.exists() {
            continue;
        }
        let names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        // A run that finished also wrote its comparison folder and index page; anything else
        // (a temporary above all) is a leftover.
        assert!(
            names
                .iter()
                .all(|n| ["mini", "comparison", "index.html"].contains(&n.as_str())),
            "leftovers: {names:?}"
        );
        if !names.iter().any(|n| n == "mini") {
            continue;
        }
        let files = fs::read_dir(out.join("mini")).unwrap().count();
        assert_eq!(files, complete, "a folder in place is complete");
        let caps = fs::read_to_string(out.join("mini/capabilities.csv")).unwrap();
        assert_eq!(caps, reference_caps);
        seen_complete += 1;
    }
    // Not a timing assertion: whatever happened, the invariant above held each time.
    let _ = seen_complete;
}

#[test]
fn output_paths_that_cannot_hold_results_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let f = file.to_str().unwrap();
    scalecast()
        .args(["run", f, "--out", "/dev/full"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a folder"));
    scalecast()
        .args(["run", f, "--out", &format!("{f}/out")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file"));
    scalecast()
        .args(["run", f, "--out", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds the input"));
}

/// A device that fills up mid-write: a clear error, exit 1, nothing half-written in place.
/// Needs a small tmpfs; where mounting is not permitted the test says so and checks nothing else.
#[test]
fn full_device_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "mini.toml",
        &MINIMAL.replace("step = 0.5", "step = 0.001"),
    );
    let small = dir.path().join("small");
    fs::create_dir(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=64k",
            "tmpfs",
            small.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("full_device_is_a_clear_error: cannot mount a tmpfs here; not checked");
        return;
    }
    let out = small.join("out");
    let result = scalecast()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert();
    let listing: Vec<_> = fs::read_dir(&out)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    let _ = std::process::Command::new("umount").arg(&small).status();
    result
        .code(1)
        .stderr(predicate::str::contains("No space left on device"));
    assert!(listing.is_empty(), "nothing left behind: {listing:?}");
}

#[test]
fn run_reports_milestones_and_never_reached_is_not_the_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{MINIMAL}[[milestone]]\ndomain = \"math\"\nthreshold = 0.5\n[[milestone]]\ndomain = \"writing\"\nthreshold = 0.99\n");
    let file = write(dir.path(), "mini.toml", &text);
    let out = dir.path().join("out");
    scalecast()
        .args(["run", arg(&file), "--out", arg(&out)])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("mini: milestone math >= 0.5: reached in 2024").and(
                predicate::str::contains("mini: milestone writing >= 0.99: not reached by 2026"),
            ),
        );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("mini/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["milestones"][0]["year"], 2024.0);
    assert_eq!(summary["milestones"][1]["reached"], false);
    assert!(summary["milestones"][1]["year"].is_null());
}

#[test]
fn set_runs_the_edited_scenario_as_an_edited_file_would() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let edited = MINIMAL
        .replace(
            "transfer = { dist = \"uniform\", low = 0.0, high = 0.1 }",
            "transfer = 0.3",
        )
        .replace("rate = 0.3", "rate = 0.1");
    let edited_file = write(dir.path(), "edited.toml", &edited);
    let (out, expected) = (dir.path().join("out"), dir.path().join("expected"));
    scalecast()
        .args(["run", arg(&file), "--out", arg(&out)])
        .args(["--set", "rl.transfer=0.3", "--set", "erosion.rate = 0.1"])
        .assert()
        .success();
    scalecast()
        .args(["run", arg(&edited_file), "--out", arg(&expected)])
        .assert()
        .success();
    for name in ["capabilities.csv", "levers.csv"] {
        assert_eq!(
            fs::read_to_string(out.join("mini").join(name)).unwrap(),
            fs::read_to_string(expected.join("mini").join(name)).unwrap(),
            "{name}"
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("mini/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["parameters"]["rl.transfer"], 0.3);
    assert_eq!(summary["uncertain"], serde_json::json!([]));
    let command = summary["provenance"]["command"].as_str().unwrap();
    assert!(
        command.ends_with(&format!(
            " --set rl.transfer=0.3 --set erosion.rate=0.1 --out {}",
            arg(&out)
        )),
        "{command}"
    );
    let page = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        page.contains("in place of the file's values: <code>rl.transfer = 0.3</code>, <code>erosion.rate = 0.1</code>."),
        "index.html names the keys set"
    );
    let plain = fs::read_to_string(expected.join("index.html")).unwrap();
    assert!(!plain.contains("--set"));
}

#[test]
fn bad_set_values_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mini.toml", MINIMAL);
    let out = dir.path().join("out");
    let run = |set: &str| {
        scalecast()
            .args(["run", arg(&file), "--out", arg(&out), "--set", set])
            .assert()
            .code(2)
    };
    run("rl.transfr=0.3").stderr(
        predicate::str::contains("`rl.transfr`: no such numeric key in this scenario").and(
            predicate::str::contains("hint: did you mean `rl.transfer`?"),
        ),
    );
    run("rl.transfer=1.5").stderr(predicate::str::contains(
        "`rl.transfer`: --set sets `rl.transfer` = 1.5: expected a number in [-1, 1], found 1.5",
    ));
    // A key of a base file: the error is placed at the base's line, and says the value is not
    // the one written there.
    let base = write(dir.path(), "present.toml", MINIMAL);
    let derived = write(
        dir.path(),
        "derived.toml",
        "[scenario]\nname = \"derived\"\nbase = \"present.toml\"\n",
    );
    scalecast()
        .args(["run", arg(&derived), "--out", arg(&out), "--set", "rl.transfer=2"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(format!(
            "error: {}:13:12: `rl.transfer`: --set sets `rl.transfer` = 2: expected a number in [-1, 1], found 2",
            base.display()
        )));
    run("rl.transfer").stderr(predicate::str::contains(
        "error: --set: expected PATH=VALUE with a number as VALUE, found \"rl.transfer\"",
    ));
    run("rl.transfer=high").stderr(predicate::str::contains("found \"rl.transfer=high\""));
    assert!(!out.exists());
}

/// A scenario named like a file or folder that commands write beside the scenario folders (here
/// `index.html`, which `run` would write over the scenario's own folder) is an input error:
/// `check` and `run` exit 2 and `run` writes nothing.
#[test]
fn names_of_the_output_folders_own_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let named = |name: &str| MINIMAL.replace("name = \"mini\"", &format!("name = \"{name}\""));
    let file = write(dir.path(), "page.toml", &named("index.html"));
    let out = dir.path().join("out");
    for command in ["check", "run"] {
        let mut c = scalecast();
        c.arg(command).arg(arg(&file));
        if command == "run" {
            c.args(["--out", arg(&out)]);
        }
        c.assert().code(2).stderr(predicate::str::contains(
            "`scenario.name`: \"index.html\" is reserved",
        ));
    }
    assert!(!out.exists());
    // Every entry that run, mc and backtest write at the top of an output folder, other than
    // the scenario's own folder, is a name a scenario cannot take.
    let mut text = MINIMAL.to_string();
    text.push_str("[[observation]]\ndomain = \"math\"\nyear = 2025\nscore = 0.5\n");
    let file = write(dir.path(), "mini.toml", &text);
    for args in [
        vec!["run"],
        vec!["mc", "--samples", "20", "--sobol", "0"],
        vec!["backtest", "--from", "2024"],
    ] {
        scalecast()
            .args(&args[..1])
            .arg(arg(&file))
            .args(&args[1..])
            .args(["--out", arg(&out)])
            .assert()
            .success();
    }
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "mini")
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in names {
        let f = write(dir.path(), "other.toml", &named(&name));
        scalecast()
            .args(["check", arg(&f)])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is reserved"));
    }
}

/// Rank correlations that cannot hold together fail `check` with the error `mc` gives for them.
#[test]
fn check_reports_correlations_that_mc_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = MINIMAL
        .replace(
            "rate = 0.3",
            "rate = { dist = \"uniform\", low = 0.1, high = 0.5 }",
        )
        .replace(
            "slope = 1.0",
            "slope = { dist = \"uniform\", low = 0.9, high = 1.1 }",
        );
    for (a, b, rank) in [
        ("rl.transfer", "erosion.rate", 0.5),
        ("rl.transfer", "domain.math.slope", 0.9),
        ("erosion.rate", "domain.math.slope", -0.9),
    ] {
        text.push_str(&format!(
            "[[correlation]]\na = \"{a}\"\nb = \"{b}\"\nrank = {rank}\n"
        ));
    }
    let file = write(dir.path(), "corr.toml", &text);
    let out = dir.path().join("out");
    let wanted = "these rank correlations cannot hold together";
    let mc = scalecast()
        .args(["mc", arg(&file), "--samples", "10", "--out", arg(&out)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(wanted));
    let mc_error = String::from_utf8(mc.get_output().stderr.clone()).unwrap();
    scalecast()
        .args(["check", arg(&file)])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("FAIL"))
        .stderr(predicate::eq(mc_error));
    // Correlations that can hold together pass.
    let fine = write(
        dir.path(),
        "fine.toml",
        &text.replace("rank = -0.9", "rank = 0.5"),
    );
    scalecast()
        .args(["check", arg(&fine)])
        .assert()
        .success()
        .stdout(predicate::str::contains("OK"));
    assert!(!out.exists());
}

/// An output folder holding a base file that a scenario reads (`[scenario] base`) is refused
/// like one holding the scenario file, by every command that writes a scenario's outputs.
#[test]
fn an_output_folder_holding_a_base_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base_dir = dir.path().join("base");
    fs::create_dir(&base_dir).unwrap();
    let mut text = MINIMAL.to_string();
    text.push_str("[[observation]]\ndomain = \"math\"\nyear = 2025\nscore = 0.5\n");
    let base = write(&base_dir, "present.toml", &text);
    let file = write(
        dir.path(),
        "mini.toml",
        "[scenario]\nname = \"mini\"\nbase = \"base/present.toml\"\n[rl]\ntransfer = 0.05\n",
    );
    let f = arg(&file);
    let runs: [&[&str]; 5] = [
        &["run", f],
        &["mc", f, "--samples", "20"],
        &["sweep", f, "--vary", "rl.transfer=list:0,0.1"],
        &[
            "allocate", f, "--budget", "1e26", "--year", "2025", "--domain", "math",
        ],
        &["backtest", f, "--from", "2024"],
    ];
    let before: Vec<_> = fs::read_dir(&base_dir).unwrap().collect();
    for args in runs {
        scalecast()
            .args(args)
            .args(["--out", arg(&base_dir)])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "this folder holds the input {}",
                base.display()
            )));
    }
    assert_eq!(fs::read_dir(&base_dir).unwrap().count(), before.len());
}
