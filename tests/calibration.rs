//! The shipped present is a measurement: `scenarios/base/calibrated.toml` is exactly what
//! `scalecast calibrate` writes from `data/`, the six scenarios agree about 2024, the present
//! matches the frontier observed before 2024, and the essay's observations about reasoners hold
//! both in the data and in the calibrated world.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use scalecast::forecast::{forecast, levers_at, term_params};
use scalecast::model::{domain_terms, rl, LeverPoint};
use scalecast::scenario::Scenario;
use serde_json::Value;

const SCENARIOS: [&str; 6] = [
    "reasoners",
    "scale",
    "balanced",
    "transfer-optimist",
    "big-model-winter",
    "inference-unlock",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped calibration command, run once into a temporary folder (kept for the process).
fn calibration() -> &'static Path {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        Command::cargo_bin("scalecast")
            .unwrap()
            .current_dir(root())
            .args([
                "calibrate",
                "data/observations.csv",
                "--scenario",
                "scenarios/base/present.toml",
            ])
            .arg("--out")
            .arg(dir.path())
            .assert()
            .success();
        dir
    })
    .path()
}

fn calibration_json() -> Value {
    let text =
        fs::read_to_string(calibration().join("calibrate-present/calibration.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn scenario(name: &str) -> Scenario {
    Scenario::from_file(&root().join(format!("scenarios/{name}.toml"))).unwrap()
}

#[test]
fn the_shipped_calibration_is_what_calibrate_writes() {
    let fresh =
        fs::read_to_string(calibration().join("calibrate-present/calibrated.toml")).unwrap();
    let shipped = fs::read_to_string(root().join("scenarios/base/calibrated.toml")).unwrap();
    assert!(
        fresh == shipped,
        "scenarios/base/calibrated.toml is stale: re-run docs/regenerate.sh"
    );
}

#[test]
fn the_six_scenarios_agree_about_2024() {
    let forecasts: Vec<_> = SCENARIOS
        .iter()
        .map(|s| forecast(&scenario(s)).unwrap())
        .collect();
    for f in &forecasts {
        assert_eq!(f.levers[0].year, 2024.0);
        assert_eq!(f.domains, forecasts[0].domains);
    }
    for d in 0..forecasts[0].domains.len() {
        let first: Vec<f64> = forecasts.iter().map(|f| f.terms[d][0].capability).collect();
        let spread = first.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - first.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!(
            spread <= 0.01,
            "{}: the scenarios disagree about 2024 by {spread}: {first:?}",
            forecasts[0].domains[d]
        );
    }
}

#[test]
fn the_present_matches_the_frontier_observed_before_2024() {
    let c = calibration_json();
    let reasoners = forecast(&scenario("reasoners")).unwrap();
    let mut checked = 0;
    for d in c["domains"].as_array().unwrap() {
        let (name, anchor) = (d["name"].as_str().unwrap(), d["anchor"].as_str().unwrap());
        let b = c["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["benchmark"] == anchor)
            .unwrap();
        let at_present = b["curve"]["at_present"].as_f64().unwrap();
        // The scenarios' 2024 capability is the anchor's curve at the present's compute.
        let k = reasoners.domains.iter().position(|x| x == name).unwrap();
        let model = reasoners.terms[k][0].capability;
        assert!(
            (model - at_present).abs() < 1e-6,
            "{name}: {model} against the curve's {at_present}"
        );
        // Where a model was measured before 2024, the best of them lies in the fit's 90%
        // prediction interval.
        if let Some(observed) = b["observed_best_before_present"].as_f64() {
            let p = &b["curve"]["at_present_prediction_interval"];
            let (lo, hi) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            assert!(
                lo <= observed && observed <= hi,
                "{name}: observed {observed} outside [{lo}, {hi}] (model {model})"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "only {checked} domain(s) had observations before 2024"
    );
}

/// The score of `version` on `benchmark` in `data/observations.csv`.
fn observed(version: &str, benchmark: &str) -> f64 {
    let text = fs::read_to_string(root().join("data/observations.csv")).unwrap();
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (v, b, s) = (col("model_version"), col("benchmark"), col("score"));
    rows.map(|r| r.split(',').collect::<Vec<_>>())
        .find(|r| r[v] == version && r[b] == benchmark)
        .map(|r| r[s].parse().unwrap())
        .unwrap_or_else(|| panic!("no {version} on {benchmark}"))
}

#[test]
fn in_the_data_a_2024_reasoner_gains_on_math_and_not_on_writing() {
    // o1 (December 2024) against GPT-4o (November 2024), its contemporary.
    let (o1, gpt4o) = ("o1-2024-12-17_medium", "gpt-4o-2024-11-20");
    assert!(observed(o1, "otis_aime") > 5.0 * observed(gpt4o, "otis_aime"));
    assert!(observed(o1, "otis_aime") - observed(gpt4o, "otis_aime") > 0.5);
    assert!(observed(o1, "lech_mazur_writing") <= observed(gpt4o, "lech_mazur_writing"));
    // Over every pair: RL adds logits on checkable math, none on judged writing.
    let c = calibration_json();
    let gain = |id: &str| {
        c["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["benchmark"] == id)
            .unwrap()["reasoner_gain"]["mean_logits"]
            .as_f64()
            .unwrap()
    };
    assert!(gain("otis_aime") > 1.0, "{}", gain("otis_aime"));
    assert!(
        gain("lech_mazur_writing") <= 0.0,
        "{}",
        gain("lech_mazur_writing")
    );
}

#[test]
fn in_the_calibrated_world_a_2024_reasoner_gains_on_math_and_not_on_writing() {
    // In the calibrated reasoners world at o1's release (late 2024): the reasoner has the RL
    // and thinking of that year; its contemporary has neither (no RL, the present's thinking).
    let s = scenario("reasoners");
    let params = term_params(&s);
    let year = 2024.96;
    let l = levers_at(&s, year);
    let reasoner = l.point();
    assert!(
        reasoner.rl_steps >= 1e4,
        "RL steps {} at {year}",
        reasoner.rl_steps
    );
    let contemporary = LeverPoint {
        rl_steps: 0.0,
        rl_progress: rl::progress(0.0, s.rl.midpoint_steps, s.rl.exponent),
        thinking_tokens: levers_at(&s, s.time.start).thinking_tokens,
        ..reasoner
    };
    let capability = |name: &str, at: &LeverPoint| {
        let d = s.domains.iter().find(|d| d.name == name).unwrap();
        domain_terms(d, &params, at).capability
    };
    let (math_r, math_c) = (
        capability("math", &reasoner),
        capability("math", &contemporary),
    );
    assert!(
        math_r > 2.0 * math_c && math_r - math_c > 0.1,
        "math {math_r} against {math_c}"
    );
    let (writing_r, writing_c) = (
        capability("writing", &reasoner),
        capability("writing", &contemporary),
    );
    assert!(
        writing_r <= writing_c,
        "writing {writing_r} against {writing_c}"
    );
}

/// The numbers of a README table row: every decimal number in its cells, in order.
fn numbers(row: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in row.chars().chain([' ']) {
        if ch.is_ascii_digit() || ch == '.' || (ch == '-' && current.is_empty()) {
            current.push(ch);
        } else {
            if current.contains('.') {
                out.push(current.parse().unwrap());
            }
            current.clear();
        }
    }
    out
}

/// The README's rows of the table whose header starts with `header`.
fn readme_rows(header: &str) -> Vec<String> {
    let text = fs::read_to_string(root().join("README.md")).unwrap();
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header)).skip(2);
    let mut rows = Vec::new();
    for l in lines.by_ref() {
        if !l.starts_with('|') {
            break;
        }
        rows.push(l.to_string());
    }
    assert!(!rows.is_empty(), "no README table under {header}");
    rows
}

fn close(got: f64, want: f64, decimals: i32) -> bool {
    (got - want).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-12
}

#[test]
fn the_readme_shows_the_calibration_as_it_is() {
    let c = calibration_json();
    let rows = readme_rows("| domain | anchor (frontier models of eligible)");
    assert_eq!(rows.len(), c["domains"].as_array().unwrap().len());
    for (row, d) in rows.iter().zip(c["domains"].as_array().unwrap()) {
        let b = c["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["benchmark"] == d["anchor"])
            .unwrap();
        let k = &b["curve"];
        let f = |v: &Value| v.as_f64().unwrap();
        let mut want = vec![
            (f(&d["slope"]), 3),
            (f(&k["slope_interval"][0]), 3),
            (f(&k["slope_interval"][1]), 3),
            (f(&d["difficulty"]), 3),
            (f(&d["difficulty_interval"][0]), 2),
            (f(&d["difficulty_interval"][1]), 2),
            (f(&k["at_present"]), 3),
            (f(&k["at_present_prediction_interval"][0]), 3),
            (f(&k["at_present_prediction_interval"][1]), 3),
        ];
        if let Some(o) = b["observed_best_before_present"].as_f64() {
            want.push((o, 3));
        }
        let got = numbers(row);
        assert_eq!(got.len(), want.len(), "{row}");
        for (g, (w, decimals)) in got.iter().zip(&want) {
            assert!(close(*g, *w, *decimals), "{row}: {g} is not {w}");
        }
        assert!(row.contains(&format!(
            "({} of {})",
            k["frontier_observations"], k["eligible_observations"]
        )));
    }
}

#[test]
fn the_readme_shows_the_holdout_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut mae = Vec::new();
    for scenario in ["pretraining-2024", "reasoners-2024"] {
        Command::cargo_bin("scalecast")
            .unwrap()
            .current_dir(root())
            .args(["calibrate", "data/observations.csv", "--scenario"])
            .arg(format!("data/backtest/{scenario}.toml"))
            .args(["--holdout", "2024-01-01", "--until", "2025-07-01", "--out"])
            .arg(dir.path())
            .assert()
            .success();
        let path = dir
            .path()
            .join(format!("holdout-{scenario}-2024-01-01/holdout.json"));
        let h: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        mae.push(h);
    }
    let rows = readme_rows("| domain (benchmarks) | model, pretraining-2024");
    let scored: Vec<&Value> = mae[0]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["scored"].as_u64().unwrap() > 0)
        .collect();
    assert_eq!(rows.len(), scored.len());
    for (row, d) in rows.iter().zip(&scored) {
        let name = d["domain"].as_str().unwrap();
        assert!(row.starts_with(&format!("| {name} (")), "{row}");
        let of = |h: &Value, m: &str| {
            h["domains"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["domain"] == name)
                .unwrap()["mean_absolute_error"][m]
                .as_f64()
                .unwrap()
        };
        let want = [
            of(&mae[0], "model"),
            of(&mae[1], "model"),
            of(&mae[0], "carried forward"),
            of(&mae[0], "logit trend"),
        ];
        let got = numbers(row);
        assert_eq!(got.len(), 4, "{row}");
        for (g, w) in got.iter().zip(want) {
            assert!(close(*g, w, 3), "{row}: {g} is not {w}");
        }
    }
}
