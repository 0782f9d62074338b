//! Charts of a calibration: per domain, observed scores against effective compute with the
//! fitted curves (frontier models filled, the rest as rings, reasoners as triangles, the
//! reasoner curve dashed, the present marked); and per domain of a holdout, the observed
//! frontier over the years with the model's forecast and the two baselines.

use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::calibrate::year_text;
use super::charts::{
    capability_axis, draw_title, frame_xy, multiples, nice_axis, render, series_colour, Axis,
    Chart, LINE_PX, MUTED, PLOT_H,
};
use super::fit_charts::{draw_legend, entry, short, sized, Entry, Mark, DOT_PX, LAYOUT};
use crate::calibrate::holdout::Holdout;
use crate::calibrate::observations::Data;
use crate::calibrate::{effective_compute, Calibration};
use crate::model::sigmoid;
use crate::scenario::Scenario;

/// Everything drawn for one benchmark.
struct Series {
    colour: RGBColor,
    frontier: Vec<(f64, f64)>,
    below: Vec<(f64, f64)>,
    reasoners: Vec<(f64, f64)>,
    curve: Vec<(f64, f64)>,
    reasoner_curve: Vec<(f64, f64)>,
}

struct Plan {
    title: String,
    x: Axis,
    series: Vec<Series>,
    /// The present: its effective compute, the anchor's value and interval, the observed best.
    present: (f64, f64, Option<(f64, f64)>, Option<f64>),
    entries: Vec<Entry>,
    x_desc: String,
}

/// One domain: its benchmarks' observations over effective compute, with their curves.
pub fn domain_chart(c: &Calibration, data: &Data, s: &Scenario, domain: &str) -> Result<Chart> {
    let mut benches: Vec<&crate::calibrate::BenchmarkResult> = c
        .benchmarks
        .iter()
        .filter(|b| b.benchmark.domain == domain && b.curve.is_some())
        .collect();
    benches.sort_by_key(|b| !b.benchmark.anchor);
    if benches.is_empty() {
        bail!("domain '{domain}' has no calibrated benchmark to chart");
    }
    let u_of = |x: f64, year: f64| effective_compute(s, x).0 + c.growth * (year - c.present_year);
    let mut plotted = Vec::new();
    let mut no_compute = 0;
    for b in &benches {
        let k = b.curve.as_ref().expect("filtered");
        let mut frontier = Vec::new();
        let mut below = Vec::new();
        let mut reasoners = Vec::new();
        for (i, o) in data.observations.iter().enumerate() {
            if o.benchmark != b.benchmark.id || c.settings.before.is_some_and(|y| o.year >= y) {
                continue;
            }
            let Some(x) = o.compute else {
                no_compute += 1;
                continue;
            };
            let p = (u_of(x, o.year), o.score);
            if k.frontier.contains(&i) {
                frontier.push(p);
            } else if o.reasoner {
                reasoners.push(p);
            } else {
                below.push(p);
            }
        }
        plotted.push((b, k, frontier, below, reasoners));
    }
    let us = plotted
        .iter()
        .flat_map(|(_, _, f, b, r)| f.iter().chain(b).chain(r).map(|p| p.0))
        .chain([c.present_u]);
    let (lo, hi) = us.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), u| {
        (a.min(u), b.max(u))
    });
    let pad = 0.1 * (hi - lo).max(1.0);
    let x = nice_axis(lo - pad, hi + pad, 10);
    let mut entries = Vec::new();
    let mut series = Vec::new();
    for (i, (b, k, frontier, below, reasoners)) in plotted.into_iter().enumerate() {
        let colour = series_colour(i);
        let l = k.link;
        let curve: Vec<(f64, f64)> = (0..200)
            .map(|j| {
                let u = x.lo + (x.hi - x.lo) * f64::from(j) / 199.0;
                (u, l.score(u))
            })
            .collect();
        let gain = b.gain.as_ref().map(|g| g.gain.mean);
        let reasoner_curve = gain.map_or(Vec::new(), |g| {
            curve
                .iter()
                .map(|&(u, _)| {
                    (
                        u,
                        l.floor + (1.0 - l.floor) * sigmoid(l.slope * (u - l.difficulty) + g),
                    )
                })
                .collect()
        });
        entries.push(entry(
            // The floor as the printed table has it: a fitted floor of 3e-13 is 0.000.
            format!(
                "{}{}: {} frontier models of {} (filled); curve slope {}, difficulty {} (on this axis), floor {:.3}",
                b.benchmark.id,
                if b.benchmark.anchor { " (anchor)" } else { "" },
                frontier.len(),
                k.eligible,
                short(l.slope),
                short(l.difficulty),
                l.floor
            ),
            colour,
            Mark::Line,
        ));
        if let Some(g) = &b.gain {
            entries.push(entry(
                format!(
                    "{} reasoners: {:+.2} logits over their contemporaries ({} pairs, {} contemporaries; dashed)",
                    b.benchmark.id,
                    g.gain.mean,
                    g.gain.pairs,
                    g.contemporaries()
                ),
                colour,
                Mark::Dashed,
            ));
        }
        series.push(Series {
            colour,
            frontier,
            below,
            reasoners,
            curve,
            reasoner_curve,
        });
    }
    entries.push(entry("models below the frontier", MUTED, Mark::Ring));
    entries.push(entry(
        "reasoners with a known training compute",
        MUTED,
        Mark::Triangle,
    ));
    if no_compute > 0 {
        entries.push(entry(
            format!("{no_compute} observation(s) without a training compute estimate: not drawn"),
            MUTED,
            Mark::Note,
        ));
    }
    let anchor = benches[0].curve.as_ref().expect("filtered");
    entries.push(entry(
        format!(
            "present ({}): compute {} FLOP, {} {}{}",
            year_text(c.present_year),
            short(c.present_compute),
            benches[0].benchmark.id,
            short(anchor.present),
            match benches[0].observed_present {
                Some(o) => format!(", observed best {}", short(o)),
                None => ", no observation before it".into(),
            }
        ),
        MUTED,
        Mark::Dashed,
    ));
    let plan = Plan {
        title: format!("{domain}: observed scores and the calibrated curves"),
        x,
        series,
        present: (
            c.present_u,
            anchor.present,
            anchor.present_interval.map(|i| (i.low, i.high)),
            benches[0].observed_present,
        ),
        entries,
        x_desc: format!(
            "effective compute u (log10 FLOP at {} efficiency; {}x a year)",
            year_text(c.present_year),
            short(10f64.powf(c.growth))
        ),
    };
    render(
        sized(&plan.entries)?,
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

impl Plan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_vertically(PLOT_H);
        let y = capability_axis();
        let xf = |v: &f64| self.x.label(*v);
        let yf = |v: &f64| y.label(*v);
        let mut chart = frame_xy(
            &plot,
            LAYOUT,
            self.x.linear(),
            y.linear(),
            (&xf, &yf),
            (&self.x_desc, "score (fraction of the benchmark's maximum)"),
        )?;
        let (u0, value, interval, observed) = self.present;
        chart.draw_series(DashedLineSeries::new(
            [(u0, 0.0), (u0, 1.0)],
            8,
            5,
            MUTED.stroke_width(1),
        ))?;
        for s in &self.series {
            chart.draw_series(LineSeries::new(
                s.curve.iter().copied(),
                s.colour.stroke_width(LINE_PX),
            ))?;
            if !s.reasoner_curve.is_empty() {
                chart.draw_series(DashedLineSeries::new(
                    s.reasoner_curve.iter().copied(),
                    8,
                    5,
                    s.colour.stroke_width(LINE_PX),
                ))?;
            }
            chart.draw_series(
                s.below
                    .iter()
                    .map(|&p| Circle::new(p, DOT_PX, s.colour.mix(0.6).stroke_width(1))),
            )?;
            chart.draw_series(
                s.frontier
                    .iter()
                    .map(|&p| Circle::new(p, DOT_PX + 1, s.colour.filled())),
            )?;
            chart.draw_series(
                s.reasoners
                    .iter()
                    .map(|&p| TriangleMarker::new(p, DOT_PX + 2, s.colour.mix(0.8).filled())),
            )?;
        }
        let anchor = self.series[0].colour;
        if let Some((lo, hi)) = interval {
            chart.draw_series(LineSeries::new(
                [(u0, lo), (u0, hi)],
                anchor.stroke_width(4),
            ))?;
        }
        chart.draw_series([Circle::new((u0, value), DOT_PX + 2, WHITE.filled())])?;
        chart.draw_series([Circle::new((u0, value), DOT_PX + 2, anchor.stroke_width(2))])?;
        if let Some(o) = observed {
            chart.draw_series([Cross::new((u0, o), DOT_PX + 3, anchor.stroke_width(2))])?;
        }
        draw_legend(&legend, &self.entries, (LAYOUT.y_label_area as i32 + 10, 0))
    }
}

/// One domain of a holdout: the observed frontier of each benchmark (steps), the model's
/// forecast from the split (solid), the best score carried forward (dotted) and the logit trend
/// (dashed).
pub fn holdout_chart(h: &Holdout, domain: &str) -> Result<Chart> {
    let benches: Vec<_> = h
        .benchmarks
        .iter()
        .filter(|b| b.domain == domain && !b.records_before.is_empty() && !b.rows.is_empty())
        .collect();
    if benches.is_empty() {
        bail!("domain '{domain}' has nothing scored to chart");
    }
    let first = benches
        .iter()
        .flat_map(|b| b.records.iter().map(|r| r.0))
        .fold(h.split - 1.0, f64::min)
        .floor();
    let years = multiples(first, h.until.ceil(), 1.0);
    let x = Axis {
        lo: first,
        hi: h.until.ceil(),
        ticks: years,
        light: vec![],
        decimals: 0,
    };
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    for (i, b) in benches.iter().enumerate() {
        let colour = series_colour(i);
        // Steps of the observed frontier, drawn to the end of the scored years.
        let mut steps = Vec::new();
        for (j, &(year, score)) in b.records.iter().enumerate() {
            if j > 0 {
                steps.push((year, b.records[j - 1].1));
            }
            steps.push((year, score));
        }
        if let Some(&(_, last)) = b.records.last() {
            steps.push((h.until, last));
        }
        let model: Vec<(f64, f64)> = b.path.clone();
        let carried: Vec<(f64, f64)> = b
            .rows
            .iter()
            .filter_map(|r| r.forecasts[1].map(|v| (r.year, v)))
            .collect();
        let trend: Vec<(f64, f64)> = b
            .rows
            .iter()
            .filter_map(|r| r.forecasts[2].map(|v| (r.year, v)))
            .collect();
        entries.push(entry(
            format!("{}: observed frontier (best released so far)", b.benchmark),
            colour,
            Mark::Dot,
        ));
        entries.push(entry(
            format!("{}: model forecast", b.benchmark),
            colour,
            Mark::Line,
        ));
        lines.push((colour, steps, b.records.clone(), model, carried, trend));
    }
    entries.push(entry(
        "carried forward (dotted) and logit trend (dashed)",
        MUTED,
        Mark::Dashed,
    ));
    entries.push(entry(
        format!(
            "split: calibrated on what was released before {}",
            year_text(h.split)
        ),
        MUTED,
        Mark::Line,
    ));
    let title = format!("{domain}: holdout from {}", year_text(h.split));
    render(
        sized(&entries)?,
        |root| draw_holdout(root, &title, &x, &lines, h.split, &entries),
        |root| draw_holdout(root, &title, &x, &lines, h.split, &entries),
    )
}

type HoldoutLines = (
    RGBColor,
    Vec<(f64, f64)>,
    Vec<(f64, f64)>,
    Vec<(f64, f64)>,
    Vec<(f64, f64)>,
    Vec<(f64, f64)>,
);

fn draw_holdout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x: &Axis,
    lines: &[HoldoutLines],
    split: f64,
    entries: &[Entry],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let body = draw_title(root, title)?;
    let (plot, legend) = body.split_vertically(PLOT_H);
    let y = capability_axis();
    let xf = |v: &f64| x.label(*v);
    let yf = |v: &f64| y.label(*v);
    let mut chart = frame_xy(
        &plot,
        LAYOUT,
        x.linear(),
        y.linear(),
        (&xf, &yf),
        ("release year", "best score released so far"),
    )?;
    chart.draw_series(LineSeries::new(
        [(split, 0.0), (split, 1.0)],
        MUTED.stroke_width(1),
    ))?;
    for (colour, steps, records, model, carried, trend) in lines {
        chart.draw_series(LineSeries::new(
            steps.iter().copied(),
            colour.mix(0.5).stroke_width(1),
        ))?;
        chart.draw_series(
            records
                .iter()
                .map(|&p| Circle::new(p, DOT_PX, colour.filled())),
        )?;
        chart.draw_series(LineSeries::new(
            model.iter().copied(),
            colour.stroke_width(LINE_PX + 1),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            carried.iter().copied(),
            2,
            4,
            colour.stroke_width(LINE_PX),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            trend.iter().copied(),
            8,
            5,
            colour.stroke_width(LINE_PX),
        ))?;
    }
    draw_legend(&legend, entries, (LAYOUT.y_label_area as i32 + 10, 0))
}
