//! Parameter sweeps (`scalecast sweep`, `scalecast merge`): grids of values for numeric key
//! paths, the scenario evaluated at every grid point, the rows of `sweep.csv`, and shards.
//!
//! A sweep varies one or more keys, each over a [`Spec`] (`lin:A:B:N`, `log:A:B:N`,
//! `list:a,b,c`; MODEL.md §8). Grid points are numbered in row-major order, the first varied
//! key outermost; point `i` sets every key with [`Scenario::set`], re-checks the scenario and
//! runs the deterministic forecast. Rows are written in grid order whatever the thread count.
//!
//! Sharding splits the grid by interleaving: shard `K/N` (1-based) evaluates the points whose
//! index `i` has `i % N == K - 1`. Each shard file starts with one `#` line describing the whole
//! sweep, so [`Merger`] can join shard files back into the bytes an unsharded run writes.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::json;

use crate::error::{nearest, InputError, InputErrors};
use crate::forecast::{forecast, Forecast};
use crate::report::csv::{
    capability_row, number, push_capabilities, Table, CAPABILITY_COLUMNS, CAPABILITY_TEXT,
};
use crate::scenario::{set_by, show, under, Scenario};

/// The most output rows a sweep writes without `--force`.
pub const MAX_ROWS: u128 = 20_000_000;

/// Charts are drawn for sweeps of at most this many grid points.
pub const MAX_CHART_POINTS: u64 = 1_000_000;

/// Grid points evaluated in parallel before their rows are written.
const CHUNK: usize = 512;

/// The values one key takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    /// `lin:A:B:N`: `A + (B - A) * i / (N - 1)`, exactly A and B at the ends.
    Lin { a: f64, b: f64, n: u64 },
    /// `log:A:B:N`: `10^(lg A + (lg B - lg A) * i / (N - 1))`, exactly A and B at the ends.
    Log { a: f64, b: f64, n: u64 },
    /// `list:a,b,c`: the values as given.
    List(Vec<f64>),
}

/// What SPEC may be, for hints.
pub const SPEC_HINT: &str =
    "SPEC is `lin:A:B:N` (N >= 2 evenly spaced values), `log:A:B:N` (evenly spaced in log10, A and B > 0) or `list:a,b,c`";

impl Spec {
    /// Parse SPEC; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let (kind, rest) = text.split_once(':').ok_or_else(|| {
            format!("expected `lin:`, `log:` or `list:` before the values, found {text:?}")
        })?;
        let num = |s: &str, what: &str| -> Result<f64, String> {
            let x: f64 = s
                .trim()
                .parse()
                .map_err(|_| format!("{what} {s:?} is not a number"))?;
            if x.is_nan() {
                return Err(format!("{what} is nan"));
            }
            Ok(x)
        };
        match kind {
            "lin" | "log" => {
                let parts: Vec<&str> = rest.split(':').collect();
                let [a, b, n] = parts[..] else {
                    return Err(format!(
                        "expected `{kind}:A:B:N` with three fields after `{kind}:`, found {text:?}"
                    ));
                };
                let (a, b) = (num(a, "A")?, num(b, "B")?);
                let n: u64 = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("N {n:?} is not a whole number"))?;
                if n < 2 {
                    return Err(format!("N must be at least 2, found {n}"));
                }
                if !(a.is_finite() && b.is_finite()) {
                    return Err(format!(
                        "A and B must be finite, found {} and {}",
                        show(a),
                        show(b)
                    ));
                }
                if kind == "lin" {
                    Ok(Spec::Lin { a, b, n })
                } else if a > 0.0 && b > 0.0 {
                    Ok(Spec::Log { a, b, n })
                } else {
                    Err(format!(
                        "a log sweep needs A and B > 0, found {} and {}",
                        show(a),
                        show(b)
                    ))
                }
            }
            "list" => {
                let values = rest
                    .split(',')
                    .map(|s| num(s, "value"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Spec::List(values))
            }
            other => Err(format!(
                "unknown kind `{other}`: expected `lin`, `log` or `list`"
            )),
        }
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        match self {
            Spec::Lin { n, .. } | Spec::Log { n, .. } => *n,
            Spec::List(v) => v.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` (`i < len()`), computed from the index.
    pub fn value(&self, i: u64) -> f64 {
        match *self {
            Spec::Lin { a, b, n } => {
                if i == 0 {
                    a
                } else if i == n - 1 {
                    b
                } else {
                    a + (b - a) * i as f64 / (n - 1) as f64
                }
            }
            Spec::Log { a, b, n } => {
                if i == 0 {
                    a
                } else if i == n - 1 {
                    b
                } else {
                    let (la, lb) = (a.log10(), b.log10());
                    10f64.powf(la + (lb - la) * i as f64 / (n - 1) as f64)
                }
            }
            Spec::List(ref v) => v[i as usize],
        }
    }

    /// Whether charts put the values on a log axis: log sweeps, and lists of positive values
    /// spanning at least two orders of magnitude.
    pub fn is_log(&self) -> bool {
        match self {
            Spec::Log { .. } => true,
            Spec::Lin { .. } => false,
            Spec::List(v) => {
                let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = finite.iter().copied().fold(0.0, f64::max);
                lo > 0.0 && hi / lo >= 100.0
            }
        }
    }
}

/// One varied key.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The key path (the column name in `sweep.csv`).
    pub path: String,
    pub spec: Spec,
    /// `PATH=SPEC` as written.
    pub text: String,
}

/// Where a sweep's settings came from, for locating errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Origin {
    /// `--vary` / `--at` flags.
    Flags,
    /// The file's `[sweep]` table.
    Table,
}

/// `K/N`: this run evaluates shard K (1-based) of N.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parse `K/N` with `1 <= K <= N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let parsed = text.split_once('/').and_then(|(k, n)| {
            Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?))
        });
        match parsed {
            Some((index, count)) if index >= 1 && index <= count => Ok(Shard { index, count }),
            _ => Err(format!(
                "expected K/N with whole numbers 1 <= K <= N (e.g. 3/16), found {text:?}"
            )),
        }
    }

    /// The shard's file name, `sweep.shard-K-of-N.csv`.
    pub fn file_name(&self) -> String {
        format!("sweep.shard-{}-of-{}.csv", self.index, self.count)
    }
}

/// A checked sweep: the base scenario, the varied keys and the years written.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The scenario with every varied key pinned (no longer a distribution).
    pub base: Scenario,
    pub axes: Vec<Axis>,
    /// Grid index of the only year written (`--at`), or every year.
    pub at: Option<usize>,
    /// Number of grid points (the product of the axes' lengths).
    pub points: u64,
}

impl Sweep {
    /// Check `vary` (`PATH=SPEC` strings) and `at` against the scenario: every PATH a numeric key
    /// (not of `[time]`), every SPEC well formed, every value valid for its key, `at` a grid year.
    pub fn new(
        scenario: &Scenario,
        vary: &[String],
        origin: Origin,
        at: Option<(f64, Origin)>,
    ) -> Result<Sweep, InputErrors> {
        let mut base = scenario.clone();
        let here = |i: usize, text: &str, message: String| -> InputError {
            match origin {
                Origin::Table => base_error(scenario, &format!("sweep.vary[{i}]"), message),
                Origin::Flags => InputError::new(
                    &scenario.document.file,
                    "",
                    None,
                    &format!("--vary {}", abridged(text)),
                    message,
                ),
            }
        };
        if vary.is_empty() {
            return Err(InputError::new(
                &scenario.document.file,
                "",
                None,
                "--vary",
                "nothing to sweep: no --vary flag and no [sweep] table".into(),
            )
            .with_hint("add --vary PATH=SPEC, e.g. --vary rl.transfer=lin:0:1:11, or a [sweep] table with vary = [\"PATH=SPEC\"]")
            .into());
        }
        let paths = scenario.key_paths();
        let sweepable: Vec<&str> = paths
            .iter()
            .map(String::as_str)
            .filter(|p| !p.starts_with("time."))
            .collect();
        let mut errors = Vec::new();
        let mut axes: Vec<Axis> = Vec::new();
        for (i, text) in vary.iter().enumerate() {
            let Some((path, spec)) = text.split_once('=') else {
                errors.push(
                    here(i, text, format!("expected PATH=SPEC, found {text:?}"))
                        .with_hint(format!("e.g. rl.transfer=lin:0:1:11; {SPEC_HINT}")),
                );
                continue;
            };
            let path = path.trim();
            if !paths.iter().any(|p| p == path) {
                // Keys below the path (a trajectory's `start`, `growth`), else the nearest names.
                let below: Vec<&str> = sweepable
                    .iter()
                    .copied()
                    .filter(|p| *p != path && under(p, path))
                    .take(4)
                    .collect();
                let near = if below.is_empty() {
                    nearest(path, sweepable.iter().copied(), 4)
                } else {
                    below
                };
                let hint = if let Some(form) = size_form_hint(path, &sweepable) {
                    form
                } else if near.is_empty() {
                    format!(
                        "numeric keys of this scenario include {}",
                        list(&sweepable[..sweepable.len().min(6)])
                    )
                } else {
                    format!("did you mean {}?", list(&near))
                };
                errors.push(
                    here(
                        i,
                        text,
                        format!("`{path}` is not a numeric key of this scenario"),
                    )
                    .with_hint(hint),
                );
                continue;
            }
            if path.starts_with("time.") {
                errors.push(
                    here(
                        i,
                        text,
                        format!(
                            "`{path}` cannot be swept: every grid point must share the time grid"
                        ),
                    )
                    .with_hint("sweep a lever or a parameter; use --at to pick a year"),
                );
                continue;
            }
            if axes.iter().any(|a| a.path == path) {
                errors.push(here(i, text, format!("`{path}` is varied twice")));
                continue;
            }
            match Spec::parse(spec.trim()) {
                Ok(spec) => axes.push(Axis {
                    path: path.to_string(),
                    spec,
                    text: text.clone(),
                }),
                Err(m) => errors.push(
                    here(i, text, format!("bad SPEC {:?}: {m}", spec.trim())).with_hint(SPEC_HINT),
                ),
            }
        }
        // A swept key is pinned at each grid value, so it is no longer a distribution.
        for a in &axes {
            base.pin(&a.path);
        }
        if !errors.is_empty() {
            // The values of the axes that did parse are checked too, so that every bad flag is
            // reported at once.
            errors.extend(axes.iter().flat_map(|a| first_bad_value(&base, a)));
            return Err(InputErrors(errors));
        }
        let at = match at {
            None => None,
            Some((year, at_origin)) => Some(base.time.index_of(year).ok_or_else(|| {
                let (message, hint) = base.time.off_grid(year);
                let e = match at_origin {
                    Origin::Table => base_error(scenario, "sweep.at", message),
                    Origin::Flags => {
                        InputError::new(&scenario.document.file, "", None, "--at", message)
                    }
                };
                InputErrors::from(e.with_hint(hint))
            })?),
        };
        let points = axes
            .iter()
            .try_fold(1u64, |acc, a| acc.checked_mul(a.spec.len()))
            .ok_or_else(|| {
                InputErrors::from(here(
                    0,
                    &vary[0],
                    "the grid has more than 2^64 points".into(),
                ))
            })?;
        Ok(Sweep {
            base,
            axes,
            at,
            points,
        })
    }

    /// An input error when `points` grid points would make more than [`MAX_ROWS`] output rows
    /// and `force` is not set; `what` names the caller's action ("write", "compute") and
    /// `hint` its way out (the command line's flags, or Python's arguments).
    pub fn check_rows(
        &self,
        points: u64,
        force: bool,
        what: &str,
        hint: &str,
    ) -> Result<(), InputErrors> {
        let rows = u128::from(points) * u128::from(self.rows_per_point());
        if rows <= MAX_ROWS || force {
            return Ok(());
        }
        Err(crate::error::usage(
            &self.base.document.file,
            "--vary",
            format!(
                "the sweep would {what} {rows} rows ({points} grid points x {} years x {} domains), more than {MAX_ROWS}",
                self.years_per_point(),
                self.base.domains.len()
            ),
            Some(hint),
        ))
    }

    /// Check every value of every axis on its own (set on the base scenario and re-checked), so a
    /// bad value is reported before any work: the first bad value of each axis. Every key's
    /// valid range is an interval, so the ends of a `lin:` or `log:` axis stand for its values.
    /// Combinations are checked when evaluated.
    pub fn check_values(&self) -> Result<(), InputErrors> {
        let errors: Vec<InputError> = (0..self.axes.len())
            .flat_map(|k| self.check_axis(k))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The errors of the first value of axis `k` that the scenario does not accept on its own
    /// (none when it accepts every value), as [`Sweep::check_values`] reports them: each
    /// message says which value the sweep set, and the error's key path is the key found wrong,
    /// which may be another than the axis's (a point year moved past the next one).
    pub fn check_axis(&self, k: usize) -> Vec<InputError> {
        first_bad_value(&self.base, &self.axes[k])
    }

    /// Years written per grid point.
    pub fn years_per_point(&self) -> usize {
        if self.at.is_some() {
            1
        } else {
            self.base.time.len()
        }
    }

    /// Rows written per grid point (years x domains).
    pub fn rows_per_point(&self) -> u64 {
        (self.years_per_point() * self.base.domains.len()) as u64
    }

    /// Grid points evaluated by `shard` (all without one).
    pub fn points_of(&self, shard: Option<Shard>) -> u64 {
        match shard {
            None => self.points,
            Some(s) if s.index > self.points => 0,
            Some(s) => (self.points - s.index) / s.count + 1,
        }
    }

    /// The grid index of the year charted: `--at`, else the last grid year.
    pub fn chart_year(&self) -> usize {
        self.at.unwrap_or(self.base.time.len() - 1)
    }

    /// The value of every varied key at grid point `i` (first axis outermost).
    pub fn point(&self, mut i: u64) -> Vec<f64> {
        let mut values = vec![0.0; self.axes.len()];
        for (a, v) in self.axes.iter().zip(values.iter_mut()).rev() {
            let n = a.spec.len();
            *v = a.spec.value(i % n);
            i /= n;
        }
        values
    }

    /// The scenario at grid point `i`, checked, and its forecast.
    pub fn evaluate(&self, i: u64) -> Result<Forecast, InputErrors> {
        let values = self.point(i);
        let mut s = self.base.clone();
        for (a, &x) in self.axes.iter().zip(&values) {
            s.set(&a.path, x).map_err(InputErrors::from)?;
        }
        let mut errors = s.check();
        if errors.is_empty() {
            match forecast(&s) {
                Ok(f) => return Ok(f),
                Err(e) => errors = e.0,
            }
        }
        let at: Vec<String> = self
            .axes
            .iter()
            .zip(&values)
            .map(|(a, x)| format!("{} = {}", a.path, show(*x)))
            .collect();
        Err(InputErrors(
            errors
                .into_iter()
                .map(|mut e| {
                    e.message = format!("at the grid point {}: {}", at.join(", "), e.message);
                    e
                })
                .collect(),
        ))
    }

    /// The CSV header: the varied keys, then the columns of `capabilities.csv`.
    pub fn header(&self) -> String {
        let mut cols: Vec<&str> = self.axes.iter().map(|a| a.path.as_str()).collect();
        cols.extend(CAPABILITY_COLUMNS);
        cols.join(",") + "\n"
    }

    /// The rows of grid point `i` with forecast `f`: years outer, domains inner.
    pub fn rows(&self, i: u64, f: &Forecast, out: &mut String) {
        let prefix: String = self.point(i).into_iter().map(|x| number(x) + ",").collect();
        let years = match self.at {
            Some(k) => k..k + 1,
            None => 0..f.levers.len(),
        };
        for k in years {
            for d in 0..f.domains.len() {
                out.push_str(&prefix);
                out.push_str(&capability_row(f, k, d));
                out.push('\n');
            }
        }
    }

    /// An empty surface for the charts, when the sweep has one or two keys and not too many points.
    pub fn surface(&self) -> Option<Surface> {
        if self.axes.len() > 2 || self.points > MAX_CHART_POINTS {
            return None;
        }
        Some(Surface {
            scenario: self.base.name.clone(),
            year: self.base.time.year(self.chart_year()),
            axes: self
                .axes
                .iter()
                .map(|a| SurfaceAxis {
                    path: a.path.clone(),
                    values: (0..a.spec.len()).map(|i| a.spec.value(i)).collect(),
                    log: a.spec.is_log(),
                })
                .collect(),
            domains: self.base.domains.iter().map(|d| d.name.clone()).collect(),
            capability: vec![f64::NAN; self.points as usize * self.base.domains.len()],
        })
    }

    /// Evaluate the points of `shard` (all without one) in parallel, writing their rows to `w` in
    /// grid order, a chunk at a time (memory stays bounded), and filling `surface` if given.
    /// `progress` is told how many points are done after each chunk.
    pub fn stream(
        &self,
        shard: Option<Shard>,
        w: &mut dyn Write,
        mut surface: Option<&mut Surface>,
        progress: &dyn Fn(u64),
    ) -> Result<()> {
        let chart_k = self.chart_year();
        let domains = self.base.domains.len();
        self.for_each_point(
            shard,
            |i, f| {
                let mut text = String::new();
                self.rows(i, &f, &mut text);
                let caps: Vec<f64> = f.terms.iter().map(|row| row[chart_k].capability).collect();
                (text, caps)
            },
            |i, (text, caps)| -> Result<()> {
                w.write_all(text.as_bytes())
                    .context("cannot write the sweep's rows")?;
                if let Some(s) = surface.as_deref_mut() {
                    let at = i as usize * domains;
                    s.capability[at..at + domains].copy_from_slice(&caps);
                }
                Ok(())
            },
            progress,
        )
    }

    /// Every grid point's rows as columns, in grid order: the varied keys, then the columns of
    /// `capabilities.csv` (what `sweep.csv` holds, for the Python package).
    pub fn table(&self) -> Result<Table, InputErrors> {
        let names = self
            .axes
            .iter()
            .map(|a| a.path.as_str())
            .chain(CAPABILITY_COLUMNS);
        let mut table = Table::new(names, &CAPABILITY_TEXT);
        let years = match self.at {
            Some(k) => k..k + 1,
            None => 0..self.base.time.len(),
        };
        self.for_each_point(
            None,
            |_, f| f,
            |i, f| -> Result<(), InputErrors> {
                push_capabilities(&mut table, &self.point(i), &f, years.clone());
                Ok(())
            },
            &|_| {},
        )?;
        Ok(table)
    }

    /// Evaluate the points of `shard` (all without one) in parallel chunks, turn each forecast
    /// into a `T` by `map` in parallel, and hand them to `each` in grid order. `progress` is
    /// told how many points are done after each chunk. The first error in grid order stops it.
    fn for_each_point<T: Send, E: From<InputErrors>>(
        &self,
        shard: Option<Shard>,
        map: impl Fn(u64, Forecast) -> T + Sync,
        mut each: impl FnMut(u64, T) -> Result<(), E>,
        progress: &dyn Fn(u64),
    ) -> Result<(), E> {
        let (first, step) = match shard {
            None => (0, 1),
            Some(s) => (s.index - 1, s.count),
        };
        let mut next = first;
        let mut done = 0;
        while next < self.points {
            let chunk: Vec<u64> = (0..CHUNK as u64)
                .map(|j| next + j * step)
                .take_while(|&i| i < self.points)
                .collect();
            next = chunk.last().map_or(self.points, |&i| i + step);
            let results: Vec<Result<T, InputErrors>> = chunk
                .par_iter()
                .map(|&i| Ok(map(i, self.evaluate(i)?)))
                .collect();
            for (&i, r) in chunk.iter().zip(results) {
                each(i, r?)?;
            }
            done += chunk.len() as u64;
            progress(done);
        }
        Ok(())
    }

    /// The first line of a shard file: `# scalecast sweep shard {json}`, describing the sweep.
    pub fn shard_line(&self, shard: Shard) -> String {
        let meta = json!({
            "shard": shard.index,
            "of": shard.count,
            "scenario": self.base.name,
            "vary": self.axes.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
            "year": number(self.base.time.year(self.chart_year())),
            "points": self.points,
            "rows_per_point": self.rows_per_point(),
            "domains": self.base.domains.iter().map(|d| d.name.clone()).collect::<Vec<_>>(),
        });
        format!("{SHARD_MARK}{meta}\n")
    }
}

/// The file's `[sweep]` table, if any, must name numeric keys with well-formed specs and valid
/// values (part of `scalecast check`).
pub fn check_table(s: &Scenario) -> Result<(), InputErrors> {
    let Some(table) = &s.sweep else {
        return Ok(());
    };
    let at = table.at.map(|y| (y, Origin::Table));
    Sweep::new(s, &table.vary, Origin::Table, at)?.check_values()
}

const SHARD_MARK: &str = "# scalecast sweep shard ";

fn base_error(s: &Scenario, path: &str, message: String) -> InputError {
    s.document.error(path, message)
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|p| format!("`{}`", p.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One charted axis of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceAxis {
    pub path: String,
    pub values: Vec<f64>,
    pub log: bool,
}

/// Capability per grid point and domain in the charted year, for the sweep's charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Surface {
    pub scenario: String,
    pub year: f64,
    pub axes: Vec<SurfaceAxis>,
    pub domains: Vec<String>,
    /// `capability[point * domains.len() + d]`.
    pub capability: Vec<f64>,
}

/// Shard files checked against each other, ready to be joined.
pub struct Merger {
    pub scenario: String,
    /// The CSV header shared by every shard.
    pub header: String,
    pub surface: Option<Surface>,
    points: u64,
    rows_per_point: u64,
    /// Shard files in shard order (shard 1 first).
    files: Vec<PathBuf>,
}

#[derive(serde::Deserialize, PartialEq, Clone)]
struct ShardMeta {
    shard: u64,
    of: u64,
    scenario: String,
    vary: Vec<String>,
    year: String,
    points: u64,
    rows_per_point: u64,
    domains: Vec<String>,
}

fn shard_error(file: &Path, message: impl Into<String>, hint: &str) -> InputErrors {
    InputError::new(&file.display().to_string(), "", None, "", message.into())
        .with_hint(hint)
        .into()
}

fn read_meta(file: &Path) -> Result<(ShardMeta, String), InputErrors> {
    let f = File::open(file).map_err(|e| {
        shard_error(
            file,
            format!("cannot read the file: {e}"),
            "pass the sweep.shard-K-of-N.csv files written by `scalecast sweep --shard`",
        )
    })?;
    let mut lines = BufReader::new(f).lines();
    let not_shard = || {
        shard_error(
            file,
            "not a sweep shard file (its first line should start with `# scalecast sweep shard`)",
            "pass the sweep.shard-K-of-N.csv files written by `scalecast sweep --shard`",
        )
    };
    let first = lines.next().and_then(|l| l.ok()).ok_or_else(not_shard)?;
    let meta: ShardMeta = first
        .strip_prefix(SHARD_MARK)
        .and_then(|j| serde_json::from_str(j).ok())
        .ok_or_else(not_shard)?;
    let header = lines.next().and_then(|l| l.ok()).ok_or_else(|| {
        shard_error(
            file,
            "the shard has no CSV header",
            "the file is truncated: run its shard again",
        )
    })?;
    Ok((meta, header + "\n"))
}

impl Merger {
    /// Read the shard files' first lines and check that they are every shard of one sweep.
    /// A folder stands for the `sweep.shard-*.csv` files in it.
    pub fn open(paths: &[PathBuf]) -> Result<Merger, InputErrors> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                    .map_err(|e| {
                        shard_error(
                            p,
                            format!("cannot read the folder: {e}"),
                            "pass shard files or their folder",
                        )
                    })?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| {
                        f.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("sweep.shard-") && n.ends_with(".csv"))
                    })
                    .collect();
                found.sort();
                if found.is_empty() {
                    return Err(shard_error(
                        p,
                        "the folder holds no sweep.shard-*.csv files",
                        "run `scalecast sweep --shard K/N` first",
                    ));
                }
                files.extend(found);
            } else {
                files.push(p.clone());
            }
        }
        if files.is_empty() {
            return Err(shard_error(
                Path::new("merge"),
                "no shard files given",
                "pass the shard files or their folder",
            ));
        }
        let mut metas = Vec::new();
        for f in &files {
            metas.push((f.clone(), read_meta(f)?));
        }
        let (first_file, (first, header)) = metas[0].clone();
        let mut slots: Vec<Option<PathBuf>> = vec![None; first.of as usize];
        for (f, (m, h)) in &metas {
            let same = ShardMeta {
                shard: first.shard,
                ..m.clone()
            } == first
                && *h == header;
            if !same {
                return Err(shard_error(
                    f,
                    format!(
                        "this shard belongs to another sweep than {}",
                        first_file.display()
                    ),
                    "merge the shards of one sweep: same scenario, --vary, --at and N",
                ));
            }
            if m.shard == 0 || m.shard > m.of {
                return Err(shard_error(
                    f,
                    format!("shard {}/{} is not a valid shard number", m.shard, m.of),
                    "merge shard files as `scalecast sweep --shard` wrote them",
                ));
            }
            let slot = &mut slots[(m.shard - 1) as usize];
            if let Some(other) = slot {
                return Err(shard_error(
                    f,
                    format!(
                        "shard {}/{} is given twice (also {})",
                        m.shard,
                        m.of,
                        other.display()
                    ),
                    "pass each shard once",
                ));
            }
            *slot = Some(f.clone());
        }
        let missing: Vec<String> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(k, _)| format!("{}/{}", k + 1, first.of))
            .collect();
        if !missing.is_empty() {
            return Err(shard_error(
                &first_file,
                format!("shard(s) {} missing", missing.join(", ")),
                "run the missing shards (scalecast sweep ... --shard K/N), then merge again",
            ));
        }
        let surface = chart_surface(&first, &header);
        Ok(Merger {
            scenario: first.scenario,
            header,
            surface,
            points: first.points,
            rows_per_point: first.rows_per_point,
            files: slots.into_iter().flatten().collect(),
        })
    }

    /// Number of shard files.
    pub fn shard_count(&self) -> usize {
        self.files.len()
    }

    /// Write the joined rows (after the header) to `w` in grid order, filling the surface.
    pub fn stream(&mut self, w: &mut dyn Write) -> Result<()> {
        let mut readers = Vec::new();
        for f in &self.files {
            let file = File::open(f).with_context(|| format!("cannot read {}", f.display()))?;
            let mut lines = BufReader::new(file).lines();
            lines.next();
            lines.next();
            readers.push(lines);
        }
        w.write_all(self.header.as_bytes())?;
        let n = readers.len() as u64;
        let keys = self.surface.as_ref().map_or(0, |s| s.axes.len());
        let domains = self.surface.as_ref().map_or(0, |s| s.domains.len()) as u64;
        for i in 0..self.points {
            let k = (i % n) as usize;
            for r in 0..self.rows_per_point {
                let line = match readers[k].next() {
                    Some(l) => {
                        l.with_context(|| format!("cannot read {}", self.files[k].display()))?
                    }
                    None => {
                        return Err(shard_error(
                            &self.files[k],
                            "the shard ends early: it has fewer rows than its sweep",
                            "the shard was interrupted or cut: run it again",
                        )
                        .into())
                    }
                };
                if let Some(s) = self.surface.as_mut() {
                    if r + domains >= self.rows_per_point {
                        let d = r + domains - self.rows_per_point;
                        let cap = line
                            .split(',')
                            .nth(keys + 3)
                            .and_then(|c| c.parse::<f64>().ok())
                            .unwrap_or(f64::NAN);
                        s.capability[(i * domains + d) as usize] = cap;
                    }
                }
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")?;
            }
        }
        for (k, r) in readers.iter_mut().enumerate() {
            if r.next().is_some() {
                return Err(shard_error(
                    &self.files[k],
                    "the shard has more rows than its sweep",
                    "merge shard files as `scalecast sweep --shard` wrote them",
                )
                .into());
            }
        }
        Ok(())
    }
}

/// The chart surface of a sharded sweep, rebuilt from its description.
fn chart_surface(m: &ShardMeta, header: &str) -> Option<Surface> {
    if m.vary.len() > 2 || m.points > MAX_CHART_POINTS {
        return None;
    }
    let mut axes = Vec::new();
    for (text, column) in m.vary.iter().zip(header.split(',')) {
        let spec = Spec::parse(text.split_once('=')?.1.trim()).ok()?;
        axes.push(SurfaceAxis {
            path: column.to_string(),
            values: (0..spec.len()).map(|i| spec.value(i)).collect(),
            log: spec.is_log(),
        });
    }
    Some(Surface {
        scenario: m.scenario.clone(),
        year: m.year.parse().ok()?,
        axes,
        domains: m.domains.clone(),
        capability: vec![f64::NAN; (m.points * m.domains.len() as u64) as usize],
    })
}

/// The errors of the first value of axis `a` that the scenario `base` does not accept, each
/// message saying which value the sweep set (none when every value is accepted).
fn first_bad_value(base: &Scenario, a: &Axis) -> Vec<InputError> {
    let indices: Vec<u64> = match a.spec {
        Spec::List(_) => (0..a.spec.len()).collect(),
        _ => vec![0, a.spec.len() - 1],
    };
    for i in indices {
        let x = a.spec.value(i);
        let mut s = base.clone();
        if let Err(e) = s.set(&a.path, x) {
            return vec![e];
        }
        let errors = s.check();
        if !errors.is_empty() {
            return set_by("the sweep", &[(a.path.clone(), x)], errors);
        }
    }
    Vec::new()
}

/// A `--vary` flag as errors show it: a list's values that end past its 60th character
/// elided after a comma (a flag without a comma there is shown whole).
fn abridged(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(60) else {
        return text.to_string();
    };
    match text[..cut].rfind(',') {
        Some(c) => format!("{}...", &text[..=c]),
        None => text.to_string(),
    }
}

/// For a size key of the form the scenario does not use (`pretraining.params` where it sets
/// `pretraining.compute`, or the reverse), the keys of the form it does use.
fn size_form_hint(path: &str, sweepable: &[&str]) -> Option<String> {
    let has = |key: &str| sweepable.iter().any(|p| under(p, key));
    let asks = |key: &str| under(path, key);
    let (asked, used) = if (asks("pretraining.params") || asks("pretraining.tokens"))
        && has("pretraining.compute")
    {
        ("parameters and tokens", "pretraining.compute")
    } else if (asks("pretraining.compute") || asks("pretraining.tokens_per_param"))
        && has("pretraining.params")
    {
        ("training compute", "pretraining.params")
    } else {
        return None;
    };
    let keys: Vec<&str> = sweepable
        .iter()
        .copied()
        .filter(|p| {
            under(p, "pretraining")
                && !under(p, "pretraining.law")
                && !under(p, "pretraining.efficiency")
        })
        .collect();
    Some(format!(
        "this scenario does not set its model size by {asked}: it sets `{used}`; sweep one of {}",
        list(&keys)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[time]\nstart = 2024\nend = 2026\nstep = 1\n[pretraining]\nparams = 1e12\ntokens = 2e13\n[rl]\nsteps = 1e4\ntransfer = { dist = \"uniform\", low = 0.0, high = 0.2 }\n[[domain]]\nname = \"math\"\nverifiability = 0.9\nslope = 1\ndifficulty = 27\n[[domain]]\nname = \"writing\"\nverifiability = 0.1\nslope = 0.8\ndifficulty = 26\n";

    fn scenario() -> Scenario {
        Scenario::from_text("s.toml", "s", BASE).unwrap()
    }

    fn vary(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_table_holds_the_streamed_rows_as_columns() {
        let s = scenario();
        for at in [None, Some((2025.0, Origin::Flags))] {
            let sw = Sweep::new(
                &s,
                &vary(&[
                    "rl.transfer=lin:0:0.2:3",
                    "pretraining.params=list:1e11,1e13",
                ]),
                Origin::Flags,
                at,
            )
            .unwrap();
            let mut streamed = sw.header().into_bytes();
            sw.stream(None, &mut streamed, None, &|_| {}).unwrap();
            let table = sw.table().unwrap();
            assert_eq!(table.csv(), String::from_utf8(streamed).unwrap());
            let years = if at.is_some() { 1 } else { 3 };
            assert_eq!(table.len(), 3 * 2 * years * 2);
            assert_eq!(table.columns[0].name, "rl.transfer");
        }
    }

    #[test]
    fn the_table_stops_at_the_first_bad_grid_point() {
        let s = scenario();
        let sw = Sweep::new(&s, &vary(&["rl.transfer=list:0,5,7"]), Origin::Flags, None).unwrap();
        let e = sw.table().unwrap_err();
        assert!(
            e.0[0]
                .message
                .starts_with("at the grid point rl.transfer = 5:"),
            "{}",
            e.0[0].message
        );
    }

    #[test]
    fn specs_give_exact_end_points_from_indices() {
        let s = Spec::parse("lin:0.1:0.7:7").unwrap();
        assert_eq!(s.len(), 7);
        assert_eq!(s.value(0), 0.1);
        assert_eq!(s.value(6), 0.7);
        assert_eq!(s.value(3), 0.1 + 0.6 * 3.0 / 6.0);
        let l = Spec::parse("log:1e9:3e12:5").unwrap();
        assert_eq!(l.value(0), 1e9);
        assert_eq!(l.value(4), 3e12);
        assert!(l.is_log());
        approx::assert_relative_eq!(l.value(2), (1e9f64 * 3e12).sqrt(), max_relative = 1e-12);
        assert_eq!(
            Spec::parse("list:1, 2.5,inf").unwrap(),
            Spec::List(vec![1.0, 2.5, f64::INFINITY])
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, want) in [
            ("lin:0:1", "three fields"),
            ("lin:0:1:1", "at least 2"),
            ("lin:0:1:2.5", "whole number"),
            ("log:0:1:3", "> 0"),
            ("cube:0:1:3", "unknown kind"),
            ("list:1,x", "not a number"),
            ("0:1:3", "unknown kind"),
            ("lin", "expected `lin:`"),
        ] {
            let e = Spec::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn grid_order_is_first_key_outermost() {
        let s = scenario();
        let w = Sweep::new(
            &s,
            &vary(&["rl.transfer=list:0,0.5", "domain.math.slope=list:1,2,3"]),
            Origin::Flags,
            None,
        )
        .unwrap();
        assert_eq!(w.points, 6);
        assert_eq!(w.point(0), vec![0.0, 1.0]);
        assert_eq!(w.point(2), vec![0.0, 3.0]);
        assert_eq!(w.point(3), vec![0.5, 1.0]);
        assert_eq!(w.point(5), vec![0.5, 3.0]);
    }

    #[test]
    fn a_bad_path_lists_the_nearest_key_paths() {
        let e = Sweep::new(
            &scenario(),
            &vary(&["rl.tranfser=lin:0:1:3"]),
            Origin::Flags,
            None,
        )
        .unwrap_err();
        let hint = e.0[0].hint.clone().unwrap();
        assert!(hint.contains("`rl.transfer`"), "{hint}");
        assert!(e.0[0].path.contains("--vary"));
        let e = Sweep::new(
            &scenario(),
            &vary(&["time.end=lin:2030:2040:3"]),
            Origin::Flags,
            None,
        )
        .unwrap_err();
        assert!(e.0[0].message.contains("cannot be swept"));
    }

    #[test]
    fn swept_distribution_keys_are_pinned_and_checked() {
        let w = Sweep::new(
            &scenario(),
            &vary(&["rl.transfer=lin:0:2:3"]),
            Origin::Flags,
            None,
        )
        .unwrap();
        assert!(w.base.uncertain.is_empty());
        let e = w.check_values().unwrap_err();
        assert_eq!(e.0[0].path, "rl.transfer");
        assert!(
            e.0[0].message.contains("`rl.transfer` = 2"),
            "{}",
            e.0[0].message
        );
    }

    #[test]
    fn every_bad_flag_is_reported_at_once() {
        // An unknown key does not hide a bad value of another, nor one bad axis another.
        let e = Sweep::new(
            &scenario(),
            &vary(&["rl.transfer=list:5", "bogus.key=list:1"]),
            Origin::Flags,
            None,
        )
        .unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["--vary bogus.key=list:1", "rl.transfer"], "{e}");
        let w = Sweep::new(
            &scenario(),
            &vary(&["rl.transfer=list:5", "erosion.rate=list:-1"]),
            Origin::Flags,
            None,
        )
        .unwrap();
        let e = w.check_values().unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["rl.transfer", "erosion.rate"], "{e}");
    }

    #[test]
    fn long_lists_are_abridged_after_a_comma_in_errors() {
        let long = format!("pretraining.params=list:{}", vec!["1.5e12"; 30].join(","));
        let shown = abridged(&long);
        assert!(shown.ends_with(",...") && shown.len() <= 64, "{shown}");
        assert!(long.starts_with(shown.trim_end_matches("...")));
        let one = format!(
            "inference.ceiling.rl_scale_steps=list:{}",
            "1.2345678901234567e-5"
        );
        assert_eq!(abridged(&one), one);
        assert_eq!(abridged("rl.transfer=list:0.3"), "rl.transfer=list:0.3");
    }

    #[test]
    fn at_must_be_a_grid_year() {
        let s = scenario();
        let w = Sweep::new(
            &s,
            &vary(&["rl.transfer=lin:0:1:3"]),
            Origin::Flags,
            Some((2025.0, Origin::Flags)),
        )
        .unwrap();
        assert_eq!(w.at, Some(1));
        assert_eq!(w.rows_per_point(), 2);
        let e = Sweep::new(
            &s,
            &vary(&["rl.transfer=lin:0:1:3"]),
            Origin::Flags,
            Some((2025.5, Origin::Flags)),
        )
        .unwrap_err();
        assert!(e.0[0].message.contains("not a year of the time grid"));
    }

    #[test]
    fn shards_interleave_and_cover_the_grid() {
        let w = Sweep::new(
            &scenario(),
            &vary(&["rl.transfer=lin:0:1:10"]),
            Origin::Flags,
            None,
        )
        .unwrap();
        let total: u64 = (1..=3)
            .map(|k| w.points_of(Some(Shard { index: k, count: 3 })))
            .sum();
        assert_eq!(total, 10);
        assert_eq!(w.points_of(Some(Shard { index: 1, count: 3 })), 4);
        assert_eq!(
            w.points_of(Some(Shard {
                index: 3,
                count: 12
            })),
            1
        );
        assert_eq!(
            w.points_of(Some(Shard {
                index: 12,
                count: 12
            })),
            0
        );
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }

    #[test]
    fn streamed_rows_do_not_depend_on_chunking_or_threads() {
        let w = Sweep::new(
            &scenario(),
            &vary(&["pretraining.params=log:1e10:1e13:1100"]),
            Origin::Flags,
            Some((2025.0, Origin::Flags)),
        )
        .unwrap();
        let mut all = Vec::new();
        let mut surface = w.surface().unwrap();
        w.stream(None, &mut all, Some(&mut surface), &|_| {})
            .unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut one = Vec::new();
        pool.install(|| w.stream(None, &mut one, None, &|_| {}))
            .unwrap();
        assert_eq!(all, one);
        let text = String::from_utf8(all).unwrap();
        assert_eq!(text.lines().count(), 2200);
        assert!(surface.capability.iter().all(|c| c.is_finite()));
        let f = w.evaluate(1099).unwrap();
        assert_eq!(surface.capability[2199], f.terms[1][1].capability);
    }
}
