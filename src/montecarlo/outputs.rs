//! A run's outputs and the run that makes them: samples evaluated in parallel chunks, reduced in
//! a fixed order into quantile summaries per year and domain, lever quantiles and milestone arrivals.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::{InputError, InputErrors};
use crate::scenario::Scenario;

use super::engine::{lever_value, Plan, LANES, LEVER_NAMES};
use super::histograms::{min_max, Bins, Sketch, Tally, Ways, STRIDE};
use super::sampler::Sampler;
use super::{CHUNK, PILOT};

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
/// Accumulators of one worker.
pub(super) struct Partial {
    pub(super) sketches: Vec<Sketch>,
    pub(super) arrivals: Vec<Vec<u64>>,
    pub(super) bad: Option<u64>,
}

/// Float sums per quantity, added chunk by chunk in chunk order whatever order chunks finish in.
pub(super) struct OrderedSums {
    pub(super) next: usize,
    pub(super) pending: BTreeMap<usize, Vec<f64>>,
    pub(super) total: Vec<f64>,
}

impl OrderedSums {
    pub(super) fn push(&mut self, chunk: usize, sums: Vec<f64>) {
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
    let mut collect = plan.collect();
    let mut pilot = vec![0.0; q * pilot_len];
    for first in (0..pilot_len).step_by(LANES) {
        let live = LANES.min(pilot_len - first);
        plan.draw(&sampler, first as u64, live, &mut w);
        plan.evaluate(&mut w, &mut collect);
        for (j, values) in collect.values.iter().enumerate() {
            pilot[j * pilot_len + first..][..live].copy_from_slice(&values[..live]);
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
        let mut collect = plan.collect();
        let mut tally = Tally::new(&bins);
        let mut ways = Ways::new();
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
            for at in (0..len).step_by(LANES) {
                let live = LANES.min(len - at);
                plan.draw(&sampler, (first + at) as u64, live, &mut w);
                tally.block(at, live);
                plan.evaluate(&mut w, &mut tally);
                for (counts, arrived) in part.arrivals.iter_mut().zip(&w.arrivals) {
                    for &k in &arrived[..live] {
                        counts[k as usize] += 1;
                    }
                }
            }
            tally.finish();
            for j in 0..q {
                part.sketches[j].count(
                    &tally.slots[j * STRIDE..j * STRIDE + len],
                    (tally.mins[j], tally.maxs[j]),
                    &mut ways,
                );
            }
            // A value that is not finite makes its sum so: then find the first such sample.
            if !tally.sums.iter().all(|s| s.is_finite()) && part.bad.is_none() {
                part.bad = (0..len).step_by(LANES).find_map(|at| {
                    let live = LANES.min(len - at);
                    plan.draw(&sampler, (first + at) as u64, live, &mut w);
                    plan.evaluate(&mut w, &mut collect);
                    (0..live)
                        .find(|&l| !collect.values.iter().all(|v| v[l].is_finite()))
                        .map(|l| (first + at + l) as u64)
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

pub(super) fn summary(sketch: &Sketch, sum: f64, n: usize) -> Summary {
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

pub(super) fn fixed_summary(x: f64) -> Summary {
    Summary {
        mean: x,
        quantiles: [x; 5],
        median_se: 0.0,
    }
}

/// An input error for a sample whose forecast is not finite: the deterministic forecast at its
/// inputs names the key and year; the message adds the sample and its inputs.
pub(super) fn bad_sample(s: &Scenario, plan: &Plan, sampler: &Sampler, index: u64) -> InputErrors {
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
    match crate::forecast::forecast_capability(&at) {
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

#[cfg(test)]
mod tests {
    use super::super::engine::LEVER_NAMES;
    use super::*;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

    #[test]
    fn sketch_quantiles_are_within_1e_3_of_exact_ones() {
        let s = scenario(SCENARIO);
        let n = 100_000;
        let result = run(&s, n, 3, &|_| {}).unwrap();
        // Exact quantiles from every sample, evaluated again one by one.
        let sampler = Sampler::new(&s, 3).unwrap();
        let plan = Plan::new(&s).unwrap();
        let mut w = plan.scratch();
        let mut collect = plan.collect();
        let mut values = vec![vec![0.0; n]; plan.quantities()];
        for first in (0..n).step_by(LANES) {
            let live = LANES.min(n - first);
            plan.draw(&sampler, first as u64, live, &mut w);
            plan.evaluate(&mut w, &mut collect);
            for (v, x) in values.iter_mut().zip(&collect.values) {
                v[first..first + live].copy_from_slice(&x[..live]);
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
}
