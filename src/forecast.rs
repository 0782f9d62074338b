//! Scenario -> Forecast: the levers and every domain's terms on the time grid.

use crate::error::InputErrors;
use crate::model::{rl, terms_with, Domain, LeverPoint, TermParams, Terms};
use crate::scenario::{ModelSize, RlSteps, Scenario};

/// The levers and derived quantities at one grid year (one row of `levers.csv`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levers {
    pub year: f64,
    pub params: f64,
    pub tokens: f64,
    pub loss: f64,
    pub effective_log10_compute: f64,
    pub rl_steps: f64,
    pub rl_progress: f64,
    pub thinking_tokens: f64,
    pub pretrain_flop: f64,
    pub rl_flop: f64,
    pub flop_per_query: f64,
    pub training_usd: f64,
    pub rl_usd: f64,
    pub usd_per_query: f64,
}

/// A deterministic forecast of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The scenario's name (its output folder).
    pub scenario: String,
    /// One entry per grid year.
    pub levers: Vec<Levers>,
    /// Domain names, in file order.
    pub domains: Vec<String>,
    /// `terms[d][k]`: domain `d` at grid year `k`.
    pub terms: Vec<Vec<Terms>>,
}

impl Levers {
    /// The levers as the per-domain terms take them.
    pub fn point(&self) -> LeverPoint {
        LeverPoint {
            params: self.params,
            effective_log10_compute: self.effective_log10_compute,
            rl_steps: self.rl_steps,
            rl_progress: self.rl_progress,
            thinking_tokens: self.thinking_tokens,
        }
    }
}

/// Everything besides the levers and the domain that a scenario's terms depend on.
pub fn term_params(s: &Scenario) -> TermParams {
    TermParams {
        rl: s.rl,
        erosion: s.erosion,
        inference: s.inference,
    }
}

impl Forecast {
    pub fn years(&self) -> impl Iterator<Item = f64> + '_ {
        self.levers.iter().map(|l| l.year)
    }
}

/// Run the scenario's deterministic forecast on its time grid.
///
/// A lever or term that is not finite in some grid year is an input error naming the key that
/// drives it and the year (MODEL.md §1).
pub fn forecast(s: &Scenario) -> Result<Forecast, InputErrors> {
    forecast_with(s, true)
}

/// [`forecast`] without the thinking multipliers (NaN in every term): the same checks and the
/// same bits otherwise, for the Monte Carlo's deterministic runs, which report only capability.
pub fn forecast_capability(s: &Scenario) -> Result<Forecast, InputErrors> {
    forecast_with(s, false)
}

fn forecast_with(s: &Scenario, multipliers: bool) -> Result<Forecast, InputErrors> {
    let params = term_params(s);
    let mut levers = Vec::with_capacity(s.time.len());
    for year in s.time.years() {
        let l = levers_at(s, year);
        check_levers(s, &l)?;
        levers.push(l);
    }
    let mut terms = Vec::with_capacity(s.domains.len());
    for d in &s.domains {
        let mut row = Vec::with_capacity(levers.len());
        for l in &levers {
            let t = terms_with(d, &params, &l.point(), multipliers);
            check_terms(s, d, l.year, &t)?;
            row.push(t);
        }
        terms.push(row);
    }
    Ok(Forecast {
        scenario: s.name.clone(),
        levers,
        domains: s.domains.iter().map(|d| d.name.clone()).collect(),
        terms,
    })
}

/// The levers and derived quantities in year `t`.
pub fn levers_at(s: &Scenario, t: f64) -> Levers {
    let (params, tokens) = match &s.pretraining.size {
        ModelSize::ParamsTokens { params, tokens } => (params.at(t), tokens.at(t)),
        ModelSize::Compute {
            compute,
            tokens_per_param,
        } => {
            let n = (compute.at(t) / (6.0 * tokens_per_param)).sqrt();
            (n, tokens_per_param * n)
        }
    };
    let law = &s.pretraining.law;
    let rl_steps = match &s.rl_steps {
        RlSteps::Steps(steps) => steps.at(t),
        RlSteps::ComputeFraction(f) => 0.75 * f.at(t) * tokens / s.rl.tokens_per_step,
    };
    let thinking_tokens = s.thinking_tokens.at(t);
    let pretrain_flop = 6.0 * params * tokens;
    let rl_flop = 8.0 * params * s.rl.tokens_per_step * rl_steps;
    let flop_per_query = 2.0 * params * (thinking_tokens + s.inference.answer_tokens);
    let usd_per_flop = s.usd_per_eflop.at(t) / 1e18;
    Levers {
        year: t,
        params,
        tokens,
        loss: law.loss(params, tokens),
        effective_log10_compute: law.effective_log10_compute(
            params,
            tokens,
            s.pretraining.efficiency.at(t),
        ),
        rl_steps,
        rl_progress: rl::progress(rl_steps, s.rl.midpoint_steps, s.rl.exponent),
        thinking_tokens,
        pretrain_flop,
        rl_flop,
        flop_per_query,
        training_usd: pretrain_flop * usd_per_flop,
        rl_usd: rl_flop * usd_per_flop,
        usd_per_query: flop_per_query * usd_per_flop,
    }
}

fn size_key(s: &Scenario) -> &'static str {
    match s.pretraining.size {
        ModelSize::ParamsTokens { .. } => "pretraining.params",
        ModelSize::Compute { .. } => "pretraining.compute",
    }
}

fn check_levers(s: &Scenario, l: &Levers) -> Result<(), InputErrors> {
    let steps_key = match s.rl_steps {
        RlSteps::Steps(_) => "rl.steps",
        RlSteps::ComputeFraction(_) => "rl.compute_fraction",
    };
    let tokens_key = match s.pretraining.size {
        ModelSize::ParamsTokens { .. } => "pretraining.tokens",
        ModelSize::Compute { .. } => "pretraining.compute",
    };
    let checks = [
        ("params", l.params, size_key(s)),
        ("tokens", l.tokens, tokens_key),
        ("loss", l.loss, size_key(s)),
        (
            "effective_log10_compute",
            l.effective_log10_compute,
            "pretraining.efficiency",
        ),
        ("rl_steps", l.rl_steps, steps_key),
        ("thinking_tokens", l.thinking_tokens, "inference.tokens"),
        ("pretrain_flop", l.pretrain_flop, size_key(s)),
        ("rl_flop", l.rl_flop, steps_key),
        ("flop_per_query", l.flop_per_query, "inference.tokens"),
        ("training_usd", l.training_usd, "cost.usd_per_eflop"),
        ("rl_usd", l.rl_usd, "cost.usd_per_eflop"),
        ("usd_per_query", l.usd_per_query, "cost.usd_per_eflop"),
    ];
    for (what, value, key) in checks {
        if !value.is_finite() {
            return Err(not_finite(s, key, what, value, l.year));
        }
    }
    Ok(())
}

fn check_terms(s: &Scenario, d: &Domain, year: f64, t: &Terms) -> Result<(), InputErrors> {
    let slope = format!("domain.{}.slope", d.name);
    let checks = [
        ("pretrain", t.pretrain, slope.as_str()),
        ("rl", t.rl, "rl.max_gain"),
        ("erosion", t.erosion, "erosion.rate"),
        ("inference", t.inference, "inference.tokens"),
        ("logit", t.logit, slope.as_str()),
        ("capability", t.capability, slope.as_str()),
    ];
    for (what, value, key) in checks {
        if !value.is_finite() {
            return Err(not_finite(
                s,
                key,
                &format!("{what} ({})", d.name),
                value,
                year,
            ));
        }
    }
    Ok(())
}

fn not_finite(s: &Scenario, key: &str, what: &str, value: f64, year: f64) -> InputErrors {
    s.document
        .error(key, format!("{what} is {} in year {year}", crate::scenario::show(value)))
        .with_hint("the lever grows past what a 64-bit float holds: lower `growth`, add an `until` year, or shorten [time]")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

    /// Without the multipliers, every other term is the same bits (with overthinking on, where
    /// the multiplier is a numeric search).
    #[test]
    fn forecast_capability_is_forecast_without_the_multipliers() {
        let s = scenario(SCENARIO);
        assert!(s.inference.ceiling.overthinking > 0.0);
        let (full, capability) = (forecast(&s).unwrap(), forecast_capability(&s).unwrap());
        assert_eq!(full.levers, capability.levers);
        for (a, b) in full
            .terms
            .iter()
            .flatten()
            .zip(capability.terms.iter().flatten())
        {
            assert!(
                !a.thinking_multiplier_per_oom.is_nan() && b.thinking_multiplier_per_oom.is_nan()
            );
            let b = Terms {
                thinking_multiplier_per_oom: a.thinking_multiplier_per_oom,
                ..*b
            };
            assert_eq!(*a, b);
        }
    }
}
