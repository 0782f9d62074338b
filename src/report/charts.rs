//! Charts of one forecast, returned as PNG bytes and an SVG string (nothing is written to disk).
//!
//! Every chart is drawn twice by the same drawing code: once into an RGB buffer that is encoded
//! to PNG here (deterministically: no timestamps, fixed settings), once into an SVG string. Text
//! uses the DejaVu Sans font embedded in the binary, so PNGs render on machines with no fonts;
//! SVG text is drawn by the viewer. A domain keeps its colour in every chart ([`domain_colour`]).

use std::ops::Range;
use std::sync::OnceLock;

use ab_glyph::{Font, ScaleFont};
use anyhow::{bail, Context, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

use crate::forecast::Forecast;

/// One chart in both formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// 8-bit RGB PNG.
    pub png: Vec<u8>,
    /// Standalone SVG document.
    pub svg: String,
}

// ---------------------------------------------------------------------------------------------
// Colours

/// Classic Tableau 10 (matplotlib's `tab10`): strong enough for 2 px lines on white.
const TABLEAU_10: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4), // blue
    RGBColor(0xff, 0x7f, 0x0e), // orange
    RGBColor(0x2c, 0xa0, 0x2c), // green
    RGBColor(0xd6, 0x27, 0x28), // red
    RGBColor(0x94, 0x67, 0xbd), // purple
    RGBColor(0x8c, 0x56, 0x4b), // brown
    RGBColor(0xe3, 0x77, 0xc2), // pink
    RGBColor(0x7f, 0x7f, 0x7f), // grey
    RGBColor(0xbc, 0xbd, 0x22), // olive
    RGBColor(0x17, 0xbe, 0xcf), // cyan
];

/// The standard domains: verifiable ones in cool hues, unverifiable ones in warm hues.
const STANDARD_DOMAINS: [(&str, RGBColor); 6] = [
    ("math", RGBColor(0x1f, 0x77, 0xb4)),     // blue
    ("code", RGBColor(0x12, 0x9e, 0x96)),     // teal
    ("exams", RGBColor(0x2c, 0xa0, 0x2c)),    // green
    ("writing", RGBColor(0xff, 0x7f, 0x0e)),  // orange
    ("empathy", RGBColor(0xd6, 0x27, 0x28)),  // red
    ("strategy", RGBColor(0x8c, 0x56, 0x4b)), // brown
];

/// Colours for other domains: none of them is a standard domain's colour.
const OTHER_DOMAINS: [RGBColor; 8] = [
    RGBColor(0x94, 0x67, 0xbd), // purple
    RGBColor(0xe3, 0x77, 0xc2), // pink
    RGBColor(0x9a, 0x9a, 0x10), // olive
    RGBColor(0x39, 0x3b, 0x79), // indigo
    RGBColor(0x17, 0xbe, 0xcf), // cyan
    RGBColor(0xc7, 0x9a, 0x00), // gold
    RGBColor(0x5f, 0x6b, 0x7a), // slate
    RGBColor(0x7f, 0xbf, 0x7b), // light green
];

/// The colour of a domain, the same in every chart and scenario.
///
/// The standard domains (math, code, exams, writing, empathy, strategy; case-insensitive) have
/// fixed colours, cool for verifiable and warm for unverifiable ones; any other domain takes a
/// colour from a separate palette by its `index` in the scenario's domain list.
pub fn domain_colour(name: &str, index: usize) -> RGBColor {
    let name = name.trim();
    STANDARD_DOMAINS
        .iter()
        .find(|(standard, _)| standard.eq_ignore_ascii_case(name))
        .map(|&(_, colour)| colour)
        .unwrap_or(OTHER_DOMAINS[index % OTHER_DOMAINS.len()])
}

/// The `index`-th colour of a categorical palette (Tableau 10, repeating).
pub fn series_colour(index: usize) -> RGBColor {
    TABLEAU_10[index % TABLEAU_10.len()]
}

/// The fixed colours of the series that are neither domains nor scenarios, by the name of the
/// column they draw (levers and logit terms), for the playground page to draw with.
pub const SERIES_COLOURS: [(&str, RGBColor); 8] = [
    ("params", PARAMS_COLOUR),
    ("rl_steps", RL_STEPS_COLOUR),
    ("thinking_tokens", THINKING_COLOUR),
    ("pretrain", PRETRAIN_COLOUR),
    ("rl", RL_COLOUR),
    ("erosion", EROSION_COLOUR),
    ("inference", INFERENCE_COLOUR),
    ("logit", TOTAL_COLOUR),
];

/// A colour as CSS writes it, `#1f77b4`.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub(crate) const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(0xf0, 0xf0, 0xf0);
pub(crate) const FRAME: RGBColor = RGBColor(0xcc, 0xcc, 0xcc);

const PARAMS_COLOUR: RGBColor = RGBColor(0x00, 0x00, 0x00);
const RL_STEPS_COLOUR: RGBColor = RGBColor(0x6a, 0x3d, 0x9a);
const THINKING_COLOUR: RGBColor = RGBColor(0x80, 0x80, 0x80);

const PRETRAIN_COLOUR: RGBColor = TABLEAU_10[0];
const RL_COLOUR: RGBColor = TABLEAU_10[2];
const EROSION_COLOUR: RGBColor = TABLEAU_10[3];
const INFERENCE_COLOUR: RGBColor = TABLEAU_10[4];
const TOTAL_COLOUR: RGBColor = RGBColor(0x00, 0x00, 0x00);

// ---------------------------------------------------------------------------------------------
// Text and sizes

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

const TITLE_PX: u32 = 26;
const MIN_TITLE_PX: u32 = 14;
pub(crate) const DESC_PX: u32 = 19;
pub(crate) const TICK_PX: u32 = 17;
pub(crate) const LEGEND_PX: u32 = 17;
pub(crate) const PANEL_TITLE_PX: u32 = 19;
pub(crate) const NOTE_PX: u32 = 18;

pub(crate) const LINE_PX: u32 = 2;
const LEVER_PX: u32 = 3;
const TOTAL_PX: u32 = 3;

pub(crate) const TITLE_BAND: u32 = 50;
pub(crate) const PLOT_W: u32 = 800;
pub(crate) const PLOT_H: u32 = 550;
pub(crate) const LEGEND_ROW: i32 = 26;
pub(crate) const LEGEND_SAMPLE: i32 = 34;
pub(crate) const LEGEND_GAP: i32 = 8;
pub(crate) const LEGEND_PAD: i32 = 12;
const PANEL_W: u32 = 440;
const PANEL_H: u32 = 360;
pub(crate) const MAX_COLUMNS: usize = 3;

/// Registers the embedded font once; later calls only report how that went.
pub(crate) fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if !ok {
        bail!("the embedded font (assets/DejaVuSans.ttf) could not be loaded");
    }
    Ok(())
}

pub(crate) fn font(px: u32) -> FontDesc<'static> {
    (FONT, px).into_font()
}

/// Width and height of `text` at `px`, from the embedded font (identical for PNG and SVG).
pub(crate) fn text_size(text: &str, px: u32) -> Result<(u32, u32)> {
    ensure_font()?;
    font(px)
        .box_size(text)
        .map_err(|e| anyhow::anyhow!("cannot lay out the text {text:?}: {e}"))
}

/// The largest font size from `TITLE_PX` down to `MIN_TITLE_PX` at which `text` fits `width`.
fn title_px(text: &str, width: u32) -> Result<u32> {
    let mut px = TITLE_PX;
    while px > MIN_TITLE_PX && text_size(text, px)?.0 > width {
        px -= 1;
    }
    Ok(px)
}

// ---------------------------------------------------------------------------------------------
// Rendering to bytes

/// Draws the same chart into a PNG and an SVG of `size` pixels.
pub(crate) fn render<P, S>(size: (u32, u32), draw_png: P, draw_svg: S) -> Result<Chart>
where
    P: FnOnce(&DrawingArea<Bitmap<'_>, Shift>) -> Result<()>,
    S: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
{
    ensure_font()?;
    let (width, height) = size;
    let mut rgb = vec![255u8; width as usize * height as usize * 3];
    {
        let root = Bitmap(BitMapBackend::with_buffer(&mut rgb, size)).into_drawing_area();
        root.fill(&WHITE)?;
        draw_png(&root)?;
        root.present()?;
    }
    let png = encode_png(&rgb, width, height)?;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw_svg(&root)?;
        root.present()?;
    }
    Ok(Chart { png, svg })
}

/// plotters' bitmap backend with our own text rendering: plotters' ab_glyph renderer drops
/// each glyph's side bearing (letters come out unevenly spaced) and sits text high in its box.
/// Text is laid out in the same box as plotters computes (so labels land where plotters
/// placed them); everything else is passed through unchanged.
pub(crate) struct Bitmap<'a>(BitMapBackend<'a>);

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for Bitmap<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        colour: BackendColor,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_pixel(point, colour)
    }

    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<T: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let Some(face) = glyph_face() else {
            return self.0.draw_text(text, style, pos);
        };
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let scaled = face.as_scaled(style.size() as f32);
        // Centre a capital letter's height in the layout box.
        let cap = scaled
            .outline_glyph(scaled.scaled_glyph('H'))
            .map_or(0.7 * height as f32, |g| -g.px_bounds().min.y);
        let baseline = (height as f32 + cap) / 2.0;
        let mut pixels = Vec::new();
        let mut caret = 0f32;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                caret += scaled.kern(p, id);
            }
            previous = Some(id);
            let glyph =
                id.with_scale_and_position(scaled.scale(), ab_glyph::point(caret, baseline));
            caret += scaled.h_advance(id);
            if let Some(outline) = scaled.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
                outline.draw(|x, y, coverage| {
                    if coverage > 0.0 {
                        pixels.push((left + x as i32, top + y as i32, coverage));
                    }
                });
            }
        }
        for (x, y, coverage) in pixels {
            let (x, y) = transform.transform(x + dx, y + dy);
            self.0.draw_pixel(
                (pos.0 + x, pos.1 + y),
                colour.mix(f64::from(coverage.min(1.0))),
            )?;
        }
        Ok(())
    }
}

/// The embedded font for [`Bitmap`]'s text.
fn glyph_face() -> Option<&'static ab_glyph::FontRef<'static>> {
    static FACE: OnceLock<Option<ab_glyph::FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| ab_glyph::FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().context("encoding PNG")?;
    writer.write_image_data(rgb).context("encoding PNG")?;
    writer.finish().context("encoding PNG")?;
    Ok(png)
}

// ---------------------------------------------------------------------------------------------
// Checking the forecast

/// Fails unless the forecast has at least one year and terms for every domain and year.
pub(crate) fn check_shape(f: &Forecast) -> Result<()> {
    if f.levers.is_empty() {
        bail!(
            "forecast '{}' has no grid years: nothing to chart",
            f.scenario
        );
    }
    if f.terms.len() != f.domains.len() {
        bail!(
            "forecast '{}' has terms for {} domains but names {} domains",
            f.scenario,
            f.terms.len(),
            f.domains.len()
        );
    }
    for (name, row) in f.domains.iter().zip(&f.terms) {
        if row.len() != f.levers.len() {
            bail!(
                "forecast '{}': domain '{name}' has terms for {} years, the grid has {}",
                f.scenario,
                row.len(),
                f.levers.len()
            );
        }
    }
    if let Some(l) = f.levers.iter().find(|l| !l.year.is_finite()) {
        bail!(
            "forecast '{}': grid year {} is not finite",
            f.scenario,
            l.year
        );
    }
    for pair in f.levers.windows(2) {
        if pair[1].year <= pair[0].year {
            bail!(
                "forecast '{}': grid years must increase, found {} then {}",
                f.scenario,
                pair[0].year,
                pair[1].year
            );
        }
    }
    Ok(())
}

/// `value`, or an error naming it (`what()`) if it is NaN or infinite.
pub(crate) fn finite(
    f: &Forecast,
    what: impl Fn() -> String,
    year: f64,
    value: f64,
) -> Result<f64> {
    if !value.is_finite() {
        bail!(
            "forecast '{}': {} in {year} is {value}; cannot chart it",
            f.scenario,
            what()
        );
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------
// Axes

/// A linear axis with its own tick positions (ticks computed from integer indices).
pub(crate) struct Axis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) ticks: Vec<f64>,
    pub(crate) light: Vec<f64>,
    pub(crate) decimals: usize,
}

impl Axis {
    pub(crate) fn label(&self, v: f64) -> String {
        // `+ 0.0` turns -0 into 0.
        format!("{:.*}", self.decimals, v + 0.0)
    }
}

/// The year axis: the grid's span (a single year gets a one-year span), ticks at round years.
pub(crate) fn year_axis(f: &Forecast, max_ticks: usize) -> Axis {
    let first = f.levers.first().map_or(0.0, |l| l.year);
    let last = f.levers.last().map_or(first, |l| l.year);
    year_span_axis(first, last, max_ticks)
}

/// The year axis over `first..=last` (a single year gets a one-year span).
pub(crate) fn year_span_axis(first: f64, last: f64, max_ticks: usize) -> Axis {
    let (lo, hi) = if last - first < 1e-9 {
        (first - 0.5, last + 0.5)
    } else {
        (first, last)
    };
    const STEPS: [f64; 10] = [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0];
    let span = hi - lo;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= max_ticks as f64)
        .unwrap_or_else(|| (span / max_ticks as f64).ceil());
    let ticks = multiples(lo, hi, step);
    if ticks.is_empty() {
        // Shorter than a year with no whole year inside: label the ends.
        return Axis {
            lo,
            hi,
            ticks: vec![lo, hi],
            light: vec![],
            decimals: 1,
        };
    }
    Axis {
        lo,
        hi,
        ticks,
        light: vec![],
        decimals: 0,
    }
}

/// The multiples of `step` in `[lo, hi]`, computed from integer indices.
pub(crate) fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A linear axis over `[lo, hi]` widened to round ticks, with at most about `max_ticks` ticks.
pub(crate) fn nice_axis(lo: f64, hi: f64, max_ticks: usize) -> Axis {
    let (lo, hi) = if hi - lo > 1e-12 {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let raw = (hi - lo) / max_ticks.max(1) as f64;
    let magnitude = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let lo = (lo / step - 1e-9).floor() * step;
    let hi = (hi / step + 1e-9).ceil() * step;
    let decimals = if step >= 1.0 {
        0
    } else {
        let d = (-step.log10().floor()) as usize;
        // a step of 0.25 needs two decimals, 0.2 one
        if ((step * 10f64.powi(d as i32)).fract()).abs() > 1e-6 {
            d + 1
        } else {
            d
        }
    };
    Axis {
        lo,
        hi,
        ticks: multiples(lo, hi, step),
        light: vec![],
        decimals,
    }
}

/// A log axis: ticks at powers of ten (every few decades if many), light lines in between.
pub(crate) fn log_axis(min: f64, max: f64) -> Axis {
    let lo_exp = (min.log10() - 0.1).floor() as i32;
    let hi_exp = ((max.log10() + 0.1).ceil() as i32).max(lo_exp + 1);
    let decades = hi_exp - lo_exp;
    let step = ((decades + 9) / 10).max(1);
    let mut ticks = Vec::new();
    let mut light = Vec::new();
    for e in lo_exp..=hi_exp {
        let decade = 10f64.powi(e);
        if e.rem_euclid(step) == 0 {
            ticks.push(decade);
        } else {
            light.push(decade);
        }
        if e == hi_exp {
            break;
        }
        for m in 2..=9 {
            let v = f64::from(m) * decade;
            if decades <= 2 && (m == 2 || m == 5) {
                ticks.push(v);
            } else if decades <= 6 {
                light.push(v);
            }
        }
    }
    Axis {
        lo: 10f64.powi(lo_exp),
        hi: 10f64.powi(hi_exp),
        ticks,
        light,
        decimals: 0,
    }
}

/// Scientific label for a log tick: `1e12`, `2e3`.
pub(crate) fn sci_label(v: f64) -> String {
    if v <= 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exp = (v.log10() + 1e-9).floor() as i32;
    let mantissa = ((v / 10f64.powi(exp)) * 10.0).round() / 10.0;
    if (mantissa - mantissa.round()).abs() < 1e-9 {
        format!("{}e{exp}", mantissa.round() as i64)
    } else {
        format!("{mantissa}e{exp}")
    }
}

// ---------------------------------------------------------------------------------------------
// Legends

/// One legend entry.
#[derive(Clone, Debug)]
pub(crate) struct Key {
    pub(crate) label: String,
    pub(crate) colour: RGBColor,
    pub(crate) width: u32,
    pub(crate) dashed: bool,
    /// False when the series is not on the plot (its label says why).
    pub(crate) drawn: bool,
    /// The sample is a triangle marker instead of a line.
    pub(crate) marker: bool,
}

impl Key {
    pub(crate) fn line(label: impl Into<String>, colour: RGBColor, width: u32) -> Key {
        Key {
            label: label.into(),
            colour,
            width,
            dashed: false,
            drawn: true,
            marker: false,
        }
    }

    fn style(&self) -> ShapeStyle {
        self.colour.stroke_width(self.width)
    }
}

/// Width of one legend entry: sample line, gap, text.
pub(crate) fn key_width(key: &Key) -> Result<i32> {
    Ok(LEGEND_SAMPLE + LEGEND_GAP + text_size(&key.label, LEGEND_PX)?.0 as i32)
}

/// Width of a boxed legend column.
pub(crate) fn legend_column_width(keys: &[Key]) -> Result<u32> {
    let mut widest = 0;
    for key in keys {
        widest = widest.max(key_width(key)?);
    }
    Ok((widest + 2 * LEGEND_PAD) as u32)
}

pub(crate) fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: &Key,
    (x, y): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if key.drawn {
        if key.marker {
            area.draw(&TriangleMarker::new(
                (x + LEGEND_SAMPLE / 2, y),
                7,
                key.colour.filled(),
            ))?;
        } else if key.dashed {
            let mut x0 = x;
            while x0 < x + LEGEND_SAMPLE {
                let x1 = (x0 + 7).min(x + LEGEND_SAMPLE);
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], key.style()))?;
                x0 += 11;
            }
        } else {
            area.draw(&PathElement::new(
                vec![(x, y), (x + LEGEND_SAMPLE, y)],
                key.style(),
            ))?;
        }
    }
    let colour = if key.drawn { INK } else { MUTED };
    let style = font(LEGEND_PX)
        .color(&colour)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw_text(&key.label, &style, (x + LEGEND_SAMPLE + LEGEND_GAP, y))?;
    Ok(())
}

/// A boxed legend, one entry per row, with its top-left corner at `(x, y)`.
pub(crate) fn draw_legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[Key],
    (x, y): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if keys.is_empty() {
        return Ok(());
    }
    let width = legend_column_width(keys)? as i32;
    let height = keys.len() as i32 * LEGEND_ROW + 2 * LEGEND_PAD - (LEGEND_ROW - LEGEND_PX as i32);
    area.draw(&Rectangle::new(
        [(x, y), (x + width, y + height)],
        FRAME.stroke_width(1),
    ))?;
    for (i, key) in keys.iter().enumerate() {
        let row_y = y + LEGEND_PAD + LEGEND_PX as i32 / 2 + i as i32 * LEGEND_ROW;
        draw_key(area, key, (x + LEGEND_PAD, row_y))?;
    }
    Ok(())
}

/// A legend in one row, centred horizontally on `area` at height `y`.
pub(crate) fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[Key],
    y: i32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    const SPACING: i32 = 28;
    let mut widths = Vec::with_capacity(keys.len());
    for key in keys {
        widths.push(key_width(key)?);
    }
    let total: i32 = widths.iter().sum::<i32>() + SPACING * (keys.len() as i32 - 1).max(0);
    let mut x = (area.dim_in_pixel().0 as i32 - total) / 2;
    for (key, w) in keys.iter().zip(widths) {
        draw_key(area, key, (x, y))?;
        x += w + SPACING;
    }
    Ok(())
}

/// The title band at the top of `root`; returns the area below it.
pub(crate) fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    let (band, body) = root.split_vertically(TITLE_BAND);
    let (width, _) = band.dim_in_pixel();
    let px = title_px(title, width.saturating_sub(40))?;
    let style = font(px)
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    band.draw_text(title, &style, (width as i32 / 2, TITLE_BAND as i32 / 2 + 2))?;
    Ok(body)
}

/// A note centred on `area`, for charts with nothing to plot.
pub(crate) fn draw_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, note: &str) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = font(NOTE_PX)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(note, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Series

/// The points of one line; runs are drawn separately (gaps where a value cannot be drawn).
pub(crate) struct Series {
    pub(crate) key: Key,
    pub(crate) runs: Vec<Vec<(f64, f64)>>,
}

/// Draws a series' runs: lines, or a dot for a run of a single point.
pub(crate) fn draw_series<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    series: &Series,
) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    if !series.key.drawn {
        return Ok(());
    }
    let style = series.key.style();
    for run in &series.runs {
        if let [point] = run.as_slice() {
            let dot = Circle::new(*point, series.key.width + 2, series.key.colour.filled());
            chart.draw_series(std::iter::once(dot))?;
        } else if series.key.dashed {
            chart.draw_series(DashedLineSeries::new(run.iter().copied(), 8, 5, style))?;
        } else {
            chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
        }
    }
    Ok(())
}

/// A series for a log axis: drawn from its finite positive points only; the label says what
/// was left out (`zero` for values <= 0, `off` for infinite ones).
pub(crate) fn log_series(
    f: &Forecast,
    label: &str,
    values: &[f64],
    colour: RGBColor,
    width: u32,
    dashed: bool,
) -> Result<Series> {
    let years: Vec<f64> = f.years().collect();
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    let (mut any_inf, mut any_nonpositive) = (false, false);
    for (&year, &value) in years.iter().zip(values) {
        if value.is_nan() {
            bail!(
                "forecast '{}': {label} in {year} is NaN; cannot chart it",
                f.scenario
            );
        }
        if value.is_finite() && value > 0.0 {
            current.push((year, value));
            continue;
        }
        any_inf |= value.is_infinite() && value > 0.0;
        any_nonpositive |= value <= 0.0;
        if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    let why = match (any_inf, any_nonpositive) {
        (true, true) => "zero or off",
        (true, false) => "off",
        _ => "zero",
    };
    let drawn_points: usize = runs.iter().map(Vec::len).sum();
    let label = if drawn_points == values.len() {
        label.to_string()
    } else if drawn_points == 0 {
        format!("{label} ({why}: not drawn)")
    } else if runs.len() == 1 && runs[0].last().map(|p| p.0) == years.last().copied() {
        format!("{label} ({why} before {})", year_label(runs[0][0].0))
    } else if runs.len() == 1 && runs[0].first().map(|p| p.0) == years.first().copied() {
        let after = runs[0].last().map_or(0.0, |p| p.0);
        let next = years.iter().copied().find(|y| *y > after).unwrap_or(after);
        format!("{label} ({why} from {})", year_label(next))
    } else {
        format!("{label} (gaps where {why})")
    };
    Ok(Series {
        key: Key {
            label,
            colour,
            width,
            dashed,
            drawn: drawn_points > 0,
            marker: false,
        },
        runs,
    })
}

pub(crate) fn year_label(year: f64) -> String {
    if (year - year.round()).abs() < 1e-9 {
        format!("{year:.0}")
    } else {
        format!("{year:.2}")
    }
}

/// Space around a plot and for its tick labels.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    pub(crate) margin_top: u32,
    pub(crate) margin_right: u32,
    pub(crate) x_label_area: u32,
    pub(crate) y_label_area: u32,
}

/// An axis coordinate with our own tick positions (plotters picks its own otherwise).
pub(crate) struct Ticked<R> {
    inner: R,
    ticks: Vec<f64>,
    light: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

impl Axis {
    /// The axis as a linear coordinate.
    pub(crate) fn linear(&self) -> Ticked<RangedCoordf64> {
        Ticked {
            inner: (self.lo..self.hi).into(),
            ticks: self.ticks.clone(),
            light: self.light.clone(),
        }
    }

    /// The axis as a log coordinate.
    pub(crate) fn log(&self) -> Ticked<LogCoord<f64>> {
        Ticked {
            inner: (self.lo..self.hi).log_scale().into(),
            ticks: self.ticks.clone(),
            light: self.light.clone(),
        }
    }
}

/// A chart over the years (x) and `Y`.
pub(crate) type YearChart<'a, DB, Y> =
    ChartContext<'a, DB, Cartesian2d<Ticked<RangedCoordf64>, Ticked<Y>>>;

/// Builds a line chart on `area` over the years and `y`, and draws its mesh (grid, ticks,
/// labels, axis titles).
pub(crate) fn frame<'a, DB, Y>(
    area: &'a DrawingArea<DB, Shift>,
    layout: Layout,
    x: &Axis,
    y: Ticked<Y>,
    y_format: &dyn Fn(&f64) -> String,
    descs: (&str, &str),
) -> Result<YearChart<'a, DB, Y>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    let x_format = |v: &f64| x.label(*v);
    frame_xy(area, layout, x.linear(), y, (&x_format, y_format), descs)
}

/// How tick values become labels.
pub(crate) type TickFormat<'f> = &'f dyn Fn(&f64) -> String;

/// A chart over any `X` and `Y` axes with our own ticks.
pub(crate) type XyChart<'a, DB, X, Y> = ChartContext<'a, DB, Cartesian2d<Ticked<X>, Ticked<Y>>>;

/// Builds a chart on `area` over any `x` and `y` axes, and draws its mesh.
pub(crate) fn frame_xy<'a, DB, X, Y>(
    area: &'a DrawingArea<DB, Shift>,
    layout: Layout,
    x: Ticked<X>,
    y: Ticked<Y>,
    (x_format, y_format): (TickFormat<'_>, TickFormat<'_>),
    (x_desc, y_desc): (&str, &str),
) -> Result<XyChart<'a, DB, X, Y>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin_top(layout.margin_top)
        .margin_right(layout.margin_right)
        .margin_left(10)
        .margin_bottom(10)
        .x_label_area_size(layout.x_label_area)
        .y_label_area_size(layout.y_label_area)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .label_style(font(TICK_PX).color(&INK))
        .axis_desc_style(font(DESC_PX).color(&INK))
        .axis_style(INK.stroke_width(1))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .draw()?;
    Ok(chart)
}

// ---------------------------------------------------------------------------------------------
// Capability chart

/// Capability per domain over the years: one line per domain, y fixed to 0..1.
pub fn capability_chart(f: &Forecast) -> Result<Chart> {
    check_shape(f)?;
    let mut series = Vec::with_capacity(f.domains.len());
    for (d, (name, row)) in f.domains.iter().zip(&f.terms).enumerate() {
        let points = f
            .levers
            .iter()
            .zip(row)
            .map(|(l, t)| {
                let what = || format!("capability of '{name}'");
                Ok((l.year, finite(f, what, l.year, t.capability)?))
            })
            .collect::<Result<Vec<_>>>()?;
        series.push(Series {
            key: Key::line(name.as_str(), domain_colour(name, d), LINE_PX),
            runs: vec![points],
        });
    }
    line_chart(
        format!("{}: capability by domain", f.scenario),
        year_axis(f, 10),
        capability_axis(),
        "capability (share of tasks solved)",
        series,
        "no domains in this forecast",
    )
}

/// The capability axis: 0 to 1 in steps of 0.2.
pub(crate) fn capability_axis() -> Axis {
    Axis {
        lo: 0.0,
        hi: 1.0,
        ticks: (0..=5).map(|i| f64::from(i) / 5.0).collect(),
        light: (0..5).map(|i| f64::from(2 * i + 1) / 10.0).collect(),
        decimals: 1,
    }
}

/// A line chart over the years with a legend column: the capability chart, and every chart that
/// overlays one line per scenario. `empty_note` is shown when there is nothing to draw.
pub(crate) fn line_chart(
    title: String,
    x: Axis,
    y: Axis,
    y_desc: &str,
    series: Vec<Series>,
    empty_note: &str,
) -> Result<Chart> {
    let keys: Vec<Key> = series.iter().map(|s| s.key.clone()).collect();
    let legend_w = legend_column_width(&keys)? + 30;
    let plan = LinePlan {
        title,
        x,
        y,
        y_desc: y_desc.to_string(),
        series,
        keys,
        empty_note: empty_note.to_string(),
    };
    render(
        (PLOT_W + legend_w, PLOT_H + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct LinePlan {
    title: String,
    x: Axis,
    y: Axis,
    y_desc: String,
    series: Vec<Series>,
    keys: Vec<Key>,
    empty_note: String,
}

impl LinePlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W);
        let y_format = |v: &f64| self.y.label(*v);
        let mut chart = frame(
            &plot,
            LINE_LAYOUT,
            &self.x,
            self.y.linear(),
            &y_format,
            ("year", &self.y_desc),
        )?;
        if self.y.lo < 0.0 && self.y.hi > 0.0 {
            let zero = [(self.x.lo, 0.0), (self.x.hi, 0.0)];
            chart.draw_series(LineSeries::new(zero, MUTED.stroke_width(1)))?;
        }
        for s in &self.series {
            draw_series(&mut chart, s)?;
        }
        if self.series.is_empty() {
            draw_note(&plot, &self.empty_note)?;
        }
        draw_legend_column(&legend, &self.keys, (0, LINE_LAYOUT.margin_top as i32))?;
        Ok(())
    }
}

pub(crate) const LINE_LAYOUT: Layout = Layout {
    margin_top: 10,
    margin_right: 20,
    x_label_area: 50,
    y_label_area: 75,
};

// ---------------------------------------------------------------------------------------------
// Levers chart

/// The levers over the years on a log axis: parameters, RL steps, thinking tokens, and each
/// domain's thought ceiling (dashed, in the domain's colour).
///
/// Only finite positive values can sit on a log axis: a series is drawn from those points, and
/// its legend entry says what was left out, e.g. "RL steps S (zero: not drawn)" or
/// "thought ceiling, math (off: not drawn)" for an infinite (switched off) ceiling.
pub fn levers_chart(f: &Forecast) -> Result<Chart> {
    check_shape(f)?;
    let column = |get: fn(&crate::forecast::Levers) -> f64| -> Vec<f64> {
        f.levers.iter().map(get).collect()
    };
    let mut series = vec![
        log_series(
            f,
            "params N",
            &column(|l| l.params),
            PARAMS_COLOUR,
            LEVER_PX,
            false,
        )?,
        log_series(
            f,
            "RL steps S",
            &column(|l| l.rl_steps),
            RL_STEPS_COLOUR,
            LEVER_PX,
            false,
        )?,
        log_series(
            f,
            "thinking tokens T",
            &column(|l| l.thinking_tokens),
            THINKING_COLOUR,
            LEVER_PX,
            false,
        )?,
    ];
    for (d, (name, row)) in f.domains.iter().zip(&f.terms).enumerate() {
        let ceilings: Vec<f64> = row.iter().map(|t| t.thought_ceiling).collect();
        let label = format!("thought ceiling, {name}");
        series.push(log_series(
            f,
            &label,
            &ceilings,
            domain_colour(name, d),
            LINE_PX,
            true,
        )?);
    }
    let drawn = series.iter().flat_map(|s| &s.runs).flatten().map(|p| p.1);
    let (min, max) = drawn.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let y = (max > 0.0).then(|| log_axis(min, max));
    let keys: Vec<Key> = series.iter().map(|s| s.key.clone()).collect();
    let legend_w = legend_column_width(&keys)? + 30;
    let plan = LeversPlan {
        title: format!("{}: levers", f.scenario),
        x: year_axis(f, 10),
        y,
        series,
        keys,
    };
    render(
        (PLOT_W + legend_w, PLOT_H + TITLE_BAND),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

struct LeversPlan {
    title: String,
    x: Axis,
    /// None when no series has a drawable point.
    y: Option<Axis>,
    series: Vec<Series>,
    keys: Vec<Key>,
}

impl LeversPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (plot, legend) = body.split_horizontally(PLOT_W);
        draw_legend_column(&legend, &self.keys, (0, LINE_LAYOUT.margin_top as i32))?;
        let Some(y) = &self.y else {
            return draw_note(&plot, "nothing to draw: no lever is finite and positive");
        };
        let y_format = |v: &f64| sci_label(*v);
        let mut chart = frame(
            &plot,
            LINE_LAYOUT,
            &self.x,
            y.log(),
            &y_format,
            ("year", "count (log scale)"),
        )?;
        for s in &self.series {
            draw_series(&mut chart, s)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Terms chart

/// One panel per domain (up to three columns) with the four logit terms over the years:
/// pretrain, rl, minus erosion (its contribution), inference, and the total logit (thick black).
pub fn terms_chart(f: &Forecast) -> Result<Chart> {
    check_shape(f)?;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    let mut panels = Vec::with_capacity(f.domains.len());
    for (d, (name, row)) in f.domains.iter().zip(&f.terms).enumerate() {
        let mut lines: Vec<Vec<(f64, f64)>> =
            (0..5).map(|_| Vec::with_capacity(row.len())).collect();
        for (l, t) in f.levers.iter().zip(row) {
            let values = [t.pretrain, t.rl, -t.erosion, t.inference, t.logit];
            for ((line, value), what) in lines.iter_mut().zip(values).zip(TERM_NAMES) {
                let v = finite(f, || format!("{what} of '{name}'"), l.year, value)?;
                lo = lo.min(v);
                hi = hi.max(v);
                line.push((l.year, v));
            }
        }
        let series = term_keys()
            .into_iter()
            .zip(lines)
            .map(|(key, line)| Series {
                key,
                runs: vec![line],
            })
            .collect();
        panels.push(Panel {
            name: name.clone(),
            colour: domain_colour(name, d),
            series,
        });
    }
    let pad = 0.05 * (hi - lo);
    let columns = panels.len().clamp(1, MAX_COLUMNS);
    let rows = panels.len().div_ceil(columns).max(1);
    let width = (columns as u32 * PANEL_W).max(960) + 2 * TERMS_SIDE;
    let height = TITLE_BAND + TERMS_LEGEND_BAND + rows as u32 * PANEL_H + 10;
    let plan = TermsPlan {
        title: format!("{}: logit terms by domain", f.scenario),
        x: year_axis(f, 4),
        y: nice_axis(lo - pad, hi + pad, 6),
        columns,
        rows,
        panels,
    };
    render(
        (width, height),
        |root| plan.draw(root),
        |root| plan.draw(root),
    )
}

const TERM_NAMES: [&str; 5] = [
    "pretrain",
    "rl",
    "\u{2212}erosion",
    "inference",
    "total logit",
];
const TERMS_SIDE: u32 = 10;
const TERMS_LEGEND_BAND: u32 = 36;

fn term_keys() -> Vec<Key> {
    let colours = [
        PRETRAIN_COLOUR,
        RL_COLOUR,
        EROSION_COLOUR,
        INFERENCE_COLOUR,
        TOTAL_COLOUR,
    ];
    TERM_NAMES
        .iter()
        .zip(colours)
        .enumerate()
        .map(|(i, (name, colour))| {
            let width = if i == 4 { TOTAL_PX } else { LINE_PX };
            Key::line(*name, colour, width)
        })
        .collect()
}

struct Panel {
    name: String,
    colour: RGBColor,
    series: Vec<Series>,
}

struct TermsPlan {
    title: String,
    x: Axis,
    y: Axis,
    columns: usize,
    rows: usize,
    panels: Vec<Panel>,
}

impl TermsPlan {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let body = draw_title(root, &self.title)?;
        let (legend, grid) = body.split_vertically(TERMS_LEGEND_BAND);
        if self.panels.is_empty() {
            return draw_note(&grid, "no domains in this forecast");
        }
        draw_legend_row(&legend, &term_keys(), TERMS_LEGEND_BAND as i32 / 2 - 4)?;
        let grid = grid.margin(0, 10, TERMS_SIDE, TERMS_SIDE);
        let cells = grid.split_evenly((self.rows, self.columns));
        let y_format = |v: &f64| self.y.label(*v);
        for (i, (panel, cell)) in self.panels.iter().zip(&cells).enumerate() {
            let left = i % self.columns == 0;
            let bottom = i + self.columns >= self.panels.len();
            let (head, body) = cell.split_vertically(30);
            draw_panel_title(&head, &panel.name, panel.colour)?;
            let layout = Layout {
                margin_top: 4,
                margin_right: 16,
                x_label_area: 50,
                y_label_area: 70,
            };
            let descs = (
                if bottom { "year" } else { "" },
                if left { "logits" } else { "" },
            );
            let mut chart = frame(&body, layout, &self.x, self.y.linear(), &y_format, descs)?;
            let zero = [(self.x.lo, 0.0), (self.x.hi, 0.0)];
            chart.draw_series(LineSeries::new(zero, MUTED.stroke_width(1)))?;
            for s in &panel.series {
                draw_series(&mut chart, s)?;
            }
        }
        Ok(())
    }
}

/// A panel's title: the domain's name after a swatch of its colour.
pub(crate) fn draw_panel_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    colour: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    const SWATCH: i32 = 14;
    let (w, h) = area.dim_in_pixel();
    let text_w = text_size(name, PANEL_TITLE_PX)?.0 as i32;
    let x = (w as i32 - SWATCH - 8 - text_w) / 2 + 30;
    let y = h as i32 / 2 + 2;
    area.draw(&Rectangle::new(
        [(x, y - SWATCH / 2), (x + SWATCH, y + SWATCH / 2)],
        colour.filled(),
    ))?;
    let style = font(PANEL_TITLE_PX)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw_text(name, &style, (x + SWATCH + 8, y))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::Levers;
    use crate::model::Terms;

    /// 3 domains over 21 years; RL steps are zero throughout and the code ceiling is off.
    fn synthetic(years: usize) -> Forecast {
        synthetic_with(&["math", "code", "empathy"], years)
    }

    /// `names` as domains over `years` years; RL steps are zero and domain 1's ceiling is off.
    fn synthetic_with(names: &[&str], years: usize) -> Forecast {
        let levers: Vec<Levers> = (0..years)
            .map(|k| {
                let t = k as f64;
                Levers {
                    year: 2024.0 + t,
                    params: 1e11 * 10f64.powf(0.15 * t),
                    tokens: 2e12 * 10f64.powf(0.2 * t),
                    loss: 2.0 - 0.02 * t,
                    effective_log10_compute: 24.0 + 0.35 * t,
                    rl_steps: 0.0,
                    rl_progress: 0.0,
                    thinking_tokens: 1e3 * 10f64.powf(0.12 * t),
                    pretrain_flop: 1e24 * 10f64.powf(0.35 * t),
                    rl_flop: 0.0,
                    flop_per_query: 1e12,
                    training_usd: 1e8,
                    rl_usd: 0.0,
                    usd_per_query: 0.01,
                }
            })
            .collect();
        let domains: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let terms = domains
            .iter()
            .enumerate()
            .map(|(d, _)| {
                levers
                    .iter()
                    .enumerate()
                    .map(|(k, _)| {
                        let t = k as f64;
                        let d = d % 3;
                        let pretrain = -3.0 + 0.25 * t * (1.0 + 0.3 * d as f64);
                        let rl = 0.08 * t * (2.0 - d as f64);
                        let erosion = 0.02 * t * d as f64;
                        let inference = 0.5 + 0.05 * t;
                        let logit = pretrain + rl - erosion + inference;
                        let floor = 0.1 * d as f64;
                        Terms {
                            capability: floor + (1.0 - floor) / (1.0 + (-logit).exp()),
                            logit,
                            pretrain,
                            rl,
                            erosion,
                            inference,
                            thought_ceiling: if d == 1 {
                                f64::INFINITY
                            } else {
                                2e4 * 10f64.powf(0.05 * t) * (1.0 + d as f64)
                            },
                            effective_thinking_tokens: 1e3,
                            thinking_multiplier_per_oom: 1.0,
                        }
                    })
                    .collect()
            })
            .collect();
        Forecast {
            scenario: "synthetic".to_string(),
            levers,
            domains,
            terms,
        }
    }

    type ChartFn = fn(&Forecast) -> Result<Chart>;

    const CHARTS: [(&str, ChartFn, &[&str]); 3] = [
        (
            "capability",
            capability_chart,
            &[
                "synthetic: capability by domain",
                "year",
                "capability (share of tasks solved)",
            ],
        ),
        (
            "levers",
            levers_chart,
            &[
                "synthetic: levers",
                "year",
                "count (log scale)",
                "RL steps S (zero: not drawn)",
                "thought ceiling, code (off: not drawn)",
            ],
        ),
        (
            "terms",
            terms_chart,
            &[
                "synthetic: logit terms by domain",
                "year",
                "logits",
                "pretrain",
            ],
        ),
    ];

    /// Decodes a PNG into (width, height, RGB bytes).
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "no PNG signature");
        let decoder = png::Decoder::new(png);
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn charts_have_titles_labels_and_ink() {
        let f = synthetic(21);
        for (name, chart, texts) in CHARTS {
            let c = chart(&f).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            for text in texts {
                assert!(c.svg.contains(text), "{name}: SVG lacks {text:?}");
            }
            let (w, h, rgb) = decode(&c.png);
            assert!(w >= 800 && h >= 400, "{name}: {w}x{h}");
            let pixels: Vec<&[u8]> = rgb.chunks_exact(3).collect();
            let inked = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
            assert!(
                inked * 50 > pixels.len(),
                "{name}: only {inked} non-white pixels"
            );
            let mut colours: Vec<&[u8]> = pixels.clone();
            colours.sort_unstable();
            colours.dedup();
            assert!(colours.len() > 10, "{name}: {} colours", colours.len());
        }
    }

    #[test]
    fn domain_lines_use_domain_colours() {
        let f = synthetic(21);
        let (_, _, rgb) = decode(&capability_chart(&f).unwrap().png);
        for (d, name) in f.domains.iter().enumerate() {
            let RGBColor(r, g, b) = domain_colour(name, d);
            let count = rgb.chunks_exact(3).filter(|p| *p == [r, g, b]).count();
            assert!(count > 200, "{name}: {count} pixels of its colour");
        }
    }

    #[test]
    fn charts_are_deterministic() {
        let f = synthetic(21);
        for (name, chart, _) in CHARTS {
            let (a, b) = (chart(&f).unwrap(), chart(&f).unwrap());
            assert!(a.png == b.png, "{name}: PNG differs between runs");
            assert!(a.svg == b.svg, "{name}: SVG differs between runs");
        }
    }

    #[test]
    fn degenerate_forecasts_do_not_panic() {
        for years in [0, 1, 2] {
            let f = synthetic(years);
            for (name, chart, _) in CHARTS {
                let result = chart(&f);
                if years > 0 {
                    let c = result.unwrap_or_else(|e| panic!("{name}, {years} years: {e:#}"));
                    decode(&c.png);
                } else {
                    let e = result.expect_err("no years cannot be charted");
                    assert!(e.to_string().contains("no grid years"), "{e}");
                }
            }
        }
        let mut f = synthetic(5);
        f.domains.clear();
        f.terms.clear();
        for (name, chart, _) in CHARTS {
            chart(&f).unwrap_or_else(|e| panic!("{name}, no domains: {e:#}"));
        }
    }

    #[test]
    fn nothing_drawable_gives_a_note() {
        let mut f = synthetic(5);
        for l in &mut f.levers {
            (l.params, l.thinking_tokens) = (0.0, 0.0);
        }
        for row in &mut f.terms {
            for t in row {
                t.thought_ceiling = f64::INFINITY;
            }
        }
        let c = levers_chart(&f).unwrap();
        assert!(c.svg.contains("nothing to draw"));
        assert!(c.svg.contains("params N (zero: not drawn)"));
    }

    #[test]
    fn partly_zero_series_are_drawn_where_positive() {
        let mut f = synthetic(6);
        for (k, l) in f.levers.iter_mut().enumerate() {
            l.rl_steps = if k < 2 { 0.0 } else { 1e3 * k as f64 };
        }
        let c = levers_chart(&f).unwrap();
        assert!(c.svg.contains("RL steps S (zero before 2026)"), "{}", c.svg);
    }

    #[test]
    fn bad_values_are_errors() {
        let mut f = synthetic(5);
        f.terms[0][2].capability = f64::NAN;
        let e = capability_chart(&f).unwrap_err().to_string();
        assert!(e.contains("capability of 'math' in 2026"), "{e}");
        let mut f = synthetic(5);
        f.levers[1].params = f64::NAN;
        assert!(levers_chart(&f).is_err());
        let mut f = synthetic(5);
        f.terms[1].pop();
        assert!(terms_chart(&f).is_err());
    }

    #[test]
    fn colours() {
        assert_eq!(domain_colour("math", 7), domain_colour("Math", 0));
        assert_ne!(domain_colour("math", 0), domain_colour("code", 1));
        let standard: Vec<RGBColor> = STANDARD_DOMAINS.iter().map(|s| s.1).collect();
        for i in 0..20 {
            assert!(!standard.contains(&domain_colour("law", i)));
        }
        assert_eq!(series_colour(0), series_colour(10));
    }

    #[test]
    fn axes() {
        assert_eq!(sci_label(1e12), "1e12");
        assert_eq!(sci_label(2e3), "2e3");
        assert_eq!(sci_label(1.0), "1e0");
        let a = log_axis(3e2, 4e13);
        assert_eq!((a.lo, a.hi), (1e2, 1e14));
        assert!(a.ticks.contains(&1e12));
        let a = nice_axis(-3.2, 7.9, 6);
        assert_eq!((a.lo, a.hi), (-4.0, 8.0));
        assert_eq!(a.ticks, vec![-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(a.label(-0.0), "0");
    }

    /// Writes the charts of the synthetic forecast to `charts/` in the system's temporary folder:
    /// `cargo test --lib report::charts -- --ignored dump`.
    #[test]
    #[ignore]
    fn dump() {
        let dir = &std::env::temp_dir().join("charts");
        std::fs::create_dir_all(dir).unwrap();
        let names = [
            "math", "code", "exams", "writing", "empathy", "strategy", "law",
        ];
        let mut many = synthetic_with(&names, 41);
        many.scenario = "a rather long scenario name for checking that titles fit".into();
        for (d, row) in many.terms.iter_mut().enumerate() {
            for (k, t) in row.iter_mut().enumerate() {
                t.pretrain += 0.3 * d as f64 - 1.0;
                t.logit += 0.3 * d as f64 - 1.0;
                t.capability = 1.0 / (1.0 + (-t.logit).exp());
                t.thought_ceiling = 1e4 * (1.0 + d as f64) * 10f64.powf(0.03 * k as f64);
            }
        }
        for (k, l) in many.levers.iter_mut().enumerate() {
            l.year = 2024.0 + 0.5 * k as f64;
            l.rl_steps = if k < 6 {
                0.0
            } else {
                1e3 * 10f64.powf(0.05 * k as f64)
            };
        }
        let cases = [
            ("", synthetic(21)),
            ("single-", synthetic(1)),
            ("many-", many),
        ];
        for (label, f) in cases {
            for (name, chart, _) in CHARTS {
                let c = chart(&f).unwrap();
                std::fs::write(dir.join(format!("{label}{name}.png")), &c.png).unwrap();
                std::fs::write(dir.join(format!("{label}{name}.svg")), &c.svg).unwrap();
            }
        }
    }
}
