//! Helpers shared by the integration tests: the binary, a small scenario, file writing.
// Each test crate uses its own subset of these.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A two-domain scenario over five half-year steps, with RL, erosion, thinking and a distribution.
pub const MINIMAL: &str = r#"
[scenario]
name = "mini"
[time]
start = 2024
end = 2026
step = 0.5
[pretraining]
params = 1.8e12
tokens = 13e12
[rl]
steps = { start = 1e4, growth = 10.0, until = 2025.0 }
transfer = { dist = "uniform", low = 0.0, high = 0.1 }
[erosion]
rate = 0.3
[inference]
tokens = { start = 1e3, growth = 3.0 }
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 27.0
floor = 0.05
"#;

/// The `scalecast` binary built for these tests.
pub fn scalecast() -> Command {
    Command::cargo_bin("scalecast").unwrap()
}

/// Write `text` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}
