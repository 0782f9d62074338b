//! Lever trajectories over the time grid (MODEL.md §1).

/// The `[time]` table: grid years `start + k * step` for `k = 0..=n`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeGrid {
    pub start: f64,
    pub end: f64,
    pub step: f64,
}

/// The largest number of grid points a scenario may have.
pub const MAX_TIME_POINTS: usize = 100_000;

impl Default for TimeGrid {
    fn default() -> Self {
        TimeGrid {
            start: 2024.0,
            end: 2035.0,
            step: 0.25,
        }
    }
}

impl TimeGrid {
    /// `n = floor((end - start) / step + 1e-9)`; the grid has `n + 1` points.
    pub fn last_index(&self) -> f64 {
        ((self.end - self.start) / self.step + 1e-9).floor()
    }

    /// Number of grid points (valid grids only).
    pub fn len(&self) -> usize {
        self.last_index() as usize + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Year of grid point `k`, computed from `k` (never by repeated addition).
    pub fn year(&self, k: usize) -> f64 {
        self.start + k as f64 * self.step
    }

    pub fn years(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(|k| self.year(k))
    }

    /// Index of the grid year within `step / 1000` of `year`.
    pub fn index_of(&self, year: f64) -> Option<usize> {
        let k = ((year - self.start) / self.step).round();
        if !(0.0..=self.last_index()).contains(&k) {
            return None;
        }
        let k = k as usize;
        ((self.year(k) - year).abs() <= self.step / 1000.0).then_some(k)
    }

    /// For a `year` that [`TimeGrid::index_of`] does not find: why (the grid's span and step)
    /// and, as a hint, the grid years nearest to it.
    pub fn off_grid(&self, year: f64) -> (String, String) {
        let show = crate::scenario::show;
        let (first, last) = (self.year(0), self.year(self.len() - 1));
        let message = format!(
            "{} is not a year of the time grid ({} to {} every {})",
            show(year),
            show(first),
            show(last),
            show(self.step)
        );
        let hint = if year.is_nan() || year <= first {
            format!("the grid starts at {}", show(first))
        } else if year >= last {
            format!("the grid ends at {}", show(last))
        } else {
            let k =
                (((year - self.start) / self.step).floor().max(0.0) as usize).min(self.len() - 2);
            format!(
                "the nearest grid years are {} and {}",
                show(self.year(k)),
                show(self.year(k + 1))
            )
        };
        (message, hint)
    }
}

/// How a lever moves over time.
#[derive(Clone, Debug, PartialEq)]
pub enum Trajectory {
    /// A constant.
    Constant(f64),
    /// `start * growth^(clamp(t, from, until) - from)`.
    Exponential {
        start: f64,
        growth: f64,
        from: f64,
        until: f64,
    },
    /// Linear interpolation of `log10(value)` between `(year, value)` points; constant outside.
    Points(Vec<(f64, f64)>),
}

impl Trajectory {
    /// The lever's value in year `t`.
    pub fn at(&self, t: f64) -> f64 {
        match self {
            Trajectory::Constant(v) => *v,
            Trajectory::Exponential {
                start,
                growth,
                from,
                until,
            } => {
                let years = t.clamp(*from, until.max(*from)) - from;
                if years == 0.0 {
                    *start
                } else {
                    start * growth.powf(years)
                }
            }
            Trajectory::Points(points) => interpolate_log10(points, t),
        }
    }

    /// Values on every grid year.
    pub fn on_grid(&self, grid: &TimeGrid) -> Vec<f64> {
        grid.years().map(|t| self.at(t)).collect()
    }
}

fn interpolate_log10(points: &[(f64, f64)], t: f64) -> f64 {
    let (first, last) = (points[0], points[points.len() - 1]);
    if t <= first.0 {
        return first.1;
    }
    if t >= last.0 {
        return last.1;
    }
    let i = points.partition_point(|p| p.0 <= t);
    let (a, b) = (points[i - 1], points[i]);
    if t == a.0 {
        return a.1;
    }
    let w = (t - a.0) / (b.0 - a.0);
    let lg = a.1.log10() + (b.1.log10() - a.1.log10()) * w;
    10f64.powf(lg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn grid_from_indices() {
        let g = TimeGrid::default();
        // (2035 - 2024) / 0.25 = 44 -> 45 points
        assert_eq!(g.len(), 45);
        assert_eq!(g.year(44), 2035.0);
        let g = TimeGrid {
            start: 2024.0,
            end: 2025.0,
            step: 0.3,
        };
        // floor(3.333..) = 3 -> 2024, 2024.3, 2024.6, 2024.9 (end not reached, not trimmed)
        assert_eq!(g.len(), 4);
        assert_eq!(g.year(3), 2024.0 + 3.0 * 0.3);
        let g = TimeGrid {
            start: 0.0,
            end: 0.3,
            step: 0.1,
        };
        // 0.3 / 0.1 = 2.9999999999999996: the 1e-9 keeps the last point
        assert_eq!(g.len(), 4);
    }

    #[test]
    fn index_of_tolerates_step_over_1000() {
        let g = TimeGrid::default();
        assert_eq!(g.index_of(2030.0), Some(24));
        assert_eq!(g.index_of(2030.0002), Some(24));
        assert_eq!(g.index_of(2030.01), None);
        assert_eq!(g.index_of(2023.0), None);
        assert_eq!(g.index_of(2036.0), None);
        let (message, hint) = g.off_grid(2030.1);
        assert_eq!(
            message,
            "2030.1 is not a year of the time grid (2024 to 2035 every 0.25)"
        );
        assert_eq!(hint, "the nearest grid years are 2030 and 2030.25");
        assert_eq!(g.off_grid(2023.0).1, "the grid starts at 2024");
        assert_eq!(g.off_grid(2036.0).1, "the grid ends at 2035");
    }

    #[test]
    fn exponential_with_wall() {
        let t = Trajectory::Exponential {
            start: 1e4,
            growth: 10.0,
            from: 2024.0,
            until: 2030.0,
        };
        assert_eq!(t.at(2024.0), 1e4);
        assert_eq!(t.at(2020.0), 1e4);
        // 1e4 * 10^2.5
        assert_relative_eq!(t.at(2026.5), 1e4 * 10f64.powf(2.5), max_relative = 1e-15);
        assert_relative_eq!(t.at(2035.0), 1e10, max_relative = 1e-12);
    }

    #[test]
    fn points_interpolate_in_log10() {
        let t = Trajectory::Points(vec![(2024.0, 1e3), (2026.0, 1e5), (2030.0, 2e5)]);
        assert_eq!(t.at(2020.0), 1e3);
        assert_eq!(t.at(2026.0), 1e5);
        assert_eq!(t.at(2031.0), 2e5);
        // halfway in log10 between 1e3 and 1e5 is 1e4
        assert_relative_eq!(t.at(2025.0), 1e4, max_relative = 1e-14);
        // log10 midway between 1e5 and 2e5: 1e5 * sqrt(2)
        assert_relative_eq!(t.at(2028.0), 1e5 * 2f64.sqrt(), max_relative = 1e-14);
    }
}
