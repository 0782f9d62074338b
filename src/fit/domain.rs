//! Fit a domain's link (MODEL.md §3-4 with no RL and no thinking) to benchmark scores:
//! `score = floor + (1 - floor) * sigmoid(slope * (u - difficulty))`, least squares on the
//! score. Parameters `(ln slope, difficulty, logit floor)`, or the first two when the floor is
//! given; `u` is effective compute (log10 FLOP), from params and tokens through a loss law or
//! given directly.

use super::data::Table;
use super::{best_of, bootstrap, logit, quantile, stationary, Bootstrap, Interval, Objective};
use crate::error::InputErrors;
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

/// The values `u` given directly (`--u COLUMN`) may take: log10 of a FLOP count lies well inside
/// (the largest training runs so far are near 26 to 27); a value outside is some other quantity, such as
/// a raw parameter or FLOP count.
pub const U_RANGE: std::ops::RangeInclusive<f64> = 0.0..=60.0;

/// An input error unless every `u` read from column `col` of `table` lies in [`U_RANGE`],
/// placed at the first cell outside it and counting the others.
pub fn check_u(table: &Table, col: usize, us: &[f64]) -> Result<(), InputErrors> {
    let outside: Vec<usize> = (0..us.len())
        .filter(|&i| !U_RANGE.contains(&us[i]))
        .collect();
    let Some(&first) = outside.first() else {
        return Ok(());
    };
    let name = table.headers.get(col).map_or("", String::as_str);
    let also = match outside.len() {
        1 => String::new(),
        n => format!("; {n} of {} rows are outside", us.len()),
    };
    let message = format!(
        "u is `{}`, which is not log10 of a FLOP count (expected a number in [{}, {}]{also})",
        table.cell(first, col),
        U_RANGE.start(),
        U_RANGE.end()
    );
    let hint = format!(
        "u is log10 of effective compute in FLOP, e.g. 25.3: pass a column of log10 FLOP as `--u`, not a raw count; or leave `--u {name}` out to compute u from the params and tokens columns by `--law`"
    );
    Err(table
        .cell_error(first, col, &message)
        .with_hint(hint)
        .into())
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
    /// Whether the full-data fit ended at a stationary point ([`stationary`]).
    pub converged: bool,
}

/// Fit from the grid; each bootstrap replicate refits from the full-data optimum.
pub fn fit(points: &[Point], fixed_floor: Option<f64>, boot: Bootstrap) -> Option<DomainFit> {
    let (best, link, objective) = fit_link(points, fixed_floor, &grid(points, fixed_floor))?;
    let o = SquaredError {
        points,
        fixed_floor,
    };
    let converged = stationary(&o, &best, objective);
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
        converged,
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
    fn u_outside_log10_flop_is_an_input_error_at_the_first_such_cell() {
        let ok = Table::from_text("s.csv", "u,score\n0,0.3\n25.3,0.5\n60,0.9\n").unwrap();
        assert!(check_u(&ok, 0, &[0.0, 25.3, 60.0]).is_ok());
        let text = "u,score\n25,0.3\n2e9,0.5\n-1,0.9\n";
        let t = Table::from_text("s.csv", text).unwrap();
        let e = check_u(&t, 0, &[25.0, 2e9, -1.0]).unwrap_err().to_string();
        assert!(
            e.contains("s.csv:3:1: `u`: row 2: u is `2e9`, which is not log10 of a FLOP count"),
            "{e}"
        );
        assert!(e.contains("[0, 60]; 2 of 3 rows are outside"), "{e}");
        assert!(
            e.contains("u is log10 of effective compute in FLOP, e.g. 25.3"),
            "{e}"
        );
    }

    #[test]
    fn a_step_in_the_scores_is_a_fit_that_did_not_converge() {
        // four scores with a jump at the last: the best sigmoid is a step, its slope runs off,
        // and the optimiser stops where the objective still slopes
        let pts: Vec<Point> = [
            (21.028, 0.8643),
            (21.498, 0.8615),
            (21.817, 0.8442),
            (21.879, 0.8922),
        ]
        .iter()
        .map(|&(u, score)| Point { u, score })
        .collect();
        let f = fit(
            &pts,
            None,
            Bootstrap {
                replicates: 0,
                seed: 1,
            },
        )
        .unwrap();
        assert!(!f.converged, "{f:?}");
        let good = fit(
            &points(&Link {
                slope: 0.8,
                difficulty: 26.0,
                floor: 0.25,
            }),
            None,
            Bootstrap {
                replicates: 0,
                seed: 1,
            },
        )
        .unwrap();
        assert!(good.converged, "{good:?}");
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
