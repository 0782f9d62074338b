//! scalecast: forecast AI capability per domain from three levers: model size (pretraining),
//! reinforcement learning on checkable tasks (RL steps) and thinking at inference time.
//!
//! Data flows one way: file -> [`scenario::Scenario`] -> [`forecast::Forecast`] -> reports.
//!
//! - [`document`]: TOML with spans, and the key-path grammar.
//! - [`scenario`]: scenario files, checked and typed; [`trajectory`] and [`distribution`] for
//!   levers over time and uncertain numbers.
//! - [`model`]: the equations of MODEL.md, pure.
//! - [`forecast`]: the model on the time grid; [`montecarlo`]: the same under uncertainty, sample by sample.
//! - [`report`]: CSV, JSON and charts, each returned as bytes; [`output`] writes them atomically.
//! - [`sweep`]: parameter grids, their evaluation and shards; [`allocate`]: splitting a compute
//!   budget between pretraining, RL and inference.
//! - [`fit`]: calibrate the curves to measurements; [`backtest`]: score a forecast against
//!   observations.
//! - [`data`]: the observations table of real benchmark scores, built from Epoch AI's data.
//! - [`serve`]: the playground page (`scalecast serve`): sliders over a scenario's keys.
//! - [`error`]: located input errors (exit code 2).
//! - [`simd`]: vectors of eight f64 (AVX-512, AVX2 or plain, the same bits); [`vecmath`]:
//!   `exp`, `ln` and `log2(1 + x)` on them, for the Monte Carlo engine.

// Input errors carry their file, place and snippet; they are rare and cold, so size is no concern.
#![allow(clippy::result_large_err)]

pub mod allocate;
pub mod backtest;
pub mod calibrate;
pub mod cli;
pub mod data;
pub mod distribution;
pub mod document;
pub mod error;
pub mod fit;
pub mod forecast;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod simd;
pub mod sweep;
pub mod trajectory;
pub mod vecmath;
