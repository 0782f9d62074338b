//! The thinking-multiplier chart of one forecast: per domain and year, how many times more
//! thinking tokens buy the gain of one more order of magnitude of effective compute (MODEL.md
//! §5), on a log axis. Years where no multiplier does (`inf`) are drawn as markers in a band
//! above the plot's finite values, not dropped.

use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::forecast::Forecast;
use crate::report::charts::{
    check_shape, domain_colour, draw_legend_column, draw_note, draw_series, draw_title, frame,
    legend_column_width, log_axis, render, sci_label, year_axis, Axis, Chart, Key, Series, INK,
    LINE_LAYOUT, LINE_PX, MUTED, PLOT_H, PLOT_W, TITLE_BAND,
};

/// The legend entry of the markers for infinite multipliers.
pub const INF_LABEL: &str = "inf: thinking cannot replace one OOM";

/// The multiplier per domain over the years, log y; infinite years as triangles at the top.
pub fn multiplier_chart(f: &Forecast) -> Result<Chart> {
    check_shape(f)?;
    let mut series = Vec::with_capacity(f.domains.len());
    let mut infinite: Vec<Vec<f64>> = Vec::with_capacity(f.domains.len());
    let (mut min, mut max) = (f64::INFINITY, 0.0f64);
    for (d, (name, row)) in f.domains.iter().zip(&f.terms).enumerate() {
        let mut runs: Vec<Vec<(f64, f64)>> = vec![];
        let mut run = vec![];
        let mut inf_years = vec![];
        for (l, t) in f.levers.iter().zip(row) {
            let m = t.thinking_multiplier_per_oom;
            if m.is_nan() || m <= 0.0 {
                bail!(
                    "forecast '{}': thinking multiplier of '{name}' in {} is {m}; cannot chart it",
                    f.scenario,
                    l.year
                );
            }
            if m.is_finite() {
                min = min.min(m);
                max = max.max(m);
                run.push((l.year, m));
            } else {
                inf_years.push(l.year);
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        let label = if runs.is_empty() {
            format!("{name} (inf in every year)")
        } else {
            name.clone()
        };
        series.push(Series {
            key: Key::line(label, domain_colour(name, d), LINE_PX),
            runs,
        });
        infinite.push(inf_years);
    }
    // No finite value anywhere: a note with the reason instead of rows of markers on an empty axis.
    let note = (max == 0.0).then(|| {
        if f.levers.iter().all(|l| l.thinking_tokens == 0.0) {
            "inf in every year and domain: no thinking tokens (inference.tokens is 0)".to_string()
        } else {
            "inf in every year and domain: thinking cannot replace one OOM".to_string()
        }
    });
    if max == 0.0 {
        (min, max) = (1.0, 100.0);
    }
    let mut y = log_axis(min.max(1.0), max.max(1.0));
    // Multipliers are >= 1: the axis starts at 1.
    y.lo = y.lo.max(1.0);
    y.ticks.retain(|v| *v >= 1.0);
    y.light.retain(|v| *v >= 1.0);
    // A band above the finite values: one row of markers per domain, then a little air.
    let decades = (y.hi / y.lo).log10();
    let row = 0.045 * decades;
    let inf_rows: Vec<f64> = (0..f.domains.len())
        .map(|d| y.hi * 10f64.powf(row * (d as f64 + 1.5)))
        .collect();
    let band_floor = y.hi * 10f64.powf(row * 0.75);
    // The band's middle is labelled `inf` on the y axis, between two rows of markers (with an
    // odd number of domains, below the middle row rather than through it).
    let inf_tick = y.hi * 10f64.powf(row * ((f.domains.len() / 2) as f64 + 1.0));
    if infinite.iter().any(|i| !i.is_empty()) && note.is_none() {
        y.ticks.push(inf_tick);
    }
    let any_infinite = infinite.iter().any(|i| !i.is_empty()) && note.is_none();
    if any_infinite {
        y.hi *= 10f64.powf(row * (f.domains.len() as f64 + 2.0));
    }
    let mut keys: Vec<Key> = series.iter().map(|s| s.key.clone()).collect();
    if note.is_some() {
        keys.clear();
        infinite.iter_mut().for_each(Vec::clear);
    }
    if infinite.iter().any(|i| !i.is_empty()) {
        let mut key = Key::line(INF_LABEL, INK, LINE_PX);
        key.marker = true;
        keys.push(key);
    }
    let legend_w = legend_column_width(&keys)? + 30;
    let plan = Plan {
        title: format!(
            "{}: thinking multiplier per OOM of effective compute",
            f.scenario
        ),
        x: year_axis(f, 10),
        y,
        series,
        infinite,
        inf_rows,
        band_floor,
        inf_tick,
        keys,
        note,
    };
    render(
        (PLOT_W + legend_w, PLOT_H + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct Plan {
    title: String,
    x: Axis,
    y: Axis,
    series: Vec<Series>,
    /// Per domain, the years whose multiplier is infinite.
    infinite: Vec<Vec<f64>>,
    /// Per domain, the height of its row of markers.
    inf_rows: Vec<f64>,
    /// Where the band of markers starts.
    band_floor: f64,
    /// The y tick labelled `inf`.
    inf_tick: f64,
    keys: Vec<Key>,
    /// Drawn instead of the curves when no multiplier is finite.
    note: Option<String>,
}

impl Plan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W);
        let y_format = |v: &f64| {
            if *v == self.inf_tick {
                "inf".to_string()
            } else if *v > self.band_floor {
                String::new()
            } else {
                sci_label(*v)
            }
        };
        let mut chart = frame(
            &plot,
            LINE_LAYOUT,
            &self.x,
            self.y.log(),
            &y_format,
            ("year", "thinking-token multiplier per OOM (log scale)"),
        )?;
        if self.infinite.iter().any(|i| !i.is_empty()) {
            let edge = [(self.x.lo, self.band_floor), (self.x.hi, self.band_floor)];
            chart.draw_series(DashedLineSeries::new(edge, 6, 4, MUTED.stroke_width(1)))?;
        }
        for s in &self.series {
            draw_series(&mut chart, s)?;
        }
        for ((years, y), s) in self.infinite.iter().zip(&self.inf_rows).zip(&self.series) {
            let colour = s.key.colour;
            chart.draw_series(
                years
                    .iter()
                    .map(|&year| TriangleMarker::new((year, *y), 5, colour.filled())),
            )?;
        }
        if let Some(note) = &self.note {
            draw_note(&plot, note)?;
        }
        draw_legend_column(&legend, &self.keys, (0, LINE_LAYOUT.margin_top as i32))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;
    use crate::scenario::Scenario;

    fn run(ceiling: &str) -> Forecast {
        let text = format!(
            r#"
[time]
start = 2024
end = 2030
step = 0.5
[pretraining]
params = 1.8e12
tokens = 13e12
[rl]
steps = {{ start = 1e4, growth = 10.0 }}
[inference]
tokens = {{ start = 1e3, growth = 3.0 }}
[inference.ceiling]
base = {ceiling}
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 26.5
"#
        );
        forecast(&Scenario::from_text("m.toml", "m", &text).unwrap()).unwrap()
    }

    #[test]
    fn infinite_years_get_the_legend_entry_and_finite_ones_do_not() {
        // Half the (domain, year) multipliers are inf under this ceiling, half finite.
        let capped = run("5000.0");
        let all = || capped.terms.iter().flatten();
        assert!(all().any(|t| t.thinking_multiplier_per_oom.is_infinite()));
        assert!(all().any(|t| t.thinking_multiplier_per_oom.is_finite()));
        let chart = multiplier_chart(&capped).unwrap();
        assert!(chart.svg.contains(INF_LABEL));
        assert!(chart.svg.contains("thinking multiplier per OOM"));
        let open = run("inf");
        assert!(open
            .terms
            .iter()
            .flatten()
            .all(|t| t.thinking_multiplier_per_oom.is_finite()));
        let chart = multiplier_chart(&open).unwrap();
        assert!(!chart.svg.contains(INF_LABEL));
        assert_eq!(&chart.png[1..4], b"PNG");
    }

    /// Without thinking tokens every multiplier is inf: the chart says why, with no markers
    /// and no legend.
    #[test]
    fn a_forecast_without_finite_multipliers_gets_a_note() {
        // Every multiplier is inf under this ceiling.
        let mut f = run("1000.0");
        for l in &mut f.levers {
            l.thinking_tokens = 0.0;
        }
        for t in f.terms.iter_mut().flatten() {
            t.thinking_multiplier_per_oom = f64::INFINITY;
        }
        let chart = multiplier_chart(&f).unwrap();
        assert!(chart
            .svg
            .contains("no thinking tokens (inference.tokens is 0)"));
        assert!(!chart.svg.contains(INF_LABEL));
        assert!(!chart.svg.contains("(inf in every year)"));
        for l in &mut f.levers {
            l.thinking_tokens = 1e3;
        }
        let chart = multiplier_chart(&f).unwrap();
        assert!(chart
            .svg
            .contains("inf in every year and domain: thinking cannot replace one OOM"));
    }

    #[test]
    fn a_nan_multiplier_is_an_error() {
        let mut f = run("inf");
        f.terms[0][1].thinking_multiplier_per_oom = f64::NAN;
        assert!(multiplier_chart(&f).is_err());
    }
}
