//! Frontiers of observations: the models that no other model beats with no more compute and no
//! later release (the points a capability curve is fitted to), and the best score released by a
//! date (what a forecast of the frontier is scored against).

/// A model's score with what it took: training compute (log10 FLOP) and release year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub log10_compute: f64,
    pub year: f64,
    pub score: f64,
}

/// Whether each point is on the frontier: no other point has at most its compute, a release no
/// later, and a higher score, or the same score with less compute or an earlier release.
/// Identical points are all on it.
pub fn pareto(points: &[Point]) -> Vec<bool> {
    points
        .iter()
        .map(|p| {
            !points.iter().any(|q| {
                let no_more = q.log10_compute <= p.log10_compute && q.year <= p.year;
                let better = q.score > p.score
                    || (q.score == p.score
                        && (q.log10_compute < p.log10_compute || q.year < p.year));
                no_more && better
            })
        })
        .collect()
}

/// The best score among `(year, score)` released at or before `year`; None before the first.
pub fn best_by(scores: &[(f64, f64)], year: f64) -> Option<f64> {
    scores
        .iter()
        .filter(|(y, _)| *y <= year)
        .map(|&(_, s)| s)
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        })
}

/// The points that raised the best score when they were released, in release order (ties in
/// year keep the higher score).
pub fn records(scores: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (y, s) in sorted {
        if out.last().is_none_or(|&(_, best)| s > best) {
            out.push((y, s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(c: f64, y: f64, s: f64) -> Point {
        Point {
            log10_compute: c,
            year: y,
            score: s,
        }
    }

    #[test]
    fn pareto_keeps_the_undominated() {
        let pts = [
            p(25.0, 2023.0, 0.40), // on: nothing earlier and cheaper beats it
            p(25.5, 2023.5, 0.30), // off: the first has less compute, is earlier, scores more
            p(24.0, 2024.5, 0.45), // on: less compute than anything, later
            p(24.5, 2025.0, 0.45), // off: the third ties it with less compute and earlier
            p(26.0, 2022.0, 0.20), // on: the earliest
            p(25.0, 2023.0, 0.40), // on: identical to the first
        ];
        assert_eq!(pareto(&pts), [true, false, true, false, true, true]);
    }

    #[test]
    fn best_by_and_records() {
        let s = [
            (2023.0, 0.2),
            (2023.5, 0.1),
            (2024.0, 0.5),
            (2024.0, 0.4),
            (2025.0, 0.45),
        ];
        assert_eq!(best_by(&s, 2022.9), None);
        assert_eq!(best_by(&s, 2023.6), Some(0.2));
        assert_eq!(best_by(&s, 2024.0), Some(0.5));
        assert_eq!(best_by(&s, 2030.0), Some(0.5));
        assert_eq!(records(&s), [(2023.0, 0.2), (2024.0, 0.5)]);
    }
}
