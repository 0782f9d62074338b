//! Monte Carlo forecasts (MODEL.md §6, §8): every uncertain input is drawn once per sample (rank
//! correlations through a Gaussian copula), the whole forecast runs per sample, and the samples
//! are reduced to quantiles per year and domain, lever quantiles and milestone arrival years, in
//! memory that does not grow with the sample count.
//!
//! - `sampler`: where each uncertain input lives in a scenario, and its draws (sample `i` from
//!   its own ChaCha8 stream `(seed, i)`, so results do not depend on the thread count).
//! - `engine`: the levers and capabilities of sixteen samples at a time, one per vector lane,
//!   on the whole time grid.
//! - `histograms`: streaming quantiles in memory that does not grow with the sample count.
//! - `outputs`: the run (parallel chunks reduced in a fixed order) and what it returns.
//! - `sensitivity`: the one-at-a-time tornado and the Sobol indices.

mod engine;
mod histograms;
mod outputs;
mod sampler;
mod sensitivity;

pub use engine::LEVER_NAMES;
pub use outputs::{run, se_window, McResult, MilestoneArrival, Summary, LEVELS};
pub use sampler::{drawn_inputs, Sampler};
pub use sensitivity::{
    sensitivity, sobol, sobol_indices, Sobol, SobolIndex, Swing, Tornado, DEFAULT_SOBOL_SAMPLES,
    MAX_SOBOL_SAMPLES,
};

/// Samples when `--samples` is not given.
pub const DEFAULT_SAMPLES: usize = 10_000;
/// Seed when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 20_240_601;
/// The most samples one run accepts.
pub const MAX_SAMPLES: usize = 100_000_000;
/// Samples per chunk: the unit of parallel work and of the ordered float sums. Large enough
/// that a histogram's counts, once in cache, take many values each time.
pub(crate) const CHUNK: usize = 2048;
/// Samples in the pilot that fixes the lever histograms' ranges.
pub(crate) const PILOT: usize = 2048;

#[cfg(test)]
pub(crate) mod test_support {
    use crate::scenario::Scenario;

    pub const SCENARIO: &str = r#"
[time]
start = 2024
end = 2030
step = 0.5
[pretraining]
compute = { start = 2e25, growth = { dist = "lognormal", p5 = 2.0, p95 = 6.0 } }
tokens_per_param = { dist = "uniform", low = 15, high = 30 }
efficiency = { start = 1, growth = { dist = "triangular", low = 1.5, mode = 3, high = 4 } }
[rl]
steps = { points = [[2024, 1e3], [2028, { dist = "loguniform", low = 1e5, high = 1e7 }]] }
transfer = { dist = "normal", mean = 0.1, sd = 0.1, min = -1, max = 1 }
exponent = { dist = "normal", p5 = 1.0, p95 = 2.0, min = 0.1 }
[erosion]
rate = { dist = "uniform", low = 0.0, high = 0.5 }
size_exponent = 0.3
power = 1.5
[inference]
tokens = { start = 1e3, growth = { dist = "uniform", low = 1.5, high = 4 } }
[inference.ceiling]
overthinking = { dist = "uniform", low = 0, high = 0.2 }
max = 1e6
[cost]
usd_per_eflop = { start = 1, growth = { dist = "uniform", low = 0.6, high = 0.9 } }
[[domain]]
name = "math"
verifiability = 0.95
slope = { dist = "lognormal", median = 1.0, sigma = 0.2 }
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = { dist = "uniform", low = 0.0, high = 0.2 }
slope = 0.8
difficulty = { dist = "normal", mean = 27, sd = 0.5 }
floor = 0.05
[[milestone]]
domain = "math"
threshold = 0.9
[[milestone]]
domain = "writing"
threshold = 0.99
[[correlation]]
a = "rl.transfer"
b = "domain.writing.verifiability"
rank = 0.6
"#;

    pub fn scenario(text: &str) -> Scenario {
        Scenario::from_text("t.toml", "t", text).expect("valid scenario")
    }
}
