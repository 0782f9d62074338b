//! Compute allocation (`scalecast allocate`): split one FLOP budget between pretraining, RL and
//! inference to maximise one domain's capability in one year.
//!
//! A split gives shares `(p, r, i)` of the budget C, summing to 1:
//! - pretraining: `p C` FLOP, spent compute-optimally ([`Law::optimal_split`](crate::model::Law::optimal_split)) into N and D;
//! - RL: `S = r C / (8 N tokens_per_step)` steps;
//! - inference: `T = max(0, i C / (2 N Q) - answer_tokens)` thinking tokens per query, for Q queries.
//!
//! Everything else (efficiency, RL and inference parameters, the domain) is the scenario's at the
//! year. The search scores every split on a 1% grid of the simplex, then refines the best one by
//! a nested compass search (see [`Problem::best`]). A split with no pretraining has no model, so
//! the grid starts at p = 1%. Capability rises with the logit, so splits are compared by logit
//! (which does not saturate).
//!
//! Why nested: with overthinking on, the inference term has a kink where T crosses the thought
//! ceiling, and the ceiling moves with S, so the best splits often lie on a ridge `T = T_ceil(S)`
//! that runs obliquely through the simplex. A search that only moves share between two uses at a
//! time stalls on such a ridge (no single move climbs it). Maximising over the RL share for each
//! pretraining share, then over the pretraining share, climbs any such ridge: each one-dimensional
//! search crosses it or runs along it.

use crate::error::{nearest, usage, InputErrors};
use crate::model::{domain_logit, domain_terms, rl, LeverPoint, Terms};
use crate::scenario::{show, Scenario};

/// Steps of the simplex grid per unit share (1%).
pub const GRID: u32 = 100;

/// The refinement's steps halve from 1% of the budget; it stops when a step would fall to this
/// share or below (the last step tried is 1% / 2^23, about 1.2e-9).
pub const MIN_STEP: f64 = 1e-9;

/// A split of the budget and what it buys.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Allocation {
    /// Shares of the budget (sum 1).
    pub pretraining: f64,
    pub rl: f64,
    pub inference: f64,
    /// N, D, S, T.
    pub params: f64,
    pub tokens: f64,
    pub rl_steps: f64,
    pub thinking_tokens: f64,
    pub terms: Terms,
}

/// One allocation question: a budget, a year, a domain and a number of queries.
#[derive(Clone, Debug)]
pub struct Problem<'a> {
    pub scenario: &'a Scenario,
    /// FLOP.
    pub budget: f64,
    /// A grid year.
    pub year: f64,
    /// Index into `scenario.domains`.
    pub domain: usize,
    /// Queries served by the inference share.
    pub queries: f64,
}

impl<'a> Problem<'a> {
    /// Check the flags: a positive finite budget and number of queries, a grid year, a domain.
    pub fn new(
        scenario: &'a Scenario,
        budget: f64,
        year: f64,
        domain: &str,
        queries: f64,
    ) -> Result<Problem<'a>, InputErrors> {
        let file = scenario.document.file.as_str();
        if !(budget.is_finite() && budget > 0.0) {
            return Err(usage(
                file,
                "--budget",
                format!("expected a positive number of FLOP, found {}", show(budget)),
                Some("e.g. --budget 1e27"),
            ));
        }
        if !(queries.is_finite() && queries > 0.0) {
            return Err(usage(
                file,
                "--queries",
                format!(
                    "expected a positive number of queries, found {}",
                    show(queries)
                ),
                Some("the inference share serves this many queries; default 1e9"),
            ));
        }
        let t = &scenario.time;
        let Some(k) = t.index_of(year) else {
            let (message, hint) = t.off_grid(year);
            return Err(usage(file, "--year", message, Some(&hint)));
        };
        let names: Vec<&str> = scenario.domains.iter().map(|d| d.name.as_str()).collect();
        let Some(d) = names.iter().position(|n| *n == domain) else {
            let near = nearest(domain, names.iter().copied(), 3);
            let hint = if near.is_empty() {
                format!("the domains are: {}", names.join(", "))
            } else {
                format!("did you mean {}?", near.join(", "))
            };
            return Err(usage(
                file,
                "--domain",
                format!("no domain named {domain:?}"),
                Some(&hint),
            ));
        };
        Ok(Problem {
            scenario,
            budget,
            year: t.year(k),
            domain: d,
            queries,
        })
    }

    /// What the split `(p, r, 1 - p - r)` buys (p > 0).
    pub fn evaluate(&self, p: f64, r: f64) -> Allocation {
        let s = self.scenario;
        let (i, tokens, point) = self.levers(p, r);
        let term_params = crate::forecast::term_params(s);
        Allocation {
            pretraining: p,
            rl: r,
            inference: i,
            params: point.params,
            tokens,
            rl_steps: point.rl_steps,
            thinking_tokens: point.thinking_tokens,
            terms: domain_terms(&s.domains[self.domain], &term_params, &point),
        }
    }

    /// The logit of the split `(p, r, 1 - p - r)`, as [`Problem::evaluate`] gives it, with NaN
    /// as the worst score; cheaper, for the search.
    pub fn score(&self, p: f64, r: f64) -> f64 {
        let s = self.scenario;
        let (_, _, point) = self.levers(p, r);
        let term_params = crate::forecast::term_params(s);
        nan_worst(domain_logit(&s.domains[self.domain], &term_params, &point))
    }

    /// The inference share, the tokens D and the levers the split `(p, r, 1 - p - r)` buys.
    fn levers(&self, p: f64, r: f64) -> (f64, f64, LeverPoint) {
        let s = self.scenario;
        let i = (1.0 - p - r).max(0.0);
        let law = &s.pretraining.law;
        let (params, tokens) = law.optimal_split(p * self.budget);
        let u = law.effective_log10_compute(params, tokens, s.pretraining.efficiency.at(self.year));
        let rl_steps = r * self.budget / (8.0 * params * s.rl.tokens_per_step);
        let thinking_tokens =
            (i * self.budget / (2.0 * params * self.queries) - s.inference.answer_tokens).max(0.0);
        let point = LeverPoint {
            params,
            effective_log10_compute: u,
            rl_steps,
            rl_progress: rl::progress(rl_steps, s.rl.midpoint_steps, s.rl.exponent),
            thinking_tokens,
        };
        (i, tokens, point)
    }

    /// Every split on the 1% grid with p >= 1%, p outermost then r, each ascending.
    pub fn grid(&self) -> Vec<Allocation> {
        let mut out = Vec::with_capacity(5050);
        for a in 1..=GRID {
            for b in 0..=GRID - a {
                let p = f64::from(a) / f64::from(GRID);
                let r = f64::from(b) / f64::from(GRID);
                out.push(self.evaluate(p, r));
            }
        }
        out
    }

    /// The best split: the best grid point (the first of equals), refined by a nested compass
    /// search. The outer search moves the pretraining share p; for each p it tries, the inner
    /// search finds the best RL share r in `[0, 1 - p]` (the rest goes to inference), starting
    /// from the current best r. Each search tries a step up, then down (clamped to its range),
    /// moves on the first that raises the logit and otherwise halves the step; steps run from 1%
    /// down to [`MIN_STEP`], and the inner search starts at the outer one's current step.
    ///
    /// The result is a local maximum to [`MIN_STEP`] of share: no change of p by the last step
    /// (with r re-optimised) and no change of r by the last step raises the logit. On a ridge,
    /// such as the one overthinking's kink makes, this holds along the ridge too. The refined
    /// split replaces the grid point only when its logit is higher. Every step is a fixed
    /// sequence of evaluations, so the result is the same on every run.
    pub fn best(&self, grid: &[Allocation]) -> Allocation {
        let mut start = grid[0];
        for a in grid {
            if score(a) > score(&start) {
                start = *a;
            }
        }
        let (p, r) = self.refine(start.pretraining, start.rl);
        let refined = self.evaluate(p, r);
        if score(&refined) > score(&start) {
            refined
        } else {
            start
        }
    }

    /// The nested compass search of [`Problem::best`] from `(p, r)`.
    fn refine(&self, p: f64, r: f64) -> (f64, f64) {
        let first = 1.0 / f64::from(GRID);
        // The best r for pretraining share p, from r0, with first step `step`.
        let inner = |p: f64, r0: f64, step: f64| {
            let r0 = r0.clamp(0.0, 1.0 - p);
            climb(r0, self.score(p, r0), 0.0, 1.0 - p, step, |r| {
                self.score(p, r)
            })
        };
        let (r, s) = inner(p, r, first);
        let mut best = (p, r, s);
        let mut step = first;
        while step > MIN_STEP {
            let mut moved = false;
            for dir in [1.0, -1.0] {
                let p = (best.0 + dir * step).min(1.0);
                if p <= 0.0 || p == best.0 {
                    continue;
                }
                let (r, s) = inner(p, best.1, step);
                if s > best.2 {
                    best = (p, r, s);
                    moved = true;
                    break;
                }
            }
            if !moved {
                step /= 2.0;
            }
        }
        (best.0, best.1)
    }

    /// Everything into pretraining.
    pub fn all_pretraining(&self) -> Allocation {
        self.evaluate(1.0, 0.0)
    }
}

/// The logit, with NaN as the worst score.
fn score(a: &Allocation) -> f64 {
    nan_worst(a.terms.logit)
}

fn nan_worst(logit: f64) -> f64 {
    if logit.is_nan() {
        f64::NEG_INFINITY
    } else {
        logit
    }
}

/// Compass search of `f` over `[lo, hi]` from `x` (scoring `fx`): try `x + step`, then
/// `x - step`, each clamped into the range; move to the first that scores higher, else halve the
/// step; stop when a step of [`MIN_STEP`] or less fails. The best point and its score.
fn climb(
    mut x: f64,
    mut fx: f64,
    lo: f64,
    hi: f64,
    mut step: f64,
    mut f: impl FnMut(f64) -> f64,
) -> (f64, f64) {
    while step > MIN_STEP {
        let mut moved = false;
        for dir in [1.0, -1.0] {
            let y = (x + dir * step).clamp(lo, hi);
            if y == x {
                continue;
            }
            let fy = f(y);
            if fy > fx {
                (x, fx) = (y, fy);
                moved = true;
                break;
            }
        }
        if !moved {
            step /= 2.0;
        }
    }
    (x, fx)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[time]\nstart = 2024\nend = 2030\nstep = 1\n[pretraining]\nparams = 1e12\ntokens = 2e13\n[rl]\nsteps = 1e4\n[inference]\ntokens = 1e3\n[[domain]]\nname = \"math\"\nverifiability = 0.9\nslope = 1\ndifficulty = 27\n";

    fn scenario(extra: &str) -> Scenario {
        Scenario::from_text("s.toml", "s", &format!("{BASE}{extra}")).unwrap()
    }

    #[test]
    fn splits_follow_the_budget_equations() {
        let s = scenario("");
        let p = Problem::new(&s, 1e26, 2027.0, "math", 1e9).unwrap();
        let a = p.evaluate(0.5, 0.25);
        approx::assert_relative_eq!(6.0 * a.params * a.tokens, 0.5e26, max_relative = 1e-12);
        approx::assert_relative_eq!(
            a.rl_steps,
            0.25e26 / (8.0 * a.params * 1e7),
            max_relative = 1e-12
        );
        approx::assert_relative_eq!(
            a.thinking_tokens,
            0.25e26 / (2.0 * a.params * 1e9) - 500.0,
            max_relative = 1e-12
        );
        // compute-optimal pretraining: u is log10 of its FLOP
        let u = s
            .pretraining
            .law
            .effective_log10_compute(a.params, a.tokens, 1.0);
        approx::assert_relative_eq!(u, 0.5e26f64.log10(), max_relative = 1e-12);
    }

    #[test]
    fn useless_rl_and_thinking_leave_everything_to_pretraining() {
        let s = scenario("");
        let mut s = s.clone();
        s.rl.max_gain = 0.0;
        s.inference.base_gain = 0.0;
        s.inference.rl_gain = 0.0;
        let p = Problem::new(&s, 1e25, 2026.0, "math", 1e9).unwrap();
        let best = p.best(&p.grid());
        assert_eq!(best.pretraining, 1.0);
        assert_eq!(best.terms.logit, p.all_pretraining().terms.logit);
    }

    #[test]
    fn the_best_split_is_never_worse_than_all_pretraining() {
        let s = scenario("");
        for budget in [1e12, 1e20, 1e26, 1e30] {
            let p = Problem::new(&s, budget, 2024.0, "math", 1e9).unwrap();
            let grid = p.grid();
            assert_eq!(grid.len(), 5050);
            let best = p.best(&grid);
            assert!(
                best.terms.logit >= p.all_pretraining().terms.logit,
                "{budget}"
            );
            assert!(grid.iter().all(|g| g.terms.logit <= best.terms.logit));
            approx::assert_relative_eq!(
                best.pretraining + best.rl + best.inference,
                1.0,
                max_relative = 1e-9
            );
        }
    }

    /// The best logit over the simplex by brute force: a grid of 1/400 of the budget, then four
    /// zooms of a 41 x 41 grid around the best point so far, each a fifth the size of the last
    /// (the last spacing is 1.2e-7 of the budget). It looks in every direction, so a ridge does
    /// not stop it.
    fn brute_force(problem: &Problem) -> (f64, f64, f64) {
        let n = 400u32;
        let mut best = (f64::NEG_INFINITY, 0.0, 0.0);
        let consider = |p: f64, r: f64, best: &mut (f64, f64, f64)| {
            if p > 0.0 && p <= 1.0 && r >= 0.0 && p + r <= 1.0 {
                let s = problem.score(p, r);
                if s > best.0 {
                    *best = (s, p, r);
                }
            }
        };
        for a in 1..=n {
            for b in 0..=n - a {
                consider(
                    f64::from(a) / f64::from(n),
                    f64::from(b) / f64::from(n),
                    &mut best,
                );
            }
        }
        let mut half = 2.0 / f64::from(n);
        for _ in 0..4 {
            let (_, p0, r0) = best;
            for a in -20..=20 {
                for b in -20..=20 {
                    let (da, db) = (f64::from(a) / 20.0, f64::from(b) / 20.0);
                    consider(p0 + half * da, r0 + half * db, &mut best);
                }
            }
            half /= 5.0;
        }
        best
    }

    /// The search's logit is never more than 1e-7 below the brute force's best (it is usually
    /// above it: the brute force's last grid is coarser than the search's last step).
    #[test]
    fn the_best_split_matches_a_brute_force_search() {
        // writing-like: little verifiable, RL on, erosion on, thinking capped by the ceiling
        let writing = "[time]\nstart = 2024\nend = 2026\nstep = 1\n[pretraining]\nparams = 1.8e12\ntokens = 13e12\n[rl]\nsteps = 1e4\ntransfer = 0.1\n[erosion]\nrate = 0.3\nsize_exponent = 0.5\npower = 1.5\n[inference]\ntokens = 1e3\n[[domain]]\nname = \"math\"\nverifiability = 0.1\nslope = 0.8\ndifficulty = 26.5\n";
        // (scenario, extra tables, budgets); a grid with overthinking on takes about a second
        // (the thinking multiplier of each point is a numeric search), so those cases are few
        let both: &[f64] = &[1e26, 1e28];
        let cases = [
            // overthinking: the optimum sits on the ridge T = T_ceil(S)
            (
                writing,
                "[inference.ceiling]\noverthinking = 0.3\nsharpness = 4\n",
                both,
            ),
            (
                writing,
                "[inference.ceiling]\noverthinking = 0.6\nsharpness = 2\n",
                &[1e26],
            ),
            (
                writing,
                "[inference.ceiling]\noverthinking = 0.1\nsharpness = 8\n",
                &[1e28],
            ),
            (BASE, "[inference.ceiling]\noverthinking = 0.5\n", both),
            // no overthinking, the ceiling off, erosion on or off
            (writing, "", both),
            (writing, "[inference.ceiling]\nbase = inf\n", both),
            (BASE, "", both),
            (BASE, "[erosion]\nrate = 0.5\nsize_exponent = 0.3\n", both),
        ];
        for (base, extra, budgets) in cases {
            let s = Scenario::from_text("s.toml", "s", &format!("{base}{extra}")).unwrap();
            for &budget in budgets {
                let p = Problem::new(&s, budget, 2025.0, "math", 1e9).unwrap();
                let best = p.best(&p.grid());
                let (want, wp, wr) = brute_force(&p);
                let short = want - best.terms.logit;
                assert!(
                    short <= 1e-7,
                    "{extra:?} at {budget:e}: search {} at ({}, {}), brute force {want} at ({wp}, {wr})",
                    best.terms.logit,
                    best.pretraining,
                    best.rl
                );
                assert_eq!(best.terms.logit, p.score(best.pretraining, best.rl));
            }
        }
    }

    #[test]
    fn the_search_is_deterministic() {
        let s = scenario("[inference.ceiling]\noverthinking = 0.5\n");
        let p = Problem::new(&s, 1e26, 2025.0, "math", 1e9).unwrap();
        let grid = p.grid();
        let a = p.best(&grid);
        let b = p.best(&grid);
        assert_eq!(a.pretraining.to_bits(), b.pretraining.to_bits());
        assert_eq!(a.rl.to_bits(), b.rl.to_bits());
        assert_eq!(a.terms.logit.to_bits(), b.terms.logit.to_bits());
    }

    #[test]
    fn flags_are_checked() {
        let s = scenario("");
        assert!(Problem::new(&s, 0.0, 2024.0, "math", 1e9).is_err());
        assert!(Problem::new(&s, 1e25, 2024.5, "math", 1e9).is_err());
        assert!(Problem::new(&s, 1e25, 2024.0, "math", 0.0).is_err());
        let e = Problem::new(&s, 1e25, 2024.0, "mathh", 1e9).unwrap_err();
        assert!(e.0[0].hint.as_deref().unwrap().contains("math"));
    }
}
