//! Reports: each writer takes results and returns bytes, so it can be tested without a disk.

pub mod charts;
pub mod csv;
pub mod json;
pub mod mc_charts;
pub mod mc_tables;
