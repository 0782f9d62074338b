//! Charts of Monte Carlo results, as PNG bytes and SVG text: fan charts (median, 50% and 90%
//! bands), a fan chart comparing scenarios, milestone arrival CDFs, sensitivity tornadoes and
//! Sobol indices.
//! Drawn with the helpers of [`super::charts`], so fonts, axes and legends match `run`'s charts.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{
    capability_axis, domain_colour, draw_legend_column, draw_note, draw_title, frame,
    legend_column_width, line_chart, nice_axis, render, series_colour, text_size, year_span_axis,
    Axis, Chart, Key, Layout, Series, YearChart, LINE_LAYOUT, LINE_PX, PLOT_H, PLOT_W, TICK_PX,
    TITLE_BAND,
};
use crate::montecarlo::{McResult, Sobol, SobolIndex, Tornado};

/// `colour` blended with white: `share` of the colour.
fn tint(colour: RGBColor, share: f64) -> RGBColor {
    let mix = |c: u8| (f64::from(c) * share + 255.0 * (1.0 - share)).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

fn band_key(label: &str, colour: RGBColor) -> Key {
    Key::line(label, colour, 12)
}

/// One scenario's fan on a chart: bands (90%, then 50%) as polygons, then the median.
struct Fan {
    colour: RGBColor,
    /// `(year, p5, p25, p50, p75, p95)`.
    points: Vec<[f64; 6]>,
    /// Translucent bands (for overlapping scenarios) instead of tints.
    translucent: bool,
}

impl Fan {
    fn of(r: &McResult, d: usize, colour: RGBColor, translucent: bool) -> Fan {
        let points = r
            .years
            .iter()
            .zip(&r.capability[d])
            .map(|(&y, s)| {
                let q = s.quantiles;
                [y, q[0], q[1], q[2], q[3], q[4]]
            })
            .collect();
        Fan {
            colour,
            points,
            translucent,
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<
            '_,
            DB,
            Cartesian2d<
                super::charts::Ticked<plotters::coord::types::RangedCoordf64>,
                super::charts::Ticked<plotters::coord::types::RangedCoordf64>,
            >,
        >,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        for (lo, hi, share) in [(1, 5, 0.18), (2, 4, 0.38)] {
            let mut polygon: Vec<(f64, f64)> = self.points.iter().map(|p| (p[0], p[hi])).collect();
            polygon.extend(self.points.iter().rev().map(|p| (p[0], p[lo])));
            let style = if self.translucent {
                self.colour.mix(share * 0.8).filled()
            } else {
                tint(self.colour, share).filled()
            };
            chart.draw_series(std::iter::once(Polygon::new(polygon, style)))?;
        }
        chart.draw_series(LineSeries::new(
            self.points.iter().map(|p| (p[0], p[3])),
            self.colour.stroke_width(LINE_PX + 1),
        ))?;
        Ok(())
    }
}

/// Fans over the years on the capability axis, with a legend column.
struct FanPlan {
    title: String,
    x: Axis,
    fans: Vec<Fan>,
    keys: Vec<Key>,
}

impl FanPlan {
    fn render(self) -> Result<Chart> {
        let legend_w = legend_column_width(&self.keys)? + 30;
        render(
            (PLOT_W + legend_w, PLOT_H + TITLE_BAND),
            |root| self.draw(root),
            |root| self.draw(root),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W);
        let y = capability_axis();
        let y_format = |v: &f64| y.label(*v);
        let mut chart = frame(
            &plot,
            LINE_LAYOUT,
            &self.x,
            y.linear(),
            &y_format,
            ("year", "capability (share of tasks solved)"),
        )?;
        for fan in &self.fans {
            fan.draw(&mut chart)?;
        }
        draw_legend_column(&legend, &self.keys, (0, LINE_LAYOUT.margin_top as i32))?;
        Ok(())
    }
}

fn year_axis_of(years: &[f64]) -> Axis {
    let first = years.first().copied().unwrap_or(0.0);
    year_span_axis(first, years.last().copied().unwrap_or(first), 10)
}

/// The fan chart of domain `d`: median, 50% band (p25 to p75) and 90% band (p5 to p95).
pub fn fan_chart(r: &McResult, d: usize) -> Result<Chart> {
    let name = &r.domains[d];
    let colour = domain_colour(name, d);
    FanPlan {
        title: format!(
            "{}: capability of {name}, {} samples",
            r.scenario,
            thousands(r.samples)
        ),
        x: year_axis_of(&r.years),
        fans: vec![Fan::of(r, d, colour, false)],
        keys: vec![
            Key::line("median", colour, LINE_PX + 1),
            band_key("50% band (p25 to p75)", tint(colour, 0.38 + 0.18 * 0.62)),
            band_key("90% band (p5 to p95)", tint(colour, 0.18)),
        ],
    }
    .render()
}

/// One domain's fans across scenarios (those that have the domain), each in its own colour.
pub fn comparison_fan_chart(results: &[&McResult], domain: &str) -> Result<Chart> {
    let mut fans = Vec::new();
    let mut keys = Vec::new();
    let mut years: Vec<f64> = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let Some(d) = r.domains.iter().position(|n| n == domain) else {
            continue;
        };
        let colour = series_colour(i);
        fans.push(Fan::of(r, d, colour, true));
        keys.push(Key::line(
            format!("{}: median, 50% and 90% bands", r.scenario),
            colour,
            LINE_PX + 1,
        ));
        years.extend(r.years.iter().copied());
    }
    years.sort_by(f64::total_cmp);
    let samples = results.first().map_or(0, |r| r.samples);
    FanPlan {
        title: format!(
            "capability of {domain} by scenario, {} samples each",
            thousands(samples)
        ),
        x: year_axis_of(&years),
        fans,
        keys,
    }
    .render()
}

/// The arrival CDF of every milestone: P(reached by year), a step per grid year.
pub fn milestone_chart(r: &McResult) -> Result<Chart> {
    let end = r.years.last().copied().unwrap_or(0.0);
    let mut series = Vec::new();
    for (i, m) in r.milestones.iter().enumerate() {
        let d = r.domains.iter().position(|n| *n == m.domain).unwrap_or(0);
        let colour = domain_colour(&m.domain, d);
        let dashed = r.milestones[..i].iter().any(|o| o.domain == m.domain);
        let n = (m.counts.iter().sum::<u64>() + m.never) as f64;
        let mut cum = 0;
        let mut points = Vec::new();
        for (k, &c) in m.counts.iter().enumerate() {
            let before = cum as f64 / n;
            cum += c;
            if k > 0 {
                points.push((r.years[k], before));
            }
            points.push((r.years[k], cum as f64 / n));
        }
        let mut key = Key::line(
            format!(
                "{} >= {} (not by {}: {:.1}%)",
                m.domain,
                m.threshold,
                super::charts::year_label(end),
                100.0 * m.not_reached()
            ),
            colour,
            LINE_PX + 1,
        );
        key.dashed = dashed;
        series.push(Series {
            key,
            runs: vec![points],
        });
    }
    line_chart(
        format!(
            "{}: milestone arrival, {} samples",
            r.scenario,
            thousands(r.samples)
        ),
        year_axis_of(&r.years),
        capability_axis(),
        "share of samples that have reached it",
        series,
        "no milestones in this scenario",
    )
}

const LOW_COLOUR: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
const HIGH_COLOUR: RGBColor = RGBColor(0xff, 0x7f, 0x0e);

/// A tornado: per input (largest swing at the top) a bar from the output at the medians to the
/// output with the input at its p5, and one to the output with it at its p95. `what` names the
/// output for the axis; `after` is where a milestone not reached is drawn ("after END").
pub fn tornado_chart(scenario: &str, t: &Tornado, what: &str, after: Option<f64>) -> Result<Chart> {
    let value = |v: Option<f64>| v.or(after);
    let rows: Vec<(String, f64, f64)> = t
        .swings
        .iter()
        .filter_map(|w| Some((w.input.clone(), value(w.low)?, value(w.high)?)))
        .collect();
    let base = value(t.base);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &(_, a, b) in &rows {
        lo = lo.min(a.min(b));
        hi = hi.max(a.max(b));
    }
    if let Some(b) = base {
        lo = lo.min(b);
        hi = hi.max(b);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let x = nice_axis(lo, hi, 8);
    let mut label_w = 0;
    for (name, _, _) in &rows {
        label_w = label_w.max(text_size(name, TICK_PX)?.0);
    }
    let mut keys = vec![
        Key::line("input at its p5", LOW_COLOUR, 12),
        Key::line("input at its p95", HIGH_COLOUR, 12),
    ];
    if base.is_some() {
        keys.push(Key::line(
            "all inputs at their medians",
            RGBColor(0, 0, 0),
            2,
        ));
    }
    let never = t.base.is_none() || t.swings.iter().any(|w| w.low.is_none() || w.high.is_none());
    if after.is_some() && never {
        keys.push(Key::line(
            format!(
                "at {}: not reached (after the end)",
                super::charts::year_label(after.unwrap_or(0.0))
            ),
            RGBColor(0x88, 0x88, 0x88),
            0,
        ));
    }
    let plan = TornadoPlan {
        title: format!("{scenario}: sensitivity of {what}"),
        what: what.to_string(),
        x,
        rows,
        base,
        keys,
        label_w: label_w + 30,
    };
    let legend_w = legend_column_width(&plan.keys)? + 30;
    let height = (plan.rows.len() as u32 * 44 + 140).max(300);
    render(
        (PLOT_W + plan.label_w + legend_w, height + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct TornadoPlan {
    title: String,
    what: String,
    x: Axis,
    rows: Vec<(String, f64, f64)>,
    base: Option<f64>,
    keys: Vec<Key>,
    label_w: u32,
}

impl TornadoPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        // Row 0 (largest swing) at the top.
        let names: Vec<&str> = self.rows.iter().rev().map(|r| r.0.as_str()).collect();
        let head = RowsChart {
            title: &self.title,
            keys: &self.keys,
            label_w: self.label_w,
            x: &self.x,
            x_desc: &self.what,
        };
        head.draw(root, &names, |chart| {
            let n = self.rows.len();
            let base = self.base;
            for (i, (_, low, high)) in self.rows.iter().rev().enumerate() {
                let yc = i as f64;
                let from = base.unwrap_or((low + high) / 2.0);
                for (end, colour) in [(*low, LOW_COLOUR), (*high, HIGH_COLOUR)] {
                    if end != from {
                        chart.draw_series(std::iter::once(Rectangle::new(
                            [(from, yc - 0.32), (end, yc + 0.32)],
                            colour.mix(0.85).filled(),
                        )))?;
                    }
                }
            }
            if let Some(b) = base {
                chart.draw_series(LineSeries::new(
                    [(b, -0.5), (b, n as f64 - 0.5)],
                    RGBColor(0, 0, 0).stroke_width(2),
                ))?;
            }
            Ok(())
        })
    }
}

/// A titled chart of named rows (row 0 at the bottom) against `x`, with a legend column at
/// the right: the frame of tornadoes and Sobol bars.
struct RowsChart<'a> {
    title: &'a str,
    keys: &'a [Key],
    label_w: u32,
    x: &'a Axis,
    x_desc: &'a str,
}

impl RowsChart<'_> {
    /// Draw the frame, then the rows by `rows` (a note instead when there are none).
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        names: &[&str],
        rows: impl FnOnce(&mut YearChart<'_, DB, plotters::coord::types::RangedCoordf64>) -> Result<()>,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W + self.label_w);
        draw_legend_column(&legend, self.keys, (0, LINE_LAYOUT.margin_top as i32))?;
        if names.is_empty() {
            return draw_note(&plot, "no uncertain inputs");
        }
        let (y, y_format) = named_rows(names);
        let layout = Layout {
            y_label_area: self.label_w,
            ..LINE_LAYOUT
        };
        let mut chart = frame(
            &plot,
            layout,
            self.x,
            y.linear(),
            &y_format,
            (self.x_desc, ""),
        )?;
        rows(&mut chart)
    }
}

/// A vertical axis of `names.len()` rows (row i at y = i) and the format naming them.
fn named_rows<'a>(names: &'a [&str]) -> (Axis, impl Fn(&f64) -> String + 'a) {
    let n = names.len();
    let axis = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        ticks: (0..n).map(|i| i as f64).collect(),
        light: vec![],
        decimals: 0,
    };
    let format = move |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            names
                .get(i as usize)
                .map_or(String::new(), |s| s.to_string())
        } else {
            String::new()
        }
    };
    (axis, format)
}

const FIRST_COLOUR: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
const TOTAL_COLOUR: RGBColor = RGBColor(0xd6, 0x27, 0x28);
/// Normal quantile of the error bars' 95% interval.
const Z975: f64 = 1.959_963_984_540_054;

/// Sobol indices of one output: per input (largest total index at the top) a first-order and a
/// total bar from 0, each with its 95% interval (`1.96` standard errors) as an error bar.
pub fn sobol_chart(scenario: &str, t: &Sobol, what: &str, base: usize) -> Result<Chart> {
    let mut rows: Vec<&SobolIndex> = t.indices.iter().collect();
    rows.sort_by(|a, b| b.total.total_cmp(&a.total));
    let (mut lo, mut hi) = (0.0f64, 0.1f64);
    for i in &rows {
        lo = lo
            .min(i.first - Z975 * i.first_se)
            .min(i.total - Z975 * i.total_se);
        hi = hi
            .max(i.first + Z975 * i.first_se)
            .max(i.total + Z975 * i.total_se);
    }
    let x = nice_axis(lo, hi.min(1.5), 8);
    let mut label_w = 0;
    for i in &rows {
        label_w = label_w.max(text_size(&i.input, TICK_PX)?.0);
    }
    let keys = vec![
        Key::line("first-order index S", FIRST_COLOUR, 12),
        Key::line("total index ST", TOTAL_COLOUR, 12),
        Key::line("95% interval (1.96 SE)", RGBColor(0, 0, 0), 1),
        Key::line(
            format!("{} base samples; inputs", thousands(base)),
            RGBColor(0xff, 0xff, 0xff),
            0,
        ),
        Key::line("independent (correlations", RGBColor(0xff, 0xff, 0xff), 0),
        Key::line("ignored)", RGBColor(0xff, 0xff, 0xff), 0),
    ];
    let plan = SobolPlan {
        title: format!("{scenario}: Sobol indices of {what}"),
        x,
        rows: rows
            .iter()
            .map(|i| (i.input.clone(), [i.first, i.first_se, i.total, i.total_se]))
            .collect(),
        keys,
        label_w: label_w + 30,
    };
    let legend_w = legend_column_width(&plan.keys)? + 30;
    let height = (plan.rows.len() as u32 * 52 + 140).max(300);
    render(
        (PLOT_W + plan.label_w + legend_w, height + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct SobolPlan {
    title: String,
    x: Axis,
    /// Input, then `[S, SE(S), ST, SE(ST)]`.
    rows: Vec<(String, [f64; 4])>,
    keys: Vec<Key>,
    label_w: u32,
}

impl SobolPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let names: Vec<&str> = self.rows.iter().rev().map(|r| r.0.as_str()).collect();
        let head = RowsChart {
            title: &self.title,
            keys: &self.keys,
            label_w: self.label_w,
            x: &self.x,
            x_desc: "Sobol index (share of the variance)",
        };
        head.draw(root, &names, |chart| {
            let n = self.rows.len();
            for (i, (_, e)) in self.rows.iter().rev().enumerate() {
                let yc = i as f64;
                // First order above the row's centre, total below.
                for (value, se, offset, colour) in [
                    (e[0], e[1], 0.17, FIRST_COLOUR),
                    (e[2], e[3], -0.17, TOTAL_COLOUR),
                ] {
                    let yb = yc + offset;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, yb - 0.15), (value, yb + 0.15)],
                        colour.mix(0.85).filled(),
                    )))?;
                    let (a, b) = (value - Z975 * se, value + Z975 * se);
                    let black = RGBColor(0, 0, 0).stroke_width(1);
                    chart.draw_series(LineSeries::new([(a, yb), (b, yb)], black))?;
                    for end in [a, b] {
                        chart.draw_series(LineSeries::new(
                            [(end, yb - 0.08), (end, yb + 0.08)],
                            black,
                        ))?;
                    }
                }
            }
            chart.draw_series(LineSeries::new(
                [(0.0, -0.5), (0.0, n as f64 - 0.5)],
                RGBColor(0x66, 0x66, 0x66).stroke_width(1),
            ))?;
            Ok(())
        })
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn tint_blends_with_white() {
        assert_eq!(tint(RGBColor(0, 100, 255), 0.5), RGBColor(128, 178, 255));
    }
}
