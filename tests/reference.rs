//! Cross-check: the binary's CSVs against an independent plain-Python reference of the model
//! (`tests/reference/model.py`) at 1e-9 relative, on fixtures that exercise every form and path
//! and on shipped scenarios that inherit from base files.

use std::process::Command;

#[test]
fn outputs_match_the_independent_reference() {
    let python = Command::new("python3")
        .arg("-c")
        .arg("import tomllib")
        .status();
    if !python.is_ok_and(|s| s.success()) {
        eprintln!("python3 with tomllib (3.11+) not found: reference cross-check not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let fixtures = [
        "forms-overthinking",
        "multiplier-numeric",
        "multiplier-hard-ceiling",
        "multiplier-no-ceiling",
    ];
    let mut files: Vec<String> = fixtures
        .iter()
        .map(|f| format!("{root}/tests/fixtures/{f}.toml"))
        .collect();
    // Shipped scenarios: reasoners builds on the calibrated present (two base files),
    // inference-unlock on reasoners (three), so the reference also checks how bases merge.
    let shipped = ["reasoners", "inference-unlock", "big-model-winter"];
    files.extend(shipped.iter().map(|s| format!("{root}/scenarios/{s}.toml")));
    let out = dir.path().join("out");
    let status = Command::new(assert_cmd::cargo::cargo_bin("scalecast"))
        .arg("run")
        .args(&files)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for (file, name) in files.iter().zip(fixtures.iter().copied().chain(shipped)) {
        let o = Command::new("python3")
            .arg(format!("{root}/tests/reference/model.py"))
            .arg(file)
            .arg(out.join(name))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
