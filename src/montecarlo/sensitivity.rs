//! Sensitivity of the outputs to each uncertain input: the one-at-a-time tornado (each input at
//! its p5 and p95, the others at their medians), and first-order and total Sobol indices.

use rayon::prelude::*;

use crate::error::{InputError, InputErrors};
use crate::scenario::Scenario;

use super::engine::{Plan, LANES};
use super::sampler::Sampler;

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
    let base = crate::forecast::forecast_capability(s)?;
    let after = s.time.year(s.time.len() - 1) + s.time.step;
    let mut ends = Vec::new();
    for u in &s.uncertain {
        let mut pair = Vec::new();
        for (p, name) in [(0.05, "p5"), (0.95, "p95")] {
            let x = u.dist.quantile(p);
            let mut t = s.clone();
            t.set(&u.path, x)?;
            let f = crate::forecast::forecast_capability(&t).map_err(|mut e| {
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

/// Base samples of the Sobol indices when `--sobol` is not given.
pub const DEFAULT_SOBOL_SAMPLES: usize = 8192;
/// The most base samples one run accepts (each costs `inputs + 2` evaluations).
pub const MAX_SOBOL_SAMPLES: usize = 1_000_000;
/// Rows of the two sample matrices per unit of parallel work (and of the ordered sums).
const SOBOL_CHUNK: usize = 256;
/// First stream of the Sobol matrices: row `i` of A draws from stream `SOBOL_STREAMS + 2 i`, of B
/// from `SOBOL_STREAMS + 2 i + 1`, apart from every Monte Carlo sample's stream (its index).
const SOBOL_STREAMS: u64 = 1 << 62;

/// One input's first-order and total Sobol indices for one output, with their Monte Carlo
/// standard errors.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndex {
    pub input: String,
    pub first: f64,
    pub first_se: f64,
    pub total: f64,
    pub total_se: f64,
}

/// The Sobol indices of one output (`capability:DOMAIN` at the sensitivity year).
#[derive(Clone, Debug, PartialEq)]
pub struct Sobol {
    pub target: String,
    /// The output's variance over the independent inputs.
    pub variance: f64,
    /// One per uncertain input, in file order.
    pub indices: Vec<SobolIndex>,
}

/// The first-order and total indices and their standard errors, per input, of each of
/// `outputs` outputs, from `n` rows of two independent sample matrices A and B:
/// `draw(stream, row)` fills a row of `k` inputs; `evaluator()` makes (per worker) a function
/// from rows of inputs (`k` numbers each, one after another) to their outputs (`outputs` numbers
/// per row, in the same order), and `centre` is subtracted from each output (any value near the
/// mean: it cancels in every estimate but keeps the sums small).
///
/// Estimators (Saltelli et al. 2010, "Variance based sensitivity analysis of model output"):
/// first order `S_j = mean(f(B) (f(A_B^j) - f(A))) / V` (Saltelli 2010), total
/// `ST_j = mean((f(A) - f(A_B^j))^2) / (2 V)` (Jansen 1999), with `A_B^j` A whose column j comes
/// from B and `V` the variance of the 2n values f(A), f(B). Standard errors by the delta method:
/// each index is a function of the means of per-row terms (the numerator's term,
/// `(f(A)^2 + f(B)^2) / 2` and `(f(A) + f(B)) / 2`), whose sample covariance gives the variance.
pub fn sobol_indices<E: FnMut(&[f64], &mut [f64])>(
    k: usize,
    n: usize,
    outputs: usize,
    centre: &[f64],
    draw: &(dyn Fn(u64, &mut [f64]) + Sync),
    evaluator: &(dyn Fn() -> E + Sync),
) -> Vec<(f64, Vec<[f64; 4]>)> {
    // Per row of the matrices, k + 2 evaluations: A, B, then A_B^j for each j.
    let per_row = k + 2;
    let chunks: Vec<SobolSums> = (0..n.div_ceil(SOBOL_CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut eval = evaluator();
            let mut sums = SobolSums::new(k, outputs);
            let rows = c * SOBOL_CHUNK..n.min((c + 1) * SOBOL_CHUNK);
            let mut inputs = vec![0.0; rows.len() * per_row * k];
            for (r, i) in rows.clone().enumerate() {
                let at = &mut inputs[r * per_row * k..(r + 1) * per_row * k];
                let (a, rest) = at.split_at_mut(k);
                let (b, ab) = rest.split_at_mut(k);
                draw(SOBOL_STREAMS + 2 * i as u64, a);
                draw(SOBOL_STREAMS + 2 * i as u64 + 1, b);
                for (j, row) in ab.chunks_exact_mut(k).enumerate() {
                    row.copy_from_slice(a);
                    row[j] = b[j];
                }
            }
            let mut out = vec![0.0; rows.len() * per_row * outputs];
            eval(&inputs, &mut out);
            for f in out.chunks_exact(per_row * outputs) {
                let (fa, rest) = f.split_at(outputs);
                let (fb, fab) = rest.split_at(outputs);
                sums.add(fa, fb, fab, centre);
            }
            sums
        })
        .collect();
    let mut total = SobolSums::new(k, outputs);
    for c in &chunks {
        total.merge(c);
    }
    total.estimates(n)
}

/// Running sums of one chunk of rows: per output `[w, m, w^2, m^2, w m]` with
/// `w = (a^2 + b^2) / 2`, `m = (a + b) / 2`; per (output, input) and estimator (first, total)
/// `[y, y^2, y w, y m]` of its per-row term y.
struct SobolSums {
    k: usize,
    base: Vec<[f64; 5]>,
    terms: Vec<[[f64; 4]; 2]>,
}

impl SobolSums {
    fn new(k: usize, outputs: usize) -> SobolSums {
        SobolSums {
            k,
            base: vec![[0.0; 5]; outputs],
            terms: vec![[[0.0; 4]; 2]; outputs * k],
        }
    }

    fn add(&mut self, fa: &[f64], fb: &[f64], fab: &[f64], centre: &[f64]) {
        let outputs = fa.len();
        for o in 0..outputs {
            let (a, b) = (fa[o] - centre[o], fb[o] - centre[o]);
            let (w, m) = ((a * a + b * b) / 2.0, (a + b) / 2.0);
            for (s, x) in self.base[o].iter_mut().zip([w, m, w * w, m * m, w * m]) {
                *s += x;
            }
            for j in 0..self.k {
                let c = fab[j * outputs + o] - centre[o];
                let ys = [b * (c - a), (a - c) * (a - c) / 2.0];
                for (t, y) in self.terms[o * self.k + j].iter_mut().zip(ys) {
                    for (s, x) in t.iter_mut().zip([y, y * y, y * w, y * m]) {
                        *s += x;
                    }
                }
            }
        }
    }

    fn merge(&mut self, other: &SobolSums) {
        for (a, b) in self.base.iter_mut().zip(&other.base) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.terms.iter_mut().zip(&other.terms) {
            for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                *x += y;
            }
        }
    }

    /// Per output: the variance, and per input `[S, SE(S), ST, SE(ST)]`.
    fn estimates(&self, n: usize) -> Vec<(f64, Vec<[f64; 4]>)> {
        let nf = n as f64;
        self.base
            .iter()
            .enumerate()
            .map(|(o, b)| {
                let (w, m) = (b[0] / nf, b[1] / nf);
                let (var_w, var_m, cov_wm) =
                    (b[2] / nf - w * w, b[3] / nf - m * m, b[4] / nf - w * m);
                let v = w - m * m;
                let per_input = (0..self.k)
                    .map(|j| {
                        let mut out = [0.0; 4];
                        for (e, t) in self.terms[o * self.k + j].iter().enumerate() {
                            let y = t[0] / nf;
                            let (var_y, cov_yw, cov_ym) =
                                (t[1] / nf - y * y, t[2] / nf - y * w, t[3] / nf - y * m);
                            // S = y / (w - m^2): gradient (1/V, -y/V^2, 2 m y / V^2).
                            let g = [1.0 / v, -y / (v * v), 2.0 * m * y / (v * v)];
                            let cov = [
                                [var_y, cov_yw, cov_ym],
                                [cov_yw, var_w, cov_wm],
                                [cov_ym, cov_wm, var_m],
                            ];
                            let mut var = 0.0;
                            for r in 0..3 {
                                for c in 0..3 {
                                    var += g[r] * cov[r][c] * g[c];
                                }
                            }
                            out[2 * e] = y / v;
                            out[2 * e + 1] = (var.max(0.0) / nf).sqrt();
                        }
                        out
                    })
                    .collect();
                (v, per_input)
            })
            .collect()
    }
}

/// First-order and total Sobol indices of every domain's capability at grid year `year_index`,
/// from `base` rows of two sample matrices (`base * (inputs + 2)` evaluations by the Monte
/// Carlo engine), drawn with `seed`. Sobol indices assume independent inputs: correlations are
/// ignored here. An output with no variance (no input reaches it) has indices of 0.
pub fn sobol(
    s: &Scenario,
    year_index: usize,
    base: usize,
    seed: u64,
) -> Result<Vec<Sobol>, InputErrors> {
    let sampler = Sampler::new(s, seed)?;
    let plan = Plan::new(s).map_err(|e| InputErrors::from(s.document.error("", e.to_string())))?;
    let n_years = plan.years.len();
    let n_domains = s.domains.len();
    let k = sampler.len();
    let at_medians = crate::forecast::forecast_capability(s)?;
    let centre: Vec<f64> = at_medians
        .terms
        .iter()
        .map(|t| t[year_index].capability)
        .collect();
    let draw = |stream: u64, out: &mut [f64]| sampler.draw_independent(stream, out);
    let plan = &plan;
    let evaluator = || {
        let mut w = plan.scratch();
        let mut collect = plan.collect();
        move |inputs: &[f64], out: &mut [f64]| {
            let rows = inputs.chunks_exact(k.max(1));
            for (block, out) in rows
                .collect::<Vec<_>>()
                .chunks(LANES)
                .zip(out.chunks_mut(LANES * n_domains))
            {
                plan.set_rows(block.iter().copied(), &mut w);
                plan.evaluate(&mut w, &mut collect);
                for (l, o) in out.chunks_exact_mut(n_domains).enumerate() {
                    for (d, o) in o.iter_mut().enumerate() {
                        *o = collect.values[d * n_years + year_index][l];
                    }
                }
            }
        }
    };
    let estimates = if k == 0 || base == 0 {
        vec![(0.0, Vec::new()); n_domains]
    } else {
        sobol_indices(k, base, n_domains, &centre, &draw, &evaluator)
    };
    let mut out = Vec::new();
    for (domain, (variance, per_input)) in s.domains.iter().zip(estimates) {
        if !variance.is_finite()
            || per_input
                .iter()
                .flatten()
                .any(|x| !x.is_finite() && variance > 0.0)
        {
            return Err(InputError::new(
                &s.document.file,
                "",
                None,
                "",
                format!(
                    "the Sobol indices of {}'s capability are not finite (a sample's capability is not finite)",
                    domain.name
                ),
            )
            .with_hint("narrow the distributions or clamp them with `min` / `max`")
            .into());
        }
        let indices = sampler
            .paths
            .iter()
            .zip(per_input)
            .map(|(input, e)| {
                let e = if variance > 0.0 { e } else { [0.0; 4] };
                SobolIndex {
                    input: input.clone(),
                    first: e[0],
                    first_se: e[1],
                    total: e[2],
                    total_se: e[3],
                }
            })
            .collect();
        out.push(Sobol {
            target: format!("capability:{}", domain.name),
            variance,
            indices,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::test_support::{scenario, SCENARIO};

    /// The Ishigami function `sin x1 + a sin^2 x2 + b x3^4 sin x1`, a = 7, b = 0.1, inputs
    /// uniform on [-pi, pi]: S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437) (Ishigami and
    /// Homma 1990; Saltelli et al. 2008, Global Sensitivity Analysis, section 3.8).
    #[test]
    fn sobol_indices_of_the_ishigami_function() {
        use rand::{Rng, SeedableRng};
        use rand_chacha::ChaCha8Rng;
        let pi = std::f64::consts::PI;
        let draw = |stream: u64, out: &mut [f64]| {
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            rng.set_stream(stream);
            for x in out.iter_mut() {
                *x = -pi + 2.0 * pi * rng.random::<f64>();
            }
        };
        let evaluator = || {
            |rows: &[f64], out: &mut [f64]| {
                for (x, o) in rows.chunks_exact(3).zip(out.iter_mut()) {
                    *o = x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
                }
            }
        };
        let n = 1 << 15;
        let (variance, e) = sobol_indices(3, n, 1, &[3.5], &draw, &evaluator).remove(0);
        // V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446.
        assert!((variance - 13.8446).abs() < 0.3, "{variance}");
        let known = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (j, (&(s1, st), got)) in known.iter().zip(&e).enumerate() {
            let [first, first_se, total, total_se] = *got;
            assert!(first_se > 0.0 && first_se < 0.02 && total_se > 0.0 && total_se < 0.02);
            assert!(
                (first - s1).abs() < 4.0 * first_se,
                "S{}: {first} +- {first_se}",
                j + 1
            );
            assert!(
                (total - st).abs() < 4.0 * total_se,
                "ST{}: {total} +- {total_se}",
                j + 1
            );
        }
        // The standard errors are honest: over 40 independent runs of 1024 rows, the estimates'
        // spread matches the mean standard error within a third.
        let runs: Vec<[f64; 4]> = (0..40u64)
            .map(|r| {
                let draw = |stream: u64, out: &mut [f64]| draw(stream + (r << 20), out);
                sobol_indices(3, 1024, 1, &[3.5], &draw, &evaluator)
                    .remove(0)
                    .1[0]
            })
            .collect();
        for (value, se) in [(0, 1), (2, 3)] {
            let mean = runs.iter().map(|x| x[value]).sum::<f64>() / 40.0;
            let sd = (runs.iter().map(|x| (x[value] - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
            let mean_se = runs.iter().map(|x| x[se]).sum::<f64>() / 40.0;
            assert!(
                (sd / mean_se - 1.0).abs() < 0.35,
                "spread {sd} vs standard error {mean_se}"
            );
        }
    }

    #[test]
    fn sobol_of_a_scenario_ranks_what_moves_each_domain_and_ignores_the_rest() {
        let s = scenario(SCENARIO);
        let last = s.time.len() - 1;
        let result = sobol(&s, last, 2048, 9).unwrap();
        assert_eq!(result.len(), 2);
        let math = &result[0];
        assert_eq!(math.target, "capability:math");
        assert_eq!(math.indices.len(), s.uncertain.len());
        assert!(math.variance > 0.0);
        let index = |r: &Sobol, p: &str| r.indices.iter().find(|i| i.input == p).unwrap().clone();
        // writing's difficulty and verifiability do not reach math at all: exactly 0
        // (f(A_B^j) = f(A) in every row).
        for p in ["domain.writing.difficulty", "domain.writing.verifiability"] {
            let i = index(math, p);
            assert_eq!(
                (i.first, i.total, i.first_se, i.total_se),
                (0.0, 0.0, 0.0, 0.0),
                "{p}"
            );
        }
        // every index within [0, 1] up to its error, totals at least the first-order ones.
        for r in &result {
            for i in &r.indices {
                assert!(i.total >= -3.0 * i.total_se && i.total <= 1.0 + 3.0 * i.total_se);
                assert!(
                    i.first <= i.total + 3.0 * (i.first_se + i.total_se),
                    "{i:?}"
                );
            }
        }
        // the same numbers with one thread and with two.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(one.install(|| sobol(&s, last, 2048, 9).unwrap()), result);
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
}
