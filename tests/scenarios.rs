//! The shipped scenario library encodes the essay's contrasts: the binary runs on
//! `scenarios/` and these tests read `capabilities.csv`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;

const SCENARIOS: [&str; 6] = [
    "reasoners",
    "scale",
    "balanced",
    "transfer-optimist",
    "big-model-winter",
    "inference-unlock",
];
const DOMAINS: [&str; 6] = ["math", "code", "exams", "writing", "empathy", "strategy"];

/// One row of `capabilities.csv`: (year, capability, thinking multiplier per OOM).
type Rows = Vec<(f64, f64, f64)>;

/// Every shipped scenario, run once into a temporary folder: rows by (scenario, domain).
fn library() -> &'static HashMap<(String, String), Rows> {
    static OUT: OnceLock<HashMap<(String, String), Rows>> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        Command::cargo_bin("scalecast")
            .unwrap()
            .arg("run")
            .arg(&scenarios)
            .arg("--out")
            .arg(dir.path())
            .assert()
            .success();
        let mut rows: HashMap<(String, String), Rows> = HashMap::new();
        for s in SCENARIOS {
            let csv = fs::read_to_string(dir.path().join(s).join("capabilities.csv")).unwrap();
            for line in csv.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                let number = |i: usize| -> f64 { f[i].parse().unwrap() };
                rows.entry((f[0].to_string(), f[2].to_string()))
                    .or_default()
                    .push((number(1), number(3), number(11)));
            }
        }
        rows
    })
}

fn rows(scenario: &str, domain: &str) -> &'static Rows {
    library()
        .get(&(scenario.to_string(), domain.to_string()))
        .unwrap_or_else(|| panic!("no rows for {scenario}/{domain}"))
}

/// Capability in the last year minus capability in the first.
fn change(scenario: &str, domain: &str) -> f64 {
    let r = rows(scenario, domain);
    r[r.len() - 1].1 - r[0].1
}

#[test]
fn every_scenario_has_the_six_domains_on_one_grid() {
    let years: Vec<f64> = rows("reasoners", "math").iter().map(|r| r.0).collect();
    assert_eq!(years.first(), Some(&2024.0));
    assert_eq!(years.last(), Some(&2034.0));
    for s in SCENARIOS {
        for d in DOMAINS {
            let y: Vec<f64> = rows(s, d).iter().map(|r| r.0).collect();
            assert_eq!(y, years, "{s}/{d} is on another grid");
        }
    }
}

#[test]
fn reasoners_gain_where_answers_verify_and_stall_elsewhere() {
    for d in ["math", "code"] {
        let c = change("reasoners", d);
        assert!(c >= 0.15, "reasoners: {d} gains only {c}");
    }
    for d in ["writing", "empathy", "strategy"] {
        let c = change("reasoners", d);
        assert!(c < 0.05, "reasoners: {d} moves by {c}, expected < 0.05");
    }
}

#[test]
fn scale_lifts_every_domain() {
    for d in DOMAINS {
        let c = change("scale", d);
        assert!(c >= 0.1, "scale: {d} gains only {c}");
    }
}

#[test]
fn without_a_ceiling_thinking_can_replace_training_where_reasoners_cannot() {
    let reasoners = rows("reasoners", "math");
    let unlock = rows("inference-unlock", "math");
    let mut infinite_years = 0;
    for (r, u) in reasoners.iter().zip(unlock) {
        assert_eq!(r.0, u.0);
        if r.2.is_infinite() {
            infinite_years += 1;
            assert!(
                u.2.is_finite(),
                "inference-unlock: math's multiplier is infinite in {}",
                u.0
            );
        }
    }
    assert!(
        infinite_years > 0,
        "reasoners' math multiplier is never infinite"
    );
}

#[test]
fn transfer_lifts_unverifiable_work_above_reasoners() {
    for d in ["writing", "empathy", "strategy"] {
        let optimist = change("transfer-optimist", d);
        assert!(
            optimist >= change("reasoners", d) + 0.1,
            "transfer-optimist: {d} gains {optimist}"
        );
    }
}

/// The 90% interval written beside `key = ...` in the calibrated base file.
fn calibrated_interval(key: &str) -> (f64, f64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/base/calibrated.toml");
    let text = fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in calibrated.toml"));
    let inside = line
        .split('[')
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap();
    let (a, b) = inside.split_once(", ").unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[test]
fn reasoners_contrast_holds_across_the_calibrated_transfer_and_milder_erosion() {
    use scalecast::forecast::forecast;
    use scalecast::scenario::Scenario;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reasoners.toml");
    // the ends of the calibrated transfer's 90% interval, no transfer at all, and erosion a
    // sixth weaker
    let (lo, hi) = calibrated_interval("transfer");
    for (key, value) in [
        ("rl.transfer", lo),
        ("rl.transfer", hi),
        ("rl.transfer", 0.0),
        ("erosion.rate", 0.25),
    ] {
        let mut s = Scenario::from_file(&path).unwrap();
        s.set(key, value).unwrap();
        assert!(s.check().is_empty());
        let f = forecast(&s).unwrap();
        let last = f.levers.len() - 1;
        for (d, name) in f.domains.iter().enumerate() {
            let change = f.terms[d][last].capability - f.terms[d][0].capability;
            match name.as_str() {
                "math" | "code" => assert!(change >= 0.15, "{key} = {value}: {name} {change}"),
                "writing" | "empathy" | "strategy" => {
                    assert!(change < 0.05, "{key} = {value}: {name} {change}")
                }
                _ => {}
            }
        }
    }
}
