//! Hostile and malformed scenario files: every one is a located input error, never a panic.

use proptest::prelude::*;
use scalecast::error::InputErrors;
use scalecast::forecast::forecast;
use scalecast::scenario::Scenario;

const VALID: &str = r#"[scenario]
name = "v"
[time]
start = 2024
end = 2030
step = 1
[pretraining]
params = { start = 1e12, growth = 2.0 }
tokens = 2e13
efficiency = { points = [[2024, 1], [2030, 8]] }
[rl]
steps = { start = 1e3, growth = 10.0, until = 2028 }
transfer = { dist = "normal", mean = 0.1, sd = 0.1, min = -1, max = 1 }
[erosion]
rate = 0.2
size_exponent = 0.3
[inference]
tokens = { start = 1e3, growth = 2.0 }
[inference.ceiling]
overthinking = 0.1
[[domain]]
name = "math"
verifiability = 0.9
slope = 1.0
difficulty = 27
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.7
difficulty = 26
floor = 0.1
"#;

fn errors(text: &str) -> InputErrors {
    match Scenario::from_text("f.toml", "f", text) {
        Ok(s) => forecast(&s).expect_err("expected an input error"),
        Err(e) => e,
    }
}

/// The first error: one-line cause, a place in the file, the key path.
fn first(text: &str) -> (usize, String, String) {
    let e = errors(text).0.remove(0);
    assert!(!e.message.contains('\n'), "one-line cause: {}", e.message);
    (e.line, e.path, e.message)
}

#[test]
fn the_valid_fixture_is_valid() {
    let s = Scenario::from_text("f.toml", "f", VALID).unwrap();
    forecast(&s).unwrap();
}

#[test]
fn empty_file_needs_pretraining_and_domains() {
    let e = errors("");
    assert!(e
        .0
        .iter()
        .any(|e| e.path == "pretraining" && e.message.contains("required")));
    assert!(e.0.iter().any(|e| e.path == "domain"));
}

#[test]
fn binary_garbage_is_a_syntax_error_with_a_place() {
    let e = errors("\u{1}\u{2}\u{7f}garbage\0\0 = = [");
    assert!(e.0[0].message.starts_with("invalid TOML"));
    assert!(e.0[0].line >= 1);
}

#[test]
fn non_utf8_bytes_are_reported_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("latin1.toml");
    let mut bytes = b"[scenario]\nname = \"caf".to_vec();
    bytes.push(0xe9);
    bytes.extend_from_slice(b"\"\n");
    std::fs::write(&p, bytes).unwrap();
    let e = Scenario::from_file(&p).unwrap_err().0.remove(0);
    assert!(e.message.contains("UTF-8"));
    assert_eq!(e.line, 2);
}

#[test]
fn wrong_types_name_the_key() {
    let (line, path, msg) = first(&VALID.replace("slope = 1.0", "slope = \"steep\""));
    assert_eq!((line, path.as_str()), (24, "domain.math.slope"));
    assert!(msg.contains("expected a number"), "{msg}");
    let (_, path, _) = first(&format!(
        "erosion = 3\n{}",
        VALID.replace("[erosion]\nrate = 0.2\nsize_exponent = 0.3", "")
    ));
    assert_eq!(path, "erosion");
    let (_, path, _) = first(&VALID.replace("name = \"v\"", "name = 5"));
    assert_eq!(path, "scenario.name");
    let (_, path, _) = first(&VALID.replace("start = 2024\n", "start = 2024-01-01\n"));
    assert_eq!(path, "time.start");
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let e = errors(&VALID.replace("size_exponent", "size_exponant"))
        .0
        .remove(0);
    assert_eq!(e.path, "erosion.size_exponant");
    assert_eq!(e.hint.as_deref(), Some("did you mean `size_exponent`?"));
    let e = errors(&format!("{VALID}[inferance]\ntokens = 5\n"))
        .0
        .remove(0);
    assert_eq!(e.hint.as_deref(), Some("did you mean `inference`?"));
}

#[test]
fn duplicate_keys_and_domains() {
    let (line, _, msg) = first(&VALID.replace("rate = 0.2", "rate = 0.2\nrate = 0.3"));
    assert!(
        msg.contains("duplicate") || msg.contains("invalid TOML"),
        "{msg}"
    );
    assert_eq!(line, 16);
    let (_, path, msg) = first(&VALID.replace("name = \"writing\"", "name = \"math\""));
    assert_eq!(path, "domain[1].name");
    assert!(msg.contains("twice"));
}

#[test]
fn nan_and_inf_where_not_allowed() {
    for (from, to, path) in [
        ("slope = 1.0", "slope = nan", "domain.math.slope"),
        (
            "difficulty = 27",
            "difficulty = inf",
            "domain.math.difficulty",
        ),
        ("tokens = 2e13", "tokens = inf", "pretraining.tokens"),
        ("rate = 0.2", "rate = -inf", "erosion.rate"),
        ("start = 2024\n", "start = nan\n", "time.start"),
    ] {
        let (_, p, _) = first(&VALID.replace(from, to));
        assert_eq!(p, path, "{to}");
    }
    // inf is allowed where MODEL.md allows it
    let s = Scenario::from_text(
        "f.toml",
        "f",
        &VALID.replace(
            "overthinking = 0.1",
            "base = inf\nsharpness = inf\nmax = inf",
        ),
    )
    .unwrap();
    forecast(&s).unwrap();
}

#[test]
fn zero_or_negative_sizes() {
    for (from, to, path) in [
        ("tokens = 2e13", "tokens = 0", "pretraining.tokens"),
        (
            "params = { start = 1e12",
            "params = { start = -1e12",
            "pretraining.params.start",
        ),
        (
            "growth = 2.0 }\ntokens",
            "growth = 0 }\ntokens",
            "pretraining.params.growth",
        ),
        ("step = 1", "step = 0", "time.step"),
        ("step = 1", "step = -1", "time.step"),
        (
            "[[2024, 1], [2030, 8]]",
            "[[2024, 1], [2030, 0]]",
            "pretraining.efficiency.points[1][1]",
        ),
    ] {
        let (_, p, _) = first(&VALID.replace(from, to));
        assert_eq!(p, path, "{to}");
    }
}

#[test]
fn literals_that_overflow_f64() {
    let e = errors(&VALID.replace("tokens = 2e13", "tokens = 1e400"))
        .0
        .remove(0);
    assert!(
        e.line == 9 && (e.path == "pretraining.tokens" || e.message.contains("invalid TOML")),
        "{e}"
    );
    let e = errors(&VALID.replace("tokens = 2e13", "tokens = 99999999999999999999999"))
        .0
        .remove(0);
    assert_eq!(e.line, 9, "{e}");
}

#[test]
fn unsorted_or_duplicate_trajectory_years() {
    let (line, path, msg) =
        first(&VALID.replace("[[2024, 1], [2030, 8]]", "[[2030, 1], [2024, 8]]"));
    assert_eq!(
        (line, path.as_str()),
        (10, "pretraining.efficiency.points[1][0]")
    );
    assert!(msg.contains("strictly increase"));
    let (_, path, _) = first(&VALID.replace("[[2024, 1], [2030, 8]]", "[[2024, 1], [2024, 8]]"));
    assert_eq!(path, "pretraining.efficiency.points[1][0]");
    let (_, path, _) = first(&VALID.replace("[[2024, 1], [2030, 8]]", "[]"));
    assert_eq!(path, "pretraining.efficiency.points");
}

#[test]
fn until_before_from() {
    let (line, path, _) = first(&VALID.replace("until = 2028", "until = 2020"));
    assert_eq!((line, path.as_str()), (12, "rl.steps.until"));
}

#[test]
fn time_grid_too_large() {
    let (_, path, msg) = first(&VALID.replace("step = 1", "step = 1e-6"));
    assert_eq!(path, "time.step");
    assert!(msg.contains("100000"));
    let (_, path, _) = first(&VALID.replace("end = 2030", "end = 2020"));
    assert_eq!(path, "time.end");
}

#[test]
fn deeply_nested_tables() {
    let deep = format!("{VALID}[rl.transfer]\nx = 1\n");
    assert!(!errors(&deep).0.is_empty());
    let nested = format!(
        "[scenario]\nname = {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let e = errors(&nested);
    assert!(!e.0.is_empty());
    let nested = format!("x = {}1{}\n", "{a = ".repeat(2000), "}".repeat(2000));
    assert!(!errors(&nested).0.is_empty());
}

#[test]
fn very_long_strings() {
    let long = "x".repeat(1_000_000);
    let (_, path, _) = first(&VALID.replace("name = \"v\"", &format!("name = \"{long}\"")));
    assert_eq!(path, "scenario.name");
    let (_, path, msg) = first(&VALID.replace("name = \"math\"", &format!("name = \"{long}!\"")));
    assert_eq!(path, "domain[0].name");
    assert!(msg.len() < 1_100_000);
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let e = Scenario::from_file(dir.path()).unwrap_err().0.remove(0);
    assert!(e.message.contains("directory"));
}

#[test]
fn distributions_outside_their_key_range() {
    let (_, path, msg) = first(&VALID.replace("min = -1, max = 1", "min = -2"));
    assert_eq!(path, "rl.transfer");
    assert!(msg.contains("[-1, 1]"), "{msg}");
    let (_, path, _) = first(&VALID.replace(
        "slope = 1.0",
        "slope = { dist = \"normal\", mean = 1, sd = 0.2 }",
    ));
    assert_eq!(path, "domain.math.slope");
    let (_, _, msg) = first(&VALID.replace("sd = 0.1", "sd = 0"));
    assert!(msg.contains("sd must be > 0"));
    let (_, _, msg) = first(&VALID.replace(
        "slope = 1.0",
        "slope = { dist = \"lognormal\", p5 = 2, p95 = 1 }",
    ));
    assert!(msg.contains("p95 must be above p5"));
    let (_, _, msg) = first(&VALID.replace(
        "slope = 1.0",
        "slope = { dist = \"lognormal\", median = 0, sigma = 1 }",
    ));
    assert!(msg.contains("must be > 0"));
    let (_, path, msg) = first(&VALID.replace(
        "slope = 1.0",
        "slope = { dist = \"gaussian\", mean = 1, sd = 1 }",
    ));
    assert_eq!(path, "domain.math.slope.dist");
    assert!(msg.contains("unknown distribution"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Arbitrary text never panics.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = Scenario::from_text("f.toml", "f", &text).map(|s| forecast(&s));
    }

    /// A valid file with one line replaced, deleted or duplicated, or one byte changed, either fails
    /// with located errors or gives a forecast without NaN.
    #[test]
    fn mutated_files_fail_cleanly_or_forecast_finite(
        line in 0usize..40,
        op in 0u8..4,
        byte in any::<u8>(),
        pos in 0usize..2000,
        junk in "[a-z0-9=\\[\\]{}\\.\"\\-, ]{0,20}",
    ) {
        let mut lines: Vec<String> = VALID.lines().map(str::to_string).collect();
        let i = line % lines.len();
        let text = match op {
            0 => { lines[i] = junk; lines.join("\n") }
            1 => { lines.remove(i); lines.join("\n") }
            2 => { let l = lines[i].clone(); lines.insert(i, l); lines.join("\n") }
            _ => {
                let mut b = VALID.as_bytes().to_vec();
                let p = pos % b.len();
                b[p] = byte;
                String::from_utf8_lossy(&b).into_owned()
            }
        };
        match Scenario::from_text("f.toml", "f", &text) {
            Err(e) => {
                prop_assert!(!e.0.is_empty());
                for err in &e.0 {
                    prop_assert!(!err.message.is_empty());
                }
            }
            Ok(s) => {
                if let Ok(f) = forecast(&s) {
                    for row in &f.terms {
                        for t in row {
                            prop_assert!(!t.capability.is_nan() && !t.logit.is_nan());
                            prop_assert!(t.capability >= 0.0 && t.capability <= 1.0);
                        }
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Arbitrary and mutated measurement CSVs: reading and pulling columns never panics, and
    /// every error names a place or a column.
    #[test]
    fn measurement_csvs_never_panic(
        text in "[a-z0-9,.\\-e\" \n#]{0,300}",
        prefix in prop_oneof![Just(""), Just("params,tokens,loss\n"), Just("steps,score\n1e3,0.2\n")],
    ) {
        use scalecast::fit::data::{Rule, Table};
        let text = format!("{prefix}{text}");
        if let Ok(table) = Table::from_text("m.csv", &text) {
            for name in table.headers.clone() {
                if let Ok(col) = table.column(&name, "--column") {
                    for rule in [Rule::Positive, Rule::Finite, Rule::OpenUnit] {
                        if let Err(errors) = table.numbers(col, rule) {
                            prop_assert!(errors.iter().all(|e| !e.message.is_empty() && (e.line > 0 || !e.path.is_empty())));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn uncertain_point_years_may_not_cross() {
    let crossing = VALID.replace("[[2024, 1], [2030, 8]]", "[[{ dist = \"uniform\", low = 2024, high = 2028 }, 1], [{ dist = \"uniform\", low = 2027, high = 2030 }, 8]]");
    let (_, path, msg) = first(&crossing);
    assert_eq!(path, "pretraining.efficiency.points[1][0]");
    assert!(msg.contains("overlap"), "{msg}");
    let apart = VALID.replace("[[2024, 1], [2030, 8]]", "[[{ dist = \"uniform\", low = 2024, high = 2026 }, 1], [{ dist = \"uniform\", low = 2027, high = 2030 }, 8]]");
    assert!(Scenario::from_text("f.toml", "f", &apart).is_ok());
}
