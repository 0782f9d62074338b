//! The command line: clap types and one small function per subcommand. The only module that
//! knows about clap.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::allocate::{Allocation, Problem};
use crate::error::{usage, InputError, InputErrors};
use crate::fit::data::{columns, Rule, Table};
use crate::fit::Bootstrap;
use crate::forecast::{forecast, Forecast};
use crate::montecarlo::{self, McResult, Sampler};
use crate::output::{write_file_with, write_folder, Folder};
use crate::report::{self, fit::Source, json::Provenance};
use crate::scenario::Scenario;
use crate::sweep::{Merger, Origin, Shard, Surface, Sweep, MAX_CHART_POINTS, MAX_ROWS};

/// Forecast AI capability per domain from model size, RL steps and thinking tokens.
#[derive(Parser, Debug)]
#[command(name = "scalecast", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the deterministic forecast of scenario files and write CSV, JSON and charts.
    Run {
        /// Scenario files or folders of them (every *.toml inside); default: scenarios/
        paths: Vec<PathBuf>,
        /// Output folder; each scenario goes to OUT/<scenario name>/
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Print the model's equations with a scenario's values substituted, and each domain's
    /// logit split into its four terms (the model card).
    Explain {
        /// Scenario file
        file: PathBuf,
        /// Grid year to explain; default: the last grid year
        #[arg(long)]
        year: Option<f64>,
    },
    /// Monte Carlo: draw every uncertain input per sample, run the whole forecast per sample and
    /// write quantiles, fan charts, milestone arrival and sensitivity to OUT/<scenario>/mc/.
    Mc {
        /// Scenario files or folders of them (every *.toml inside); default: scenarios/
        paths: Vec<PathBuf>,
        /// Number of samples (at most 100,000,000)
        #[arg(long, default_value_t = montecarlo::DEFAULT_SAMPLES)]
        samples: usize,
        /// Seed of the random streams (sample i draws from stream i)
        #[arg(long, default_value_t = montecarlo::DEFAULT_SEED)]
        seed: u64,
        /// Grid year of the sensitivity analysis (default: the last grid year)
        #[arg(long)]
        year: Option<f64>,
        /// Also write samples.csv with each sample's drawn inputs (at most 1,000,000 samples)
        #[arg(long)]
        write_samples: bool,
        /// Output folder; each scenario goes to OUT/<scenario name>/mc/
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// No progress bar
        #[arg(long)]
        quiet: bool,
    },
    /// Parse and validate scenario files without running them.
    Check {
        /// Scenario files or folders of them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Sweep numeric keys over grids; write capability at every grid point and its charts.
    Sweep {
        /// The scenario file
        file: PathBuf,
        /// A key path and its values, PATH=SPEC with SPEC lin:A:B:N, log:A:B:N or list:a,b,c;
        /// repeat for a grid (the first outermost). Default: the file's [sweep] table
        #[arg(long, value_name = "PATH=SPEC")]
        vary: Vec<String>,
        /// Write only this grid year (default: every year; charts show the last)
        #[arg(long, value_name = "YEAR")]
        at: Option<f64>,
        /// Output folder; the sweep goes to OUT/<scenario name>/sweep/
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Evaluate only shard K of N (grid points with index % N == K - 1), written to
        /// OUT/<scenario name>/sweep-shards/; join the shards with `scalecast merge`
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Allow more than 20,000,000 output rows
        #[arg(long)]
        force: bool,
    },
    /// Join the shard files of a sweep into the output an unsharded sweep writes.
    Merge {
        /// Shard files (sweep.shard-K-of-N.csv) or the folder holding them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output folder; the sweep goes to OUT/<scenario name>/sweep/
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Split one compute budget between pretraining, RL and inference to maximise a domain's
    /// capability in a year.
    Allocate {
        /// The scenario file
        file: PathBuf,
        /// The budget, FLOP
        #[arg(long, value_name = "FLOP")]
        budget: f64,
        /// A grid year; everything but the three levers is the scenario's in that year
        #[arg(long)]
        year: f64,
        /// The domain whose capability is maximised
        #[arg(long)]
        domain: String,
        /// Queries served by the inference share
        #[arg(long, default_value_t = 1e9)]
        queries: f64,
        /// Output folder; results go to OUT/<scenario name>/allocate/<domain>-<year>/
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Fit the model's curves to measurements in a CSV file.
    #[command(subcommand)]
    Fit(FitCommand),
    /// Score a scenario's forecast against its [[observation]] rows from a year on.
    Backtest {
        /// The scenario file
        file: PathBuf,
        /// Score the observations with a `year` at or after this year
        #[arg(long = "from", value_name = "YEAR", allow_negative_numbers = true)]
        from: f64,
        /// Monte Carlo samples of the scenario's distributions: check each observation against
        /// the 50% and 90% bands
        #[arg(long)]
        samples: Option<usize>,
        /// Seed of the Monte Carlo samples
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder; results go to OUT/backtest-<scenario name>/
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
}

/// The fits.
#[derive(Subcommand, Debug)]
pub enum FitCommand {
    /// The loss law L = E + A/N^alpha + B/D^beta from training runs.
    Pretraining {
        /// CSV file with a header row, one training run per row
        data: PathBuf,
        /// Column of parameter counts N
        #[arg(long, default_value = "params")]
        params: String,
        /// Column of training tokens D
        #[arg(long, default_value = "tokens")]
        tokens: String,
        /// Column of training FLOP C, instead of tokens: D = C / (6 N)
        #[arg(long, conflicts_with = "tokens")]
        flop: Option<String>,
        /// Column of final losses L
        #[arg(long, default_value = "loss")]
        loss: String,
        /// Huber threshold on ln L
        #[arg(long, default_value = "1e-3")]
        delta: f64,
        /// Compute budget (FLOP) for the compute-optimal tokens per parameter
        #[arg(long, default_value = "1e24")]
        at_compute: f64,
        #[command(flatten)]
        common: FitOptions,
    },
    /// A domain's slope, difficulty and floor from benchmark scores.
    Domain {
        /// CSV file with a header row, one model's score per row
        data: PathBuf,
        /// Column of scores in [0, 1]
        #[arg(long, default_value = "score")]
        score: String,
        /// Column of parameter counts N (with --tokens, mapped to u by --law)
        #[arg(long, default_value = "params")]
        params: String,
        /// Column of training tokens D
        #[arg(long, default_value = "tokens")]
        tokens: String,
        /// Loss law mapping params and tokens to effective compute u: epoch or chinchilla
        #[arg(long, default_value = "epoch")]
        law: String,
        /// Column of effective compute u (log10 FLOP), instead of params and tokens
        #[arg(long, value_name = "COLUMN", conflicts_with_all = ["params", "tokens", "law"])]
        u: Option<String>,
        /// Fix the floor (chance level) instead of fitting it
        #[arg(long)]
        floor: Option<f64>,
        /// Domain name for the [[domain]] snippet (default: the data file's stem)
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        common: FitOptions,
    },
    /// RL progress (midpoint, exponent) and logit gain from scores over RL steps.
    Rl {
        /// CSV file with a header row, one checkpoint per row
        data: PathBuf,
        /// Column of RL steps S (>= 0)
        #[arg(long, default_value = "rl_steps")]
        steps: String,
        /// Column of scores, strictly between 0 and 1
        #[arg(long, default_value = "score")]
        score: String,
        #[command(flatten)]
        common: FitOptions,
    },
}

/// Options every fit takes.
#[derive(clap::Args, Debug, Clone)]
pub struct FitOptions {
    /// Bootstrap replicates for the intervals (0: none)
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Seed of the bootstrap resampling
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder; results go to OUT/fit-<kind>-<data file stem>/
    #[arg(long, default_value = "output")]
    out: PathBuf,
}

/// Run the parsed command line.
pub fn main(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run { paths, out } => run(&paths, &out),
        Command::Explain { file, year } => explain(&file, year),
        Command::Check { paths } => check(&paths),
        Command::Mc {
            paths,
            samples,
            seed,
            year,
            write_samples,
            out,
            quiet,
        } => mc(
            &paths,
            &McOptions {
                samples,
                seed,
                year,
                write_samples,
                quiet,
            },
            &out,
        ),
        Command::Sweep {
            file,
            vary,
            at,
            out,
            shard,
            force,
        } => sweep(&file, vary, at, &out, shard.as_deref(), force),
        Command::Merge { paths, out } => merge(&paths, &out),
        Command::Allocate {
            file,
            budget,
            year,
            domain,
            queries,
            out,
        } => allocate(&file, budget, year, &domain, queries, &out),
        Command::Fit(command) => fit(command),
        Command::Backtest {
            file,
            from,
            samples,
            seed,
            out,
        } => backtest(&file, from, samples, seed, &out),
    }
}

/// Scenario files named by `paths`: files as given, folders expanded to their `*.toml` (sorted).
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputErrors> {
    let default = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| {
                usage(
                    &p.display().to_string(),
                    "",
                    format!("cannot read the folder: {e}"),
                    None,
                )
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(usage(
                    &p.display().to_string(),
                    "",
                    "the folder holds no *.toml scenario files",
                    Some("pass scenario files or a folder of them"),
                ));
            }
            found.sort();
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(usage(
                &p.display().to_string(),
                "",
                "no such file or folder",
                Some("`scalecast run` with no argument reads scenarios/ in the current folder"),
            ));
        }
    }
    Ok(files)
}

/// Read every scenario, collecting the errors of all files; names must be unique.
pub fn read_scenarios(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Scenario)>, InputErrors> {
    let files = scenario_files(paths)?;
    let mut out: Vec<(PathBuf, Scenario)> = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match Scenario::from_file(&f) {
            Ok(s) => {
                if let Some((other, _)) = out.iter().find(|(_, o)| o.name == s.name) {
                    errors.push(
                        s.document
                            .error(
                                "scenario.name",
                                format!(
                                    "the name {:?} is also used by {}",
                                    s.name,
                                    other.display()
                                ),
                            )
                            .with_hint(
                                "scenario names must be unique within one run: set [scenario] name",
                            ),
                    );
                } else {
                    out.push((f, s));
                }
            }
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(errors))
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A path for messages and provenance, with `/` separators.
pub(crate) fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

fn run(paths: &[PathBuf], out: &Path) -> Result<()> {
    let scenarios = read_scenarios(paths)?;
    let inputs: Vec<PathBuf> = scenarios.iter().map(|(f, _)| f.clone()).collect();
    crate::output::check_out_dir(out, &inputs)?;
    let mut results = Vec::new();
    let mut errors: Vec<InputError> = Vec::new();
    for (file, s) in &scenarios {
        match forecast(s) {
            Ok(f) => results.push((file, s, f)),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors).into());
    }
    let mut folders = Vec::new();
    for (file, s, f) in &results {
        let provenance = Provenance {
            file: shown(file),
            sha256: sha256_hex(s.document.text.as_bytes()),
            command: format!("scalecast run {} --out {}", shown(file), shown(out)),
        };
        folders.push((s.name.clone(), scenario_folder(s, f, &provenance)?));
    }
    let runs: Vec<(&Scenario, &Forecast)> = results.iter().map(|(_, s, f)| (*s, f)).collect();
    let comparison = comparison_folder(&runs)?;
    let sections: Vec<report::html::Section> = runs
        .iter()
        .zip(&folders)
        .map(|((s, f), (_, folder))| report::html::Section {
            scenario: s,
            forecast: f,
            charts: svgs(folder, SCENARIO_CHARTS),
            card: report::explain::explain(s, f, f.levers.len() - 1),
        })
        .collect();
    let mut comparison_charts = vec![("gap", "The gap between verifiable and unverifiable domains: mean capability of domains with verifiability >= 0.5 minus that of the rest".to_string())];
    let domain_captions: Vec<(String, String)> = report::comparison::domains(&runs)
        .into_iter()
        .map(|d| {
            (
                format!("capability_{d}"),
                format!("Capability in {d}, every scenario"),
            )
        })
        .collect();
    comparison_charts.extend(domain_captions.iter().map(|(n, c)| (n.as_str(), c.clone())));
    let page = report::html::index(&sections, &svgs_captioned(&comparison, &comparison_charts));
    folders.push(("comparison".into(), comparison));
    for (name, folder) in &folders {
        folder.write_keeping_subfolders(out, name)?;
    }
    crate::output::write_file(&out.join("index.html"), page.as_bytes())?;
    print!(
        "{}",
        summary_table(&results.iter().map(|(_, _, f)| f).collect::<Vec<_>>())
    );
    for (_, s, f) in &results {
        let end = f.levers.last().map_or(0.0, |l| l.year);
        for m in &s.milestones {
            let when = report::json::milestone_year(f, &m.domain, m.threshold)
                .map_or(format!("not reached by {end}"), |y| {
                    format!("reached in {y}")
                });
            println!(
                "{}: milestone {} >= {}: {when}",
                s.name, m.domain, m.threshold
            );
        }
    }
    println!(
        "wrote {} scenario(s), comparison/ and index.html to {}",
        folders.len() - 1,
        shown(out)
    );
    Ok(())
}

/// Everything `run` writes for one scenario.
pub fn scenario_folder(s: &Scenario, f: &Forecast, provenance: &Provenance) -> Result<Folder> {
    let mut folder = Folder::default();
    folder.add("capabilities.csv", report::csv::capabilities(&[f]));
    folder.add("levers.csv", report::csv::levers(&[f]));
    folder.add("summary.json", report::json::summary(s, f, provenance));
    for (name, chart) in [
        ("capability", report::charts::capability_chart(f)?),
        ("levers", report::charts::levers_chart(f)?),
        ("terms", report::charts::terms_chart(f)?),
        (
            "thinking_multiplier",
            report::multiplier::multiplier_chart(f)?,
        ),
    ] {
        folder.add(format!("{name}.png"), chart.png);
        folder.add(format!("{name}.svg"), chart.svg);
    }
    Ok(folder)
}

/// A scenario folder's charts in the HTML report: (file stem, caption).
const SCENARIO_CHARTS: &[(&str, &str)] = &[
    ("capability", "Capability per domain"),
    ("levers", "Levers on a log scale, with each domain's thought ceiling (dashed)"),
    ("terms", "The four logit terms per domain"),
    (
        "thinking_multiplier",
        "Thinking multiplier per OOM of effective compute (log scale); triangles mark years where thinking cannot replace one OOM",
    ),
];

/// The SVGs of `folder` named by `charts`, with their captions.
fn svgs(folder: &Folder, charts: &[(&str, &str)]) -> Vec<(String, String)> {
    let owned: Vec<(&str, String)> = charts.iter().map(|(n, c)| (*n, c.to_string())).collect();
    svgs_captioned(folder, &owned)
}

fn svgs_captioned(folder: &Folder, charts: &[(&str, String)]) -> Vec<(String, String)> {
    charts
        .iter()
        .filter_map(|(stem, caption)| {
            let name = format!("{stem}.svg");
            folder
                .files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, bytes)| (caption.clone(), String::from_utf8_lossy(bytes).into_owned()))
        })
        .collect()
}

/// `DIR/comparison/`: every scenario of the run side by side (written even for one scenario, so
/// it never shows a previous run's scenarios).
pub fn comparison_folder(runs: &[(&Scenario, &Forecast)]) -> Result<Folder> {
    use report::comparison;
    let mut folder = Folder::default();
    folder.add("comparison.csv", comparison::csv(runs));
    let mut charts = vec![("gap".to_string(), comparison::gap_chart(runs)?)];
    for d in comparison::domains(runs) {
        charts.push((
            format!("capability_{d}"),
            comparison::domain_chart(runs, &d)?,
        ));
    }
    for (name, chart) in charts {
        folder.add(format!("{name}.png"), chart.png);
        folder.add(format!("{name}.svg"), chart.svg);
    }
    Ok(folder)
}

/// Per scenario and domain: capability at the first and last year.
pub fn summary_table(forecasts: &[&Forecast]) -> String {
    let mut rows = vec![[
        "scenario".to_string(),
        "domain".into(),
        "first".into(),
        "last".into(),
        "change".into(),
    ]];
    for f in forecasts {
        let (Some(a), Some(b)) = (f.levers.first(), f.levers.last()) else {
            continue;
        };
        rows[0][2] = format!("{}", a.year);
        rows[0][3] = format!("{}", b.year);
        for (d, name) in f.domains.iter().enumerate() {
            let (x, y) = (
                f.terms[d][0].capability,
                f.terms[d][f.levers.len() - 1].capability,
            );
            rows.push([
                f.scenario.clone(),
                name.clone(),
                format!("{x:.3}"),
                format!("{y:.3}"),
                format!("{:+.3}", y - x),
            ]);
        }
    }
    if forecasts.len() > 1
        || forecasts.iter().any(|f| {
            f.levers.first().map(|l| l.year) != forecasts[0].levers.first().map(|l| l.year)
        })
    {
        rows[0][2] = "first".into();
        rows[0][3] = "last".into();
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c < 2 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The file's `[sweep]` table, if any, must name numeric keys with well-formed specs.
fn check_sweep_table(s: &Scenario) -> Result<(), InputErrors> {
    let Some(table) = &s.sweep else {
        return Ok(());
    };
    let at = table.at.map(|y| (y, Origin::Table));
    Sweep::new(s, &table.vary, Origin::Table, at)?.check_values()
}

fn explain(file: &Path, year: Option<f64>) -> Result<()> {
    let s = Scenario::from_file(file)?;
    let f = forecast(&s)?;
    let k = match year {
        None => s.time.len() - 1,
        Some(y) => s.time.index_of(y).ok_or_else(|| {
            let (first, last) = (s.time.year(0), s.time.year(s.time.len() - 1));
            let hint = format!(
                "pass a grid year, e.g. --year {first} or --year {last}; without --year the last grid year is used"
            );
            usage(
                &shown(file),
                "",
                format!(
                    "--year {y} is not a year of the scenario's grid ({first} to {last} in steps of {})",
                    s.time.step
                ),
                Some(&hint),
            )
        })?,
    };
    print!("{}", report::explain::explain(&s, &f, k));
    Ok(())
}

fn check(paths: &[PathBuf]) -> Result<()> {
    let files = scenario_files(paths)?;
    let mut errors = Vec::new();
    for f in &files {
        let checked = Scenario::from_file(f)
            .and_then(|s| forecast(&s).map(|_| s))
            .and_then(|s| check_sweep_table(&s).map(|()| s));
        match checked {
            Ok(s) => println!(
                "OK    {} ({}, {} domains, {} years)",
                shown(f),
                s.name,
                s.domains.len(),
                s.time.len()
            ),
            Err(e) => {
                println!("FAIL  {}", shown(f));
                errors.extend(e.0);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors).into())
    }
}

/// A progress bar over `len` `things` with rate and ETA on a terminal's stderr; hidden with
/// `quiet` or when stderr is not a terminal.
fn progress_bar(quiet: bool, len: u64, things: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template =
        format!("{{bar:40}} {{human_pos}}/{{human_len}} {things}  {{per_sec}}  ETA {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// The sweep's charts, if it has any.
fn sweep_charts(surface: Option<&Surface>) -> Result<Folder> {
    let mut folder = Folder::default();
    if let Some(chart) = surface
        .map(report::sweep_charts::sweep_chart)
        .transpose()?
        .flatten()
    {
        folder.add("sweep.png", chart.png);
        folder.add("sweep.svg", chart.svg);
    }
    Ok(folder)
}

fn sweep(
    file: &Path,
    vary: Vec<String>,
    at: Option<f64>,
    out: &Path,
    shard: Option<&str>,
    force: bool,
) -> Result<()> {
    let s = Scenario::from_file(file)?;
    let table = s.sweep.clone().unwrap_or_default();
    let (vary, origin) = if vary.is_empty() {
        (table.vary, Origin::Table)
    } else {
        (vary, Origin::Flags)
    };
    // flags replace the [sweep] table, `at` included
    let at = match (at, origin) {
        (Some(y), _) => Some((y, Origin::Flags)),
        (None, Origin::Table) => table.at.map(|y| (y, Origin::Table)),
        (None, Origin::Flags) => None,
    };
    let shard = shard
        .map(|t| {
            Shard::parse(t).map_err(|m| {
                usage(
                    &shown(file),
                    "--shard",
                    m,
                    Some("with a Slurm job array: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"),
                )
            })
        })
        .transpose()?;
    crate::output::check_out_dir(out, &[file.to_path_buf()])?;
    let sw = Sweep::new(&s, &vary, origin, at)?;
    let points = sw.points_of(shard);
    let rows = u128::from(points) * u128::from(sw.rows_per_point());
    if rows > MAX_ROWS && !force {
        return Err(usage(
            &shown(file),
            "--vary",
            format!(
                "the sweep would write {rows} rows ({points} grid points x {} years x {} domains), more than {MAX_ROWS}",
                sw.years_per_point(),
                sw.base.domains.len()
            ),
            Some("pass --force to write them anyway, use --at YEAR to keep one year, use fewer points, or split the grid with --shard K/N"),
        )
        .into());
    }
    sw.check_values()?;
    let started = Instant::now();
    let bar = progress_bar(false, points, "grid points");
    let tick = |n: u64| bar.set_position(n);
    let dir = out.join(&sw.base.name);
    let written = match shard {
        Some(sh) => {
            let path = dir.join("sweep-shards").join(sh.file_name());
            write_file_with(&path, |w| {
                w.write_all(sw.shard_line(sh).as_bytes())?;
                w.write_all(sw.header().as_bytes())?;
                sw.stream(Some(sh), w, None, &tick)
            })?;
            path
        }
        None => {
            let mut surface = sw.surface();
            write_folder(&dir, "sweep", |tmp| {
                write_file_with(&tmp.join("sweep.csv"), |w| {
                    w.write_all(sw.header().as_bytes())?;
                    sw.stream(None, w, surface.as_mut(), &tick)
                })?;
                sweep_charts(surface.as_ref())?.write_into(tmp)
            })?
        }
    };
    bar.finish_and_clear();
    println!(
        "swept {points} grid points ({rows} rows) of {} in {:.2} s",
        sw.base.name,
        started.elapsed().as_secs_f64()
    );
    if shard.is_none() && sw.surface().is_none() {
        println!("no chart: charts are drawn for one or two varied keys and at most {MAX_CHART_POINTS} grid points");
    }
    println!("wrote {}", shown(&written));
    Ok(())
}

fn merge(paths: &[PathBuf], out: &Path) -> Result<()> {
    crate::output::check_out_dir(out, &[])?;
    let mut m = Merger::open(paths)?;
    let dir = out.join(&m.scenario);
    let written = write_folder(&dir, "sweep", |tmp| {
        write_file_with(&tmp.join("sweep.csv"), |w| m.stream(w))?;
        sweep_charts(m.surface.as_ref())?.write_into(tmp)
    })?;
    println!("merged {} shard file(s)", m.shard_count());
    println!("wrote {}", shown(&written));
    Ok(())
}

fn allocate(
    file: &Path,
    budget: f64,
    year: f64,
    domain: &str,
    queries: f64,
    out: &Path,
) -> Result<()> {
    let s = Scenario::from_file(file)?;
    forecast(&s)?;
    let problem = Problem::new(&s, budget, year, domain, queries)?;
    crate::output::check_out_dir(out, &[file.to_path_buf()])?;
    let grid = problem.grid();
    let best = problem.best(&grid);
    let all = problem.all_pretraining();
    let year_text = report::csv::number(problem.year);
    println!(
        "{}: {domain} in {year_text}, budget {} FLOP, {} queries",
        s.name,
        report::csv::number(budget),
        report::csv::number(queries)
    );
    print!(
        "{}",
        allocation_table(&[("best", &best), ("all pretraining", &all)])
    );
    let gain = best.terms.capability - all.terms.capability;
    println!("the best split gains {gain:+.4} capability over all pretraining");

    let mut csv = String::from("split,pretraining_share,rl_share,inference_share,params,tokens,rl_steps,thinking_tokens,capability,logit\n");
    let rows = [("best", &best), ("all_pretraining", &all)]
        .into_iter()
        .chain(grid.iter().map(|g| ("grid", g)));
    for (name, a) in rows {
        let nums = [
            a.pretraining,
            a.rl,
            a.inference,
            a.params,
            a.tokens,
            a.rl_steps,
            a.thinking_tokens,
            a.terms.capability,
            a.terms.logit,
        ];
        csv.push_str(name);
        for x in nums {
            csv.push(',');
            csv.push_str(&report::csv::number(x));
        }
        csv.push('\n');
    }
    let title = format!(
        "{}: {domain} capability in {year_text}, budget {} FLOP",
        s.name,
        report::csv::number(budget)
    );
    let chart = report::sweep_charts::simplex_chart(&title, &grid, &best, &all)?;
    let mut folder = Folder::default();
    folder.add("allocate.csv", csv);
    folder.add("simplex.png", chart.png);
    folder.add("simplex.svg", chart.svg);
    let written = folder.write(
        &out.join(&s.name).join("allocate"),
        &format!("{domain}-{year_text}"),
    )?;
    println!("wrote {}", shown(&written));
    Ok(())
}

/// The allocation table printed by `allocate`.
fn allocation_table(rows: &[(&str, &Allocation)]) -> String {
    let mut cells = vec![[
        "split".to_string(),
        "pretraining".into(),
        "RL".into(),
        "inference".into(),
        "params N".into(),
        "tokens D".into(),
        "RL steps S".into(),
        "thinking T".into(),
        "capability".into(),
    ]];
    for (name, a) in rows {
        cells.push([
            name.to_string(),
            format!("{:.2}%", 100.0 * a.pretraining),
            format!("{:.2}%", 100.0 * a.rl),
            format!("{:.2}%", 100.0 * a.inference),
            format!("{:.3e}", a.params),
            format!("{:.3e}", a.tokens),
            format!("{:.3e}", a.rl_steps),
            format!("{:.3e}", a.thinking_tokens),
            format!("{:.4}", a.terms.capability),
        ]);
    }
    let widths: Vec<usize> = (0..9)
        .map(|c| cells.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A flag value that must satisfy `ok`, else an input error naming the flag.
fn check_flag(flag: &str, value: f64, ok: bool, expected: &str) -> Result<(), InputErrors> {
    if ok {
        return Ok(());
    }
    Err(usage(
        flag,
        "",
        format!("expected {expected}, found {value}"),
        Some("see `scalecast fit --help`"),
    ))
}

/// A file stem usable in an output folder name (characters outside `[A-Za-z0-9._-]` become `_`).
fn stem(data: &Path) -> String {
    data.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn source(table: &Table, data: &Path, command: String) -> Result<Source> {
    let bytes = std::fs::read(data)?;
    Ok(Source {
        file: shown(data),
        sha256: sha256_hex(&bytes),
        rows: table.len(),
        command,
    })
}

fn boot(o: &FitOptions) -> Bootstrap {
    Bootstrap {
        replicates: o.bootstrap,
        seed: o.seed,
    }
}

fn write_fit(folder: Folder, out: &Path, name: &str, table: &str) -> Result<()> {
    let target = folder.write(out, name)?;
    print!("{table}");
    println!("wrote {}", shown(&target));
    Ok(())
}

fn fit(command: FitCommand) -> Result<()> {
    match command {
        FitCommand::Pretraining {
            data,
            params,
            tokens,
            flop,
            loss,
            delta,
            at_compute,
            common,
        } => {
            use crate::fit::pretraining::{self, Run};
            check_flag(
                "--delta",
                delta,
                delta > 0.0 && delta.is_finite(),
                "a positive number",
            )?;
            check_flag(
                "--at-compute",
                at_compute,
                at_compute > 0.0 && at_compute.is_finite(),
                "a positive number of FLOP",
            )?;
            let table = Table::from_file(&data)?;
            crate::output::check_out_dir(&common.out, std::slice::from_ref(&data))?;
            let (size, size_flag) = match &flop {
                Some(c) => (c.as_str(), "--flop"),
                None => (tokens.as_str(), "--tokens"),
            };
            let cols = columns(
                &table,
                &[
                    (&params, "--params", Rule::Positive),
                    (size, size_flag, Rule::Positive),
                    (&loss, "--loss", Rule::Positive),
                ],
            )?;
            table.need_rows(pretraining::PARAMETERS, "pretraining")?;
            let runs: Vec<Run> = (0..table.len())
                .map(|i| Run {
                    params: cols[0][i],
                    tokens: if flop.is_some() {
                        cols[1][i] / (6.0 * cols[0][i])
                    } else {
                        cols[1][i]
                    },
                    loss: cols[2][i],
                })
                .collect();
            let size_arg = match &flop {
                Some(c) => format!("--flop {c}"),
                None => format!("--tokens {tokens}"),
            };
            let command = format!(
                "scalecast fit pretraining {} --params {params} {size_arg} --loss {loss} --delta {delta:e} --at-compute {at_compute:e} --bootstrap {} --seed {}",
                shown(&data), common.bootstrap, common.seed
            );
            let starts = pretraining::grid();
            let f = pretraining::fit(&runs, delta, at_compute, boot(&common), &starts).ok_or_else(
                || anyhow::anyhow!("the fit did not converge from any starting point"),
            )?;
            let source = source(&table, &data, command)?;
            let estimates = report::fit::pretraining_estimates(&f);
            let method = serde_json::json!({
                "model": "L = E + A/N^alpha + B/D^beta",
                "objective": "sum over runs of Huber(delta) of LSE(a - alpha ln N, b - beta ln D, e) - ln L, with A = exp(a), B = exp(b), E = exp(e)",
                "delta": delta,
                "optimizer": "L-BFGS (argmin, More-Thuente line search), best of a grid of starts",
                "starts": starts.len(),
                "tokens": if flop.is_some() { "FLOP / (6 N)" } else { "column" },
                "at_compute": at_compute,
            });
            let mut folder = Folder::default();
            folder.add(
                "fit.json",
                report::fit::json(
                    "pretraining",
                    &source,
                    method,
                    &estimates,
                    boot(&common),
                    f.intervals.as_ref().map(|i| i.replicates),
                ),
            );
            folder.add("law.toml", report::fit::pretraining_toml(&f, &source));
            let chart = report::fit_charts::pretraining_chart(&runs, &f.law)?;
            folder.add("fit.png", chart.png);
            folder.add("fit.svg", chart.svg);
            let name = format!("fit-pretraining-{}", stem(&data));
            write_fit(folder, &common.out, &name, &report::fit::table(&estimates))
        }
        FitCommand::Domain {
            data,
            score,
            params,
            tokens,
            law,
            u,
            floor,
            name,
            common,
        } => {
            use crate::fit::domain::{self, Point};
            use crate::model::pretraining::Law;
            if let Some(x) = floor {
                check_flag("--floor", x, (0.0..1.0).contains(&x), "a number in [0, 1)")?;
            }
            let name = name.unwrap_or_else(|| stem(&data).replace('.', "_"));
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
            {
                return Err(usage(
                    "--name",
                    "",
                    format!("{name:?} is not a domain name"),
                    Some("domain names use letters, digits, `_` and `-`: pass --name NAME"),
                )
                .into());
            }
            let the_law = match law.as_str() {
                "epoch" => Law::EPOCH,
                "chinchilla" => Law::CHINCHILLA,
                other => {
                    return Err(usage(
                        "--law",
                        "",
                        format!("unknown law {other:?}"),
                        Some("use `epoch` or `chinchilla`, or give u directly with --u COLUMN"),
                    )
                    .into())
                }
            };
            let table = Table::from_file(&data)?;
            crate::output::check_out_dir(&common.out, std::slice::from_ref(&data))?;
            let points: Vec<Point> = match &u {
                Some(col) => {
                    let c = columns(
                        &table,
                        &[(col, "--u", Rule::Finite), (&score, "--score", Rule::Unit)],
                    )?;
                    c[0].iter()
                        .zip(&c[1])
                        .map(|(&u, &score)| Point { u, score })
                        .collect()
                }
                None => {
                    let c = columns(
                        &table,
                        &[
                            (&params, "--params", Rule::Positive),
                            (&tokens, "--tokens", Rule::Positive),
                            (&score, "--score", Rule::Unit),
                        ],
                    )?;
                    (0..table.len())
                        .map(|i| Point {
                            u: the_law.effective_log10_compute(c[0][i], c[1][i], 1.0),
                            score: c[2][i],
                        })
                        .collect()
                }
            };
            let parameters = if floor.is_some() { 2 } else { 3 };
            table.need_rows(parameters, "domain")?;
            let x_arg = match &u {
                Some(col) => format!("--u {col}"),
                None => format!("--params {params} --tokens {tokens} --law {law}"),
            };
            let floor_arg = floor.map_or(String::new(), |x| format!(" --floor {x}"));
            let command = format!(
                "scalecast fit domain {} --score {score} {x_arg}{floor_arg} --name {name} --bootstrap {} --seed {}",
                shown(&data), common.bootstrap, common.seed
            );
            let f = domain::fit(&points, floor, boot(&common)).ok_or_else(|| {
                anyhow::anyhow!("the fit did not converge from any starting point")
            })?;
            let u_source = match &u {
                Some(col) => format!("from column `{col}`"),
                None => format!("from params and tokens by the {law} law: use `law = \"{law}\"` in [pretraining]"),
            };
            let source = source(&table, &data, command)?;
            let estimates = report::fit::domain_estimates(&f);
            let method = serde_json::json!({
                "model": "score = floor + (1 - floor) sigmoid(slope (u - difficulty))",
                "objective": "sum of squared score errors",
                "u": u_source,
                "optimizer": "L-BFGS (argmin, More-Thuente line search), best of a grid of starts",
            });
            let mut folder = Folder::default();
            folder.add(
                "fit.json",
                report::fit::json(
                    "domain",
                    &source,
                    method,
                    &estimates,
                    boot(&common),
                    f.intervals.as_ref().map(|i| i.replicates),
                ),
            );
            folder.add(
                "domain.toml",
                report::fit::domain_toml(&f, &name, &u_source, &source),
            );
            let chart = report::fit_charts::domain_chart(&name, &points, &f.link)?;
            folder.add("fit.png", chart.png);
            folder.add("fit.svg", chart.svg);
            let folder_name = format!("fit-domain-{}", stem(&data));
            write_fit(
                folder,
                &common.out,
                &folder_name,
                &report::fit::table(&estimates),
            )
        }
        FitCommand::Rl {
            data,
            steps,
            score,
            common,
        } => {
            use crate::fit::rl::{self, Point};
            let table = Table::from_file(&data)?;
            crate::output::check_out_dir(&common.out, std::slice::from_ref(&data))?;
            let c = columns(
                &table,
                &[
                    (&steps, "--steps", Rule::NonNegative),
                    (&score, "--score", Rule::OpenUnit),
                ],
            )?;
            table.need_rows(4, "rl")?;
            let points: Vec<Point> = c[0]
                .iter()
                .zip(&c[1])
                .map(|(&steps, &score)| Point { steps, score })
                .collect();
            let command = format!(
                "scalecast fit rl {} --steps {steps} --score {score} --bootstrap {} --seed {}",
                shown(&data),
                common.bootstrap,
                common.seed
            );
            let f = rl::fit(&points, boot(&common)).ok_or_else(|| {
                anyhow::anyhow!("the fit did not converge from any starting point")
            })?;
            let source = source(&table, &data, command)?;
            let estimates = report::fit::rl_estimates(&f);
            let method = serde_json::json!({
                "model": "logit(score) = l0 + gain h(S), h = 1 / (1 + (midpoint_steps / S)^exponent)",
                "objective": "sum of squared logit errors",
                "optimizer": "L-BFGS (argmin, More-Thuente line search), best of a grid of starts",
                "gain": report::fit::RL_GAIN_NOTE,
            });
            let mut folder = Folder::default();
            folder.add(
                "fit.json",
                report::fit::json(
                    "rl",
                    &source,
                    method,
                    &estimates,
                    boot(&common),
                    f.intervals.as_ref().map(|i| i.replicates),
                ),
            );
            folder.add("rl.toml", report::fit::rl_toml(&f, &source));
            let chart = report::fit_charts::rl_chart(&points, &f.curve)?;
            folder.add("fit.png", chart.png);
            folder.add("fit.svg", chart.svg);
            let name = format!("fit-rl-{}", stem(&data));
            let table = format!(
                "{}note: {}\n",
                report::fit::table(&estimates),
                report::fit::RL_GAIN_NOTE
            );
            write_fit(folder, &common.out, &name, &table)
        }
    }
}

fn backtest(file: &Path, from: f64, samples: Option<usize>, seed: u64, out: &Path) -> Result<()> {
    check_flag("--from", from, from.is_finite(), "a year")?;
    if let Some(n) = samples {
        check_flag(
            "--samples",
            n as f64,
            (2..=1_000_000).contains(&n),
            "a number of samples from 2 to 1000000",
        )?;
    }
    let s = Scenario::from_file(file)?;
    crate::output::check_out_dir(out, &[file.to_path_buf()])?;
    let f = forecast(&s)?;
    let sampling = samples.map(|samples| crate::backtest::Sampling { samples, seed });
    let b = crate::backtest::backtest(&s, from, sampling)?;
    let sample_args = samples.map_or(String::new(), |n| format!(" --samples {n} --seed {seed}"));
    let provenance = Provenance {
        file: shown(file),
        sha256: sha256_hex(s.document.text.as_bytes()),
        command: format!(
            "scalecast backtest {} --from {from}{sample_args} --out {}",
            shown(file),
            shown(out)
        ),
    };
    let mut folder = Folder::default();
    folder.add("backtest.csv", report::backtest::csv(&b));
    folder.add("backtest.json", report::backtest::json(&b, &provenance));
    let chart = report::fit_charts::backtest_chart(&f, &s, &b)?;
    folder.add("backtest.png", chart.png);
    folder.add("backtest.svg", chart.svg);
    let target = folder.write(out, &format!("backtest-{}", s.name))?;
    print!("{}", report::backtest::table(&b));
    println!("wrote {}", shown(&target));
    Ok(())
}

/// The options of `scalecast mc`.
pub struct McOptions {
    pub samples: usize,
    pub seed: u64,
    pub year: Option<f64>,
    pub write_samples: bool,
    pub quiet: bool,
}

/// The most samples `--write-samples` writes (the file is built in memory).
const MAX_WRITTEN_SAMPLES: usize = 1_000_000;

fn mc(paths: &[PathBuf], o: &McOptions, out: &Path) -> Result<()> {
    if o.samples == 0 || o.samples > montecarlo::MAX_SAMPLES {
        return Err(usage(
            "--samples",
            "",
            format!(
                "expected 1 to {} samples, found {}",
                montecarlo::MAX_SAMPLES,
                o.samples
            ),
            Some("10,000 samples give medians to about 1% of the spread"),
        )
        .into());
    }
    if o.write_samples && o.samples > MAX_WRITTEN_SAMPLES {
        return Err(usage(
            "--write-samples",
            "",
            format!(
                "samples.csv is limited to {MAX_WRITTEN_SAMPLES} samples, found --samples {}",
                o.samples
            ),
            Some("drop --write-samples or use fewer samples"),
        )
        .into());
    }
    let scenarios = read_scenarios(paths)?;
    let inputs: Vec<PathBuf> = scenarios.iter().map(|(f, _)| f.clone()).collect();
    crate::output::check_out_dir(out, &inputs)?;
    // Check everything before any work: forecasts at the medians, --year, correlations.
    let mut errors: Vec<InputError> = Vec::new();
    let mut plans = Vec::new();
    for (file, s) in &scenarios {
        let year_index = match o.year {
            None => Some(s.time.len() - 1),
            Some(y) => s.time.index_of(y),
        };
        let Some(year_index) = year_index else {
            errors.push(
                InputError::new(
                    &shown(file),
                    "",
                    None,
                    "",
                    format!(
                        "--year {} is not a grid year of this scenario ({} to {} every {})",
                        o.year.unwrap_or(f64::NAN),
                        s.time.year(0),
                        s.time.year(s.time.len() - 1),
                        s.time.step
                    ),
                )
                .with_hint("pass a year on the grid, or leave --year out for the last year"),
            );
            continue;
        };
        match (
            forecast(s),
            Sampler::new(s, o.seed),
            montecarlo::sensitivity(s, year_index),
        ) {
            (Ok(f), Ok(_), Ok(t)) => plans.push((file, s, f, year_index, t)),
            (a, b, c) => {
                for e in [a.err(), b.err(), c.err()].into_iter().flatten() {
                    errors.extend(e.0);
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(InputErrors(errors).into());
    }
    let bar = progress_bar(o.quiet, (o.samples * plans.len()) as u64, "samples");
    let observe = |n: u64| bar.inc(n);
    let mut results: Vec<McResult> = Vec::new();
    for (_, s, _, _, _) in &plans {
        results.push(montecarlo::run(s, o.samples, o.seed, &observe)?);
    }
    bar.finish_and_clear();
    let mut folders = Vec::new();
    for ((file, s, f, year_index, tornadoes), r) in plans.iter().zip(&results) {
        let provenance = Provenance {
            file: shown(file),
            sha256: sha256_hex(s.document.text.as_bytes()),
            command: format!(
                "scalecast mc {} --samples {} --seed {}{} --out {}",
                shown(file),
                o.samples,
                o.seed,
                o.year.map_or(String::new(), |y| format!(" --year {y}")),
                shown(out)
            ),
        };
        folders.push((
            s.name.clone(),
            mc_folder(s, f, r, *year_index, tornadoes, &provenance, o)?,
        ));
    }
    if results.len() > 1 {
        folders.push(("comparison".to_string(), mc_comparison(&results)?));
    }
    for (name, folder) in &folders {
        folder.write(&out.join(name), "mc")?;
    }
    print!(
        "{}",
        mc_table(&plans.iter().map(|p| p.3).collect::<Vec<_>>(), &results)
    );
    println!(
        "wrote {} scenario(s), {} samples each (seed {}), to {}/<scenario>/mc",
        results.len(),
        o.samples,
        o.seed,
        shown(out)
    );
    Ok(())
}

/// Everything `mc` writes for one scenario, under `<scenario>/mc/`.
fn mc_folder(
    s: &Scenario,
    f: &Forecast,
    r: &McResult,
    year_index: usize,
    tornadoes: &[montecarlo::Tornado],
    provenance: &Provenance,
    o: &McOptions,
) -> Result<Folder> {
    use report::csv::number;
    use report::mc_tables as tables;
    let year = r.years[year_index];
    let end = r.years[r.years.len() - 1];
    let mut folder = Folder::default();
    folder.add("quantiles.csv", tables::quantiles(&[r]));
    folder.add("levers_quantiles.csv", tables::levers_quantiles(&[r]));
    folder.add(
        "sensitivity.csv",
        tables::sensitivity(&s.name, year, end, tornadoes),
    );
    folder.add("summary.json", tables::summary(s, r, year, provenance));
    if !s.milestones.is_empty() {
        let deterministic: Vec<Option<f64>> = s
            .milestones
            .iter()
            .map(|m| report::json::milestone_year(f, &m.domain, m.threshold))
            .collect();
        folder.add("milestones.csv", tables::milestones(r, &deterministic));
    }
    if o.write_samples {
        folder.add(
            "samples.csv",
            tables::samples(&Sampler::new(s, o.seed)?, o.samples),
        );
    }
    let mut charts = Vec::new();
    for (d, name) in r.domains.iter().enumerate() {
        charts.push((format!("fan-{name}"), report::mc_charts::fan_chart(r, d)?));
    }
    if !r.milestones.is_empty() {
        charts.push(("milestones".into(), report::mc_charts::milestone_chart(r)?));
    }
    let after = end + s.time.step;
    for t in tornadoes {
        let (file, what, after) = match t.target.split_once(':') {
            Some(("capability", domain)) => (
                format!("tornado-{domain}"),
                format!("capability of {domain} in {}", number(year)),
                None,
            ),
            _ => {
                let m = t.target.trim_start_matches("milestone:");
                (
                    format!("tornado-milestone-{}", m.replace(">=", "-")),
                    format!("the year {} is reached", m.replace(">=", " >= ")),
                    Some(after),
                )
            }
        };
        charts.push((
            file,
            report::mc_charts::tornado_chart(&s.name, t, &what, after)?,
        ));
    }
    for (name, chart) in charts {
        folder.add(format!("{name}.png"), chart.png);
        folder.add(format!("{name}.svg"), chart.svg);
    }
    Ok(folder)
}

/// Charts comparing the scenarios of one `mc` run, under `comparison/mc/`.
fn mc_comparison(results: &[McResult]) -> Result<Folder> {
    let all: Vec<&McResult> = results.iter().collect();
    let mut folder = Folder::default();
    folder.add("quantiles.csv", report::mc_tables::quantiles(&all));
    let mut domains: Vec<&String> = Vec::new();
    for r in results {
        for d in &r.domains {
            if !domains.contains(&d) {
                domains.push(d);
            }
        }
    }
    for d in domains {
        let chart = report::mc_charts::comparison_fan_chart(&all, d)?;
        folder.add(format!("fan-{d}.png"), chart.png);
        folder.add(format!("fan-{d}.svg"), chart.svg);
    }
    Ok(folder)
}

/// Per scenario and domain: the median and 90% interval of capability at the sensitivity year.
fn mc_table(year_indices: &[usize], results: &[McResult]) -> String {
    let mut out = String::new();
    for (r, &k) in results.iter().zip(year_indices) {
        out.push_str(&format!("{} in {}:\n", r.scenario, r.years[k]));
        for (d, name) in r.domains.iter().enumerate() {
            let q = &r.capability[d][k].quantiles;
            out.push_str(&format!(
                "  {name:<12} median {:.3}  90% interval {:.3} to {:.3}\n",
                q[2], q[0], q[4]
            ));
        }
        let end = r.years[r.years.len() - 1];
        for m in &r.milestones {
            out.push_str(&format!(
                "  milestone {} >= {}: median {}, P(not by {end}) = {:.3}\n",
                m.domain,
                m.threshold,
                report::mc_tables::arrival(m.quantile(&r.years, 0.5), end),
                m.not_reached()
            ));
        }
    }
    out
}
