//! Drawing the uncertain inputs: where each key path's number lives in a [`Scenario`], and the
//! per-sample ChaCha8 streams, marginals and Gaussian copula that draw them.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::distribution::Dist;
use crate::error::InputErrors;
use crate::model::Domain;
use crate::scenario::{ModelSize, RlSteps, Scenario};
use crate::trajectory::Trajectory;

pub(super) type FieldFn = fn(&mut Scenario) -> Option<&mut f64>;
pub(super) type TrajectoryFn = fn(&mut Scenario) -> Option<&mut Trajectory>;

/// Where an uncertain input goes in a [`Scenario`]: found once from its key path, so that
/// samples can set it without building path strings.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    Field(FieldFn),
    Trajectory(TrajectoryFn, Part),
    Domain(usize, DomainFieldFn),
}

#[derive(Clone, Copy)]
pub(super) enum Part {
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

pub(super) const FIELDS: &[(&str, FieldFn)] = fields! {
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

pub(super) fn tokens_per_param(s: &mut Scenario) -> Option<&mut f64> {
    match &mut s.pretraining.size {
        ModelSize::Compute {
            tokens_per_param, ..
        } => Some(tokens_per_param),
        ModelSize::ParamsTokens { .. } => None,
    }
}

pub(super) fn params(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::ParamsTokens { params, .. } => Some(params),
        ModelSize::Compute { .. } => None,
    }
}

pub(super) fn tokens(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::ParamsTokens { tokens, .. } => Some(tokens),
        ModelSize::Compute { .. } => None,
    }
}

pub(super) fn compute(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.pretraining.size {
        ModelSize::Compute { compute, .. } => Some(compute),
        ModelSize::ParamsTokens { .. } => None,
    }
}

pub(super) fn steps(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.rl_steps {
        RlSteps::Steps(t) => Some(t),
        RlSteps::ComputeFraction(_) => None,
    }
}

pub(super) fn compute_fraction(s: &mut Scenario) -> Option<&mut Trajectory> {
    match &mut s.rl_steps {
        RlSteps::ComputeFraction(t) => Some(t),
        RlSteps::Steps(_) => None,
    }
}

pub(super) const TRAJECTORIES: &[(&str, TrajectoryFn)] = &[
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

pub(super) type DomainFieldFn = fn(&mut Domain) -> &mut f64;

pub(super) const DOMAIN_FIELDS: &[(&str, DomainFieldFn)] = &[
    ("verifiability", |d| &mut d.verifiability),
    ("slope", |d| &mut d.slope),
    ("difficulty", |d| &mut d.difficulty),
    ("floor", |d| &mut d.floor),
];

impl Slot {
    /// The slot of `path` in `s`, if `s` has that number.
    pub(super) fn find(s: &Scenario, path: &str) -> Option<Slot> {
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
    pub(super) fn set(self, s: &mut Scenario, value: f64) -> bool {
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

/// Draws the uncertain inputs of one scenario, sample by sample.
pub struct Sampler {
    /// Key paths, in file order (the columns of `samples.csv`).
    pub paths: Vec<String>,
    pub(super) dists: Vec<Dist>,
    /// Inputs in a correlation, and the lower Cholesky factor of their normal-score
    /// correlation matrix (row-major, `correlated.len()` squared).
    pub(super) correlated: Vec<usize>,
    pub(super) cholesky: Vec<f64>,
    pub(super) base: ChaCha8Rng,
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

impl Sampler {
    /// The inputs of stream `stream` drawn independently from their marginals, correlations
    /// ignored (the Sobol indices' assumption), into `out`.
    pub fn draw_independent(&self, stream: u64, out: &mut [f64]) {
        let mut rng = self.base.clone();
        rng.set_stream(stream);
        for (o, d) in out.iter_mut().zip(&self.dists) {
            *o = d.clamp(if d.family.is_gaussian() {
                d.family.from_normal(rng.sample(StandardNormal))
            } else {
                d.family.from_uniform(open_unit(&mut rng))
            });
        }
    }
}

/// A uniform number in the open interval (0, 1): 53 random bits, centred in their cell.
pub(super) fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// Lower Cholesky factor of the symmetric `m` x `m` matrix `a`, or None if it is not
/// positive definite.
pub(super) fn cholesky(a: &[f64], m: usize) -> Option<Vec<f64>> {
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

/// The drawn inputs of samples `0..samples`, one row per sample (for `samples.csv`).
pub fn drawn_inputs(sampler: &Sampler, samples: usize, mut row: impl FnMut(usize, &[f64])) {
    let mut inputs = vec![0.0; sampler.len()];
    let mut z = Vec::new();
    for i in 0..samples {
        sampler.draw(i as u64, &mut inputs, &mut z);
        row(i, &inputs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

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
}
