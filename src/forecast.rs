//! Scenario -> Forecast: the levers and every domain's terms on the time grid.

use crate::model::Terms;

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

impl Forecast {
    pub fn years(&self) -> impl Iterator<Item = f64> + '_ {
        self.levers.iter().map(|l| l.year)
    }
}
