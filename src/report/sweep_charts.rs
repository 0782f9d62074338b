//! Charts of sweeps and allocations, as PNG bytes and SVG text (drawn by `charts`' renderer):
//! - one varied key: capability against it, a line per domain (a log axis for log sweeps);
//! - two varied keys: a heatmap per domain with a labelled colour scale and iso-capability
//!   contours at 0.25, 0.5 and 0.75 (marching squares);
//! - allocation: capability over the simplex of budget shares (a ternary heatmap).
//!
//! Log axes are drawn in log10 space with ticks labelled by their values (`1e12`), so cells and
//! contours of log sweeps are evenly spaced on screen.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    domain_colour, draw_legend_column, draw_note, draw_panel_title, draw_series, draw_title, font,
    legend_column_width, log_axis, nice_axis, render, sci_label, text_size, Axis, Chart, Key,
    Series, DESC_PX, FRAME, GRID, GRID_LIGHT, INK, LINE_PX, MAX_COLUMNS, MUTED, PLOT_H, PLOT_W,
    TICK_PX, TITLE_BAND,
};
use crate::allocate::Allocation;
use crate::report::csv::number;
use crate::sweep::{Surface, SurfaceAxis};

/// A piece of a contour line, between two points.
pub type Segment = [(f64, f64); 2];

/// Capability levels drawn as contours on heatmaps.
pub const CONTOUR_LEVELS: [f64; 3] = [0.25, 0.5, 0.75];

/// The chart of a sweep: a line chart for one key, heatmaps for two; none for more.
pub fn sweep_chart(s: &Surface) -> Result<Option<Chart>> {
    match s.axes.len() {
        1 => line_chart(s).map(Some),
        2 => heatmap_chart(s).map(Some),
        _ => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// Scales

/// An axis in display space (log10 of the values for log sweeps).
struct Scale {
    axis: Axis,
    log: bool,
}

impl Scale {
    /// A scale over display coordinates `lo..hi`, ticks inside it.
    fn new(lo: f64, hi: f64, log: bool) -> Scale {
        let (lo, hi) = if hi - lo > 1e-12 {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        let inside = |v: &f64| *v >= lo - 1e-9 && *v <= hi + 1e-9;
        let axis = if log {
            let a = log_axis(10f64.powf(lo), 10f64.powf(hi));
            Axis {
                lo,
                hi,
                ticks: a.ticks.iter().map(|t| t.log10()).filter(inside).collect(),
                light: a.light.iter().map(|t| t.log10()).filter(inside).collect(),
                decimals: 0,
            }
        } else {
            let a = nice_axis(lo, hi, 6);
            Axis {
                lo,
                hi,
                ticks: a.ticks.iter().copied().filter(inside).collect(),
                light: vec![],
                decimals: a.decimals,
            }
        };
        Scale { axis, log }
    }

    /// Where value `v` sits on the axis (None when it cannot be drawn).
    fn place(log: bool, v: f64) -> Option<f64> {
        let x = if log { v.log10() } else { v };
        x.is_finite().then_some(x)
    }

    fn label(&self, v: f64) -> String {
        if self.log {
            sci_label(10f64.powf(v))
        } else {
            self.axis.label(v)
        }
    }
}

/// The display positions of an axis' values, sorted, with the value indices in that order.
fn sorted_positions(a: &SurfaceAxis) -> Vec<(f64, usize)> {
    let mut out: Vec<(f64, usize)> = a
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, &v)| Scale::place(a.log, v).map(|x| (x, i)))
        .collect();
    out.sort_by(|p, q| p.0.total_cmp(&q.0));
    out
}

fn axis_title(a: &SurfaceAxis) -> String {
    if a.log {
        format!("{} (log scale)", a.path)
    } else {
        a.path.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Colours

/// Viridis at ninths, from matplotlib.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// The viridis colour at `t` in [0, 1] (clamped); grey for NaN.
fn viridis(t: f64) -> RGBColor {
    if t.is_nan() {
        return RGBColor(0xbb, 0xbb, 0xbb);
    }
    let x = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let w = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * w).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A vertical colour bar in `area` from `lo` (bottom) to `hi` (top), ticks labelled, levels
/// marked by white lines, and a title along its side.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (top, height): (i32, i32),
    (lo, hi): (f64, f64),
    ticks: &[f64],
    decimals: usize,
    marks: &[f64],
    title: &str,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    const BAR_X: i32 = 16;
    const BAR_W: i32 = 22;
    let y_of = |v: f64| top + height - ((v - lo) / (hi - lo) * f64::from(height)).round() as i32;
    for row in 0..height {
        let v = lo + (hi - lo) * (f64::from(height - row) - 0.5) / f64::from(height);
        let t = (v - lo) / (hi - lo);
        area.draw(&Rectangle::new(
            [(BAR_X, top + row), (BAR_X + BAR_W, top + row + 1)],
            viridis(t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(BAR_X, top), (BAR_X + BAR_W, top + height)],
        INK.stroke_width(1),
    ))?;
    for &m in marks {
        let y = y_of(m);
        area.draw(&PathElement::new(
            vec![(BAR_X, y), (BAR_X + BAR_W, y)],
            WHITE.stroke_width(2),
        ))?;
    }
    let style = font(TICK_PX)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for &t in ticks {
        let y = y_of(t);
        area.draw(&PathElement::new(
            vec![(BAR_X + BAR_W, y), (BAR_X + BAR_W + 5, y)],
            INK.stroke_width(1),
        ))?;
        area.draw_text(
            &format!("{:.*}", decimals, t + 0.0),
            &style,
            (BAR_X + BAR_W + 8, y),
        )?;
    }
    let title_style = font(DESC_PX)
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Center))
        .transform(FontTransform::Rotate270);
    let width = area.dim_in_pixel().0 as i32;
    area.draw_text(title, &title_style, (width - 14, top + height / 2))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// One key: a line per domain

fn line_chart(s: &Surface) -> Result<Chart> {
    let a = &s.axes[0];
    let order = sorted_positions(a);
    let n = s.domains.len();
    let mut series = Vec::with_capacity(n);
    for (d, name) in s.domains.iter().enumerate() {
        let points: Vec<(f64, f64)> = order
            .iter()
            .map(|&(x, i)| (x, s.capability[i * n + d]))
            .filter(|p| p.1.is_finite())
            .collect();
        series.push(Series {
            key: Key::line(name.as_str(), domain_colour(name, d), LINE_PX + 1),
            runs: vec![points],
        });
    }
    let (lo, hi) = match (order.first(), order.last()) {
        (Some(f), Some(l)) => (f.0, l.0),
        _ => (0.0, 1.0),
    };
    let keys: Vec<Key> = series.iter().map(|s| s.key.clone()).collect();
    let omitted: Vec<String> = a
        .values
        .iter()
        .filter(|&&v| Scale::place(a.log, v).is_none())
        .map(|&v| number(v))
        .collect();
    let omitted = if omitted.is_empty() {
        String::new()
    } else {
        format!("not drawn: {}", omitted.join(", "))
    };
    let legend_w = (legend_column_width(&keys)? + 30).max(text_size(&omitted, TICK_PX)?.0 + 20);
    let plan = LinePlan {
        omitted,
        title: format!(
            "{}: capability against {} in {}",
            s.scenario,
            a.path,
            number(s.year)
        ),
        x: Scale::new(lo, hi, a.log),
        x_title: axis_title(a),
        series,
        keys,
        empty: order.is_empty(),
    };
    render(
        (PLOT_W + legend_w, PLOT_H + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

/// Sweeps with at most this many values show a dot at each.
const MARKED_POINTS: usize = 30;

struct LinePlan {
    /// The key's values that cannot sit on the axis (infinite, or not positive on a log axis).
    omitted: String,
    title: String,
    x: Scale,
    x_title: String,
    series: Vec<Series>,
    keys: Vec<Key>,
    empty: bool,
}

impl LinePlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W);
        let y = Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: (0..=5).map(|i| f64::from(i) / 5.0).collect(),
            light: (0..5).map(|i| f64::from(2 * i + 1) / 10.0).collect(),
            decimals: 1,
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_top(10)
            .margin_right(30)
            .margin_left(10)
            .margin_bottom(10)
            .x_label_area_size(55)
            .y_label_area_size(75)
            .build_cartesian_2d(self.x.axis.linear(), y.linear())?;
        let x_format = |v: &f64| self.x.label(*v);
        let y_format = |v: &f64| y.label(*v);
        chart
            .configure_mesh()
            .x_desc(self.x_title.as_str())
            .y_desc("capability (share of tasks solved)")
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .label_style(font(TICK_PX).color(&INK))
            .axis_desc_style(font(DESC_PX).color(&INK))
            .axis_style(INK.stroke_width(1))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(GRID_LIGHT.stroke_width(1))
            .draw()?;
        for s in &self.series {
            draw_series(&mut chart, s)?;
            // mark the grid points of short sweeps
            let points: Vec<(f64, f64)> = s.runs.iter().flatten().copied().collect();
            if points.len() <= MARKED_POINTS {
                let colour = s.key.colour;
                chart.draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 4, colour.filled())),
                )?;
            }
        }
        if self.empty {
            draw_note(&plot, "no finite value of the key to draw")?;
        }
        draw_legend_column(&legend, &self.keys, (0, 10))?;
        if !self.omitted.is_empty() {
            let y = 10 + 2 * 12 + self.keys.len() as i32 * 26 + 10;
            legend.draw_text(
                &self.omitted,
                &font(TICK_PX)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
                (0, y),
            )?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Two keys: a heatmap per domain

const HEAT_PANEL_W: u32 = 470;
const HEAT_PANEL_H: u32 = 430;
const BAR_BAND: u32 = 130;

/// Cell edges around sorted positions: midpoints, the ends extended by half a gap.
fn edges(positions: &[f64]) -> Vec<f64> {
    match positions {
        [] => vec![],
        [x] => vec![x - 0.5, x + 0.5],
        _ => {
            let n = positions.len();
            let mut e = Vec::with_capacity(n + 1);
            e.push(positions[0] - (positions[1] - positions[0]) / 2.0);
            for w in positions.windows(2) {
                e.push((w[0] + w[1]) / 2.0);
            }
            e.push(positions[n - 1] + (positions[n - 1] - positions[n - 2]) / 2.0);
            e
        }
    }
}

/// Line segments where the grid `z[i][j]` (at `xs[i]`, `ys[j]`) crosses `level`, by marching
/// squares; saddles are split by the value at the square's centre. NaN squares are skipped.
pub fn contour(xs: &[f64], ys: &[f64], z: &[Vec<f64>], level: f64) -> Vec<Segment> {
    let mut out = Vec::new();
    for i in 0..xs.len().saturating_sub(1) {
        for j in 0..ys.len().saturating_sub(1) {
            // corners counter-clockwise from bottom-left
            let c = [
                (xs[i], ys[j], z[i][j]),
                (xs[i + 1], ys[j], z[i + 1][j]),
                (xs[i + 1], ys[j + 1], z[i + 1][j + 1]),
                (xs[i], ys[j + 1], z[i][j + 1]),
            ];
            if c.iter().any(|p| p.2.is_nan()) {
                continue;
            }
            let above = c.map(|p| p.2 >= level);
            let crossing = |e: usize| -> Option<(f64, f64)> {
                let (p, q) = (c[e], c[(e + 1) % 4]);
                if above[e] == above[(e + 1) % 4] {
                    return None;
                }
                let t = (level - p.2) / (q.2 - p.2);
                Some((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)))
            };
            let hits: Vec<(usize, (f64, f64))> =
                (0..4).filter_map(|e| crossing(e).map(|p| (e, p))).collect();
            match hits.len() {
                2 => out.push([hits[0].1, hits[1].1]),
                4 => {
                    let centre = c.iter().map(|p| p.2).sum::<f64>() / 4.0 >= level;
                    let p = |e: usize| hits[e].1;
                    if centre == above[0] {
                        // corners 1 and 3 are cut off
                        out.push([p(0), p(1)]);
                        out.push([p(2), p(3)]);
                    } else {
                        // corners 0 and 2 are cut off
                        out.push([p(3), p(0)]);
                        out.push([p(1), p(2)]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

struct HeatPanel {
    name: String,
    colour: RGBColor,
    /// `cells[i][j]`: the colour of the cell at sorted x `i`, sorted y `j`.
    cells: Vec<Vec<RGBColor>>,
    contours: Vec<(f64, Vec<Segment>)>,
}

fn heatmap_chart(s: &Surface) -> Result<Chart> {
    let (ax, ay) = (&s.axes[0], &s.axes[1]);
    let (ox, oy) = (sorted_positions(ax), sorted_positions(ay));
    let xs: Vec<f64> = ox.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = oy.iter().map(|p| p.0).collect();
    let (ex, ey) = (edges(&xs), edges(&ys));
    let n = s.domains.len();
    let ny = ay.values.len();
    let mut panels = Vec::with_capacity(n);
    for (d, name) in s.domains.iter().enumerate() {
        let z: Vec<Vec<f64>> = ox
            .iter()
            .map(|&(_, i)| {
                oy.iter()
                    .map(|&(_, j)| s.capability[(i * ny + j) * n + d])
                    .collect()
            })
            .collect();
        let cells = z
            .iter()
            .map(|col| col.iter().map(|&c| viridis(c)).collect())
            .collect();
        let contours = CONTOUR_LEVELS
            .iter()
            .map(|&l| (l, contour(&xs, &ys, &z, l)))
            .collect();
        panels.push(HeatPanel {
            name: name.clone(),
            colour: domain_colour(name, d),
            cells,
            contours,
        });
    }
    let bounds = |e: &[f64]| match (e.first(), e.last()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (0.0, 1.0),
    };
    let (x0, x1) = bounds(&ex);
    let (y0, y1) = bounds(&ey);
    let columns = panels.len().clamp(1, MAX_COLUMNS);
    let rows = panels.len().div_ceil(columns).max(1);
    let plan = HeatPlan {
        edges: (ex.clone(), ey.clone()),
        title: format!(
            "{}: capability over {} and {} in {}",
            s.scenario,
            ax.path,
            ay.path,
            number(s.year)
        ),
        x: Scale::new(x0, x1, ax.log),
        y: Scale::new(y0, y1, ay.log),
        x_title: axis_title(ax),
        y_title: axis_title(ay),
        columns,
        rows,
        panels,
    };
    let width = columns as u32 * HEAT_PANEL_W + BAR_BAND + 10;
    let height = TITLE_BAND + rows as u32 * HEAT_PANEL_H + 10;
    let mut chart = render(
        (width, height),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )?;
    // plotters labels embedded images `data:png`; browsers expect the MIME type `image/png`
    chart.svg = chart
        .svg
        .replace("href=\"data:png;base64,", "href=\"data:image/png;base64,");
    Ok(chart)
}

struct HeatPlan {
    /// Cell edges along x and y, display space.
    edges: (Vec<f64>, Vec<f64>),
    title: String,
    x: Scale,
    y: Scale,
    x_title: String,
    y_title: String,
    columns: usize,
    rows: usize,
    panels: Vec<HeatPanel>,
}

impl HeatPlan {
    /// The panel's cells as an image of `size` pixels covering the plot (one element, so an SVG
    /// stays small however fine the grid).
    fn raster(&self, panel: &HeatPanel, (w, h): (u32, u32)) -> BitMapElement<'static, (f64, f64)> {
        let (ex, ey) = &self.edges;
        let (x, y) = (&self.x.axis, &self.y.axis);
        // the cell holding display coordinate v, if any
        let cell = |edges: &[f64], v: f64| -> Option<usize> {
            let k = edges.partition_point(|e| *e <= v);
            (k >= 1 && k < edges.len()).then(|| k - 1)
        };
        let columns: Vec<Option<usize>> = (0..w)
            .map(|px| {
                cell(
                    ex,
                    x.lo + (f64::from(px) + 0.5) / f64::from(w) * (x.hi - x.lo),
                )
            })
            .collect();
        let mut buf = Vec::with_capacity(w as usize * h as usize * 3);
        for py in 0..h {
            let row = cell(
                ey,
                y.hi - (f64::from(py) + 0.5) / f64::from(h) * (y.hi - y.lo),
            );
            for column in &columns {
                let c = match (column, row) {
                    (Some(i), Some(j)) => panel.cells[*i][j],
                    _ => WHITE,
                };
                buf.extend_from_slice(&[c.0, c.1, c.2]);
            }
        }
        BitMapElement::with_owned_buffer((x.lo, y.hi), (w, h), buf)
            .expect("the buffer holds w * h RGB pixels")
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (w, _) = body.dim_in_pixel();
        let (grid, bar) = body.split_horizontally(w - BAR_BAND);
        let grid = grid.margin(0, 10, 10, 0);
        let cells = grid.split_evenly((self.rows, self.columns));
        let x_format = |v: &f64| self.x.label(*v);
        let y_format = |v: &f64| self.y.label(*v);
        const HEAD: u32 = 30;
        const X_LABELS: u32 = 62;
        const Y_LABELS: u32 = 84;
        for (panel, cell) in self.panels.iter().zip(&cells) {
            let (head, body) = cell.split_vertically(HEAD);
            draw_panel_title(&head, &panel.name, panel.colour)?;
            let mut chart = ChartBuilder::on(&body)
                .margin_top(4)
                .margin_right(14)
                .margin_left(4)
                .margin_bottom(4)
                .x_label_area_size(X_LABELS)
                .y_label_area_size(Y_LABELS)
                .build_cartesian_2d(self.x.axis.linear(), self.y.axis.linear())?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(self.x_title.as_str())
                .y_desc(self.y_title.as_str())
                .x_label_formatter(&x_format)
                .y_label_formatter(&y_format)
                .label_style(font(TICK_PX - 2).color(&INK))
                .axis_desc_style(font(DESC_PX - 2).color(&INK))
                .axis_style(INK.stroke_width(1))
                .draw()?;
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let raster = self.raster(
                panel,
                ((xr.end - xr.start) as u32, (yr.end - yr.start) as u32),
            );
            chart.draw_series(std::iter::once(raster))?;
            for (level, segments) in &panel.contours {
                chart.draw_series(
                    segments
                        .iter()
                        .map(|s| PathElement::new(s.to_vec(), WHITE.stroke_width(2))),
                )?;
                // label the segment nearest the panel's centre
                let centre = (
                    (self.x.axis.lo + self.x.axis.hi) / 2.0,
                    (self.y.axis.lo + self.y.axis.hi) / 2.0,
                );
                let span = (
                    self.x.axis.hi - self.x.axis.lo,
                    self.y.axis.hi - self.y.axis.lo,
                );
                let mid_of = |s: &Segment| ((s[0].0 + s[1].0) / 2.0, (s[0].1 + s[1].1) / 2.0);
                let distance = |s: &Segment| {
                    let m = mid_of(s);
                    ((m.0 - centre.0) / span.0).powi(2) + ((m.1 - centre.1) / span.1).powi(2)
                };
                if let Some(seg) = segments
                    .iter()
                    .min_by(|a, b| distance(a).total_cmp(&distance(b)))
                {
                    let mid = mid_of(seg);
                    let (px, py) = chart.backend_coord(&mid);
                    let text = format!("{level}");
                    let (tw, th) = text_size(&text, TICK_PX - 3)?;
                    let (tw, th) = (tw as i32, th as i32);
                    let area = chart.plotting_area().strip_coord_spec();
                    let (ox, oy) = area.get_base_pixel();
                    let (aw, ah) = area.dim_in_pixel();
                    let (px, py) = (
                        (px - ox).clamp(tw / 2 + 4, (aw as i32 - tw / 2 - 4).max(tw / 2 + 4)),
                        (py - oy).clamp(th / 2 + 3, (ah as i32 - th / 2 - 3).max(th / 2 + 3)),
                    );
                    area.draw(&Rectangle::new(
                        [
                            (px - tw / 2 - 3, py - th / 2 - 2),
                            (px + tw / 2 + 3, py + th / 2 + 2),
                        ],
                        WHITE.mix(0.85).filled(),
                    ))?;
                    area.draw_text(
                        &text,
                        &font(TICK_PX - 3)
                            .color(&INK)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                        (px, py),
                    )?;
                }
            }
        }
        let top = (HEAD + 8) as i32;
        let height = (HEAT_PANEL_H - HEAD - X_LABELS - 12) as i32;
        draw_colour_bar(
            &bar,
            (top, height),
            (0.0, 1.0),
            &[0.0, 0.25, 0.5, 0.75, 1.0],
            2,
            &CONTOUR_LEVELS,
            "capability (contours: 0.25, 0.5, 0.75)",
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Allocation: a ternary heatmap

const TRI_SIDE: f64 = 620.0;
const TRI_LEFT: f64 = 110.0;
const TRI_TOP: f64 = 70.0;
const TRI_W: u32 = 980;
const TRI_H: u32 = 760;

/// Capability of every budget split over the simplex: pretraining at the top, RL at the bottom
/// left, inference at the bottom right. `grid` holds the 1% grid (p >= 1%); the best split and
/// all-pretraining are marked.
pub fn simplex_chart(
    title: &str,
    grid: &[Allocation],
    best: &Allocation,
    all_pretraining: &Allocation,
) -> Result<Chart> {
    let steps = crate::allocate::GRID as usize;
    // z[a][b]: pretraining a%, RL b%
    let mut z = vec![vec![f64::NAN; steps + 1]; steps + 1];
    for g in grid {
        let a = (g.pretraining * steps as f64).round() as usize;
        let b = (g.rl * steps as f64).round() as usize;
        if a <= steps && b <= steps {
            z[a][b] = g.terms.capability;
        }
    }
    let finite = grid
        .iter()
        .map(|g| g.terms.capability)
        .filter(|c| c.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), c| {
        (l.min(c), h.max(c))
    });
    let (lo, hi) = if lo.is_finite() && hi - lo > 1e-9 {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 0.005, hi + 0.005)
    } else {
        (0.0, 1.0)
    };
    let mut triangles = Vec::with_capacity(steps * steps);
    let mean = |pts: &[(usize, usize)]| {
        let v: Vec<f64> = pts
            .iter()
            .map(|&(a, b)| z[a][b])
            .filter(|c| c.is_finite())
            .collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    for a in 0..steps {
        for b in 0..steps - a {
            let up = [(a, b), (a + 1, b), (a, b + 1)];
            triangles.push((up, (mean(&up) - lo) / (hi - lo)));
            if a + b + 2 <= steps {
                let down = [(a + 1, b), (a, b + 1), (a + 1, b + 1)];
                triangles.push((down, (mean(&down) - lo) / (hi - lo)));
            }
        }
    }
    let colour_axis = nice_axis(lo, hi, 5);
    let plan = SimplexPlan {
        title: title.to_string(),
        triangles,
        range: (lo, hi),
        ticks: colour_axis
            .ticks
            .iter()
            .copied()
            .filter(|t| *t >= lo - 1e-12 && *t <= hi + 1e-12)
            .collect(),
        decimals: colour_axis.decimals.max(2),
        best: (best.pretraining, best.rl),
        all_pretraining: all_pretraining.terms.capability,
        best_capability: best.terms.capability,
    };
    render(
        (TRI_W, TRI_H),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct SimplexPlan {
    title: String,
    triangles: Vec<([(usize, usize); 3], f64)>,
    range: (f64, f64),
    ticks: Vec<f64>,
    decimals: usize,
    best: (f64, f64),
    all_pretraining: f64,
    best_capability: f64,
}

/// Pixel position of shares (pretraining p, RL r; inference the rest).
fn ternary(p: f64, r: f64) -> (i32, i32) {
    let i = 1.0 - p - r;
    let h = 3f64.sqrt() / 2.0;
    let x = TRI_LEFT + TRI_SIDE * (0.5 * p + i);
    let y = TRI_TOP + TRI_SIDE * h * (1.0 - p);
    (x.round() as i32, y.round() as i32)
}

impl SimplexPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let steps = crate::allocate::GRID as f64;
        for (corners, t) in &self.triangles {
            let pts: Vec<(i32, i32)> = corners
                .iter()
                .map(|&(a, b)| ternary(a as f64 / steps, b as f64 / steps))
                .collect();
            body.draw(&Polygon::new(pts, viridis(*t).filled()))?;
        }
        // grid lines every 20% and the frame
        let tick_style = font(TICK_PX - 2).color(&INK);
        for k in 1..5 {
            let s = f64::from(k) / 5.0;
            for line in [
                [ternary(s, 0.0), ternary(s, 1.0 - s)],
                [ternary(0.0, s), ternary(1.0 - s, s)],
                [ternary(0.0, 1.0 - s), ternary(1.0 - s, 0.0)],
            ] {
                body.draw(&PathElement::new(
                    line.to_vec(),
                    WHITE.mix(0.5).stroke_width(1),
                ))?;
            }
        }
        // corners are labelled by what they stand for, so ticks run 20% to 80%
        for k in 1..5 {
            let s = f64::from(k) / 5.0;
            let label = format!("{}%", k * 20);
            // pretraining share along the left edge
            let (x, y) = ternary(s, 1.0 - s);
            body.draw_text(
                &label,
                &tick_style.pos(Pos::new(HPos::Right, VPos::Center)),
                (x - 8, y),
            )?;
            // RL share along the bottom edge
            let (x, y) = ternary(0.0, s);
            body.draw_text(
                &label,
                &tick_style.pos(Pos::new(HPos::Center, VPos::Top)),
                (x, y + 8),
            )?;
            // inference share along the right edge
            let (x, y) = ternary(1.0 - s, 0.0);
            body.draw_text(
                &label,
                &tick_style.pos(Pos::new(HPos::Left, VPos::Center)),
                (x + 8, y),
            )?;
        }
        let corners = [ternary(1.0, 0.0), ternary(0.0, 1.0), ternary(0.0, 0.0)];
        body.draw(&PathElement::new(
            vec![corners[0], corners[1], corners[2], corners[0]],
            INK.stroke_width(1),
        ))?;
        let desc = font(DESC_PX).color(&INK);
        let (tx, ty) = corners[0];
        body.draw_text(
            "all pretraining",
            &desc.pos(Pos::new(HPos::Center, VPos::Bottom)),
            (tx, ty - 22),
        )?;
        let (lx, ly) = corners[1];
        body.draw_text(
            "all RL",
            &desc.pos(Pos::new(HPos::Center, VPos::Top)),
            (lx, ly + 34),
        )?;
        let (rx, ry) = corners[2];
        body.draw_text(
            "all inference",
            &desc.pos(Pos::new(HPos::Center, VPos::Top)),
            (rx, ry + 34),
        )?;
        let axis_note = "shares of the budget: pretraining (left edge), RL (bottom), inference (right edge); no model without pretraining";
        body.draw_text(
            axis_note,
            &font(TICK_PX - 3)
                .color(&MUTED)
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
            (10, body.dim_in_pixel().1 as i32 - 6),
        )?;
        // markers
        let (bx, by) = ternary(self.best.0, self.best.1);
        body.draw(&Circle::new((bx, by), 8, WHITE.filled()))?;
        body.draw(&Circle::new((bx, by), 8, INK.stroke_width(2)))?;
        body.draw(&Circle::new((bx, by), 3, INK.filled()))?;
        // legend
        let legend_x = (TRI_LEFT + TRI_SIDE + 10.0) as i32 - 130;
        let legend_y = 20;
        body.draw(&Rectangle::new(
            [(legend_x, legend_y), (legend_x + 300, legend_y + 62)],
            FRAME.stroke_width(1),
        ))?;
        body.draw(&Circle::new(
            (legend_x + 18, legend_y + 18),
            8,
            INK.stroke_width(2),
        ))?;
        body.draw(&Circle::new(
            (legend_x + 18, legend_y + 18),
            3,
            INK.filled(),
        ))?;
        let legend_style = font(TICK_PX - 1)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        body.draw_text(
            &format!("best split: {:.3}", self.best_capability),
            &legend_style,
            (legend_x + 34, legend_y + 18),
        )?;
        let (tx, ty) = corners[0];
        for (x, y) in [(tx, ty), (legend_x + 18, legend_y + 44)] {
            body.draw(&Rectangle::new(
                [(x - 6, y - 6), (x + 6, y + 6)],
                WHITE.filled(),
            ))?;
            body.draw(&Rectangle::new(
                [(x - 6, y - 6), (x + 6, y + 6)],
                INK.stroke_width(2),
            ))?;
        }
        body.draw_text(
            &format!("all pretraining: {:.3}", self.all_pretraining),
            &legend_style,
            (legend_x + 34, legend_y + 44),
        )?;
        let (w, _) = body.dim_in_pixel();
        let (_, bar) = body.split_horizontally(w - BAR_BAND);
        draw_colour_bar(
            &bar,
            (110, 440),
            self.range,
            &self.ticks,
            self.decimals,
            &[],
            "capability",
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contours_of_a_plane_are_straight_lines_at_the_level() {
        // z = x on a 3x3 grid: the 0.5 contour is the line x = 0.5
        let xs = [0.0, 0.5, 1.0];
        let ys = [0.0, 1.0, 2.0];
        let z: Vec<Vec<f64>> = xs.iter().map(|&x| vec![x; 3]).collect();
        let segs = contour(&xs, &ys, &z, 0.25);
        assert_eq!(segs.len(), 2);
        for s in &segs {
            assert!((s[0].0 - 0.25).abs() < 1e-12 && (s[1].0 - 0.25).abs() < 1e-12);
        }
        assert!(contour(&xs, &ys, &z, 2.0).is_empty());
    }

    #[test]
    fn saddles_give_two_segments() {
        let xs = [0.0, 1.0];
        let ys = [0.0, 1.0];
        let z = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        assert_eq!(contour(&xs, &ys, &z, 0.5).len(), 2);
    }

    #[test]
    fn viridis_spans_its_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(2.0), viridis(1.0));
    }

    #[test]
    fn edges_surround_positions() {
        assert_eq!(edges(&[0.0, 1.0, 3.0]), vec![-0.5, 0.5, 2.0, 4.0]);
        assert_eq!(edges(&[2.0]), vec![1.5, 2.5]);
    }
}
