//! The capability model of MODEL.md: pure functions, one file per term, composed here.
//!
//! Every term is a number of logits on one domain's task suite:
//! `logit = pretrain + rl - erosion + inference`, and
//! `capability = floor + (1 - floor) * sigmoid(logit)`.
//! Nothing in this module does I/O, draws random numbers or knows about files.

pub mod erosion;
pub mod inference;
pub mod pretraining;
pub mod rl;

pub use erosion::ErosionParams;
pub use inference::{CeilingParams, InferenceParams};
pub use pretraining::Law;
pub use rl::RlParams;

/// One `[[domain]]`: a family of tasks scored by a success rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: String,
    /// Share of tasks with an automatic checker, in [0, 1].
    pub verifiability: f64,
    /// Logits gained per order of magnitude of effective compute (> 0).
    pub slope: f64,
    /// Effective compute (log10 FLOP) at which a model with no RL and no thinking is halfway.
    pub difficulty: f64,
    /// Chance level, in [0, 1).
    pub floor: f64,
}

/// The levers at one point in time, as the per-domain terms need them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeverPoint {
    /// Dense-equivalent parameters N.
    pub params: f64,
    /// Effective compute u, log10 FLOP.
    pub effective_log10_compute: f64,
    /// RL optimiser steps S.
    pub rl_steps: f64,
    /// RL progress h(S) in [0, 1].
    pub rl_progress: f64,
    /// Thinking tokens per query T.
    pub thinking_tokens: f64,
}

/// Everything besides the levers and the domain that the terms depend on.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TermParams {
    pub rl: RlParams,
    pub erosion: ErosionParams,
    pub inference: InferenceParams,
}

/// The four terms of one domain at one point, and what follows from them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms {
    pub capability: f64,
    pub logit: f64,
    pub pretrain: f64,
    pub rl: f64,
    pub erosion: f64,
    pub inference: f64,
    pub thought_ceiling: f64,
    pub effective_thinking_tokens: f64,
    pub thinking_multiplier_per_oom: f64,
}

/// Numerically stable logistic function.
pub fn sigmoid(x: f64) -> f64 {
    todo!()
}

/// `floor + (1 - floor) * sigmoid(logit)`.
pub fn capability(floor: f64, logit: f64) -> f64 {
    todo!()
}

/// All terms of `domain` at `lever`.
pub fn domain_terms(domain: &Domain, params: &TermParams, lever: &LeverPoint) -> Terms {
    todo!()
}
