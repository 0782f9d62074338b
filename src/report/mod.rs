//! Reports: each writer takes results and returns bytes, so it can be tested without a disk.

pub mod backtest;
pub mod charts;
pub mod csv;
pub mod fit;
pub mod fit_charts;
pub mod json;
