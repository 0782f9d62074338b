//! scalecast: forecast AI capability per domain from three levers.
pub mod forecast;
pub mod model;
pub mod report;
