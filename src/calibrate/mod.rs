//! Calibration on the real record: fit every benchmark's capability curve to the frontier of
//! observed models, measure what RL adds from reasoners paired with their contemporaries, and
//! turn both into a scenario's present (its domains, efficiency growth, RL gain and transfer).
//!
//! - [`observations`]: the observations and benchmarks tables, checked.
//! - [`frontier`]: which models are on the frontier; the best score released by a date.
//! - [`curves`]: one curve per benchmark with one shared efficiency growth.
//! - [`reasoners`]: paired gains and the fit of `rl.max_gain` and `rl.transfer`.
//! - [`holdout`]: calibrate on the past, forecast the rest, score against naive baselines.
//!
//! Effective compute of an observed model follows the scenario's law and its way of turning
//! compute into size (MODEL.md §1-2), `u = u(C) + g (t - t0)`, with `t0` the scenario's first
//! year, so that a curve's difficulty is on the scenario's scale. Uncertainty comes from a
//! seeded bootstrap over observations and pairs; the same data and seed give the same numbers
//! whatever the thread count.

pub mod curves;
pub mod frontier;
pub mod holdout;
pub mod observations;
pub mod reasoners;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{InputError, InputErrors};
use crate::fit::domain::Link;
use crate::fit::{Bootstrap, Interval};
use crate::forecast::{levers_at, term_params};
use crate::model::{domain_terms, Domain};
use crate::scenario::{ModelSize, Scenario};

use curves::{Curves, Set};
use frontier::{pareto, Point};
use observations::{Benchmark, Data, Observation};
use reasoners::{logit_above, Gain, Reference, RlFit};

/// What a calibration is asked to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Use only observations released before this year (a holdout's split); None: all.
    pub before: Option<f64>,
    /// Efficiency growth to use, orders of magnitude per year; None: fitted.
    pub efficiency_growth: Option<f64>,
    pub bootstrap: Bootstrap,
    /// Only frontier-scale models take part in the curves: those whose training compute is
    /// within this many orders of magnitude of the largest released by their release date.
    pub scale_band: f64,
    /// RL steps and thinking tokens of the reference reasoner (its contemporary has no RL and
    /// the scenario's thinking tokens of the first year).
    pub reasoner_steps: f64,
    pub reasoner_tokens: f64,
}

/// Default of [`Settings::scale_band`]: one order of magnitude.
pub const SCALE_BAND: f64 = 1.0;

/// Defaults of [`Settings`]: the reference reasoner has twice the default RL midpoint of steps
/// (RL progress 0.74) and thinks 4,000 tokens per query.
pub const REASONER_STEPS: f64 = 1e4;
pub const REASONER_TOKENS: f64 = 4000.0;

/// One benchmark's fitted curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub link: Link,
    /// 90% bootstrap intervals of slope, difficulty and (when fitted) floor.
    pub slope: Option<Interval>,
    pub difficulty: Option<Interval>,
    pub floor: Option<Interval>,
    /// Observations eligible for the curve (non-reasoners, not distilled, with compute).
    pub eligible: usize,
    /// Indices into the observations of the frontier points it was fitted to.
    pub frontier: Vec<usize>,
    /// Root-mean-square score error on the frontier.
    pub rmse: f64,
    /// The curve at the present's effective compute, with its interval.
    pub present: f64,
    pub present_interval: Option<Interval>,
    /// The 90% prediction interval of a frontier observation at the present: the curve's
    /// interval widened by 1.645 root-mean-square errors each side, within [floor, 1].
    pub present_prediction: Option<Interval>,
}

/// The normal quantile of the 90% intervals' upper end.
pub const Z90: f64 = 1.6448536269514722;

/// One benchmark's paired RL gain.
#[derive(Clone, Debug, PartialEq)]
pub struct PairedGain {
    pub gain: Gain,
    pub interval: Option<Interval>,
    /// `(reasoner, contemporary, logit difference)` per pair.
    pub pairs: Vec<(String, String, f64)>,
}

impl PairedGain {
    /// Distinct contemporaries among the pairs: the clusters the bootstrap resamples.
    pub fn contemporaries(&self) -> usize {
        let mut c: Vec<&str> = self.pairs.iter().map(|p| p.1.as_str()).collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    }
}

/// Everything calibrated about one benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchmarkResult {
    pub benchmark: Benchmark,
    /// None when its frontier has too few points for a curve.
    pub curve: Option<Curve>,
    pub gain: Option<PairedGain>,
    /// The best score released before the present year, if any.
    pub observed_present: Option<f64>,
}

impl BenchmarkResult {
    /// The floor its scores are measured above: the curve's, else the chance level, else 0.
    pub fn floor(&self) -> f64 {
        floor_of(&self.benchmark, self.curve.as_ref().map(|c| &c.link))
    }
}

/// A benchmark's floor: its fitted curve's, else its chance level, else 0.
fn floor_of(b: &Benchmark, link: Option<&Link>) -> f64 {
    link.map_or(b.chance.unwrap_or(0.0), |l| l.floor)
}

/// `s` with the calibrated RL gain and transfer and the calibrated efficiency growth (from its
/// first year), as the calibrated base file gives them.
pub fn calibrated_scenario(s: &Scenario, rl: Option<RlFit>, growth: f64) -> Scenario {
    let mut out = s.clone();
    if let Some(f) = rl {
        out.rl.max_gain = f.max_gain;
        if let Some(x) = f.transfer {
            out.rl.transfer = x;
        }
    }
    out.pretraining.efficiency = crate::trajectory::Trajectory::Exponential {
        start: 1.0,
        growth: 10f64.powf(growth),
        from: s.time.start,
        until: f64::INFINITY,
    };
    out
}

/// A scenario domain's calibration: its anchor benchmark's curve on the scenario's scale.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainResult {
    pub name: String,
    pub anchor: String,
    pub domain: Domain,
    /// 90% interval of the difficulty as written (the curve's, shifted like the value).
    pub difficulty: Option<Interval>,
}

/// A calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    pub settings: Settings,
    /// The scenario's first year, t0.
    pub present_year: f64,
    /// The scenario's training compute in its first year (6 N D), and its effective compute.
    pub present_compute: f64,
    pub present_u: f64,
    /// The largest training compute among the observations released before the present (or
    /// the split), for comparison with the scenario's.
    pub largest_observed_compute: f64,
    /// Efficiency growth, orders of magnitude per year, and its interval (None when fixed).
    pub growth: f64,
    pub growth_interval: Option<Interval>,
    pub benchmarks: Vec<BenchmarkResult>,
    pub domains: Vec<DomainResult>,
    /// Scenario domains whose anchor has too few frontier observations for a curve, as the
    /// errors a calibration that needs them reports.
    pub uncalibrated: Vec<InputError>,
    pub reference: Reference,
    pub rl: Option<RlFit>,
    pub max_gain_interval: Option<Interval>,
    pub transfer_interval: Option<Interval>,
    /// Bootstrap replicates that gave a fit, of those asked for.
    pub replicates: usize,
    /// Of those, the replicates whose pairs identify the transfer (some resamples draw no pair
    /// of a benchmark graded without a checker): the transfer's interval is theirs.
    pub transfer_replicates: usize,
    /// Observations used (released before the split, when there is one).
    pub used: usize,
}

impl Calibration {
    pub fn benchmark(&self, id: &str) -> Option<&BenchmarkResult> {
        self.benchmarks.iter().find(|b| b.benchmark.id == id)
    }
}

/// The scenario's compute-optimal effective compute of a model trained with `compute` FLOP, and
/// its size: `N = sqrt(C / 6r)`, `D = r N` with the scenario's tokens per parameter (20 when the
/// scenario gives params and tokens), through its law.
pub fn effective_compute(s: &Scenario, compute: f64) -> (f64, f64) {
    let r = match s.pretraining.size {
        ModelSize::Compute {
            tokens_per_param, ..
        } => tokens_per_param,
        ModelSize::ParamsTokens { .. } => 20.0,
    };
    let n = (compute / (6.0 * r)).sqrt();
    (s.pretraining.law.effective_log10_compute(n, r * n, 1.0), n)
}

/// The difficulty that puts a non-reasoner at the scenario's first-year levers on the fitted
/// curve: `difficulty + (rl - erosion + inference) / slope` of that year, so that the model's
/// logit there is `slope (u - difficulty)` of the curve.
pub fn difficulty_on_scale(s: &Scenario, link: &Link, verifiability: f64) -> f64 {
    let point = levers_at(s, s.time.start).point();
    let d = Domain {
        name: String::new(),
        verifiability,
        slope: link.slope,
        difficulty: link.difficulty,
        floor: link.floor,
    };
    let t = domain_terms(&d, &term_params(s), &point);
    link.difficulty + (t.logit - t.pretrain) / link.slope
}

/// What one resample of the data gives.
struct Replicate {
    growth: f64,
    links: Vec<Option<Link>>,
    gains: Vec<Option<f64>>,
    rl: Option<RlFit>,
}

/// The largest training compute among the observations released by `year`.
pub fn largest_compute_by(data: &Data, year: f64) -> f64 {
    data.observations
        .iter()
        .filter(|o| o.year <= year)
        .filter_map(|o| o.compute)
        .fold(f64::NAN, f64::max)
}

/// The eligible observations of each benchmark: `(benchmark index, observation index)`, in
/// table order. Eligible: released before the split, not a reasoner, not distilled, with a
/// training compute within the scale band of the largest released by then.
fn eligible(data: &Data, settings: &Settings) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, o) in data.observations.iter().enumerate() {
        let before = settings.before.is_none_or(|y| o.year < y);
        let frontier_scale = o.compute.is_some_and(|c| {
            c.log10() >= largest_compute_by(data, o.year).log10() - settings.scale_band
        });
        if before && !o.reasoner && !o.distilled && frontier_scale {
            if let Some(b) = data.benchmarks.iter().position(|b| b.id == o.benchmark) {
                out.push((b, i));
            }
        }
    }
    out
}

/// The pairs of each benchmark: `(benchmark index, reasoner observation, contemporary
/// observation)`, both released before the split.
fn pairs(data: &Data, settings: &Settings) -> Vec<(usize, usize, usize)> {
    let obs = &data.observations;
    let before = |o: &Observation| settings.before.is_none_or(|y| o.year < y);
    let mut out = Vec::new();
    for (i, r) in obs.iter().enumerate() {
        let Some(c) = r.contemporary.as_deref() else {
            continue;
        };
        if !r.reasoner || !before(r) {
            continue;
        }
        let partner = obs
            .iter()
            .position(|o| o.model_version == c && o.benchmark == r.benchmark && before(o));
        if let (Some(j), Some(b)) = (
            partner,
            data.benchmarks.iter().position(|b| b.id == r.benchmark),
        ) {
            out.push((b, i, j));
        }
    }
    out
}

/// `pairs` grouped by their contemporary's model version (on every benchmark), each group in
/// order, the groups in the order of their first pair.
fn clusters_by_contemporary(
    data: &Data,
    pairs: &[(usize, usize, usize)],
) -> Vec<Vec<(usize, usize, usize)>> {
    let mut out: Vec<Vec<(usize, usize, usize)>> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for &p in pairs {
        let version = data.observations[p.2].model_version.as_str();
        match seen.iter().position(|&c| c == version) {
            Some(k) => out[k].push(p),
            None => {
                seen.push(version);
                out.push(vec![p]);
            }
        }
    }
    out
}

/// The frontier sets of the benchmarks in `order` from the eligible observations `rows`, with the
/// observation index of each point.
fn sets(
    data: &Data,
    s: &Scenario,
    order: &[usize],
    rows: &[(usize, usize)],
) -> Vec<(Set, Vec<usize>)> {
    order
        .iter()
        .map(|&b| {
            let idx: Vec<usize> = rows
                .iter()
                .filter(|(bb, _)| *bb == b)
                .map(|&(_, i)| i)
                .collect();
            let points: Vec<Point> = idx
                .iter()
                .map(|&i| {
                    let o = &data.observations[i];
                    Point {
                        log10_compute: effective_compute(s, o.compute.unwrap_or(f64::NAN)).0,
                        year: o.year,
                        score: o.score,
                    }
                })
                .collect();
            let on = pareto(&points);
            let (points, idx): (Vec<Point>, Vec<usize>) = points
                .into_iter()
                .zip(idx)
                .zip(on)
                .filter(|(_, on)| *on)
                .map(|(pi, _)| pi)
                .unzip();
            let domain = &data.benchmarks[b].domain;
            (
                Set {
                    points,
                    fixed_floor: data.benchmarks[b].chance,
                    group: data
                        .benchmarks
                        .iter()
                        .position(|x| x.domain == *domain)
                        .expect("its own domain"),
                },
                idx,
            )
        })
        .collect()
}

/// Mean paired gain per benchmark (None without pairs), measured above `floors`.
fn gains(
    data: &Data,
    pairs: &[(usize, usize, usize)],
    floors: &[f64],
) -> Vec<Option<(f64, usize)>> {
    (0..data.benchmarks.len())
        .map(|b| {
            let d: Vec<f64> = pairs
                .iter()
                .filter(|p| p.0 == b)
                .map(|&(_, r, c)| {
                    logit_above(data.observations[r].score, floors[b])
                        - logit_above(data.observations[c].score, floors[b])
                })
                .collect();
            (!d.is_empty()).then(|| (d.iter().sum::<f64>() / d.len() as f64, d.len()))
        })
        .collect()
}

/// Calibrate `s`'s domains on `data`.
pub fn calibrate(
    data: &Data,
    s: &Scenario,
    settings: &Settings,
) -> Result<Calibration, InputErrors> {
    let t0 = s.time.start;
    let before = |o: &Observation| settings.before.is_none_or(|y| o.year < y);
    let cut = settings.before.map_or(t0, |y| y.min(t0));
    // Every scenario domain needs an anchor benchmark.
    let mut errors = Vec::new();
    for d in &s.domains {
        if !data
            .benchmarks
            .iter()
            .any(|b| b.anchor && b.domain == d.name)
        {
            errors.push(
                s.document
                    .error(
                        &format!("domain.{}", d.name),
                        format!("no benchmark of {} is this domain's anchor", data.file),
                    )
                    .with_hint("add an anchor benchmark for it to the benchmarks table, or rename the domain to one the data has"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let params = term_params(s);
    // The present: the scenario's levers in its first year.
    let now = levers_at(s, t0);
    let (present_compute, present_u, size) =
        (now.pretrain_flop, now.effective_log10_compute, now.params);
    let largest_observed = largest_compute_by(data, cut - 1e-9);
    let contemporary_tokens = s.thinking_tokens.at(t0);
    let reference = Reference {
        reasoner: reasoners::lever_point(
            &params,
            present_u,
            size,
            settings.reasoner_steps,
            settings.reasoner_tokens,
        ),
        contemporary: reasoners::lever_point(&params, present_u, size, 0.0, contemporary_tokens),
    };

    // Curves: benchmarks whose frontier has more points than parameters.
    let rows = eligible(data, settings);
    let all: Vec<usize> = (0..data.benchmarks.len()).collect();
    let full_sets = sets(data, s, &all, &rows);
    let fitted: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&b| full_sets[b].0.points.len() > full_sets[b].0.parameters())
        .collect();
    let fit_sets: Vec<Set> = fitted.iter().map(|&b| full_sets[b].0.clone()).collect();
    let curves = curves::fit(&fit_sets, t0, settings.efficiency_growth).ok_or_else(|| {
        InputErrors::from(InputError::new(
            &data.file,
            "",
            None,
            "",
            "the curves could not be fitted".into(),
        ))
    })?;
    let link_of = |c: &Curves, b: usize| fitted.iter().position(|&f| f == b).map(|i| c.links[i]);
    let floors_of = |c: &Curves| -> Vec<f64> {
        (0..data.benchmarks.len())
            .map(|b| floor_of(&data.benchmarks[b], link_of(c, b).as_ref()))
            .collect()
    };
    let pair_rows = pairs(data, settings);
    let rl_fit_floors = |floors: &[f64],
                         pr: &[(usize, usize, usize)]|
     -> (Vec<Option<(f64, usize)>>, Option<RlFit>) {
        let g = gains(data, pr, floors);
        let list: Vec<Gain> = g
            .iter()
            .zip(&data.benchmarks)
            .filter_map(|(g, b)| {
                g.map(|(mean, pairs)| Gain {
                    mean,
                    pairs,
                    verifiable: b.verifiable,
                })
            })
            .collect();
        let fit = reasoners::fit(&params, &reference, &list, s.rl.transfer);
        (g, fit)
    };
    let (full_gains, rl) = rl_fit_floors(&floors_of(&curves), &pair_rows);

    // Bootstrap: observations for the curves and pairs for the gains, resampled together. Pairs
    // are resampled in clusters of one contemporary (every pair against the same non-reasoning
    // model version: the settings of one reasoner, or reasoners compared with one model), as
    // such pairs share the contemporary's score and are not independent.
    let clusters = clusters_by_contemporary(data, &pair_rows);
    let reps: Vec<Option<Replicate>> = (0..settings.bootstrap.replicates as u64)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(settings.bootstrap.seed);
            rng.set_stream(i);
            let rs: Vec<(usize, usize)> = (0..rows.len())
                .map(|_| rows[rng.random_range(0..rows.len())])
                .collect();
            let ps: Vec<(usize, usize, usize)> = (0..clusters.len())
                .flat_map(|_| {
                    clusters[rng.random_range(0..clusters.len())]
                        .iter()
                        .copied()
                })
                .collect();
            // Benchmarks whose resampled frontier is too small sit this replicate out.
            let (kept, rep_sets): (Vec<usize>, Vec<Set>) = sets(data, s, &fitted, &rs)
                .into_iter()
                .enumerate()
                .filter(|(_, (set, _))| set.points.len() > set.parameters())
                .map(|(i, (set, _))| (i, set))
                .unzip();
            if kept.is_empty() {
                return None;
            }
            let c = curves::refit(&rep_sets, t0, &curves, settings.efficiency_growth, 0.6)?;
            let links: Vec<Option<Link>> = (0..data.benchmarks.len())
                .map(|b| {
                    let i = fitted.iter().position(|&f| f == b)?;
                    kept.iter().position(|&k| k == i).map(|j| c.links[j])
                })
                .collect();
            let floors: Vec<f64> = (0..data.benchmarks.len())
                .map(|b| floor_of(&data.benchmarks[b], links[b].as_ref()))
                .collect();
            let (g, rl) = rl_fit_floors(&floors, &ps);
            Some(Replicate {
                growth: c.growth,
                links,
                gains: g.iter().map(|g| g.map(|(m, _)| m)).collect(),
                rl,
            })
        })
        .collect();
    let reps: Vec<Replicate> = reps.into_iter().flatten().collect();
    let boot = !reps.is_empty();
    let interval = |values: Vec<f64>| (boot && !values.is_empty()).then(|| Interval::of(&values));

    let mut benchmarks = Vec::new();
    for (b, bench) in data.benchmarks.iter().enumerate() {
        let curve = link_of(&curves, b).map(|link| {
            let links: Vec<Link> = reps.iter().filter_map(|r| r.links[b]).collect();
            let frontier = full_sets[b].1.clone();
            let pts = &full_sets[b].0;
            let rmse = (pts
                .points
                .iter()
                .map(|p| {
                    (link.score(p.log10_compute + curves.growth * (p.year - t0)) - p.score).powi(2)
                })
                .sum::<f64>()
                / pts.points.len() as f64)
                .sqrt();
            let present_interval = interval(links.iter().map(|l| l.score(present_u)).collect());
            Curve {
                present_prediction: present_interval.map(|i| Interval {
                    low: (i.low - Z90 * rmse).max(link.floor),
                    high: (i.high + Z90 * rmse).min(1.0),
                }),
                link,
                slope: interval(links.iter().map(|l| l.slope).collect()),
                difficulty: interval(links.iter().map(|l| l.difficulty).collect()),
                floor: bench
                    .chance
                    .is_none()
                    .then(|| interval(links.iter().map(|l| l.floor).collect()))
                    .flatten(),
                eligible: rows.iter().filter(|r| r.0 == b).count(),
                frontier,
                rmse,
                present: link.score(present_u),
                present_interval,
            }
        });
        let gain = full_gains[b].map(|(mean, n)| {
            let floor = floor_of(bench, link_of(&curves, b).as_ref());
            PairedGain {
                gain: Gain {
                    mean,
                    pairs: n,
                    verifiable: bench.verifiable,
                },
                interval: interval(reps.iter().filter_map(|r| r.gains[b]).collect()),
                pairs: pair_rows
                    .iter()
                    .filter(|p| p.0 == b)
                    .map(|&(_, r, c)| {
                        let (r, c) = (&data.observations[r], &data.observations[c]);
                        (
                            r.model_version.clone(),
                            c.model_version.clone(),
                            logit_above(r.score, floor) - logit_above(c.score, floor),
                        )
                    })
                    .collect(),
            }
        });
        let scores: Vec<(f64, f64)> = data
            .observations
            .iter()
            .filter(|o| o.benchmark == bench.id && o.year < t0 && before(o))
            .map(|o| (o.year, o.score))
            .collect();
        let observed_present = frontier::best_by(&scores, t0);
        benchmarks.push(BenchmarkResult {
            benchmark: bench.clone(),
            curve,
            gain,
            observed_present,
        });
    }

    // The scenario's domains from their anchors, on the scale of the scenario with the fitted RL.
    let on_scale = calibrated_scenario(s, rl, curves.growth);
    let mut domains = Vec::new();
    let mut missing = Vec::new();
    for d in &s.domains {
        let anchor = data
            .benchmarks
            .iter()
            .position(|b| b.anchor && b.domain == d.name)
            .expect("checked above");
        let Some(curve) = &benchmarks[anchor].curve else {
            missing.push(
                s.document
                    .error(
                        &format!("domain.{}", d.name),
                        format!(
                            "its anchor benchmark `{}` has too few frontier observations for a curve",
                            data.benchmarks[anchor].id
                        ),
                    )
                    .with_hint("add observations, or choose another anchor"),
            );
            continue;
        };
        let difficulty = difficulty_on_scale(&on_scale, &curve.link, d.verifiability);
        let shift = difficulty - curve.link.difficulty;
        domains.push(DomainResult {
            name: d.name.clone(),
            anchor: data.benchmarks[anchor].id.clone(),
            domain: Domain {
                name: d.name.clone(),
                verifiability: d.verifiability,
                slope: curve.link.slope,
                difficulty,
                floor: curve.link.floor,
            },
            difficulty: curve.difficulty.map(|i| Interval {
                low: i.low + shift,
                high: i.high + shift,
            }),
        });
    }
    Ok(Calibration {
        uncalibrated: missing,
        settings: *settings,
        present_year: t0,
        present_compute,
        present_u,
        largest_observed_compute: largest_observed,
        growth: curves.growth,
        growth_interval: (settings.efficiency_growth.is_none())
            .then(|| interval(reps.iter().map(|r| r.growth).collect()))
            .flatten(),
        benchmarks,
        domains,
        reference,
        rl,
        max_gain_interval: interval(
            reps.iter()
                .filter_map(|r| r.rl.map(|f| f.max_gain))
                .collect(),
        ),
        transfer_interval: interval(
            reps.iter()
                .filter_map(|r| r.rl.and_then(|f| f.transfer))
                .collect(),
        ),
        replicates: reps.len(),
        transfer_replicates: reps
            .iter()
            .filter(|r| r.rl.is_some_and(|f| f.transfer.is_some()))
            .count(),
        used: data.observations.iter().filter(|o| before(o)).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(version: &str) -> Observation {
        Observation {
            model_version: version.into(),
            benchmark: "b".into(),
            domain: "math".into(),
            year: 2024.0,
            compute: None,
            reasoner: false,
            contemporary: None,
            distilled: false,
            score: 0.5,
        }
    }

    /// Pairs against one contemporary form one cluster, whichever benchmark row holds it.
    #[test]
    fn pairs_cluster_by_their_contemporary_model_version() {
        let data = Data {
            observations: ["gpt", "r1", "gpt", "v3", "r2"].map(observation).to_vec(),
            benchmarks: Vec::new(),
            file: "obs.csv".into(),
        };
        // (benchmark, reasoner row, contemporary row): rows 0 and 2 are the same version.
        let pairs = [(0, 1, 0), (0, 4, 3), (1, 1, 2), (1, 4, 3)];
        assert_eq!(
            clusters_by_contemporary(&data, &pairs),
            vec![vec![(0, 1, 0), (1, 1, 2)], vec![(0, 4, 3), (1, 4, 3)]]
        );
    }
}
