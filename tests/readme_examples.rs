//! The README's examples print what the README shows: every `$ scalecast ...` command in a
//! shell block is run (with `--out` in a temporary folder), and each output line the README
//! gives under it must be a line of what the command printed. Lines that cannot be fixed in
//! advance are not compared: `...`, `wrote ...` (the folder is the temporary one) and timings.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// Commands whose examples are not run here: `serve` does not return, `data build` rewrites
/// the shipped table (tests/cli_data.rs checks it), and `run` prints only where it wrote.
const NOT_RUN: [&str; 3] = ["serve", "data", "run"];

/// One command of a README shell block and the output lines shown under it.
struct Example {
    line: usize,
    args: Vec<String>,
    shown: Vec<String>,
}

fn examples() -> Vec<Example> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("README.md")).unwrap();
    let mut out: Vec<Example> = Vec::new();
    let mut in_shell = false;
    let mut command: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_shell = !in_shell && line == "```sh";
            // Lines before a block's first command belong to no command.
            out.push(Example {
                line: i + 1,
                args: Vec::new(),
                shown: Vec::new(),
            });
            continue;
        }
        if !in_shell {
            continue;
        }
        if let Some((start, mut partial)) = command.take() {
            // A command continued over several lines with `\`.
            partial.push(' ');
            partial.push_str(line.trim().trim_end_matches('\\'));
            if line.ends_with('\\') {
                command = Some((start, partial));
            } else {
                out.push(example(start, &partial));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("$ scalecast ") {
            let rest = rest.split("  #").next().unwrap_or(rest);
            if rest.ends_with('\\') {
                command = Some((i + 1, rest.trim_end_matches('\\').to_string()));
            } else {
                out.push(example(i + 1, rest));
            }
        } else if line.starts_with('$') {
            // Another program's command: its output is not ours.
            out.push(Example {
                line: i + 1,
                args: Vec::new(),
                shown: Vec::new(),
            });
        } else if let Some(last) = out.last_mut() {
            last.shown.push(line.to_string());
        }
    }
    out.retain(|e| !e.args.is_empty() && !NOT_RUN.contains(&e.args[0].as_str()));
    out
}

fn example(line: usize, command: &str) -> Example {
    // `&&` joins a second program's command: only the part before it is scalecast's.
    let command = command.split("&&").next().unwrap_or(command);
    Example {
        line,
        args: command.split_whitespace().map(str::to_string).collect(),
        shown: Vec::new(),
    }
}

/// Whether a shown line is compared: not `...`, not where the output went, not a timing.
fn compared(line: &str) -> bool {
    let t = line.trim();
    let timing = t
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(3)
        .any(|w| w[0] == "in" && w[1].parse::<f64>().is_ok() && (w[2] == "s" || w[2] == "ms"));
    !t.is_empty() && t != "..." && !t.starts_with("wrote ") && !timing
}

#[test]
fn every_readme_example_prints_what_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = examples();
    assert!(
        examples.len() >= 8,
        "only {} examples found",
        examples.len()
    );
    let mut checked = 0;
    for e in &examples {
        let tmp = tempfile::tempdir().unwrap();
        let mut args = e.args.clone();
        if let Some(i) = args.iter().position(|a| a == "--out") {
            args.drain(i..=i + 1);
        }
        let writes = !["check", "explain"].contains(&args[0].as_str());
        if writes {
            args.push("--out".into());
            args.push(tmp.path().join("out").display().to_string());
        }
        let got = Command::cargo_bin("scalecast")
            .unwrap()
            .current_dir(root)
            .args(&args)
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&got.stderr)
        );
        let lines: Vec<&str> = printed.lines().map(str::trim_end).collect();
        for shown in e.shown.iter().filter(|l| compared(l)) {
            assert!(
                lines.contains(&shown.trim_end()),
                "README.md:{}: `scalecast {}` does not print\n{shown}\nit prints:\n{printed}",
                e.line,
                e.args.join(" ")
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} lines compared");
}
