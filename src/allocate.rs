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
//! a pattern search with shrinking steps. A split with no pretraining has no model, so the grid
//! starts at p = 1%. Capability rises with the logit, so splits are compared by logit (which
//! does not saturate).

use crate::error::{nearest, usage, InputErrors};
use crate::model::{domain_terms, rl, LeverPoint, Terms};
use crate::scenario::{show, Scenario};

/// Steps of the simplex grid per unit share (1%).
pub const GRID: u32 = 100;

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
            return Err(usage(
                file,
                "--year",
                format!(
                    "{} is not a year of the time grid ({} to {} every {})",
                    show(year),
                    show(t.year(0)),
                    show(t.year(t.len() - 1)),
                    show(t.step)
                ),
                Some("pick a grid year: start + k * step"),
            ));
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
        let term_params = crate::forecast::term_params(s);
        Allocation {
            pretraining: p,
            rl: r,
            inference: i,
            params,
            tokens,
            rl_steps,
            thinking_tokens,
            terms: domain_terms(&s.domains[self.domain], &term_params, &point),
        }
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

    /// The best split: the best grid point (the first of equals), refined by a pattern search
    /// that moves share between pairs of uses in steps from 1% down to 1e-9.
    pub fn best(&self, grid: &[Allocation]) -> Allocation {
        let mut best = grid[0];
        for a in grid {
            if score(a) > score(&best) {
                best = *a;
            }
        }
        let mut step = 1.0 / f64::from(GRID);
        while step > 1e-9 {
            let mut moved = false;
            for (dp, dr) in [
                (1.0, -1.0),
                (-1.0, 1.0),
                (1.0, 0.0),
                (-1.0, 0.0),
                (0.0, 1.0),
                (0.0, -1.0),
            ] {
                let (p, r) = (best.pretraining + dp * step, best.rl + dr * step);
                if p <= 0.0 || r < 0.0 || p + r > 1.0 + 1e-12 {
                    continue;
                }
                let r = r.min(1.0 - p);
                let candidate = self.evaluate(p, r);
                if score(&candidate) > score(&best) {
                    best = candidate;
                    moved = true;
                }
            }
            if !moved {
                step /= 2.0;
            }
        }
        best
    }

    /// Everything into pretraining.
    pub fn all_pretraining(&self) -> Allocation {
        self.evaluate(1.0, 0.0)
    }
}

/// The logit, with NaN as the worst score.
fn score(a: &Allocation) -> f64 {
    if a.terms.logit.is_nan() {
        f64::NEG_INFINITY
    } else {
        a.terms.logit
    }
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
