//! Fit a domain's link (MODEL.md §3-4 with no RL and no thinking) to benchmark scores:
//! `score = floor + (1 - floor) * sigmoid(slope * (u - difficulty))`, least squares on the
//! score. Parameters `(ln slope, difficulty, logit floor)`, or the first two when the floor is
//! given; `u` is effective compute (log10 FLOP), from params and tokens through a loss law or
//! given directly.

use super::{best_of, bootstrap, logit, quantile, Bootstrap, Interval, Objective};
use crate::model::sigmoid;

/// One benchmark measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Effective compute, log10 FLOP.
    pub u: f64,
    pub score: f64,
}

/// The fitted link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub slope: f64,
    pub difficulty: f64,
    pub floor: f64,
}

impl Link {
    pub fn score(&self, u: f64) -> f64 {
        self.floor + (1.0 - self.floor) * sigmoid(self.slope * (u - self.difficulty))
    }
}

/// Sum of squared score errors; `fixed_floor` removes the third parameter.
pub struct SquaredError<'a> {
    pub points: &'a [Point],
    pub fixed_floor: Option<f64>,
}

impl SquaredError<'_> {
    fn link(&self, p: &[f64]) -> Link {
        Link {
            slope: p[0].exp(),
            difficulty: p[1],
            floor: self.fixed_floor.unwrap_or_else(|| sigmoid(p[2])),
        }
    }
}

impl Objective for SquaredError<'_> {
    fn cost(&self, p: &[f64]) -> f64 {
        let link = self.link(p);
        self.points
            .iter()
            .map(|x| (link.score(x.u) - x.score).powi(2))
            .sum()
    }

    fn gradient(&self, p: &[f64]) -> Vec<f64> {
        let l = self.link(p);
        let mut g = vec![0.0; p.len()];
        for x in self.points {
            let q = sigmoid(l.slope * (x.u - l.difficulty));
            let r2 = 2.0 * (l.floor + (1.0 - l.floor) * q - x.score);
            let dq = (1.0 - l.floor) * q * (1.0 - q);
            g[0] += r2 * dq * (x.u - l.difficulty) * l.slope;
            g[1] -= r2 * dq * l.slope;
            if self.fixed_floor.is_none() {
                g[2] += r2 * (1.0 - q) * l.floor * (1.0 - l.floor);
            }
        }
        g
    }
}

/// Starting points: slopes {0.25, 0.5, 1, 2, 4} logits per OOM, difficulties at the 0, 25, 50,
/// 75 and 100% quantiles of u and 2 OOM beyond either end, floors {0.01, 0.1, 0.25}.
pub fn grid(points: &[Point], fixed_floor: Option<f64>) -> Vec<Vec<f64>> {
    let us: Vec<f64> = points.iter().map(|p| p.u).collect();
    let mut bs: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|&q| quantile(&us, q))
        .collect();
    bs.push(bs[0] - 2.0);
    bs.push(bs[4] + 2.0);
    let floors: Vec<Option<f64>> = match fixed_floor {
        Some(_) => vec![None],
        None => [0.01, 0.1, 0.25].iter().map(|&f| Some(logit(f))).collect(),
    };
    let mut starts = Vec::new();
    for s in [0.25f64, 0.5, 1.0, 2.0, 4.0] {
        for &b in &bs {
            for f in &floors {
                let mut p = vec![s.ln(), b];
                p.extend(*f);
                starts.push(p);
            }
        }
    }
    starts
}

/// The best link from `starts` and its objective.
pub fn fit_link(
    points: &[Point],
    fixed_floor: Option<f64>,
    starts: &[Vec<f64>],
) -> Option<(Vec<f64>, Link, f64)> {
    let o = SquaredError {
        points,
        fixed_floor,
    };
    let (p, cost) = best_of(&o, starts)?;
    let link = o.link(&p);
    Some((p, link, cost))
}

/// Bootstrap intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervals {
    pub slope: Interval,
    pub difficulty: Interval,
    /// None when the floor was given.
    pub floor: Option<Interval>,
    pub replicates: usize,
}

/// A fitted domain link.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainFit {
    pub link: Link,
    pub floor_fixed: bool,
    /// Sum of squared score errors.
    pub objective: f64,
    /// Root-mean-square score error.
    pub rmse: f64,
    pub rows: usize,
    pub intervals: Option<Intervals>,
}

/// Fit from the grid; each bootstrap replicate refits from the full-data optimum.
pub fn fit(points: &[Point], fixed_floor: Option<f64>, boot: Bootstrap) -> Option<DomainFit> {
    let (best, link, objective) = fit_link(points, fixed_floor, &grid(points, fixed_floor))?;
    let intervals = (boot.replicates > 0).then(|| {
        let links: Vec<Link> = bootstrap(points, boot.replicates, boot.seed, |sample| {
            fit_link(sample, fixed_floor, std::slice::from_ref(&best)).map(|(_, l, _)| l)
        })
        .into_iter()
        .flatten()
        .collect();
        let of = |get: fn(&Link) -> f64| Interval::of(&links.iter().map(get).collect::<Vec<_>>());
        Intervals {
            slope: of(|l| l.slope),
            difficulty: of(|l| l.difficulty),
            floor: fixed_floor.is_none().then(|| of(|l| l.floor)),
            replicates: links.len(),
        }
    });
    Some(DomainFit {
        link,
        floor_fixed: fixed_floor.is_some(),
        objective,
        rmse: (objective / points.len() as f64).sqrt(),
        rows: points.len(),
        intervals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::numeric_gradient;

    fn points(link: &Link) -> Vec<Point> {
        (0..40)
            .map(|i| {
                let u = 22.0 + 0.2 * f64::from(i);
                // a deterministic wiggle of +-0.01 in place of noise
                let wiggle = 0.01 * (f64::from(i) * 2.1).sin();
                Point {
                    u,
                    score: (link.score(u) + wiggle).clamp(0.0, 1.0),
                }
            })
            .collect()
    }

    #[test]
    fn gradient_matches_numeric() {
        let pts = points(&Link {
            slope: 0.8,
            difficulty: 26.0,
            floor: 0.25,
        });
        for fixed in [None, Some(0.25)] {
            let o = SquaredError {
                points: &pts,
                fixed_floor: fixed,
            };
            let p = if fixed.is_some() {
                vec![0.1, 25.0]
            } else {
                vec![0.1, 25.0, -1.0]
            };
            let (a, n) = (o.gradient(&p), numeric_gradient(&o, &p));
            for (x, y) in a.iter().zip(&n) {
                assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{a:?} vs {n:?}");
            }
        }
    }

    #[test]
    fn recovers_a_known_link() {
        let truth = Link {
            slope: 0.8,
            difficulty: 26.0,
            floor: 0.25,
        };
        let f = fit(
            &points(&truth),
            None,
            Bootstrap {
                replicates: 50,
                seed: 1,
            },
        )
        .unwrap();
        assert!((f.link.slope - 0.8).abs() < 0.05, "{:?}", f.link);
        assert!((f.link.difficulty - 26.0).abs() < 0.1, "{:?}", f.link);
        assert!((f.link.floor - 0.25).abs() < 0.02, "{:?}", f.link);
        let i = f.intervals.unwrap();
        assert_eq!(i.replicates, 50);
        assert!(i.slope.low < f.link.slope && f.link.slope < i.slope.high);
        let fixed = fit(
            &points(&truth),
            Some(0.25),
            Bootstrap {
                replicates: 0,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(fixed.link.floor, 0.25);
        assert!((fixed.link.difficulty - 26.0).abs() < 0.1);
    }
}
