//! The model card: MODEL.md's equations with one scenario's resolved values substituted, one
//! block per term, then each domain's logit at one year split into its four terms. Printed by
//! `scalecast explain` and embedded in the HTML report, so a reader can audit a forecast.

use std::fmt::Write;

use crate::forecast::Forecast;
use crate::model::{erosion, inference, rl};
use crate::report::json;
use crate::scenario::{ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;

/// A number for reading: up to 6 significant digits, scientific notation when large or small.
/// (The key-path list at the end gives every input exactly.)
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return crate::report::csv::number(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    let text = if (1e-3..1e6).contains(&a) {
        let decimals = (5 - a.log10().floor() as i32).clamp(0, 8) as usize;
        trim_zeros(format!("{x:.decimals$}"))
    } else {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        format!("{}e{exp}", trim_zeros(mantissa.to_string()))
    };
    if text == "-0" {
        "0".into()
    } else {
        text
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A trajectory's formula with its numbers, evaluated at `year`.
fn trajectory(t: &Trajectory, year: f64) -> String {
    match t {
        Trajectory::Constant(v) => format!("{} (constant)", short(*v)),
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => format!(
            "{} * {}^(clamp({}, {}, {}) - {}) = {}",
            short(*start),
            short(*growth),
            short(year),
            short(*from),
            short(*until),
            short(*from),
            short(t.at(year))
        ),
        Trajectory::Points(points) => {
            let list: Vec<String> = points
                .iter()
                .map(|(y, v)| format!("[{}, {}]", short(*y), short(*v)))
                .collect();
            format!(
                "log-linear through {} at {} = {}",
                list.join(", "),
                short(year),
                short(t.at(year))
            )
        }
    }
}

/// The model card of scenario `s` (forecast `f`) at grid index `k`.
pub fn explain(s: &Scenario, f: &Forecast, k: usize) -> String {
    let mut out = String::new();
    let _ = write_card(&mut out, s, f, k);
    out
}

fn write_card(o: &mut String, s: &Scenario, f: &Forecast, k: usize) -> std::fmt::Result {
    let l = &f.levers[k];
    let year = l.year;
    let y = short(year);
    writeln!(o, "scenario {} at {y} ({})", s.name, s.document.file)?;
    if !s.description.is_empty() {
        writeln!(o, "{}", s.description)?;
    }
    writeln!(
        o,
        "All terms are logits of success on a domain's tasks: logit = pretrain + rl - erosion + inference."
    )?;

    writeln!(o, "\n## Levers in {y}")?;
    match &s.pretraining.size {
        ModelSize::ParamsTokens { params, tokens } => {
            writeln!(o, "N = pretraining.params = {}", trajectory(params, year))?;
            writeln!(o, "D = pretraining.tokens = {}", trajectory(tokens, year))?;
        }
        ModelSize::Compute {
            compute,
            tokens_per_param,
        } => {
            writeln!(o, "C = pretraining.compute = {}", trajectory(compute, year))?;
            writeln!(
                o,
                "N = sqrt(C / (6 r)) = sqrt({} / (6 * {})) = {}",
                short(compute.at(year)),
                short(*tokens_per_param),
                short(l.params)
            )?;
            writeln!(
                o,
                "D = r N = {} * {} = {}",
                short(*tokens_per_param),
                short(l.params),
                short(l.tokens)
            )?;
        }
    }
    match &s.rl_steps {
        RlSteps::Steps(t) => writeln!(o, "S = rl.steps = {}", trajectory(t, year))?,
        RlSteps::ComputeFraction(t) => {
            writeln!(o, "f = rl.compute_fraction = {}", trajectory(t, year))?;
            writeln!(
                o,
                "S = 0.75 f D / rl.tokens_per_step = 0.75 * {} * {} / {} = {}",
                short(t.at(year)),
                short(l.tokens),
                short(s.rl.tokens_per_step),
                short(l.rl_steps)
            )?;
        }
    }
    writeln!(
        o,
        "T = inference.tokens = {}",
        trajectory(&s.thinking_tokens, year)
    )?;

    let law = &s.pretraining.law;
    let reducible = law.reducible_loss(l.params, l.tokens);
    let efficiency = s.pretraining.efficiency.at(year);
    writeln!(
        o,
        "\n## Effective compute u (law \"{}\")",
        s.pretraining.law_name
    )?;
    writeln!(
        o,
        "R = A / N^alpha + B / D^beta = {} / {}^{} + {} / {}^{} = {}",
        short(law.a),
        short(l.params),
        short(law.alpha),
        short(law.b),
        short(l.tokens),
        short(law.beta),
        short(reducible)
    )?;
    writeln!(
        o,
        "L = E + R = {} + {} = {}",
        short(law.e),
        short(reducible),
        short(l.loss)
    )?;
    writeln!(
        o,
        "gamma = alpha beta / (alpha + beta) = {}; G = (alpha A / (beta B))^(1/(alpha + beta)) = {}; K = A / G^alpha + B G^beta = {}",
        short(law.gamma()),
        short(law.g()),
        short(law.k())
    )?;
    writeln!(
        o,
        "efficiency = pretraining.efficiency = {}",
        trajectory(&s.pretraining.efficiency, year)
    )?;
    writeln!(
        o,
        "u = log10(6) + log10(K / R) / gamma + log10(efficiency) = {} + {} + {} = {} (log10 FLOP)",
        short(6f64.log10()),
        short((law.k() / reducible).log10() / law.gamma()),
        short(efficiency.log10()),
        short(l.effective_log10_compute)
    )?;

    writeln!(o, "\n## pretrain = s (u - b)")?;
    for (d, dom) in s.domains.iter().enumerate() {
        writeln!(
            o,
            "{:<w$} {} * ({} - {}) = {}",
            dom.name,
            short(dom.slope),
            short(l.effective_log10_compute),
            short(dom.difficulty),
            short(f.terms[d][k].pretrain),
            w = name_width(s)
        )?;
    }

    let p = &s.rl;
    let gmax = rl::max_gain(p, l.effective_log10_compute);
    writeln!(o, "\n## rl = tau Gmax h")?;
    writeln!(
        o,
        "h = 1 / (1 + (S_mid / S)^beta_rl) = 1 / (1 + ({} / {})^{}) = {}   (0 when S = 0)",
        short(p.midpoint_steps),
        short(l.rl_steps),
        short(p.exponent),
        short(l.rl_progress)
    )?;
    writeln!(
        o,
        "Gmax = max(0, max_gain + gain_per_oom (u - ref)) = max(0, {} + {} * ({} - {})) = {}",
        short(p.max_gain),
        short(p.gain_per_oom),
        short(l.effective_log10_compute),
        short(p.reference_log10_compute),
        short(gmax)
    )?;
    writeln!(
        o,
        "tau = v + (1 - v) x, transfer x = rl.transfer = {}",
        short(p.transfer)
    )?;
    for (d, dom) in s.domains.iter().enumerate() {
        let tau = rl::transfer_share(dom.verifiability, p.transfer);
        writeln!(
            o,
            "{:<w$} tau = {} + {} * {} = {}; rl = {} * {} * {} = {}",
            dom.name,
            short(dom.verifiability),
            short(1.0 - dom.verifiability),
            short(p.transfer),
            short(tau),
            short(tau),
            short(gmax),
            short(l.rl_progress),
            short(f.terms[d][k].rl),
            w = name_width(s)
        )?;
    }

    let e = &s.erosion;
    writeln!(
        o,
        "\n## erosion = (1 - v) rate (N_ref / N)^size_exponent max(0, log10(S / onset))^power"
    )?;
    if e.rate == 0.0 {
        writeln!(o, "off (erosion.rate = 0): 0 in every domain")?;
    } else {
        let shared = erosion::term(e, 0.0, l.params, l.rl_steps);
        writeln!(
            o,
            "rate (N_ref / N)^e max(0, log10(S / onset))^p = {} * ({} / {})^{} * max(0, log10({} / {}))^{} = {}",
            short(e.rate),
            short(e.reference_params),
            short(l.params),
            short(e.size_exponent),
            short(l.rl_steps),
            short(e.onset_steps),
            short(e.power),
            short(shared)
        )?;
        for (d, dom) in s.domains.iter().enumerate() {
            writeln!(
                o,
                "{:<w$} {} * {} = {}",
                dom.name,
                short(1.0 - dom.verifiability),
                short(shared),
                short(f.terms[d][k].erosion),
                w = name_width(s)
            )?;
        }
    }

    let i = &s.inference;
    let c = &i.ceiling;
    writeln!(o, "\n## inference = kappa log2(1 + T_eff / T0) - overthink")?;
    writeln!(
        o,
        "kappa = base_gain + rl_gain tau h = {} + {} * tau * {}",
        short(i.base_gain),
        short(i.rl_gain),
        short(l.rl_progress)
    )?;
    if c.is_off() {
        writeln!(
            o,
            "T_ceil = inf (inference.ceiling.base = inf: no ceiling), so T_eff = T = {}",
            short(l.thinking_tokens)
        )?;
    } else {
        writeln!(
            o,
            "T_ceil = min(base (1 + max(tau, 0) S / rl_scale_steps)^rl_exponent, max) = min({} * (1 + max(tau, 0) * {} / {})^{}, {})",
            short(c.base),
            short(l.rl_steps),
            short(c.rl_scale_steps),
            short(c.rl_exponent),
            short(c.max)
        )?;
        writeln!(
            o,
            "T_eff = (T^-k + T_ceil^-k)^(-1/k), k = {}, T = {}; overthink = {} * max(0, log2(T / T_ceil))",
            short(c.sharpness),
            short(l.thinking_tokens),
            short(c.overthinking)
        )?;
    }
    writeln!(
        o,
        "T0 = inference.reference_tokens = {}",
        short(i.reference_tokens)
    )?;
    for (d, dom) in s.domains.iter().enumerate() {
        let t = &f.terms[d][k];
        let tau = rl::transfer_share(dom.verifiability, p.transfer);
        let kappa = inference::kappa(i, tau, l.rl_progress);
        let over = inference::overthink(c, l.thinking_tokens, t.thought_ceiling);
        writeln!(
            o,
            "{:<w$} kappa = {}, T_ceil = {}, T_eff = {}; inference = {} * log2(1 + {} / {}) - {} = {}",
            dom.name,
            short(kappa),
            short(t.thought_ceiling),
            short(t.effective_thinking_tokens),
            short(kappa),
            short(t.effective_thinking_tokens),
            short(i.reference_tokens),
            short(over),
            short(t.inference),
            w = name_width(s)
        )?;
    }
    writeln!(
        o,
        "thinking multiplier per OOM: the smallest m with inference(m T) - inference(T) >= s (inf: thinking cannot replace one OOM of u)"
    )?;

    writeln!(o, "\n## Logit and capability in {y}")?;
    let w = name_width(s);
    writeln!(
        o,
        "{:<w$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "domain", "pretrain", "+ rl", "- erosion", "+ infer.", "= logit", "capab.", "mult/OOM"
    )?;
    for (d, dom) in s.domains.iter().enumerate() {
        let t = &f.terms[d][k];
        writeln!(
            o,
            "{:<w$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            dom.name,
            short(t.pretrain),
            short(t.rl),
            short(t.erosion),
            short(t.inference),
            short(t.logit),
            short(t.capability),
            short(t.thinking_multiplier_per_oom)
        )?;
    }
    writeln!(
        o,
        "capability = floor + (1 - floor) sigmoid(logit); floors: {}",
        s.domains
            .iter()
            .map(|d| format!("{} {}", d.name, short(d.floor)))
            .collect::<Vec<_>>()
            .join(", ")
    )?;

    writeln!(
        o,
        "\n## Key paths (resolved values, exact; any but those of [time] can be swept)"
    )?;
    let params = s.parameters();
    let width = params.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    for (path, value) in &params {
        let note = s
            .uncertain
            .iter()
            .find(|u| &u.path == path)
            .map(|u| format!("   (median of {})", distribution(&u.dist)))
            .unwrap_or_default();
        writeln!(
            o,
            "{path:<width$} = {}{note}",
            crate::report::csv::number(*value)
        )?;
    }
    Ok(())
}

/// A distribution as written in a scenario file: `uniform(low = 0, high = 0.1)`.
fn distribution(d: &crate::distribution::Dist) -> String {
    let serde_json::Value::Object(fields) = json::dist(d) else {
        return String::new();
    };
    let mut name = String::new();
    let mut args = Vec::new();
    for (key, value) in fields {
        let text = match &value {
            serde_json::Value::Number(n) => n.as_f64().map_or(n.to_string(), short),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if key == "dist" {
            name = text;
        } else {
            args.push(format!("{key} = {text}"));
        }
    }
    format!("{name}({})", args.join(", "))
}

fn name_width(s: &Scenario) -> usize {
    s.domains
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(0)
        .max(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    const TEXT: &str = r#"
[scenario]
name = "card"
[time]
start = 2024
end = 2026
step = 1
[pretraining]
compute = { start = 1.4e26, growth = 4.0 }
[rl]
steps = { start = 1e4, growth = 10.0 }
transfer = { dist = "uniform", low = 0.0, high = 0.2 }
[erosion]
rate = 0.3
[inference]
tokens = 1000
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 26.5
"#;

    #[test]
    fn short_numbers() {
        assert_eq!(short(26.123456789), "26.1235");
        assert_eq!(short(1.8e12), "1.8e12");
        assert_eq!(short(0.05), "0.05");
        assert_eq!(short(-2.18), "-2.18");
        assert_eq!(short(1e-7), "1e-7");
        assert_eq!(short(f64::INFINITY), "inf");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(1000.0), "1000");
    }

    #[test]
    fn card_substitutes_values_and_splits_each_logit() {
        let s = Scenario::from_text("card.toml", "card", TEXT).unwrap();
        let f = forecast(&s).unwrap();
        let card = explain(&s, &f, 2);
        assert!(card.starts_with("scenario card at 2026"));
        // compute form: C at 2026 is 1.4e26 * 16
        assert!(card.contains(
            "C = pretraining.compute = 1.4e26 * 4^(clamp(2026, 2024, inf) - 2024) = 2.24e27"
        ));
        // the transfer's median and its distribution
        assert!(card.contains("transfer x = rl.transfer = 0.1"));
        assert!(card.contains("rl.transfer"));
        assert!(card.contains("(median of uniform(low = 0, high = 0.2))"));
        // each domain's row in the final table carries its exact terms
        for (d, name) in f.domains.iter().enumerate() {
            let t = &f.terms[d][2];
            let row = card
                .lines()
                .rev()
                .find(|l| l.starts_with(name.as_str()) && l.contains(&short(t.logit)))
                .unwrap_or_else(|| panic!("no logit row for {name}:\n{card}"));
            for v in [t.pretrain, t.rl, t.erosion, t.inference, t.capability] {
                assert!(row.contains(&short(v)), "{row} lacks {}", short(v));
            }
        }
        // every key path is listed with its exact value
        for (path, value) in s.parameters() {
            let line = format!("= {}", crate::report::csv::number(value));
            assert!(
                card.lines()
                    .any(|l| l.starts_with(&path) && l.contains(&line)),
                "missing {path}"
            );
        }
    }

    #[test]
    fn erosion_off_and_ceiling_off_say_so() {
        let text = TEXT.replace("rate = 0.3", "rate = 0.0").replace(
            "tokens = 1000",
            "tokens = 1000\n[inference.ceiling]\nbase = inf",
        );
        let s = Scenario::from_text("card.toml", "card", &text).unwrap();
        let f = forecast(&s).unwrap();
        let card = explain(&s, &f, 0);
        assert!(card.contains("off (erosion.rate = 0)"));
        assert!(card.contains("T_ceil = inf (inference.ceiling.base = inf"));
    }
}
