//! Reports: each writer takes results and returns bytes (no disk I/O here).

pub mod charts;
