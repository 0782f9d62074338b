//! Monte Carlo forecasts (MODEL.md §6, §8): every uncertain input is drawn once per sample (rank
//! correlations through a Gaussian copula), the whole forecast runs per sample, and the samples
//! are reduced to quantiles per year and domain, lever quantiles and milestone arrival years, in
//! memory that does not grow with the sample count.
//!
//! - Reproducible whatever the thread count: sample `i` draws from its own ChaCha8 stream
//!   `(seed, i)`; samples are evaluated in fixed-size chunks; histogram counts are integers (their
//!   sum does not depend on order) and float sums are added chunk by chunk in chunk order.
//! - Fast: a [`Plan`] computes once everything that no uncertain input reaches (lever
//!   trajectories, effective compute, erosion factors per year) and evaluates only capability and
//!   the levers that do vary, in loops over per-year arrays that vectorise (with AVX2 where the
//!   CPU has it, [`crate::vecmath::vectorised`]): exponential trajectories (and the loss law's
//!   powers of them) by one vectorised `exp`, the common exponents (RL exponent 1.5, sharpness 4,
//!   ceiling exponent 1/2) by square roots, and one domain's capability across all years at once
//!   (`Row`). It agrees with [`crate::forecast::forecast`] to ~1e-13 (tested).
//! - Quantiles come from fine histograms ([`Sketch`], 2048 bins per quantity): linear for
//!   capability, log scale for levers, fitted to a pilot of the first samples; interpolated
//!   within a bin. A chunk's samples go to their bin numbers first (`Tally`), and each
//!   histogram is then counted in one pass.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::distribution::Dist;
use crate::error::{InputError, InputErrors};
use crate::forecast::{levers_at, Levers};
use crate::model::{self, rl, Domain};
use crate::scenario::{ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;
use crate::vecmath;

/// Samples when `--samples` is not given.
pub const DEFAULT_SAMPLES: usize = 10_000;
/// Seed when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 20_240_601;
/// The most samples one run accepts.
pub const MAX_SAMPLES: usize = 100_000_000;
/// Samples per chunk: the unit of parallel work and of the ordered float sums. Large enough
/// that a histogram's counts, once in cache, take many values each time.
const CHUNK: usize = 2048;
/// Distance between two quantities' slots in a [`Tally`]: not a multiple of 4 KiB, whose
/// addresses would all compete for the same few cache sets while one sample writes them.
const STRIDE: usize = CHUNK + 32;
/// Samples whose histogram slots are gathered before they go to their quantities' rows.
const BLOCK: usize = 16;
/// Samples in the pilot that fixes the lever histograms' ranges.
const PILOT: usize = 2048;
/// Histogram bins per quantity: few enough that one worker's histograms stay in cache.
const BINS: usize = 2048;

// ---------------------------------------------------------------------------------------------
// Where a key path's number lives

type FieldFn = fn(&mut Scenario) -> Option<&mut f64>;
type TrajectoryFn = fn(&mut Scenario) -> Option<&mut Trajectory>;

/// Where an uncertain input goes in a [`Scenario`]: found once from its key path, so that
/// samples can set it without building path strings.
#[derive(Clone, Copy)]
enum Slot {
    Field(FieldFn),
    Trajectory(TrajectoryFn, Part),
    Domain(usize, DomainFieldFn),
}

#[derive(Clone, Copy)]
enum Part {
    Value,
    Start,
    Growth,
    From,
    Until,
    /// `points[i][0]` (year) or `points[i][1]` (value).
    Point(usize, usize),
}

macro_rules! fields {
    ($($path:literal => $($field:ident).+;)+) => {
        &[$(($path, {
            fn get(s: &mut Scenario) -> Option<&mut f64> {
                Some(&mut s.$($field).+)
            }
            get as FieldFn
        }),)+]
    };
}

const FIELDS: &[(&str, FieldFn)] = fields! {
    "pretraining.law.E" => pretraining.law.e;
    "pretraining.law.A" => pretraining.law.a;
    "pretraining.law.B" => pretraining.law.b;
    "pretraining.law.alpha" => pretraining.law.alpha;
    "pretraining.law.beta" => pretraining.law.beta;
    "rl.transfer" => rl.transfer;
    "rl.midpoint_steps" => rl.midpoint_steps;
    "rl.exponent" => rl.exponent;
    "rl.max_gain" => rl.max_gain;
    "rl.gain_per_oom" => rl.gain_per_oom;
    "rl.reference_log10_compute" => rl.reference_log10_compute;
    "rl.tokens_per_step" => rl.tokens_per_step;
    "erosion.rate" => erosion.rate;
    "erosion.onset_steps" => erosion.onset_steps;
    "erosion.size_exponent" => erosion.size_exponent;
    "erosion.reference_params" => erosion.reference_params;
    "erosion.power" => erosion.power;
    "inference.base_gain" => inference.base_gain;
    "inference.rl_gain" => inference.rl_gain;
    "inference.reference_tokens" => inference.reference_tokens;
    "inference.answer_tokens" => inference.answer_tokens;
    "inference.ceiling.base" => inference.ceiling.base;
    "inference.ceiling.rl_scale_steps" => inference.ceiling.rl_scale_steps;
    "inference.ceiling.rl_exponent" => inference.ceiling.rl_exponent;
    "inference.ceiling.max" => inference.ceiling.max;
    "inference.ceiling.sharpness" => inference.ceiling.sharpness;
    "inference.ceiling.overthinking" => inference.ceiling.overthinking;
};

fn tokens_per_param(s: &mut Scenario) -> Option<&mut f64> {
    match &mut s.pretraining.size {
        ModelSize::Compute {
            tokens_per_param, ..
        } => Some(tokens_per_param),
        ModelSize::ParamsTokens { .. } => None,
    }
}

fn params(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::ParamsTokens { params, .. } => Some(params),
        ModelSize::Compute { .. } => None,
    }
}

fn tokens(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::ParamsTokens { tokens, .. } => Some(tokens),
        ModelSize::Compute { .. } => None,
    }
}

fn compute(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::Compute { compute, .. } => Some(compute),
        ModelSize::ParamsTokens { .. } => None,
    }
}

fn steps(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.rl_steps {
        RlSteps::Steps(t) => Some(t),
        RlSteps::ComputeFraction(_) => None,
    }
}

fn compute_fraction(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.rl_steps {
        RlSteps::ComputeFraction(t) => Some(t),
        RlSteps::Steps(_) => None,
    }
}

const TRAJECTORIES: &[(&str, TrajectoryFn)] = &[
    ("pretraining.params", params),
    ("pretraining.tokens", tokens),
    ("pretraining.compute", compute),
    ("pretraining.efficiency", |s| {
        Some(&mut s.pretraining.efficiency)
    }),
    ("rl.steps", steps),
    ("rl.compute_fraction", compute_fraction),
    ("inference.tokens", |s| Some(&mut s.thinking_tokens)),
    ("cost.usd_per_eflop", |s| Some(&mut s.usd_per_eflop)),
];

type DomainFieldFn = fn(&mut Domain) -> &mut f64;

const DOMAIN_FIELDS: &[(&str, DomainFieldFn)] = &[
    ("verifiability", |d| &mut d.verifiability),
    ("slope", |d| &mut d.slope),
    ("difficulty", |d| &mut d.difficulty),
    ("floor", |d| &mut d.floor),
];

impl Slot {
    /// The slot of `path` in `s`, if `s` has that number.
    fn find(s: &Scenario, path: &str) -> Option<Slot> {
        if path == "pretraining.tokens_per_param" {
            return Some(Slot::Field(tokens_per_param));
        }
        if let Some((_, f)) = FIELDS.iter().find(|(p, _)| *p == path) {
            return Some(Slot::Field(*f));
        }
        if let Some(rest) = path.strip_prefix("domain.") {
            let (name, field) = rest.rsplit_once('.')?;
            let d = s.domains.iter().position(|d| d.name == name)?;
            let (_, f) = DOMAIN_FIELDS.iter().find(|(k, _)| *k == field)?;
            return Some(Slot::Domain(d, *f));
        }
        for (prefix, f) in TRAJECTORIES {
            let Some(rest) = path.strip_prefix(prefix) else {
                continue;
            };
            let part = match rest {
                "" => Part::Value,
                ".start" => Part::Start,
                ".growth" => Part::Growth,
                ".from" => Part::From,
                ".until" => Part::Until,
                _ => {
                    let inner = rest.strip_prefix(".points[")?.strip_suffix(']')?;
                    let (i, j) = inner.split_once("][")?;
                    Part::Point(i.parse().ok()?, j.parse().ok()?)
                }
            };
            return Some(Slot::Trajectory(*f, part));
        }
        None
    }

    /// Set the number; false if `s` does not have it (another form of the lever).
    fn set(self, s: &mut Scenario, value: f64) -> bool {
        let target = match self {
            Slot::Field(f) => f(s),
            Slot::Domain(d, f) => s.domains.get_mut(d).map(f),
            Slot::Trajectory(f, part) => match (f(s), part) {
                (Some(Trajectory::Constant(v)), Part::Value) => Some(v),
                (Some(Trajectory::Exponential { start, .. }), Part::Start) => Some(start),
                (Some(Trajectory::Exponential { growth, .. }), Part::Growth) => Some(growth),
                (Some(Trajectory::Exponential { from, .. }), Part::From) => Some(from),
                (Some(Trajectory::Exponential { until, .. }), Part::Until) => Some(until),
                (Some(Trajectory::Points(points)), Part::Point(i, j)) => {
                    points.get_mut(i).and_then(|p| match j {
                        0 => Some(&mut p.0),
                        1 => Some(&mut p.1),
                        _ => None,
                    })
                }
                _ => None,
            },
        };
        match target {
            Some(t) => {
                *t = value;
                true
            }
            None => false,
        }
    }
}

/// Whether `path` is `prefix` or lies under it (`rl.steps.growth` under `rl.steps`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

// ---------------------------------------------------------------------------------------------
// Drawing inputs

/// Draws the uncertain inputs of one scenario, sample by sample.
pub struct Sampler {
    /// Key paths, in file order (the columns of `samples.csv`).
    pub paths: Vec<String>,
    dists: Vec<Dist>,
    /// Inputs in a correlation, and the lower Cholesky factor of their normal-score
    /// correlation matrix (row-major, `correlated.len()` squared).
    correlated: Vec<usize>,
    cholesky: Vec<f64>,
    base: ChaCha8Rng,
}

impl Sampler {
    /// The sampler of `s`'s distributions and correlations with `seed`. A correlation matrix that
    /// is not positive definite is an input error listing the pairs.
    pub fn new(s: &Scenario, seed: u64) -> Result<Sampler, InputErrors> {
        let paths: Vec<String> = s.uncertain.iter().map(|u| u.path.clone()).collect();
        let dists = s.uncertain.iter().map(|u| u.dist).collect();
        let mut correlated: Vec<usize> = Vec::new();
        let index = |p: &str| paths.iter().position(|x| x == p);
        let mut pairs = Vec::new();
        for (i, c) in s.correlations.iter().enumerate() {
            let (Some(a), Some(b)) = (index(&c.a), index(&c.b)) else {
                continue; // reported by Scenario::check
            };
            if let Some(j) = pairs
                .iter()
                .position(|&(x, y, _, _)| (x, y) == (a, b) || (x, y) == (b, a))
            {
                return Err(s
                    .document
                    .error(
                        &format!("correlation[{i}]"),
                        format!(
                            "`{}` and `{}` are already correlated by correlation[{j}]",
                            c.a, c.b
                        ),
                    )
                    .with_hint("give each pair of inputs one [[correlation]]")
                    .into());
            }
            for x in [a, b] {
                if !correlated.contains(&x) {
                    correlated.push(x);
                }
            }
            // Spearman rank r -> Pearson correlation of the normal scores: 2 sin(pi r / 6).
            let rho = 2.0 * (std::f64::consts::PI * c.rank / 6.0).sin();
            pairs.push((a, b, rho, i));
        }
        correlated.sort_unstable();
        let m = correlated.len();
        let mut matrix = vec![0.0; m * m];
        for i in 0..m {
            matrix[i * m + i] = 1.0;
        }
        for &(a, b, rho, _) in &pairs {
            let (i, j) = (
                correlated.binary_search(&a).unwrap_or(0),
                correlated.binary_search(&b).unwrap_or(0),
            );
            matrix[i * m + j] = rho;
            matrix[j * m + i] = rho;
        }
        let cholesky = cholesky(&matrix, m).ok_or_else(|| -> InputErrors {
            let listed: Vec<String> = s
                .correlations
                .iter()
                .map(|c| format!("{} ~ {} ({})", c.a, c.b, c.rank))
                .collect();
            s.document
                .error(
                    "correlation[0]",
                    format!(
                        "these rank correlations cannot hold together (their matrix is not positive definite): {}",
                        listed.join(", ")
                    ),
                )
                .with_hint("weaken some of them: e.g. a ~ b and b ~ c both strongly positive force a ~ c positive")
                .into()
        })?;
        Ok(Sampler {
            paths,
            dists,
            correlated,
            cholesky,
            base: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// Number of uncertain inputs.
    pub fn len(&self) -> usize {
        self.dists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dists.is_empty()
    }

    /// The inputs of sample `index` into `out` (one per path), from the stream `(seed, index)`.
    /// `z` is scratch space.
    pub fn draw(&self, index: u64, out: &mut [f64], z: &mut Vec<f64>) {
        let mut rng = self.base.clone();
        rng.set_stream(index);
        z.clear();
        for (j, d) in self.dists.iter().enumerate() {
            if self.correlated.binary_search(&j).is_ok() {
                z.push(rng.sample(StandardNormal));
                continue;
            }
            out[j] = d.clamp(if d.family.is_gaussian() {
                d.family.from_normal(rng.sample(StandardNormal))
            } else {
                d.family.from_uniform(open_unit(&mut rng))
            });
        }
        let m = self.correlated.len();
        for (r, &j) in self.correlated.iter().enumerate() {
            let row = &self.cholesky[r * m..r * m + r + 1];
            let score: f64 = row.iter().zip(z.iter()).map(|(l, x)| l * x).sum();
            let d = &self.dists[j];
            out[j] = d.clamp(d.family.from_normal(score));
        }
    }
}

/// A uniform number in the open interval (0, 1): 53 random bits, centred in their cell.
fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// Lower Cholesky factor of the symmetric `m` x `m` matrix `a`, or None if it is not
/// positive definite.
fn cholesky(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * m + k] * l[j * m + k]).sum();
            if i == j {
                let d = a[i * m + i] - s;
                if d <= 1e-10 {
                    return None;
                }
                l[i * m + i] = d.sqrt();
            } else {
                l[i * m + j] = (a[i * m + j] - s) / l[j * m + j];
            }
        }
    }
    Some(l)
}

// ---------------------------------------------------------------------------------------------
// Evaluating samples

/// Lever columns reported in `levers_quantiles.csv`.
pub const LEVER_NAMES: [&str; 6] = [
    "params",
    "tokens",
    "effective_log10_compute",
    "rl_steps",
    "rl_progress",
    "thinking_tokens",
];

fn lever_value(l: &Levers, j: usize) -> f64 {
    match j {
        0 => l.params,
        1 => l.tokens,
        2 => l.effective_log10_compute,
        3 => l.rl_steps,
        4 => l.rl_progress,
        _ => l.thinking_tokens,
    }
}

/// Which parts of the forecast the uncertain inputs reach.
#[derive(Clone, Copy, Debug, Default)]
struct Reach {
    size: bool,
    law: bool,
    efficiency: bool,
    steps: bool,
    progress: bool,
    thinking: bool,
    erosion: bool,
}

impl Reach {
    fn of(s: &Scenario) -> Reach {
        let any = |prefixes: &[&str]| {
            s.uncertain
                .iter()
                .any(|u| prefixes.iter().any(|p| under(&u.path, p)))
        };
        let size = any(&[
            "pretraining.params",
            "pretraining.tokens",
            "pretraining.compute",
            "pretraining.tokens_per_param",
        ]);
        let steps = any(&["rl.steps", "rl.compute_fraction"])
            || matches!(s.rl_steps, RlSteps::ComputeFraction(_))
                && (size || any(&["rl.tokens_per_step"]));
        Reach {
            size,
            law: any(&["pretraining.law"]),
            efficiency: any(&["pretraining.efficiency"]),
            steps,
            progress: steps || any(&["rl.midpoint_steps", "rl.exponent"]),
            thinking: any(&["inference.tokens"]),
            erosion: size || steps || any(&["erosion"]),
        }
    }

    /// Whether lever column `j` of [`LEVER_NAMES`] varies between samples.
    fn lever(&self, j: usize) -> bool {
        match j {
            0 | 1 => self.size,
            2 => self.size || self.law || self.efficiency,
            3 => self.steps,
            4 => self.progress,
            _ => self.thinking,
        }
    }
}

/// `t` on the grid years: [`Trajectory::at`], an exponential as `start * exp(elapsed * ln g)`
/// in a loop that vectorises (one logarithm per sample instead of a power per year; within
/// ~1e-14 relative of the power, as the rounding of `elapsed * ln g` is amplified by `exp`).
fn on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let ln_growth = growth.ln();
            let (from, until) = (*from, until.max(*from));
            vecmath::vectorised(
                #[inline(always)]
                || {
                    for (o, &y) in out.iter_mut().zip(years) {
                        let y = if y < from {
                            from
                        } else if y > until {
                            until
                        } else {
                            y
                        };
                        *o = (y - from) * ln_growth;
                    }
                    vecmath::exp(out);
                    // No growth at all (not exp(0 * inf)) where no time has elapsed.
                    for (o, &y) in out.iter_mut().zip(years) {
                        *o = if y <= from { *start } else { start * *o };
                    }
                },
            );
        }
        _ => {
            for (o, &y) in out.iter_mut().zip(years) {
                *o = t.at(y);
            }
        }
    }
}

/// `(scale * t)^exponent` on the grid years: an exponential is again an exponential (start
/// `(scale * start)^exponent`, growth `growth^exponent`), taken by [`on_grid`] without a power
/// per year; anything else by a power per year.
fn power_on_grid(t: &Trajectory, scale: f64, exponent: f64, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let powered = Trajectory::Exponential {
                start: (scale * start).powf(exponent),
                growth: growth.powf(exponent),
                from: *from,
                until: *until,
            };
            on_grid(&powered, years, out);
        }
        _ => {
            for (o, &y) in out.iter_mut().zip(years) {
                *o = (scale * t.at(y)).powf(exponent);
            }
        }
    }
}

/// `log10` of `t` on the grid years; an exponential as `log10(start) + years * log10(growth)`.
fn log10_on_grid(t: &Trajectory, years: &[f64], out: &mut [f64]) {
    match t {
        Trajectory::Exponential {
            start,
            growth,
            from,
            until,
        } => {
            let (lg_start, lg_growth) = (start.log10(), growth.log10());
            for (o, &y) in out.iter_mut().zip(years) {
                let elapsed = y.clamp(*from, until.max(*from)) - from;
                *o = if elapsed == 0.0 {
                    lg_start
                } else {
                    lg_start + elapsed * lg_growth
                };
            }
        }
        _ => {
            for (o, &y) in out.iter_mut().zip(years) {
                *o = t.at(y).log10();
            }
        }
    }
}

/// [`rl::progress`] of each year's steps `levers[k].rl_steps` into `levers[k].rl_progress`,
/// the default exponent 1.5 taken as `r * sqrt(r)` (within 2 ulp of the power, and overflowing
/// to inf where it does) in a loop that vectorises.
fn progress(p: &rl::RlParams, levers: &mut [Levers], h: &mut [f64]) {
    if p.exponent != 1.5 {
        for l in levers.iter_mut() {
            l.rl_progress = rl::progress(l.rl_steps, p.midpoint_steps, p.exponent);
        }
        return;
    }
    for (h, l) in h.iter_mut().zip(levers.iter()) {
        *h = l.rl_steps;
    }
    vecmath::vectorised(
        #[inline(always)]
        || {
            for h in h.iter_mut() {
                let r = p.midpoint_steps / *h;
                *h = if *h <= 0.0 {
                    0.0
                } else {
                    1.0 / (1.0 + r * r.sqrt())
                };
            }
        },
    );
    for (l, &h) in levers.iter_mut().zip(h.iter()) {
        l.rl_progress = h;
    }
}

/// `log10(S / onset)` of each year's RL steps, into `out`, 0 where `S <= onset` (no erosion
/// there); where the ratio overflows, `log10(S) - log10(onset)`.
fn erosion_decades(s: &Scenario, levers: &[Levers], out: &mut [f64]) {
    let onset = s.erosion.onset_steps;
    for (o, l) in out.iter_mut().zip(levers) {
        let ratio = l.rl_steps / onset;
        *o = if ratio > 1.0 { ratio } else { 1.0 };
    }
    if out.iter().all(|r| r.is_finite()) {
        vecmath::vectorised(
            #[inline(always)]
            || vecmath::log10(out),
        );
    } else {
        for (o, l) in out.iter_mut().zip(levers) {
            *o = if o.is_finite() {
                o.log10()
            } else {
                l.rl_steps.log10() - onset.log10()
            };
        }
    }
}

/// Per-year erosion factors `(N_ref/N)^e` and `decades^power` from the year's
/// [`erosion_decades`], or None where there is none.
fn erosion_factors(s: &Scenario, l: &Levers, decades: f64) -> Option<(f64, f64)> {
    let p = &s.erosion;
    if l.rl_steps <= p.onset_steps || p.rate == 0.0 || decades <= 0.0 {
        return None;
    }
    // x^0 = 1 and x^1 = x exactly, as powf gives them.
    let size = if p.size_exponent == 0.0 {
        1.0
    } else {
        (p.reference_params / l.params).powf(p.size_exponent)
    };
    let decades = if p.power == 1.0 {
        decades
    } else {
        decades.powf(p.power)
    };
    Some((size, decades))
}

/// One scenario's Monte Carlo evaluation: what is computed once, and how a sample is evaluated.
pub struct Plan {
    base: Scenario,
    slots: Vec<Slot>,
    reach: Reach,
    years: Vec<f64>,
    /// Levers at the medians; the parts no uncertain input reaches are never recomputed.
    levers: Vec<Levers>,
    /// `log10(6) + log10(K/R)/gamma` per year, when size and law are fixed.
    compute_part: Vec<f64>,
    erosion: Vec<Option<(f64, f64)>>,
    /// Indices into [`LEVER_NAMES`] of the levers that vary.
    pub varying_levers: Vec<usize>,
    /// `(domain index, threshold)` per milestone.
    milestones: Vec<(usize, f64)>,
}

/// Scratch space of one worker.
struct Scratch {
    scenario: Scenario,
    /// The sample's levers; the cost fields (which nothing here reports) keep the medians'.
    levers: Vec<Levers>,
    erosion: Vec<Option<(f64, f64)>>,
    gmax: Vec<f64>,
    /// One number per year, for the vectorised steps of [`Plan::update_levers`].
    per_year: Vec<f64>,
    /// Trajectories on the grid: size (two), log10 efficiency, RL, thinking, and the powers
    /// `N^-alpha` and `D^-beta` of the reducible loss.
    grid: [Vec<f64>; 7],
    /// The sample's per-year inputs of [`capability_row`] and its logits and log2 arguments.
    row: Row,
    inputs: Vec<f64>,
    z: Vec<f64>,
}

impl Plan {
    pub fn new(s: &Scenario) -> anyhow::Result<Plan> {
        let mut slots = Vec::new();
        for u in &s.uncertain {
            let slot = Slot::find(s, &u.path)
                .filter(|slot| slot.set(&mut s.clone(), u.dist.median()))
                .ok_or_else(|| anyhow::anyhow!("no place for the uncertain input `{}`", u.path))?;
            slots.push(slot);
        }
        let reach = Reach::of(s);
        let years = s.years();
        let levers: Vec<Levers> = years.iter().map(|&y| levers_at(s, y)).collect();
        let law = &s.pretraining.law;
        let compute_part = levers
            .iter()
            .map(|l| {
                6f64.log10()
                    + (law.k() / law.reducible_loss(l.params, l.tokens)).log10() / law.gamma()
            })
            .collect();
        let mut decades = vec![0.0; years.len()];
        erosion_decades(s, &levers, &mut decades);
        let erosion = levers
            .iter()
            .zip(&decades)
            .map(|(l, &d)| erosion_factors(s, l, d))
            .collect();
        let milestones = s
            .milestones
            .iter()
            .map(|m| {
                let d = s
                    .domains
                    .iter()
                    .position(|d| d.name == m.domain)
                    .unwrap_or(0);
                (d, m.threshold)
            })
            .collect();
        Ok(Plan {
            base: s.clone(),
            slots,
            reach,
            years,
            levers,
            compute_part,
            erosion,
            varying_levers: (0..LEVER_NAMES.len()).filter(|&j| reach.lever(j)).collect(),
            milestones,
        })
    }

    /// Grid years.
    pub fn years(&self) -> &[f64] {
        &self.years
    }

    /// Number of quantities per sample: capability per (domain, year), then the varying levers
    /// per year.
    fn quantities(&self) -> usize {
        (self.base.domains.len() + self.varying_levers.len()) * self.years.len()
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            scenario: self.base.clone(),
            levers: self.levers.clone(),
            erosion: self.erosion.clone(),
            gmax: vec![0.0; self.years.len()],
            per_year: vec![0.0; self.years.len()],
            grid: std::array::from_fn(|_| vec![0.0; self.years.len()]),
            row: Row::new(self.years.len()),
            inputs: vec![0.0; self.slots.len()],
            z: Vec::new(),
        }
    }

    /// Set the drawn inputs into the scratch scenario.
    fn apply(&self, inputs: &[f64], s: &mut Scenario) {
        for (slot, &v) in self.slots.iter().zip(inputs) {
            slot.set(s, v);
        }
    }

    /// Recompute the levers that the inputs reach, into `w.levers` and `w.erosion`.
    fn update_levers(&self, w: &mut Scratch) {
        let r = self.reach;
        let s = &w.scenario;
        let years = &self.years;
        let [a, b, eff, steps, thinking, n_power, d_power] = &mut w.grid;
        let law = &s.pretraining.law;
        if r.size {
            match &s.pretraining.size {
                ModelSize::ParamsTokens { params, tokens } => {
                    on_grid(params, years, a);
                    on_grid(tokens, years, b);
                    power_on_grid(params, 1.0, -law.alpha, years, n_power);
                    power_on_grid(tokens, 1.0, -law.beta, years, d_power);
                }
                ModelSize::Compute {
                    compute,
                    tokens_per_param,
                } => {
                    on_grid(compute, years, a);
                    for (n, d) in a.iter_mut().zip(b.iter_mut()) {
                        *n = (*n / (6.0 * tokens_per_param)).sqrt();
                        *d = tokens_per_param * *n;
                    }
                    // N = (C / 6r)^(1/2) and D = r N = (C r / 6)^(1/2).
                    let r6 = 6.0 * tokens_per_param;
                    power_on_grid(compute, 1.0 / r6, -law.alpha / 2.0, years, n_power);
                    let scale = tokens_per_param / 6.0;
                    power_on_grid(compute, scale, -law.beta / 2.0, years, d_power);
                }
            }
        }
        if r.efficiency {
            log10_on_grid(&s.pretraining.efficiency, years, eff);
        }
        if r.steps {
            let (RlSteps::Steps(t) | RlSteps::ComputeFraction(t)) = &s.rl_steps;
            on_grid(t, years, steps);
        }
        if r.thinking {
            on_grid(&s.thinking_tokens, years, thinking);
        }
        let (k_const, gamma) = (law.k(), law.gamma());
        let per_year = &mut w.per_year;
        if r.size || r.law {
            for (k, (l, x)) in w.levers.iter_mut().zip(per_year.iter_mut()).enumerate() {
                if r.size {
                    l.params = a[k];
                    l.tokens = b[k];
                }
                let reducible = if r.size {
                    law.a * n_power[k] + law.b * d_power[k]
                } else {
                    law.reducible_loss(l.params, l.tokens)
                };
                l.loss = law.e + reducible;
                *x = k_const / reducible;
            }
            vecmath::vectorised(
                #[inline(always)]
                || vecmath::log10(per_year),
            );
            for (k, (l, x)) in w.levers.iter_mut().zip(per_year.iter()).enumerate() {
                let part = 6f64.log10() + x / gamma;
                let efficiency = if r.efficiency {
                    eff[k]
                } else {
                    s.pretraining.efficiency.at(years[k]).log10()
                };
                l.effective_log10_compute = part + efficiency;
            }
        } else if r.efficiency {
            for (k, l) in w.levers.iter_mut().enumerate() {
                l.effective_log10_compute = self.compute_part[k] + eff[k];
            }
        }
        for (k, l) in w.levers.iter_mut().enumerate() {
            if r.steps {
                l.rl_steps = match &s.rl_steps {
                    RlSteps::Steps(_) => steps[k],
                    RlSteps::ComputeFraction(_) => {
                        0.75 * steps[k] * l.tokens / s.rl.tokens_per_step
                    }
                };
            }
            if r.thinking {
                l.thinking_tokens = thinking[k];
            }
        }
        if r.progress {
            progress(&s.rl, &mut w.levers, per_year);
        }
        if r.erosion {
            erosion_decades(s, &w.levers, per_year);
            for ((e, l), &d) in w.erosion.iter_mut().zip(&w.levers).zip(per_year.iter()) {
                *e = erosion_factors(s, l, d);
            }
        }
        for (g, l) in w.gmax.iter_mut().zip(&w.levers) {
            *g = rl::max_gain(&s.rl, l.effective_log10_compute);
        }
    }

    /// Evaluate sample `index`: its quantities go to `out` in order, its milestone
    /// arrival grid indices (`years.len()` for never) to `arrivals`.
    fn evaluate(
        &self,
        sampler: &Sampler,
        index: u64,
        w: &mut Scratch,
        out: &mut [f64],
        arrivals: &mut [usize],
    ) {
        sampler.draw(index, &mut w.inputs, &mut w.z);
        self.apply(&w.inputs, &mut w.scenario);
        self.update_levers(w);
        let s = &w.scenario;
        let n_years = self.years.len();
        let reciprocals = (
            1.0 / s.inference.ceiling.rl_scale_steps,
            1.0 / s.inference.reference_tokens,
        );
        for a in arrivals.iter_mut() {
            *a = n_years;
        }
        let fast = Row::applies(s);
        if fast {
            w.row.fill(s, &w.levers, &w.gmax, &w.erosion, reciprocals.0);
        }
        for (d, domain) in s.domains.iter().enumerate() {
            let row = &mut out[d * n_years..(d + 1) * n_years];
            let tau = rl::transfer_share(domain.verifiability, s.rl.transfer);
            if fast {
                w.row.capability(s, domain, tau, reciprocals.1);
                row.copy_from_slice(&w.row.capability);
            } else {
                for (k, c) in row.iter_mut().enumerate() {
                    *c = capability(
                        s,
                        domain,
                        tau,
                        &w.levers[k],
                        w.gmax[k],
                        w.erosion[k],
                        reciprocals,
                    );
                }
            }
            for (m, &(md, threshold)) in self.milestones.iter().enumerate() {
                if md == d {
                    arrivals[m] = row.iter().position(|&c| c >= threshold).unwrap_or(n_years);
                }
            }
        }
        let base = s.domains.len() * n_years;
        for (i, &j) in self.varying_levers.iter().enumerate() {
            for (k, l) in w.levers.iter().enumerate() {
                let v = lever_value(l, j);
                out[base + i * n_years + k] = v;
            }
        }
    }
}

/// One sample's capability for one domain across all years at once, for the common case (a
/// ceiling that is on, sharpness 4, ceiling exponent 1/2, no overthinking): per-year inputs as
/// plain arrays and the arithmetic in separate loops over years, which the compiler vectorises,
/// apart from the `log2` and `exp` calls. The same equations as [`capability`], to a few ulp.
struct Row {
    /// Effective compute u, `Gmax * h`, progress h, erosion factors `size * decades` (0 where
    /// there is no erosion), `S / rl_scale_steps`, thinking tokens T.
    u: Vec<f64>,
    gain: Vec<f64>,
    h: Vec<f64>,
    erosion: Vec<f64>,
    steps: Vec<f64>,
    tokens: Vec<f64>,
    /// The logit (first without the inference term), kappa, `T_eff / T0` then its log2 term,
    /// `exp(-|logit|)`, and the capability.
    logit: Vec<f64>,
    kappa: Vec<f64>,
    x: Vec<f64>,
    e: Vec<f64>,
    capability: Vec<f64>,
}

impl Row {
    fn new(n: usize) -> Row {
        let v = || vec![0.0; n];
        Row {
            u: v(),
            gain: v(),
            h: v(),
            erosion: v(),
            steps: v(),
            tokens: v(),
            logit: v(),
            kappa: v(),
            x: v(),
            e: v(),
            capability: v(),
        }
    }

    /// Whether `s` is the common case this evaluates.
    fn applies(s: &Scenario) -> bool {
        let c = &s.inference.ceiling;
        !c.is_off() && c.sharpness == 4.0 && c.rl_exponent == 0.5 && c.overthinking == 0.0
    }

    fn fill(
        &mut self,
        s: &Scenario,
        levers: &[Levers],
        gmax: &[f64],
        erosion: &[Option<(f64, f64)>],
        inv_scale: f64,
    ) {
        for (k, l) in levers.iter().enumerate() {
            self.u[k] = l.effective_log10_compute;
            self.gain[k] = gmax[k] * l.rl_progress;
            self.h[k] = l.rl_progress;
            self.erosion[k] = match erosion[k] {
                Some((size, decades)) => s.erosion.rate * size * decades,
                None => 0.0,
            };
            self.steps[k] = l.rl_steps * inv_scale;
            self.tokens[k] = l.thinking_tokens;
        }
    }

    /// Capability of `domain` (transfer share `tau`) per year into `self.capability`.
    fn capability(&mut self, s: &Scenario, domain: &Domain, tau: f64, inv_t0: f64) {
        vecmath::vectorised(
            #[inline(always)]
            || self.capability_loops(s, domain, tau, inv_t0),
        );
    }

    #[inline(always)]
    fn capability_loops(&mut self, s: &Scenario, domain: &Domain, tau: f64, inv_t0: f64) {
        let (slope, difficulty) = (domain.slope, domain.difficulty);
        let share = if domain.verifiability == 1.0 {
            0.0
        } else {
            1.0 - domain.verifiability
        };
        let p = &s.inference;
        let c = &p.ceiling;
        let (tau_pos, rl_gain) = (tau.max(0.0), p.rl_gain * tau);
        let n = self.u.len();
        let (u, gain, h, erosion, steps, tokens) = (
            &self.u[..n],
            &self.gain[..n],
            &self.h[..n],
            &self.erosion[..n],
            &self.steps[..n],
            &self.tokens[..n],
        );
        let (logits, kappas, xs) = (&mut self.logit[..n], &mut self.kappa[..n], &mut self.x[..n]);
        // Branch-free: `min`, `max` and the special cases as selects (the same wherever no NaN
        // is involved), so that the loop vectorises.
        let select_min = |a: f64, b: f64| if a < b { a } else { b };
        for k in 0..n {
            // No erosion term at all where the share is 0 (not 0 times the factor).
            let erosion = share * erosion[k];
            let erosion = if share == 0.0 { 0.0 } else { erosion };
            logits[k] = slope * (u[k] - difficulty) + tau * gain[k] - erosion;
            kappas[k] = p.base_gain + rl_gain * h[k];
            let ceiling = select_min(c.base * (1.0 + tau_pos * steps[k]).sqrt(), c.max);
            let tokens = tokens[k];
            let (m, big) = if tokens < ceiling {
                (tokens, ceiling)
            } else {
                (ceiling, tokens)
            };
            let q = if big == f64::INFINITY { 0.0 } else { m / big };
            let q2 = q * q;
            let t_eff = m / (1.0 + q2 * q2).sqrt().sqrt();
            xs[k] = if tokens <= 0.0 { 0.0 } else { t_eff * inv_t0 };
        }
        vecmath::log2_1p(xs);
        // The logistic function as in `model::sigmoid`, from `exp(-|logit|)`.
        let e = &mut self.e[..n];
        for k in 0..n {
            logits[k] += kappas[k] * xs[k];
            e[k] = -logits[k].abs();
        }
        vecmath::exp(e);
        let floor = domain.floor;
        for ((out, &logit), &e) in self.capability[..n].iter_mut().zip(&*logits).zip(&*e) {
            let sigmoid = if logit >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let c = floor + (1.0 - floor) * sigmoid;
            *out = if c > 1.0 { 1.0 } else { c };
        }
    }
}

/// Capability of `domain` at one year: the terms of [`model::domain_terms`] without the thinking
/// multiplier, with sharpness 4 and ceiling exponent 1/2 evaluated by square roots, and the
/// divisions by `rl_scale_steps` and `reference_tokens` as products with their `reciprocals`.
fn capability(
    s: &Scenario,
    domain: &Domain,
    tau: f64,
    l: &Levers,
    gmax: f64,
    erosion: Option<(f64, f64)>,
    (inv_scale, inv_t0): (f64, f64),
) -> f64 {
    let h = l.rl_progress;
    let pretrain = domain.slope * (l.effective_log10_compute - domain.difficulty);
    let rl_term = rl::term(tau, gmax, h);
    let erosion_term = match erosion {
        Some((size, decades)) if domain.verifiability != 1.0 => {
            (1.0 - domain.verifiability) * s.erosion.rate * size * decades
        }
        _ => 0.0,
    };
    let p = &s.inference;
    let c = &p.ceiling;
    let kappa = p.base_gain + p.rl_gain * tau * h;
    let tokens = l.thinking_tokens;
    let ceiling = if c.is_off() {
        f64::INFINITY
    } else {
        let growth = 1.0 + tau.max(0.0) * l.rl_steps * inv_scale;
        let factor = if c.rl_exponent == 0.5 {
            growth.sqrt()
        } else {
            growth.powf(c.rl_exponent)
        };
        (c.base * factor).min(c.max)
    };
    let inference_term = if tokens <= 0.0 {
        -model::inference::overthink(c, tokens, ceiling)
    } else {
        let t_eff = if c.sharpness == 4.0 && ceiling.is_finite() {
            let (m, big) = (tokens.min(ceiling), tokens.max(ceiling));
            let q = m / big;
            let q2 = q * q;
            m / (1.0 + q2 * q2).sqrt().sqrt()
        } else {
            model::inference::effective_tokens(tokens, ceiling, c.sharpness)
        };
        let x = t_eff * inv_t0;
        // log2(1 + x): log2 is cheaper than ln_1p and as accurate once x >= 1.
        let doublings = if x >= 1.0 {
            (1.0 + x).log2()
        } else {
            x.ln_1p() / std::f64::consts::LN_2
        };
        kappa * doublings - model::inference::overthink(c, tokens, ceiling)
    };
    let logit = pretrain + rl_term - erosion_term + inference_term;
    model::capability(domain.floor, logit)
}

// ---------------------------------------------------------------------------------------------
// Histograms

/// How a quantity's values map to histogram bins.
#[derive(Clone, Copy, Debug)]
enum Bins {
    /// Equal bins on `[lo, lo + BINS * width)`; `per_width = 1 / width`.
    Linear { lo: f64, width: f64, per_width: f64 },
    /// Log-scale bins for positive values: bin `(bits - base) >> shift` of the f64's bit
    /// pattern (monotone for positive numbers), so a bin spans a fixed ratio.
    Bits { base: u64, shift: u32 },
}

impl Bins {
    /// Slot 0 is below the range, slots `1..=BINS` the bins, `BINS + 1` above.
    #[inline]
    fn slot(&self, x: f64) -> u16 {
        match *self {
            Bins::Linear { lo, per_width, .. } => Bins::linear_slot(x, lo, per_width),
            Bins::Bits { base, shift } => Bins::bits_slot(x, base, u64::from(shift)),
        }
    }

    /// [`Bins::slot`] of linear bins.
    #[inline(always)]
    fn linear_slot(x: f64, lo: f64, per_width: f64) -> u16 {
        let i = (x - lo) * per_width;
        if i < 0.0 {
            0
        } else if i >= BINS as f64 {
            BINS as u16 + 1
        } else {
            i as u16 + 1
        }
    }

    /// [`Bins::slot`] of log-scale bins, without branches: `base` is a positive number's bits
    /// (below 2^63), so that zero and negative numbers (negative as i64) fall below it.
    #[inline(always)]
    fn bits_slot(x: f64, base: u64, shift: u64) -> u16 {
        let b = x.to_bits() as i64;
        // Computed whatever the case, then selected (no masked loads).
        let slot = ((b as u64).wrapping_sub(base) >> shift).min(BINS as u64) as u16 + 1;
        if b < base as i64 || x.is_nan() {
            0
        } else {
            slot
        }
    }

    /// The value range of bin `j` (0-based).
    fn edges(&self, j: usize) -> (f64, f64) {
        match *self {
            Bins::Linear { lo, width, .. } => (lo + j as f64 * width, lo + (j + 1) as f64 * width),
            Bins::Bits { base, shift } => (
                f64::from_bits(base + ((j as u64) << shift)),
                f64::from_bits(base + ((j as u64 + 1) << shift)),
            ),
        }
    }

    /// Linear bins around a pilot's range `[min, max]`, widened by an eighth of the range on each side.
    fn linear(min: f64, max: f64) -> Bins {
        let span = (max - min).max(1e-9 * max.abs().max(1.0));
        let width = 1.25 * span / BINS as f64;
        Bins::Linear {
            lo: min - span / 8.0,
            width,
            per_width: 1.0 / width,
        }
    }

    /// Bins around a pilot's range `[min, max]`, widened by an eighth of the range on each side: log
    /// scale for positive values, linear otherwise.
    fn around(min: f64, max: f64) -> Bins {
        if min > 0.0 && max.is_finite() {
            let (lo, hi) = (min.to_bits(), max.to_bits());
            let pad = ((hi - lo) / 8).max(1 << 36);
            let lo = lo.saturating_sub(pad).max(1);
            let hi = hi.saturating_add(pad).min(f64::MAX.to_bits());
            let mut shift = 0;
            while ((hi - lo) >> shift) >= BINS as u64 {
                shift += 1;
            }
            Bins::Bits { base: lo, shift }
        } else {
            Bins::linear(min, max)
        }
    }
}

/// A streaming summary of one quantity: histogram counts, exact min, max and count.
#[derive(Clone, Debug)]
pub struct Sketch {
    bins: Bins,
    counts: Vec<u32>,
    pub min: f64,
    pub max: f64,
    pub n: u64,
}

impl Sketch {
    fn new(bins: Bins) -> Sketch {
        Sketch {
            bins,
            counts: vec![0; BINS + 2],
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            n: 0,
        }
    }

    /// A sketch of `values` on log-scale bins fitted to them (for tests and small runs).
    pub fn of(values: &[f64]) -> Sketch {
        let (min, max) = min_max(values);
        let mut s = Sketch::new(Bins::around(min, max));
        s.add(values);
        s
    }

    /// Add `values`.
    fn add(&mut self, values: &[f64]) {
        let slots: Vec<u16> = values.iter().map(|&x| self.bins.slot(x)).collect();
        self.count(&slots, min_max(values));
    }

    /// Add values given by their bin slots and their `(min, max)`.
    fn count(&mut self, slots: &[u16], (min, max): (f64, f64)) {
        let counts = &mut self.counts[..BINS + 2];
        match slots.first() {
            // All in one bin (a capability at its ceiling of 1, say): one addition instead of
            // a chain of increments of the same counter, each waiting for the last.
            Some(&slot) if min == max => counts[usize::from(slot)] += slots.len() as u32,
            _ => {
                for &slot in slots {
                    counts[usize::from(slot)] += 1;
                }
            }
        }
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        self.n += slots.len() as u64;
    }

    /// Ask for the counts to be brought into cache (a hint; nothing on other CPUs).
    fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        for line in self.counts.chunks(16) {
            // SAFETY: a prefetch reads nothing and faults on no address.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    line.as_ptr().cast(),
                )
            };
        }
    }

    fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.n += other.n;
    }

    /// Quantiles at the increasing probabilities `ps`: the inverse of the empirical CDF, linear
    /// within a bin (a bin's ends are clipped to the exact min and max).
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        if self.min == self.max {
            return vec![self.min; ps.len()];
        }
        let mut out = Vec::with_capacity(ps.len());
        let mut targets = ps.iter().peekable();
        let mut before = 0u64;
        for (slot, &c) in self.counts.iter().enumerate() {
            let c = u64::from(c);
            if c == 0 {
                continue;
            }
            let (lo, hi) = match slot {
                0 => (self.min, self.min),
                s if s == BINS + 1 => (self.max, self.max),
                s => self.bins.edges(s - 1),
            };
            let (lo, hi) = (lo.clamp(self.min, self.max), hi.clamp(self.min, self.max));
            // Below/above the range: spread between the exact extreme and the range's edge.
            let (lo, hi) = match slot {
                0 => (self.min, self.bins.edges(0).0.clamp(self.min, self.max)),
                s if s == BINS + 1 => (
                    self.bins.edges(BINS - 1).1.clamp(self.min, self.max),
                    self.max,
                ),
                _ => (lo, hi),
            };
            while let Some(&&p) = targets.peek() {
                let rank = p * self.n as f64;
                if rank > (before + c) as f64 {
                    break;
                }
                let frac = ((rank - before as f64) / c as f64).clamp(0.0, 1.0);
                out.push(lo + frac * (hi - lo));
                targets.next();
            }
            before += c;
        }
        while out.len() < ps.len() {
            out.push(self.max);
        }
        out
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

// ---------------------------------------------------------------------------------------------
// Running

/// The quantile levels of `quantiles.csv`.
pub const LEVELS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Summary of one quantity over the samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub mean: f64,
    /// At [`LEVELS`].
    pub quantiles: [f64; 5],
    /// Monte Carlo standard error of the median.
    pub median_se: f64,
}

/// Arrival of one milestone among the samples.
#[derive(Clone, Debug, PartialEq)]
pub struct MilestoneArrival {
    pub domain: String,
    pub threshold: f64,
    /// Samples reaching it first at grid year k, per k.
    pub counts: Vec<u64>,
    /// Samples never reaching it.
    pub never: u64,
}

impl MilestoneArrival {
    /// The arrival year at probability `p` among all samples, None if fewer than `p` of them
    /// arrive within the grid ("after the end").
    pub fn quantile(&self, years: &[f64], p: f64) -> Option<f64> {
        let n: u64 = self.counts.iter().sum::<u64>() + self.never;
        let mut cum = 0;
        for (k, &c) in self.counts.iter().enumerate() {
            cum += c;
            if c > 0 && cum as f64 >= p * n as f64 {
                return Some(years[k]);
            }
        }
        None
    }

    /// Share of samples that never reach it within the grid.
    pub fn not_reached(&self) -> f64 {
        let n: u64 = self.counts.iter().sum::<u64>() + self.never;
        self.never as f64 / n as f64
    }
}

/// The result of a Monte Carlo run of one scenario.
#[derive(Clone, Debug)]
pub struct McResult {
    pub scenario: String,
    pub samples: usize,
    pub seed: u64,
    pub years: Vec<f64>,
    pub domains: Vec<String>,
    /// `capability[d][k]`.
    pub capability: Vec<Vec<Summary>>,
    /// `levers[j][k]` for every column of [`LEVER_NAMES`] (fixed levers: their one value).
    pub levers: Vec<Vec<Summary>>,
    pub milestones: Vec<MilestoneArrival>,
}

/// One chunk of samples on its way into the histograms: each quantity's bin slots
/// (quantity-major, `slots[j * STRIDE + i]`, so that a histogram is counted in one pass while its
/// counts are in cache), and the sum (in sample order), min and max of its values.
struct Tally {
    /// The bins of the first quantities (the capabilities), all linear, as arrays of `lo` and
    /// `1 / width` so that their slots are found in a loop that vectorises; then the others'.
    lo: Vec<f64>,
    per_width: Vec<f64>,
    /// The other quantities' bins; when all are log-scale, also as arrays of base and shift.
    rest: Vec<Bins>,
    bits: Option<(Vec<u64>, Vec<u64>)>,
    /// The last samples' slots, sample-major (`block[b * q + j]`), moved to `slots` every
    /// [`BLOCK`] samples: one sample's slots written straight to `slots` would touch one cache
    /// line per quantity, every sample.
    block: Vec<u16>,
    slots: Vec<u16>,
    sums: Vec<f64>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
}

impl Tally {
    fn new(bins: &[Bins]) -> Tally {
        let q = bins.len();
        let linear = bins
            .iter()
            .take_while(|b| matches!(b, Bins::Linear { .. }))
            .count();
        let (lo, per_width) = bins[..linear]
            .iter()
            .map(|b| match *b {
                Bins::Linear { lo, per_width, .. } => (lo, per_width),
                Bins::Bits { .. } => unreachable!("counted as linear"),
            })
            .unzip();
        let rest = &bins[linear..];
        let bits = rest
            .iter()
            .map(|b| match *b {
                Bins::Bits { base, shift } => Some((base, u64::from(shift))),
                Bins::Linear { .. } => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().unzip());
        Tally {
            lo,
            per_width,
            rest: rest.to_vec(),
            bits,
            block: vec![0; BLOCK * q],
            slots: vec![0; q * STRIDE],
            sums: vec![0.0; q],
            mins: vec![f64::INFINITY; q],
            maxs: vec![f64::NEG_INFINITY; q],
        }
    }

    fn clear(&mut self) {
        self.sums = vec![0.0; self.mins.len()];
        self.mins.fill(f64::INFINITY);
        self.maxs.fill(f64::NEG_INFINITY);
    }

    /// Take sample `i` of the chunk; samples come in order, from 0.
    fn add(&mut self, i: usize, values: &[f64]) {
        vecmath::vectorised(
            #[inline(always)]
            || self.add_loops(i % BLOCK, values),
        );
        if i % BLOCK == BLOCK - 1 {
            self.flush(i + 1);
        }
    }

    /// Move the block's slots of the samples before `end` (those since the last multiple of
    /// [`BLOCK`]) to `slots`.
    fn flush(&mut self, end: usize) {
        let first = (end - 1) / BLOCK * BLOCK;
        let q = self.mins.len();
        for j in 0..q {
            let to = &mut self.slots[j * STRIDE + first..j * STRIDE + end];
            for (b, slot) in to.iter_mut().enumerate() {
                *slot = self.block[b * q + j];
            }
        }
    }

    #[inline(always)]
    fn add_loops(&mut self, b: usize, values: &[f64]) {
        let q = self.mins.len();
        let values = &values[..q];
        let (sums, mins, maxs) = (
            &mut self.sums[..q],
            &mut self.mins[..q],
            &mut self.maxs[..q],
        );
        // (Selects here would become masked stores, which are slow on some CPUs.)
        for j in 0..q {
            let v = values[j];
            sums[j] += v;
            mins[j] = mins[j].min(v);
            maxs[j] = maxs[j].max(v);
        }
        let linear = self.lo.len();
        let (lo, per_width) = (&self.lo[..linear], &self.per_width[..linear]);
        let (slot_lin, slot_rest) = self.block[b * q..(b + 1) * q].split_at_mut(linear);
        for j in 0..linear {
            slot_lin[j] = Bins::linear_slot(values[j], lo[j], per_width[j]);
        }
        match &self.bits {
            Some((base, shift)) => {
                for (((slot, &base), &shift), &v) in slot_rest
                    .iter_mut()
                    .zip(base)
                    .zip(shift)
                    .zip(&values[linear..])
                {
                    *slot = Bins::bits_slot(v, base, shift);
                }
            }
            None => {
                for ((slot, b), &v) in slot_rest.iter_mut().zip(&self.rest).zip(&values[linear..]) {
                    *slot = b.slot(v);
                }
            }
        }
    }
}

/// Accumulators of one worker.
struct Partial {
    sketches: Vec<Sketch>,
    arrivals: Vec<Vec<u64>>,
    bad: Option<u64>,
}

/// Float sums per quantity, added chunk by chunk in chunk order whatever order chunks finish in.
struct OrderedSums {
    next: usize,
    pending: BTreeMap<usize, Vec<f64>>,
    total: Vec<f64>,
}

impl OrderedSums {
    fn push(&mut self, chunk: usize, sums: Vec<f64>) {
        self.pending.insert(chunk, sums);
        while let Some(sums) = self.pending.remove(&self.next) {
            for (t, s) in self.total.iter_mut().zip(sums) {
                *t += s;
            }
            self.next += 1;
        }
    }
}

/// Run `samples` samples of the scenario with `seed` on the current rayon pool. `progress` is
/// told how many samples each finished chunk had.
pub fn run(
    s: &Scenario,
    samples: usize,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<McResult, InputErrors> {
    let sampler = Sampler::new(s, seed)?;
    let plan = Plan::new(s).map_err(|e| InputErrors::from(s.document.error("", e.to_string())))?;
    let n_years = plan.years.len();
    let n_domains = s.domains.len();
    let q = plan.quantities();
    let n_chunks = samples.div_ceil(CHUNK);

    // Pilot: the first samples fix the histograms' ranges.
    let pilot_len = samples.min(PILOT);
    let mut w = plan.scratch();
    let mut values = vec![0.0; q];
    let mut pilot = vec![0.0; q * pilot_len];
    let mut arrivals = vec![0; plan.milestones.len()];
    for i in 0..pilot_len {
        plan.evaluate(&sampler, i as u64, &mut w, &mut values, &mut arrivals);
        for (j, &v) in values.iter().enumerate() {
            pilot[j * pilot_len + i] = v;
        }
    }
    let bins: Vec<Bins> = (0..q)
        .map(|j| {
            let (lo, hi) = min_max(&pilot[j * pilot_len..(j + 1) * pilot_len]);
            if j < n_domains * n_years {
                Bins::linear(lo, hi)
            } else {
                Bins::around(lo, hi)
            }
        })
        .collect();
    drop(pilot);

    let next = AtomicUsize::new(0);
    let sums = Mutex::new(OrderedSums {
        next: 0,
        pending: BTreeMap::new(),
        total: vec![0.0; q],
    });
    let partials: Vec<Partial> = rayon::broadcast(|_| {
        let mut w = plan.scratch();
        let mut values = vec![0.0; q];
        let mut tally = Tally::new(&bins);
        let mut arrivals = vec![0; plan.milestones.len()];
        let mut part = Partial {
            sketches: bins.iter().map(|b| Sketch::new(*b)).collect(),
            arrivals: vec![vec![0; n_years + 1]; plan.milestones.len()],
            bad: None,
        };
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= n_chunks {
                break;
            }
            let first = c * CHUNK;
            let len = CHUNK.min(samples - first);
            tally.clear();
            for i in 0..len {
                plan.evaluate(
                    &sampler,
                    (first + i) as u64,
                    &mut w,
                    &mut values,
                    &mut arrivals,
                );
                tally.add(i, &values);
                for (m, &a) in arrivals.iter().enumerate() {
                    part.arrivals[m][a] += 1;
                }
            }
            if !len.is_multiple_of(BLOCK) {
                tally.flush(len);
            }
            for j in 0..q {
                // The next histogram comes into cache while this one is counted.
                if let Some(next) = part.sketches.get(j + 1) {
                    next.prefetch();
                }
                part.sketches[j].count(
                    &tally.slots[j * STRIDE..j * STRIDE + len],
                    (tally.mins[j], tally.maxs[j]),
                );
            }
            // A value that is not finite makes its sum so: then find the first such sample.
            if !tally.sums.iter().all(|s| s.is_finite()) && part.bad.is_none() {
                part.bad = (first..first + len).map(|i| i as u64).find(|&index| {
                    plan.evaluate(&sampler, index, &mut w, &mut values, &mut arrivals);
                    !values.iter().all(|v| v.is_finite())
                });
            }
            if let Ok(mut s) = sums.lock() {
                s.push(c, std::mem::take(&mut tally.sums));
            }
            progress(len as u64);
        }
        part
    });

    let mut partials = partials.into_iter();
    let mut total = partials
        .next()
        .ok_or_else(|| InputErrors::from(s.document.error("", "no worker thread ran")))?;
    for p in partials {
        for (a, b) in total.sketches.iter_mut().zip(&p.sketches) {
            a.merge(b);
        }
        for (a, b) in total.arrivals.iter_mut().zip(&p.arrivals) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        total.bad = match (total.bad, p.bad) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    if let Some(index) = total.bad {
        return Err(bad_sample(s, &plan, &sampler, index));
    }
    let sums = sums.into_inner().map(|s| s.total).unwrap_or_default();
    let summarise = |j: usize| summary(&total.sketches[j], sums[j], samples);
    let capability = (0..n_domains)
        .map(|d| (0..n_years).map(|k| summarise(d * n_years + k)).collect())
        .collect();
    let base = n_domains * n_years;
    let levers = (0..LEVER_NAMES.len())
        .map(|j| match plan.varying_levers.iter().position(|&v| v == j) {
            Some(i) => (0..n_years)
                .map(|k| summarise(base + i * n_years + k))
                .collect(),
            None => plan
                .levers
                .iter()
                .map(|l| fixed_summary(lever_value(l, j)))
                .collect(),
        })
        .collect();
    let milestones = s
        .milestones
        .iter()
        .zip(total.arrivals)
        .map(|(m, mut counts)| {
            let never = counts.pop().unwrap_or(0);
            MilestoneArrival {
                domain: m.domain.clone(),
                threshold: m.threshold,
                counts,
                never,
            }
        })
        .collect();
    Ok(McResult {
        scenario: s.name.clone(),
        samples,
        seed,
        years: plan.years.clone(),
        domains: s.domains.iter().map(|d| d.name.clone()).collect(),
        capability,
        levers,
        milestones,
    })
}

/// The half-width of the quantile window for the density at the median: `min(0.25, n^(-1/3))`.
pub fn se_window(n: usize) -> f64 {
    (n as f64).powf(-1.0 / 3.0).min(0.25)
}

fn summary(sketch: &Sketch, sum: f64, n: usize) -> Summary {
    let h = se_window(n);
    let qs = sketch.quantiles(&[0.05, 0.25, 0.5 - h, 0.5, 0.5 + h, 0.75, 0.95]);
    // SE(median) = sqrt(p (1 - p) / n) / f(median), 1 / f estimated by (Q(1/2 + h) - Q(1/2 - h)) / 2h.
    let median_se = (0.25 / n as f64).sqrt() * (qs[4] - qs[2]) / (2.0 * h);
    Summary {
        mean: sum / n as f64,
        quantiles: [qs[0], qs[1], qs[3], qs[5], qs[6]],
        median_se,
    }
}

fn fixed_summary(x: f64) -> Summary {
    Summary {
        mean: x,
        quantiles: [x; 5],
        median_se: 0.0,
    }
}

/// An input error for a sample whose forecast is not finite: the deterministic forecast at its
/// inputs names the key and year; the message adds the sample and its inputs.
fn bad_sample(s: &Scenario, plan: &Plan, sampler: &Sampler, index: u64) -> InputErrors {
    let mut inputs = vec![0.0; sampler.len()];
    sampler.draw(index, &mut inputs, &mut Vec::new());
    let mut at = s.clone();
    plan.apply(&inputs, &mut at);
    let drawn: Vec<String> = sampler
        .paths
        .iter()
        .zip(&inputs)
        .map(|(p, v)| format!("{p} = {}", crate::report::csv::number(*v)))
        .collect();
    let context = format!("in Monte Carlo sample {index} ({})", drawn.join(", "));
    match crate::forecast::forecast(&at) {
        Err(mut e) => {
            for err in &mut e.0 {
                err.message = format!("{} {context}", err.message);
            }
            e
        }
        Ok(_) => InputError::new(
            &s.document.file,
            "",
            None,
            "",
            format!("a capability or lever is not finite {context}"),
        )
        .with_hint("narrow the distributions or clamp them with `min` / `max`")
        .into(),
    }
}

/// The drawn inputs of samples `0..samples`, one row per sample (for `samples.csv`).
pub fn drawn_inputs(sampler: &Sampler, samples: usize, mut row: impl FnMut(usize, &[f64])) {
    let mut inputs = vec![0.0; sampler.len()];
    let mut z = Vec::new();
    for i in 0..samples {
        sampler.draw(i as u64, &mut inputs, &mut z);
        row(i, &inputs);
    }
}

// ---------------------------------------------------------------------------------------------
// Sensitivity

/// One input's swing: the output with the input at its p5 and at its p95, all others at their
/// medians.
#[derive(Clone, Debug, PartialEq)]
pub struct Swing {
    pub input: String,
    pub low_input: f64,
    pub high_input: f64,
    /// None: a milestone not reached within the grid.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `|high - low|`, a milestone not reached counting as one step after the last year.
    pub swing: f64,
}

/// A tornado: one output's swings, largest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// `capability:DOMAIN` or `milestone:DOMAIN>=THRESHOLD`.
    pub target: String,
    /// The output at the medians.
    pub base: Option<f64>,
    pub swings: Vec<Swing>,
}

/// Sensitivity of every domain's capability at grid year `year_index`, and of every milestone's
/// arrival year, to each uncertain input (deterministic forecasts, others at their medians).
pub fn sensitivity(s: &Scenario, year_index: usize) -> Result<Vec<Tornado>, InputErrors> {
    let base = crate::forecast::forecast(s)?;
    let after = s.time.year(s.time.len() - 1) + s.time.step;
    let mut ends = Vec::new();
    for u in &s.uncertain {
        let mut pair = Vec::new();
        for (p, name) in [(0.05, "p5"), (0.95, "p95")] {
            let x = u.dist.quantile(p);
            let mut t = s.clone();
            t.set(&u.path, x)?;
            let f = crate::forecast::forecast(&t).map_err(|mut e| {
                for err in &mut e.0 {
                    err.message = format!(
                        "{} with `{}` at its {name} ({}), in the sensitivity analysis",
                        err.message,
                        u.path,
                        crate::report::csv::number(x)
                    );
                }
                e
            })?;
            pair.push((x, f));
        }
        ends.push(pair);
    }
    let mut out = Vec::new();
    let tornado = |target: String, get: &dyn Fn(&crate::forecast::Forecast) -> Option<f64>| {
        let mut swings: Vec<Swing> = s
            .uncertain
            .iter()
            .zip(&ends)
            .map(|(u, pair)| {
                let (low, high) = (get(&pair[0].1), get(&pair[1].1));
                Swing {
                    input: u.path.clone(),
                    low_input: pair[0].0,
                    high_input: pair[1].0,
                    low,
                    high,
                    swing: (high.unwrap_or(after) - low.unwrap_or(after)).abs(),
                }
            })
            .collect();
        swings.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        Tornado {
            target,
            base: get(&base),
            swings,
        }
    };
    for (d, name) in base.domains.iter().enumerate() {
        out.push(tornado(format!("capability:{name}"), &|f| {
            Some(f.terms[d][year_index].capability)
        }));
    }
    for m in &s.milestones {
        out.push(tornado(
            format!("milestone:{}>={}", m.domain, m.threshold),
            &|f| crate::report::json::milestone_year(f, &m.domain, m.threshold),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    const SCENARIO: &str = r#"
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

    fn scenario(text: &str) -> Scenario {
        Scenario::from_text("t.toml", "t", text).expect("valid scenario")
    }

    #[test]
    fn slots_reach_every_key_path() {
        let s = scenario(SCENARIO);
        for (i, (path, _)) in s.parameters().into_iter().enumerate() {
            if path.starts_with("time.") {
                continue;
            }
            let slot = Slot::find(&s, &path).unwrap_or_else(|| panic!("no slot for {path}"));
            let mut t = s.clone();
            let marker = 1234.5 + i as f64;
            assert!(slot.set(&mut t, marker), "{path}");
            let got: Vec<_> = t
                .parameters()
                .into_iter()
                .filter(|(_, v)| *v == marker)
                .map(|(p, _)| p)
                .collect();
            assert_eq!(got, vec![path.clone()]);
        }
        let s = scenario(&SCENARIO.replace(
            "compute = { start = 2e25, growth = { dist = \"lognormal\", p5 = 2.0, p95 = 6.0 } }\ntokens_per_param = { dist = \"uniform\", low = 15, high = 30 }",
            "params = 1e12\ntokens = { start = 2e13, growth = 1.5 }",
        ));
        for path in ["pretraining.params", "pretraining.tokens.growth"] {
            let mut t = s.clone();
            assert!(Slot::find(&s, path).unwrap().set(&mut t, 7.0), "{path}");
        }
    }

    /// The fast evaluation equals the deterministic forecast of the same drawn inputs.
    #[test]
    fn fast_path_matches_forecast_on_drawn_inputs() {
        for text in [
            SCENARIO.to_string(),
            SCENARIO.replace("max = 1e6", "sharpness = 4\nrl_exponent = 0.7"),
            SCENARIO.replace("max = 1e6", "base = inf"),
            SCENARIO.replace("max = 1e6", "sharpness = inf"),
            SCENARIO.replace(
                "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
                "",
            ),
            // Default RL exponent (1.5), explicit parameters and tokens, the common ceiling.
            SCENARIO
                .replace(
                    "exponent = { dist = \"normal\", p5 = 1.0, p95 = 2.0, min = 0.1 }",
                    "",
                )
                .replace(
                    "compute = { start = 2e25, growth = { dist = \"lognormal\", p5 = 2.0, p95 = 6.0 } }\ntokens_per_param = { dist = \"uniform\", low = 15, high = 30 }",
                    "params = { start = 1e12, growth = { dist = \"uniform\", low = 1.2, high = 2 } }\ntokens = { start = 2e13, growth = 1.5 }",
                )
                .replace(
                    "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
                    "",
                ),
        ] {
            let s = scenario(&text);
            let sampler = Sampler::new(&s, 7).unwrap();
            let plan = Plan::new(&s).unwrap();
            let mut w = plan.scratch();
            let q = plan.quantities();
            let mut out = vec![0.0; q];
            let mut arrivals = vec![0; plan.milestones.len()];
            for index in 0..40 {
                plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
                assert!(out.iter().all(|v| v.is_finite()));
                let mut t = s.clone();
                for (p, v) in sampler.paths.iter().zip(&w.inputs) {
                    t.set(p, *v).unwrap();
                }
                let f = forecast(&t).unwrap();
                let n = f.levers.len();
                for d in 0..f.domains.len() {
                    for k in 0..n {
                        let (got, want) = (out[d * n + k], f.terms[d][k].capability);
                        assert!((got - want).abs() <= 1e-13, "{got} vs {want}");
                    }
                }
                for (i, &j) in plan.varying_levers.iter().enumerate() {
                    for k in 0..n {
                        let got = out[(f.domains.len() + i) * n + k];
                        let want = lever_value(&f.levers[k], j);
                        assert!(
                            (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                            "{} {got} vs {want}",
                            LEVER_NAMES[j]
                        );
                    }
                }
                for (m, ms) in t.milestones.iter().enumerate() {
                    let want = crate::report::json::milestone_year(&f, &ms.domain, ms.threshold);
                    let got = (arrivals[m] < n).then(|| f.levers[arrivals[m]].year);
                    assert_eq!(got, want);
                }
            }
        }
    }

    /// The AVX2 build of the capability loops and the plain one give the same bits (the
    /// reproducibility promise holds on machines with and without AVX2).
    #[test]
    fn capability_rows_are_the_same_bits_with_and_without_avx2() {
        let text = SCENARIO.replace(
            "overthinking = { dist = \"uniform\", low = 0, high = 0.2 }",
            "",
        );
        let s = scenario(&text);
        let sampler = Sampler::new(&s, 11).unwrap();
        let plan = Plan::new(&s).unwrap();
        let mut w = plan.scratch();
        let mut out = vec![0.0; plan.quantities()];
        let mut arrivals = vec![0; plan.milestones.len()];
        for index in 0..50 {
            plan.evaluate(&sampler, index, &mut w, &mut out, &mut arrivals);
            let t = &w.scenario;
            assert!(Row::applies(t));
            let inv_t0 = 1.0 / t.inference.reference_tokens;
            for domain in &t.domains {
                let tau = rl::transfer_share(domain.verifiability, t.rl.transfer);
                w.row.capability(t, domain, tau, inv_t0);
                let vectorised = w.row.capability.clone();
                w.row.capability_loops(t, domain, tau, inv_t0);
                assert!(vectorised
                    .iter()
                    .zip(&w.row.capability)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }

    #[test]
    fn rank_correlation_of_draws_is_close_to_target() {
        let s = scenario(SCENARIO);
        let sampler = Sampler::new(&s, 1).unwrap();
        let (a, b) = (
            sampler
                .paths
                .iter()
                .position(|p| p == "rl.transfer")
                .unwrap(),
            sampler
                .paths
                .iter()
                .position(|p| p == "domain.writing.verifiability")
                .unwrap(),
        );
        let n = 20000;
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        drawn_inputs(&sampler, n, |_, row| {
            xs.push(row[a]);
            ys.push(row[b]);
        });
        let ranks = |v: &[f64]| {
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
            let mut r = vec![0.0; v.len()];
            for (rank, &i) in idx.iter().enumerate() {
                r[i] = rank as f64;
            }
            r
        };
        let (rx, ry) = (ranks(&xs), ranks(&ys));
        let mean = (n as f64 - 1.0) / 2.0;
        let cov: f64 = rx
            .iter()
            .zip(&ry)
            .map(|(x, y)| (x - mean) * (y - mean))
            .sum();
        let var: f64 = rx.iter().map(|x| (x - mean) * (x - mean)).sum();
        let spearman = cov / var;
        // transfer is clamped only far in its tails, so its ranks are those of the normal.
        assert!((spearman - 0.6).abs() < 0.02, "{spearman}");
    }

    #[test]
    fn impossible_correlations_are_an_error_listing_the_pairs() {
        let text = SCENARIO.replace(
            "rank = 0.6",
            "rank = 0.9\n[[correlation]]\na = \"rl.transfer\"\nb = \"domain.math.slope\"\nrank = 0.9\n[[correlation]]\na = \"domain.math.slope\"\nb = \"domain.writing.verifiability\"\nrank = -0.9",
        );
        let s = scenario(&text);
        let e = Sampler::new(&s, 1).err().expect("not positive definite");
        let e = &e.0[0];
        assert!(e.message.contains("not positive definite"), "{}", e.message);
        assert!(e.message.contains("rl.transfer ~ domain.math.slope (0.9)"));
        assert!(e.line > 0);
    }

    #[test]
    fn sketch_quantiles_are_within_1e_3_of_exact_ones() {
        let s = scenario(SCENARIO);
        let n = 100_000;
        let result = run(&s, n, 3, &|_| {}).unwrap();
        // Exact quantiles from every sample, evaluated again one by one.
        let sampler = Sampler::new(&s, 3).unwrap();
        let plan = Plan::new(&s).unwrap();
        let mut w = plan.scratch();
        let q = plan.quantities();
        let mut values = vec![vec![0.0; n]; q];
        let mut out = vec![0.0; q];
        let mut arrivals = vec![0; plan.milestones.len()];
        for i in 0..n {
            plan.evaluate(&sampler, i as u64, &mut w, &mut out, &mut arrivals);
            for (v, x) in values.iter_mut().zip(&out) {
                v[i] = *x;
            }
        }
        let exact = |v: &mut Vec<f64>, p: f64| {
            v.sort_by(f64::total_cmp);
            v[((p * n as f64).ceil() as usize).max(1) - 1]
        };
        let years = plan.years.len();
        for d in 0..2 {
            for k in 0..years {
                let v = &mut values[d * years + k];
                for (l, &p) in LEVELS.iter().enumerate() {
                    let got = result.capability[d][k].quantiles[l];
                    assert!((got - exact(v, p)).abs() <= 1e-3, "cap {d} {k} {p}");
                }
                let mean = v.iter().sum::<f64>() / n as f64;
                assert!((result.capability[d][k].mean - mean).abs() < 1e-12);
            }
        }
        for (i, &j) in plan.varying_levers.iter().enumerate() {
            for k in 0..years {
                let v = &mut values[(2 + i) * years + k];
                for (l, &p) in LEVELS.iter().enumerate() {
                    let (got, want) = (result.levers[j][k].quantiles[l], exact(v, p));
                    assert!(
                        (got - want).abs() <= 1e-3 * want.abs(),
                        "{} {k} {p}: {got} vs {want}",
                        LEVER_NAMES[j]
                    );
                }
            }
        }
    }

    #[test]
    fn milestone_quantiles_say_never_rather_than_the_last_year() {
        let m = MilestoneArrival {
            domain: "math".into(),
            threshold: 0.9,
            counts: vec![1, 2, 0, 3],
            never: 4,
        };
        let years = [2024.0, 2025.0, 2026.0, 2027.0];
        assert_eq!(m.quantile(&years, 0.1), Some(2024.0));
        assert_eq!(m.quantile(&years, 0.3), Some(2025.0));
        assert_eq!(m.quantile(&years, 0.5), Some(2027.0));
        assert_eq!(m.quantile(&years, 0.9), None);
        assert_eq!(m.not_reached(), 0.4);
    }

    #[test]
    fn sensitivity_sorts_by_swing_and_says_after_end() {
        let s = scenario(SCENARIO);
        let last = s.time.len() - 1;
        let tornadoes = sensitivity(&s, last).unwrap();
        assert_eq!(tornadoes.len(), 4);
        let math = &tornadoes[0];
        assert_eq!(math.target, "capability:math");
        assert_eq!(math.swings.len(), s.uncertain.len());
        assert!(math.swings.windows(2).all(|w| w[0].swing >= w[1].swing));
        // the slope of math moves math; the writing difficulty does not
        let slope = math
            .swings
            .iter()
            .find(|w| w.input == "domain.math.slope")
            .unwrap();
        assert!(slope.swing > 0.0);
        let other = math
            .swings
            .iter()
            .find(|w| w.input == "domain.writing.difficulty")
            .unwrap();
        assert_eq!(other.swing, 0.0);
        // writing never reaches 0.99 here: "after the end", not the last year
        let writing = &tornadoes[3];
        assert_eq!(writing.base, None);
        let never = writing
            .swings
            .iter()
            .find(|w| w.input == "domain.math.slope")
            .unwrap();
        assert_eq!((never.low, never.high, never.swing), (None, None, 0.0));
    }

    #[test]
    fn sketch_of_small_samples_brackets_exact_quantiles() {
        // 1000 values 1e9 apart: interpolation may land up to one spacing (1e-3 of 1e12) off.
        let values: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 1e9).collect();
        let s = Sketch::of(&values);
        let q = s.quantiles(&[0.05, 0.5, 0.95]);
        assert!((q[0] - 5e10).abs() <= 1e9, "{q:?}");
        assert!((q[1] - 5e11).abs() <= 1e9, "{q:?}");
        assert!((q[2] - 9.5e11).abs() <= 1e9, "{q:?}");
        assert_eq!(Sketch::of(&[2.0; 10]).quantiles(&[0.5]), vec![2.0]);
    }
}
