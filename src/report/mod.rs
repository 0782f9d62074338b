//! Reports: each writer takes results and returns bytes, so it can be tested without a disk.

pub mod backtest;
pub mod calibrate;
pub mod calibrate_charts;
pub mod charts;
pub mod comparison;
pub mod csv;
pub mod explain;
pub mod fit;
pub mod fit_charts;
pub mod html;
pub mod json;
pub mod mc_charts;
pub mod mc_tables;
pub mod multiplier;
pub mod sweep_charts;
