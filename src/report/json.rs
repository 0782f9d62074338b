//! `summary.json`: the resolved scenario, headline results and provenance.

use serde_json::{json, Map, Value};

use crate::distribution::{Dist, Family};
use crate::forecast::Forecast;
use crate::scenario::{ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;

/// Where a result came from: enough to re-run it.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The scenario file as named on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The command line that re-runs this scenario.
    pub command: String,
    /// The base files the scenario inherits from (`[scenario] base`), nearest first, with the
    /// SHA-256 of each.
    pub bases: Vec<(String, String)>,
}

impl Provenance {
    /// The provenance of scenario `s`, read from `file`, re-run by `command`.
    pub fn new(file: String, s: &Scenario, command: String) -> Provenance {
        Provenance {
            file,
            sha256: sha256_hex(s.document.text.as_bytes()),
            command,
            bases: s
                .document
                .bases
                .iter()
                .map(|b| (b.file.clone(), sha256_hex(b.text.as_bytes())))
                .collect(),
        }
    }

    /// The base files as JSON: `[{"file": ..., "sha256": ...}]`.
    pub fn bases_json(&self) -> Value {
        self.bases
            .iter()
            .map(|(file, sha)| json!({ "file": file, "sha256": sha }))
            .collect()
    }
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A number for JSON: finite numbers as numbers, infinities as the strings `"inf"` / `"-inf"`.
pub fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::String(crate::report::csv::number(x))
    }
}

fn form(t: &Trajectory) -> &'static str {
    match t {
        Trajectory::Constant(_) => "constant",
        Trajectory::Exponential { .. } => "exponential",
        Trajectory::Points(_) => "points",
    }
}

/// A distribution as a JSON object in the file's vocabulary.
pub fn dist(d: &Dist) -> Value {
    let mut m = Map::new();
    m.insert("dist".into(), json!(d.family.name()));
    let params: Vec<(&str, f64)> = match d.family {
        Family::Fixed { value } => vec![("value", value)],
        Family::Normal { mean, sd } => vec![("mean", mean), ("sd", sd)],
        Family::LogNormal { median, sigma } => vec![("median", median), ("sigma", sigma)],
        Family::Uniform { low, high } | Family::LogUniform { low, high } => {
            vec![("low", low), ("high", high)]
        }
        Family::Triangular { low, mode, high } => {
            vec![("low", low), ("mode", mode), ("high", high)]
        }
    };
    for (k, v) in params
        .into_iter()
        .chain(d.min.map(|v| ("min", v)))
        .chain(d.max.map(|v| ("max", v)))
    {
        m.insert(k.into(), number(v));
    }
    Value::Object(m)
}

/// The milestone's first grid year with capability >= threshold, if any.
pub fn milestone_year(f: &Forecast, domain: &str, threshold: f64) -> Option<f64> {
    let d = f.domains.iter().position(|n| n == domain)?;
    f.terms[d]
        .iter()
        .zip(&f.levers)
        .find(|(t, _)| t.capability >= threshold)
        .map(|(_, l)| l.year)
}

/// `summary.json` for one scenario, pretty-printed with a trailing newline.
pub fn summary(s: &Scenario, f: &Forecast, provenance: &Provenance) -> String {
    let mut params = Map::new();
    for (path, v) in s.parameters() {
        params.insert(path, number(v));
    }
    let (size_form, size_traj) = match &s.pretraining.size {
        ModelSize::ParamsTokens { params, .. } => ("params_tokens", params),
        ModelSize::Compute { compute, .. } => ("compute", compute),
    };
    let (rl_form, rl_traj) = match &s.rl_steps {
        RlSteps::Steps(t) => ("steps", t),
        RlSteps::ComputeFraction(t) => ("compute_fraction", t),
    };
    let forms = json!({
        "pretraining": size_form,
        "pretraining_trajectory": form(size_traj),
        "law": s.pretraining.law_name,
        "rl": rl_form,
        "rl_trajectory": form(rl_traj),
        "inference_trajectory": form(&s.thinking_tokens),
        "thought_ceiling": if s.inference.ceiling.is_off() { "off" } else { "on" },
        "erosion": if s.erosion.rate > 0.0 { "on" } else { "off" },
    });
    let uncertain: Vec<Value> = s
        .uncertain
        .iter()
        .map(|u| json!({ "path": u.path, "distribution": dist(&u.dist), "median": number(u.dist.median()) }))
        .collect();
    let (first, last) = (f.levers.first(), f.levers.last());
    let domains: Vec<Value> = f
        .domains
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let (a, b) = (&f.terms[d][0], &f.terms[d][f.levers.len() - 1]);
            json!({
                "name": name,
                "first": { "year": number(first.map_or(f64::NAN, |l| l.year)), "capability": number(a.capability) },
                "last": { "year": number(last.map_or(f64::NAN, |l| l.year)), "capability": number(b.capability) },
                "change": number(b.capability - a.capability),
            })
        })
        .collect();
    let milestones: Vec<Value> = s
        .milestones
        .iter()
        .map(|m| {
            let year = milestone_year(f, &m.domain, m.threshold);
            json!({
                "domain": m.domain,
                "threshold": number(m.threshold),
                "reached": year.is_some(),
                "year": year.map_or(Value::Null, number),
            })
        })
        .collect();
    let doc = json!({
        "scenario": s.name,
        "description": s.description,
        "provenance": {
            "tool": "scalecast",
            "version": env!("CARGO_PKG_VERSION"),
            "scenario_file": provenance.file,
            "scenario_sha256": provenance.sha256,
            "base_files": provenance.bases_json(),
            "command": provenance.command,
        },
        "forms": forms,
        "parameters": params,
        "uncertain": uncertain,
        "domains": domains,
        "milestones": milestones,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
