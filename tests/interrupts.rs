//! SIGTERM or SIGINT at any moment of a long command leaves the previous complete outputs or
//! none: never a partial file in place, never a temporary left behind. This tests the invariant at
//! many kill times, not any timing.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Every path under `dir`, relative.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn interrupt_many_times(args: &[&str], signal: &str, check: impl Fn(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    fs::copy(
        format!("{root}/scenarios/reasoners.toml"),
        dir.path().join("reasoners.toml"),
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("scalecast");
    for i in 0..10u64 {
        let mut child = Command::new(&bin)
            .current_dir(dir.path())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 * i));
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        let _ = child.wait();
        let out = dir.path().join("out");
        let names = listing(&out);
        assert!(
            names
                .iter()
                .all(|n| !n.split('/').any(|part| part.starts_with('.'))),
            "temporaries left behind: {names:?}"
        );
        check(&out);
    }
}

#[test]
fn interrupted_sweeps_leave_complete_outputs_or_none() {
    let args = [
        "sweep",
        "reasoners.toml",
        "--vary",
        "rl.transfer=lin:0:1:300",
        "--vary",
        "domain.math.slope=lin:0.5:1.5:20",
        "--out",
        "out",
    ];
    interrupt_many_times(&args, "-TERM", |out| {
        let csv = out.join("reasoners/sweep/sweep.csv");
        if let Ok(text) = fs::read_to_string(&csv) {
            // 6000 points x 41 years x 6 domains, plus the header
            assert_eq!(
                text.lines().count(),
                1 + 6000 * 41 * 6,
                "a sweep.csv in place is complete"
            );
        }
    });
}

#[test]
fn interrupted_runs_by_sigint_leave_complete_outputs_or_none() {
    interrupt_many_times(&["run", "reasoners.toml", "--out", "out"], "-INT", |out| {
        if out.join("reasoners").exists() {
            let caps = fs::read_to_string(out.join("reasoners/capabilities.csv")).unwrap();
            assert_eq!(caps.lines().count(), 1 + 41 * 6);
        }
    });
}

#[test]
fn interrupted_monte_carlo_leaves_complete_outputs_or_none() {
    let args = [
        "mc",
        "reasoners.toml",
        "--samples",
        "400000",
        "--quiet",
        "--out",
        "out",
    ];
    interrupt_many_times(&args, "-TERM", |out| {
        let q = out.join("reasoners/mc/quantiles.csv");
        if let Ok(text) = fs::read_to_string(&q) {
            assert_eq!(
                text.lines().count(),
                1 + 41 * 6,
                "a quantiles.csv in place is complete"
            );
            assert!(out.join("reasoners/mc/summary.json").exists());
        }
    });
}
