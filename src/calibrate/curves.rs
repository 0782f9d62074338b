//! Capability curves, one per benchmark, with one slope per domain and one efficiency growth
//! shared by all: a model trained with compute C and released in year t has effective compute
//! `u = u(C) + g (t - t0)` (log10 FLOP at the efficiency of the present year t0, `u(C)` the
//! compute-optimal effective compute of MODEL.md §2), and its score on benchmark b of domain d
//! is `floor_b + (1 - floor_b) sigmoid(slope_d (u - difficulty_b))`: the benchmarks of a domain
//! measure one skill at different difficulties.
//!
//! The curves are fitted to each benchmark's frontier by least squares on the score (L-BFGS,
//! several starts per domain); g by minimising the total over a grid, then golden-section
//! search.

use crate::fit::domain::{Link, Point as LinkPoint};
use crate::fit::{best_of, logit, Objective};
use crate::model::sigmoid;

use super::frontier::Point;
use super::reasoners::logit_above;

/// One benchmark's frontier points, its floor (None: fitted) and its domain's group.
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    pub points: Vec<Point>,
    pub fixed_floor: Option<f64>,
    /// Sets with the same group share a slope.
    pub group: usize,
}

impl Set {
    /// Its own parameters: the difficulty and, unless given, the floor.
    fn own(&self) -> usize {
        if self.fixed_floor.is_some() {
            1
        } else {
            2
        }
    }

    /// Parameters of a curve fitted to it alone: a slope plus its own.
    pub fn parameters(&self) -> usize {
        1 + self.own()
    }

    /// The points as `(u, score)` at efficiency growth `g` from year `t0`.
    fn at(&self, g: f64, t0: f64) -> Vec<LinkPoint> {
        self.points
            .iter()
            .map(|p| LinkPoint {
                u: p.log10_compute + g * (p.year - t0),
                score: p.score,
            })
            .collect()
    }
}

/// Squared score errors of the sets of one group; parameters `ln slope`, then per set its
/// difficulty and (when fitted) the logit of its floor.
struct GroupError {
    sets: Vec<(Vec<LinkPoint>, Option<f64>)>,
}

impl GroupError {
    fn links(&self, p: &[f64]) -> Vec<Link> {
        let slope = p[0].exp();
        let mut at = 1;
        self.sets
            .iter()
            .map(|(_, fixed)| {
                let difficulty = p[at];
                let floor = match fixed {
                    Some(f) => *f,
                    None => sigmoid(p[at + 1]),
                };
                at += if fixed.is_some() { 1 } else { 2 };
                Link {
                    slope,
                    difficulty,
                    floor,
                }
            })
            .collect()
    }
}

impl Objective for GroupError {
    fn cost(&self, p: &[f64]) -> f64 {
        self.links(p)
            .iter()
            .zip(&self.sets)
            .map(|(l, (pts, _))| {
                pts.iter()
                    .map(|x| (l.score(x.u) - x.score).powi(2))
                    .sum::<f64>()
            })
            .sum()
    }

    fn gradient(&self, p: &[f64]) -> Vec<f64> {
        let links = self.links(p);
        let mut g = vec![0.0; p.len()];
        let mut at = 1;
        for (l, (pts, fixed)) in links.iter().zip(&self.sets) {
            for x in pts {
                let q = sigmoid(l.slope * (x.u - l.difficulty));
                let r2 = 2.0 * (l.floor + (1.0 - l.floor) * q - x.score);
                let dq = (1.0 - l.floor) * q * (1.0 - q);
                g[0] += r2 * dq * (x.u - l.difficulty) * l.slope;
                g[at] -= r2 * dq * l.slope;
                if fixed.is_none() {
                    g[at + 1] += r2 * (1.0 - q) * l.floor * (1.0 - l.floor);
                }
            }
            at += if fixed.is_some() { 1 } else { 2 };
        }
        g
    }
}

/// Starting points of a group: slopes {0.25, 0.5, 1, 2, 4}, each set's difficulty where its
/// mean logit would sit at that slope, fitted floors at 0.1.
fn starts(e: &GroupError) -> Vec<Vec<f64>> {
    [0.25f64, 0.5, 1.0, 2.0, 4.0]
        .iter()
        .map(|&s| {
            let mut p = vec![s.ln()];
            for (pts, fixed) in &e.sets {
                let n = pts.len() as f64;
                let floor = fixed.unwrap_or(0.1);
                let mean_u = pts.iter().map(|x| x.u).sum::<f64>() / n;
                let mean_logit = pts.iter().map(|x| logit_above(x.score, floor)).sum::<f64>() / n;
                p.push(mean_u - mean_logit / s);
                if fixed.is_none() {
                    p.push(logit(floor));
                }
            }
            p
        })
        .collect()
}

/// The fitted curves.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// Efficiency growth g, orders of magnitude of effective compute per year.
    pub growth: f64,
    /// One per set, in order.
    pub links: Vec<Link>,
    /// The optimiser's parameters per group (in order of first appearance), for warm starts.
    pub params: Vec<(usize, Vec<f64>)>,
    /// Sum of squared score errors over every set.
    pub cost: f64,
}

/// The range of efficiency growths searched, orders of magnitude per year.
pub const GROWTH_RANGE: (f64, f64) = (-0.5, 3.0);
/// Grid step of the first search.
const GROWTH_STEP: f64 = 0.05;

/// The groups of `sets`, in order of first appearance, with their sets' indices.
fn groups(sets: &[Set]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, s) in sets.iter().enumerate() {
        match out.iter_mut().find(|(g, _)| *g == s.group) {
            Some((_, members)) => members.push(i),
            None => out.push((s.group, vec![i])),
        }
    }
    out
}

/// Curves at growth `g`; each group starts from `warm` when it has its parameters there, else
/// from its grid. None if any group fails.
fn at_growth(sets: &[Set], t0: f64, g: f64, warm: Option<&Curves>) -> Option<Curves> {
    let mut links = vec![
        Link {
            slope: f64::NAN,
            difficulty: f64::NAN,
            floor: f64::NAN
        };
        sets.len()
    ];
    let mut params = Vec::new();
    let mut cost = 0.0;
    for (group, members) in groups(sets) {
        let e = GroupError {
            sets: members
                .iter()
                .map(|&i| (sets[i].at(g, t0), sets[i].fixed_floor))
                .collect(),
        };
        let from = warm
            .and_then(|w| w.params.iter().find(|(k, _)| *k == group))
            .map(|(_, p)| p.clone())
            .filter(|p| p.len() == 1 + members.iter().map(|&i| sets[i].own()).sum::<usize>());
        // A fitted floor near 0 has almost no gradient (it is `sigmoid(p)`), so a warm start
        // alone would never leave it: groups with fitted floors also start from their grid.
        let start = match from {
            Some(p) if members.iter().all(|&i| sets[i].fixed_floor.is_some()) => vec![p],
            Some(p) => std::iter::once(p).chain(starts(&e)).collect(),
            None => starts(&e),
        };
        let (p, c) = best_of(&e, &start)?;
        for (l, &i) in e.links(&p).into_iter().zip(&members) {
            links[i] = l;
        }
        params.push((group, p));
        cost += c;
    }
    Some(Curves {
        growth: g,
        links,
        params,
        cost,
    })
}

/// Golden-section search for the lowest cost on `[lo, hi]`, warm-started from `warm`.
fn refine(sets: &[Set], t0: f64, lo: f64, hi: f64, warm: &Curves) -> Curves {
    let eval = |g: f64| at_growth(sets, t0, g, Some(warm));
    let cost = |f: &Option<Curves>| f.as_ref().map_or(f64::INFINITY, |f| f.cost);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - ratio * (b - a);
    let mut d = a + ratio * (b - a);
    let (mut fc, mut fd) = (eval(c), eval(d));
    while b - a > 1e-7 {
        if cost(&fc) <= cost(&fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = eval(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = eval(d);
        }
    }
    [fc, fd, Some(warm.clone())]
        .into_iter()
        .flatten()
        .min_by(|x, y| x.cost.total_cmp(&y.cost))
        .expect("the warm start is a candidate")
}

/// The lowest-cost curves over `steps + 1` growths evenly spread on `[lo, hi]`, each from
/// `warm` (or the grid).
fn scan(
    sets: &[Set],
    t0: f64,
    (lo, hi): (f64, f64),
    steps: usize,
    warm: Option<&Curves>,
) -> Option<Curves> {
    let mut best: Option<Curves> = None;
    for i in 0..=steps {
        let g = lo + (hi - lo) * i as f64 / steps as f64;
        if let Some(c) = at_growth(sets, t0, g, warm) {
            if best.as_ref().is_none_or(|b| c.cost < b.cost) {
                best = Some(c);
            }
        }
    }
    best
}

/// Fit every curve with the efficiency growth fitted (`fixed` None) or given.
///
/// Every grid growth starts each group from its full grid of starts, so the result does not
/// hang on one start; the golden-section refinement then warm-starts.
pub fn fit(sets: &[Set], t0: f64, fixed: Option<f64>) -> Option<Curves> {
    if let Some(g) = fixed {
        return at_growth(sets, t0, g, None);
    }
    let (lo, hi) = GROWTH_RANGE;
    let steps = ((hi - lo) / GROWTH_STEP).round() as usize;
    let best = scan(sets, t0, GROWTH_RANGE, steps, None)?;
    let span = (
        (best.growth - GROWTH_STEP).max(lo),
        (best.growth + GROWTH_STEP).min(hi),
    );
    Some(refine(sets, t0, span.0, span.1, &best))
}

/// Refit from a previous fit (a bootstrap replicate): warm starts, a coarse grid of growths
/// within `span` of the previous one (moved by `span` while the best growth sits on an edge of
/// the window that is not the edge of [`GROWTH_RANGE`], so the result is never the window's
/// edge), then golden-section search.
pub fn refit(
    sets: &[Set],
    t0: f64,
    previous: &Curves,
    fixed: Option<f64>,
    span: f64,
) -> Option<Curves> {
    if let Some(g) = fixed {
        return at_growth(sets, t0, g, Some(previous));
    }
    let steps = 12;
    let window = |centre: f64| {
        (
            (centre - span).max(GROWTH_RANGE.0),
            (centre + span).min(GROWTH_RANGE.1),
        )
    };
    let mut range = window(previous.growth);
    let mut best = scan(sets, t0, range, steps, Some(previous))?;
    loop {
        let step = (range.1 - range.0) / steps as f64;
        let at_low = best.growth <= range.0 + step / 2.0 && range.0 > GROWTH_RANGE.0;
        let at_high = best.growth >= range.1 - step / 2.0 && range.1 < GROWTH_RANGE.1;
        if !(at_low || at_high) {
            return Some(refine(
                sets,
                t0,
                (best.growth - step).max(range.0),
                (best.growth + step).min(range.1),
                &best,
            ));
        }
        range = window(best.growth);
        let moved = scan(sets, t0, range, steps, Some(&best))?;
        if moved.cost >= best.cost {
            // No better growth beyond the edge: refine around it.
            return Some(refine(
                sets,
                t0,
                (best.growth - step).max(GROWTH_RANGE.0),
                (best.growth + step).min(GROWTH_RANGE.1),
                &best,
            ));
        }
        best = moved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::numeric_gradient;

    /// Points on known curves with a shared growth, at several computes and years.
    fn sets(growth: f64, links: &[(Link, usize)]) -> Vec<Set> {
        links
            .iter()
            .enumerate()
            .map(|(i, (link, group))| {
                let mut points = Vec::new();
                for a in 0..6 {
                    for b in 0..4 {
                        let c = 23.0 + 0.5 * f64::from(a);
                        let year = 2021.0 + f64::from(b) + 0.1 * i as f64;
                        let u = c + growth * (year - 2024.0);
                        points.push(Point {
                            log10_compute: c,
                            year,
                            score: link.score(u),
                        });
                    }
                }
                Set {
                    points,
                    fixed_floor: Some(link.floor),
                    group: *group,
                }
            })
            .collect()
    }

    fn link(slope: f64, difficulty: f64, floor: f64) -> Link {
        Link {
            slope,
            difficulty,
            floor,
        }
    }

    #[test]
    fn gradient_matches_numeric() {
        let e = GroupError {
            sets: vec![
                (
                    (0..8)
                        .map(|i| LinkPoint {
                            u: 24.0 + 0.4 * f64::from(i),
                            score: 0.1 + 0.1 * f64::from(i),
                        })
                        .collect(),
                    None,
                ),
                (
                    (0..5)
                        .map(|i| LinkPoint {
                            u: 25.0 + 0.3 * f64::from(i),
                            score: 0.3 + 0.1 * f64::from(i),
                        })
                        .collect(),
                    Some(0.25),
                ),
            ],
        };
        let p = [0.2, 26.0, -1.5, 26.5];
        let (a, n) = (e.gradient(&p), numeric_gradient(&e, &p));
        for (x, y) in a.iter().zip(&n) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{a:?} vs {n:?}");
        }
    }

    #[test]
    fn recovers_a_shared_growth_and_each_curve() {
        // Two benchmarks of one domain share a slope; a third has its own.
        let truth = [
            (link(0.9, 26.5, 0.0), 0),
            (link(0.9, 27.5, 0.25), 0),
            (link(1.4, 25.0, 0.25), 1),
        ];
        let s = sets(0.7, &truth);
        let c = fit(&s, 2024.0, None).unwrap();
        assert!((c.growth - 0.7).abs() < 1e-4, "{}", c.growth);
        for (got, (want, _)) in c.links.iter().zip(&truth) {
            assert!((got.slope - want.slope).abs() < 1e-3, "{got:?}");
            assert!((got.difficulty - want.difficulty).abs() < 1e-3, "{got:?}");
        }
        assert_eq!(c.links[0].slope, c.links[1].slope);
        assert!(c.cost < 1e-8, "{}", c.cost);
        // Fixed growth: the curves absorb it as well as they can, at a higher cost.
        let fixed = fit(&s, 2024.0, Some(0.2)).unwrap();
        assert_eq!(fixed.growth, 0.2);
        assert!(fixed.cost > c.cost);
        // A refit from the answer finds it again, and from a fit far off it moves its window
        // until the answer lies inside it.
        let again = refit(&s, 2024.0, &c, None, 0.5).unwrap();
        assert!((again.growth - 0.7).abs() < 1e-4, "{}", again.growth);
        let far = refit(&s, 2024.0, &fixed, None, 0.1).unwrap();
        assert!((far.growth - 0.7).abs() < 1e-4, "{}", far.growth);
    }
}
