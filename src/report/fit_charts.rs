//! Charts of fits and backtests: measurements as dots over the fitted or forecast curves,
//! returned as PNG bytes and an SVG string. Built from the helpers of [`super::charts`].

use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    capability_axis, domain_colour, draw_note, draw_title, font, frame, frame_xy, log_axis,
    nice_axis, render, sci_label, series_colour, text_size, year_axis, year_label, Axis, Chart,
    Layout, FRAME, INK, LEGEND_GAP, LEGEND_PAD, LEGEND_PX, LEGEND_ROW, LEGEND_SAMPLE, LINE_PX,
    MUTED, PLOT_H, PLOT_W, TITLE_BAND,
};
use crate::backtest::Backtest;
use crate::fit::domain::{self, Link};
use crate::fit::pretraining::Run;
use crate::fit::rl::{self, Curve};
use crate::forecast::Forecast;
use crate::model::pretraining::Law;
use crate::scenario::Scenario;

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mark {
    Line,
    Dashed,
    Dot,
    Ring,
    Triangle,
    /// No sample: a note.
    Note,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    label: String,
    colour: RGBColor,
    mark: Mark,
}

pub(crate) fn entry(label: impl Into<String>, colour: RGBColor, mark: Mark) -> Entry {
    Entry {
        label: label.into(),
        colour,
        mark,
    }
}

pub(crate) const DOT_PX: u32 = 4;
pub(crate) const LAYOUT: Layout = Layout {
    margin_top: 10,
    margin_right: 30,
    x_label_area: 50,
    y_label_area: 75,
};

pub(crate) fn legend_width(entries: &[Entry]) -> Result<u32> {
    let mut widest = 0;
    for e in entries {
        widest = widest.max(LEGEND_SAMPLE + LEGEND_GAP + text_size(&e.label, LEGEND_PX)?.0 as i32);
    }
    Ok((widest + 2 * LEGEND_PAD) as u32)
}

/// The size of a chart with a title, a plot and `entries` as a legend below it.
pub(crate) fn sized(entries: &[Entry]) -> Result<(u32, u32)> {
    let legend_w = legend_width(entries)?;
    let width = PLOT_W.max(legend_w + LAYOUT.y_label_area + 40);
    let legend_h = entries.len() as u32 * LEGEND_ROW as u32 + 2 * LEGEND_PAD as u32 + 10;
    Ok((width, TITLE_BAND + PLOT_H + legend_h))
}

/// A boxed legend, one entry per row, top-left at `(x, y)`.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    (x, y): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let width = legend_width(entries)? as i32;
    let height =
        entries.len() as i32 * LEGEND_ROW + 2 * LEGEND_PAD - (LEGEND_ROW - LEGEND_PX as i32);
    area.draw(&Rectangle::new(
        [(x, y), (x + width, y + height)],
        FRAME.stroke_width(1),
    ))?;
    for (i, e) in entries.iter().enumerate() {
        let (x0, row) = (
            x + LEGEND_PAD,
            y + LEGEND_PAD + LEGEND_PX as i32 / 2 + i as i32 * LEGEND_ROW,
        );
        let mid = x0 + LEGEND_SAMPLE / 2;
        match e.mark {
            Mark::Line => area.draw(&PathElement::new(
                vec![(x0, row), (x0 + LEGEND_SAMPLE, row)],
                e.colour.stroke_width(LINE_PX),
            ))?,
            Mark::Dashed => {
                let mut a = x0;
                while a < x0 + LEGEND_SAMPLE {
                    let b = (a + 7).min(x0 + LEGEND_SAMPLE);
                    area.draw(&PathElement::new(
                        vec![(a, row), (b, row)],
                        e.colour.stroke_width(LINE_PX),
                    ))?;
                    a += 11;
                }
            }
            Mark::Dot => area.draw(&Circle::new((mid, row), DOT_PX, e.colour.filled()))?,
            Mark::Ring => area.draw(&Circle::new((mid, row), DOT_PX, e.colour.stroke_width(2)))?,
            Mark::Triangle => area.draw(&TriangleMarker::new(
                (mid, row),
                DOT_PX + 2,
                e.colour.filled(),
            ))?,
            Mark::Note => {}
        }
        let style = font(LEGEND_PX)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(&e.label, &style, (x0 + LEGEND_SAMPLE + LEGEND_GAP, row))?;
    }
    Ok(())
}

/// `n` points evenly spaced in log10 between `lo` and `hi` (from integer indices).
fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (a, b) = (lo.log10(), hi.log10());
    (0..n)
        .map(|i| 10f64.powf(a + (b - a) * i as f64 / (n - 1) as f64))
        .collect()
}

/// A label for a number in a legend: 3 significant digits.
pub(crate) fn short(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if x != 0.0 && !(1e-2..1e5).contains(&x.abs()) {
        format!("{x:.2e}")
    } else {
        let digits = (2 - x.abs().max(1e-2).log10().floor() as i32).max(0) as usize;
        format!("{x:.digits$}")
    }
}

// ---------------------------------------------------------------------------------------------
// Scatter plots with fitted curves

/// Measurements as dots and fitted curves, one colour per group.
struct Group {
    colour: RGBColor,
    dots: Vec<(f64, f64)>,
    curve: Vec<(f64, f64)>,
}

/// A scatter chart with a legend below the plot.
struct Scatter {
    title: String,
    x: Axis,
    x_log: bool,
    y: Axis,
    descs: (String, String),
    groups: Vec<Group>,
    entries: Vec<Entry>,
}

impl Scatter {
    fn render(&self) -> Result<Chart> {
        render(
            sized(&self.entries)?,
            |root| self.draw(root),
            |root| self.draw(root),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_vertically(PLOT_H);
        let yf = |v: &f64| self.y.label(*v);
        let descs = (self.descs.0.as_str(), self.descs.1.as_str());
        if self.x_log {
            let xf = |v: &f64| sci_label(*v);
            let mut chart = frame_xy(
                &plot,
                LAYOUT,
                self.x.log(),
                self.y.linear(),
                (&xf, &yf),
                descs,
            )?;
            for g in &self.groups {
                draw_group(&mut chart, g)?;
            }
        } else {
            let xf = |v: &f64| self.x.label(*v);
            let mut chart = frame_xy(
                &plot,
                LAYOUT,
                self.x.linear(),
                self.y.linear(),
                (&xf, &yf),
                descs,
            )?;
            for g in &self.groups {
                draw_group(&mut chart, g)?;
            }
        }
        draw_legend(&legend, &self.entries, (LAYOUT.y_label_area as i32 + 10, 0))
    }
}

fn draw_group<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    g: &Group,
) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart.draw_series(LineSeries::new(
        g.curve.iter().copied(),
        g.colour.stroke_width(LINE_PX),
    ))?;
    chart.draw_series(
        g.dots
            .iter()
            .map(|&p| Circle::new(p, DOT_PX, g.colour.mix(0.55).filled())),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pretraining

/// Loss against parameters (log axis), runs as dots grouped by decade of tokens per parameter,
/// each group with the fitted law's curve `L(N, r N)` at the group's geometric-mean ratio r.
pub fn pretraining_chart(runs: &[Run], law: &Law) -> Result<Chart> {
    if runs.is_empty() {
        bail!("no runs to chart");
    }
    let mut by_decade: Vec<(i32, Vec<&Run>)> = Vec::new();
    for r in runs {
        let decade = (r.tokens / r.params).log10().floor() as i32;
        match by_decade.iter_mut().find(|(d, _)| *d == decade) {
            Some((_, g)) => g.push(r),
            None => by_decade.push((decade, vec![r])),
        }
    }
    by_decade.sort_by_key(|(d, _)| *d);
    let n_min = runs.iter().map(|r| r.params).fold(f64::INFINITY, f64::min);
    let n_max = runs.iter().map(|r| r.params).fold(0.0, f64::max);
    let x = log_axis(n_min, n_max);
    let ns = log_space(n_min, n_max, 120);
    let mut groups = Vec::new();
    let mut entries = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, (decade, group)) in by_decade.iter().enumerate() {
        let colour = series_colour(i);
        let ratio = (group
            .iter()
            .map(|r| (r.tokens / r.params).ln())
            .sum::<f64>()
            / group.len() as f64)
            .exp();
        let dots: Vec<(f64, f64)> = group.iter().map(|r| (r.params, r.loss)).collect();
        let curve: Vec<(f64, f64)> = ns.iter().map(|&n| (n, law.loss(n, ratio * n))).collect();
        for &(_, l) in &dots {
            lo = lo.min(l);
            hi = hi.max(l);
        }
        entries.push(entry(
            format!(
                "{} runs with D/N in [{}, {}); line: fit at D/N = {}",
                group.len(),
                sci_label(10f64.powi(*decade)),
                sci_label(10f64.powi(decade + 1)),
                short(ratio)
            ),
            colour,
            Mark::Dot,
        ));
        groups.push(Group {
            colour,
            dots,
            curve,
        });
    }
    // Curves may run far above the data at small N: clip the axis to the data's range.
    let y = nice_axis(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 8);
    for g in &mut groups {
        g.curve.retain(|p| p.1 >= y.lo && p.1 <= y.hi);
    }
    entries.push(entry(
        format!(
            "lines: the fitted law, E = {}, A = {}, B = {}, alpha = {}, beta = {}",
            short(law.e),
            short(law.a),
            short(law.b),
            short(law.alpha),
            short(law.beta)
        ),
        INK,
        Mark::Line,
    ));
    Scatter {
        title: "Pretraining loss: runs and the fitted law L = E + A/N^alpha + B/D^beta".into(),
        x,
        x_log: true,
        y,
        descs: ("parameters N (log scale)".into(), "final loss L".into()),
        groups,
        entries,
    }
    .render()
}

// ---------------------------------------------------------------------------------------------
// Domain

/// Scores against effective compute u, with the fitted link.
pub fn domain_chart(name: &str, points: &[domain::Point], link: &Link) -> Result<Chart> {
    if points.is_empty() {
        bail!("no scores to chart");
    }
    let u_min = points.iter().map(|p| p.u).fold(f64::INFINITY, f64::min);
    let u_max = points.iter().map(|p| p.u).fold(f64::NEG_INFINITY, f64::max);
    let pad = 0.1 * (u_max - u_min).max(1.0);
    let x = nice_axis(u_min - pad, u_max + pad, 10);
    let curve: Vec<(f64, f64)> = (0..200)
        .map(|i| {
            let u = x.lo + (x.hi - x.lo) * f64::from(i) / 199.0;
            (u, link.score(u))
        })
        .collect();
    let colour = domain_colour(name, 0);
    Scatter {
        title: format!("Domain '{name}': scores and the fitted link"),
        x,
        x_log: false,
        y: capability_axis(),
        descs: (
            "effective compute u (log10 FLOP)".into(),
            "score (share of tasks solved)".into(),
        ),
        groups: vec![Group {
            colour,
            dots: points.iter().map(|p| (p.u, p.score)).collect(),
            curve,
        }],
        entries: vec![
            entry(format!("{} measured scores", points.len()), colour, Mark::Dot),
            entry(
                format!(
                    "fit: floor + (1 - floor) sigmoid(slope (u - difficulty)); slope = {}, difficulty = {}, floor = {}",
                    short(link.slope),
                    short(link.difficulty),
                    short(link.floor)
                ),
                colour,
                Mark::Line,
            ),
        ],
    }
    .render()
}

// ---------------------------------------------------------------------------------------------
// RL

/// Scores against RL steps (log axis), with the fitted curve. Scores at S = 0 cannot sit on a
/// log axis: the legend counts them and the curve's value there.
pub fn rl_chart(points: &[rl::Point], curve: &Curve) -> Result<Chart> {
    let positive: Vec<&rl::Point> = points.iter().filter(|p| p.steps > 0.0).collect();
    let at_zero = points.len() - positive.len();
    let colour = series_colour(2);
    let (s_min, s_max) = if positive.is_empty() {
        (curve.midpoint_steps / 100.0, curve.midpoint_steps * 100.0)
    } else {
        (
            positive
                .iter()
                .map(|p| p.steps)
                .fold(f64::INFINITY, f64::min),
            positive.iter().map(|p| p.steps).fold(0.0, f64::max),
        )
    };
    let x = log_axis(
        s_min.min(curve.midpoint_steps),
        s_max.max(curve.midpoint_steps),
    );
    let line: Vec<(f64, f64)> = log_space(x.lo, x.hi, 200)
        .into_iter()
        .map(|s| (s, curve.score(s)))
        .collect();
    let mut entries = vec![entry(
        format!("{} measured scores", positive.len()),
        colour,
        Mark::Dot,
    )];
    if at_zero > 0 {
        entries.push(entry(
            format!(
                "{at_zero} score(s) at S = 0 not drawn (log axis); fit there: {}",
                short(curve.score(0.0))
            ),
            MUTED,
            Mark::Ring,
        ));
    }
    entries.push(entry(
        format!(
            "fit: logit = l0 + gain h(S); midpoint = {} steps, exponent = {}, gain = {} logits, l0 = {}",
            short(curve.midpoint_steps),
            short(curve.exponent),
            short(curve.gain),
            short(curve.l0)
        ),
        colour,
        Mark::Line,
    ));
    Scatter {
        title: "RL: scores over RL steps and the fitted progress curve".into(),
        x,
        x_log: true,
        y: capability_axis(),
        descs: ("RL steps S (log scale)".into(), "score".into()),
        groups: vec![Group {
            colour,
            dots: positive.iter().map(|p| (p.steps, p.score)).collect(),
            curve: line,
        }],
        entries,
    }
    .render()
}

// ---------------------------------------------------------------------------------------------
// Backtest

/// The forecast's capability lines with the observations as dots in their domain's colour:
/// filled if scored, rings if before `--from` (a dashed line marks it).
pub fn backtest_chart(f: &Forecast, s: &Scenario, b: &Backtest) -> Result<Chart> {
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    for (d, (name, row)) in f.domains.iter().zip(&f.terms).enumerate() {
        let colour = domain_colour(name, d);
        lines.push((
            colour,
            f.levers
                .iter()
                .zip(row)
                .map(|(l, t)| (l.year, t.capability))
                .collect::<Vec<_>>(),
        ));
        entries.push(entry(format!("{name} forecast"), colour, Mark::Line));
    }
    let mut scored = Vec::new();
    let mut earlier = Vec::new();
    let mut stems = Vec::new();
    let mut bands = Vec::new();
    for o in &s.observations {
        let (Some(year), Some(d)) = (o.year, s.domains.iter().position(|d| d.name == o.domain))
        else {
            continue;
        };
        let colour = domain_colour(&o.domain, d);
        if year >= b.from {
            scored.push((colour, (year, o.score)));
        } else {
            earlier.push((colour, (year, o.score)));
        }
    }
    for r in &b.scored {
        let d = s
            .domains
            .iter()
            .position(|d| d.name == r.domain)
            .unwrap_or(0);
        let colour = domain_colour(&r.domain, d);
        stems.push((colour, [(r.year, r.observed), (r.year, r.forecast)]));
        if let Some(x) = r.bands {
            bands.push((colour, r.year, [x.p5, x.p25, x.p75, x.p95]));
        }
    }
    let mae = b.summaries[0].mean_absolute_error;
    entries.push(entry(
        format!(
            "observations scored from {} (stem: error to forecast): {}, mean absolute error {:.3}",
            year_label(b.from),
            scored.len(),
            mae
        ),
        INK,
        Mark::Dot,
    ));
    if !earlier.is_empty() {
        entries.push(entry(
            format!("observations before {} (not scored)", year_label(b.from)),
            INK,
            Mark::Ring,
        ));
    }
    if let Some(m) = b.sampling {
        entries.push(entry(
            format!(
                "bars: the forecast's 50% (thick) and 90% (thin) bands, {} samples",
                m.samples
            ),
            MUTED,
            Mark::Line,
        ));
    }
    entries.push(entry(
        format!("--from {}", year_label(b.from)),
        MUTED,
        Mark::Dashed,
    ));
    let plan = BacktestPlan {
        title: format!("{}: backtest from {}", f.scenario, year_label(b.from)),
        x: year_axis(f, 10),
        lines,
        scored,
        earlier,
        stems,
        bands,
        from: b.from,
        entries,
    };
    render(
        sized(&plan.entries)?,
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct BacktestPlan {
    title: String,
    x: Axis,
    lines: Vec<(RGBColor, Vec<(f64, f64)>)>,
    scored: Vec<(RGBColor, (f64, f64))>,
    earlier: Vec<(RGBColor, (f64, f64))>,
    /// From each scored observation to the forecast at its year.
    stems: Vec<(RGBColor, [(f64, f64); 2])>,
    /// Sampled bands at scored observations: year, then p5, p25, p75, p95.
    bands: Vec<(RGBColor, f64, [f64; 4])>,
    from: f64,
    entries: Vec<Entry>,
}

impl BacktestPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_vertically(PLOT_H);
        let y = capability_axis();
        let yf = |v: &f64| y.label(*v);
        let mut chart = frame(
            &plot,
            LAYOUT,
            &self.x,
            y.linear(),
            &yf,
            ("year", "capability (share of tasks solved)"),
        )?;
        if self.from >= self.x.lo && self.from <= self.x.hi {
            chart.draw_series(DashedLineSeries::new(
                [(self.from, 0.0), (self.from, 1.0)],
                8,
                5,
                MUTED.stroke_width(LINE_PX),
            ))?;
        }
        for (colour, points) in &self.lines {
            chart.draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(LINE_PX),
            ))?;
        }
        for (colour, year, q) in &self.bands {
            let bar = |lo: f64, hi: f64, px: u32| {
                LineSeries::new(
                    [(*year, lo), (*year, hi)],
                    colour.mix(0.45).stroke_width(px),
                )
            };
            chart.draw_series(bar(q[0], q[3], 2))?;
            chart.draw_series(bar(q[1], q[2], 7))?;
        }
        for (colour, stem) in &self.stems {
            chart.draw_series(LineSeries::new(
                stem.iter().copied(),
                colour.stroke_width(1),
            ))?;
        }
        chart.draw_series(
            self.earlier
                .iter()
                .map(|(c, p)| Circle::new(*p, DOT_PX + 1, c.stroke_width(2))),
        )?;
        chart.draw_series(
            self.scored
                .iter()
                .map(|(c, p)| Circle::new(*p, DOT_PX + 1, c.filled())),
        )?;
        if self.lines.is_empty() {
            draw_note(&plot, "no domains in this forecast")?;
        }
        draw_legend(&legend, &self.entries, (LAYOUT.y_label_area as i32 + 10, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::pretraining::synthetic;

    #[test]
    fn charts_render_to_png_and_svg() {
        let runs = synthetic(&Law::EPOCH, 60, 0.01, 1);
        let c = pretraining_chart(&runs, &Law::EPOCH).unwrap();
        assert!(c.png.starts_with(b"\x89PNG"));
        assert!(c.svg.contains("Pretraining loss"));
        let link = Link {
            slope: 1.0,
            difficulty: 26.0,
            floor: 0.25,
        };
        let pts: Vec<domain::Point> = (0..10)
            .map(|i| domain::Point {
                u: 24.0 + f64::from(i) * 0.4,
                score: link.score(24.0 + f64::from(i) * 0.4),
            })
            .collect();
        assert!(domain_chart("math", &pts, &link)
            .unwrap()
            .svg
            .contains("math"));
        let curve = Curve {
            l0: -1.0,
            gain: 2.0,
            midpoint_steps: 1000.0,
            exponent: 1.0,
        };
        let pts = [0.0, 100.0, 1000.0, 1e4].map(|s| rl::Point {
            steps: s,
            score: curve.score(s),
        });
        assert!(rl_chart(&pts, &curve)
            .unwrap()
            .svg
            .contains("S = 0 not drawn"));
    }
}
