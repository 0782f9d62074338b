//! The command line: the clap types, argument checks shared by subcommands, and dispatch. The
//! only module that knows about clap. Each group of subcommands lives in the file named after it:
//! `run` (run, check, explain), `sweep` (sweep, merge, allocate), `mc`, `fit` (fit, backtest),
//! `calibrate`, `data` (data build), `serve`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::allocate::{Allocation, Problem};
use crate::error::{usage, InputError, InputErrors};
use crate::fit::data::{columns, Rule, Table};
use crate::fit::Bootstrap;
use crate::forecast::{forecast, Forecast};
use crate::montecarlo::{self, McResult, Sampler};
use crate::output::{write_file_with, write_folder, Folder};
use crate::report::{self, fit::Source, json::Provenance};
use crate::scenario::Scenario;
use crate::sweep::{Merger, Origin, Shard, Surface, Sweep, MAX_CHART_POINTS};

mod calibrate;
mod data;
mod fit;
mod mc;
mod run;
mod serve;
mod sweep;

pub use mc::{
    check_samples, check_seed, plan, samples_out_of_range, seed_out_of_range, McOptions, McPlan,
};
pub use run::{comparison_folder, scenario_folder, summary_table};
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
        /// Set a numeric key of every scenario before running, PATH=VALUE (e.g.
        /// rl.transfer=0.3; a distribution there becomes that number); repeatable
        #[arg(long, value_name = "PATH=VALUE")]
        set: Vec<String>,
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
        /// Number of samples (at most 100,000,000; a whole number, also as 1e5)
        #[arg(long, default_value_t = montecarlo::DEFAULT_SAMPLES.to_string(), allow_negative_numbers = true)]
        samples: String,
        /// Seed of the random streams (sample i draws from stream i)
        #[arg(long, default_value_t = montecarlo::DEFAULT_SEED)]
        seed: u64,
        /// Grid year of the sensitivity analysis (default: the last grid year)
        #[arg(long)]
        year: Option<f64>,
        /// Also write samples.csv with each sample's drawn inputs (at most 1,000,000 samples)
        #[arg(long)]
        write_samples: bool,
        /// Base samples of the Sobol indices at --year (each costs inputs + 2 evaluations;
        /// 0: none)
        #[arg(long, default_value_t = montecarlo::DEFAULT_SOBOL_SAMPLES.to_string(), allow_negative_numbers = true)]
        sobol: String,
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
    /// Serve a local page with every scenario: sliders over each numeric key, charts redrawn
    /// as they move, and "Save as scenario".
    Serve {
        /// Scenario files or folders of them (every *.toml inside); default: scenarios/
        paths: Vec<PathBuf>,
        /// Port to listen on; 0 picks a free one
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Address to listen on; the default serves this machine only
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Fit the model's curves to measurements in a CSV file.
    #[command(subcommand)]
    Fit(FitCommand),
    /// Calibrate a scenario's domains, efficiency growth, RL gain and transfer on the observations
    /// table (data/observations.csv); with --holdout, calibrate on what was released before a date
    /// and score the forecast of the rest against naive baselines.
    Calibrate(calibrate::CalibrateOptions),
    /// Score a scenario's forecast against its [[observation]] rows from a year on.
    Backtest {
        /// The scenario file
        file: PathBuf,
        /// Score the observations with a `year` at or after this year
        #[arg(long = "from", value_name = "YEAR", allow_negative_numbers = true)]
        from: f64,
        /// Monte Carlo samples of the scenario's distributions: check each observation against
        /// the 50% and 90% bands
        #[arg(long, allow_negative_numbers = true)]
        samples: Option<String>,
        /// Seed of the Monte Carlo samples
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder; results go to OUT/backtest-<scenario name>/
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// The observations table of real benchmark scores.
    #[command(subcommand)]
    Data(DataCommand),
}

/// The data commands.
#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Build DIR/observations.csv from DIR/epoch/, DIR/benchmarks.csv and DIR/models.csv.
    Build {
        /// The data folder
        #[arg(default_value = "data")]
        dir: PathBuf,
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
        Command::Run { paths, out, set } => run::run(&paths, &out, &set),
        Command::Explain { file, year } => run::explain(&file, year),
        Command::Check { paths } => run::check(&paths),
        Command::Mc {
            paths,
            samples,
            seed,
            year,
            write_samples,
            sobol,
            out,
            quiet,
        } => {
            let samples = mc::samples_flag(&samples, write_samples)?;
            let sobol = mc::sobol_flag(&sobol)?;
            mc::mc(
                &paths,
                &McOptions {
                    samples,
                    seed,
                    year,
                    write_samples,
                    sobol,
                    quiet,
                },
                &out,
            )
        }
        Command::Sweep {
            file,
            vary,
            at,
            out,
            shard,
            force,
        } => sweep::sweep(&file, vary, at, &out, shard.as_deref(), force),
        Command::Merge { paths, out } => sweep::merge(&paths, &out),
        Command::Allocate {
            file,
            budget,
            year,
            domain,
            queries,
            out,
        } => sweep::allocate(&file, budget, year, &domain, queries, &out),
        Command::Serve { paths, port, host } => serve::serve(&paths, &host, port),
        Command::Fit(command) => fit::fit(command),
        Command::Calibrate(options) => calibrate::run_calibrate(&options),
        Command::Backtest {
            file,
            from,
            samples,
            seed,
            out,
        } => fit::backtest(&file, from, samples.as_deref(), seed, &out),
        Command::Data(DataCommand::Build { dir }) => data::build(&dir),
    }
}

/// Scenario files named by `paths`: files as given, folders expanded to their `*.toml` (sorted);
/// no paths means `scenarios/`. `command` (`run`, `mc`, `serve`, or `check`, which needs paths)
/// is named in the hint of a path that does not exist.
pub fn scenario_files(paths: &[PathBuf], command: &str) -> Result<Vec<PathBuf>, InputErrors> {
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
            let hint = if command == "check" {
                "check the path; `scalecast check` takes scenario files or folders of them"
                    .to_string()
            } else {
                format!(
                    "`scalecast {command}` with no argument reads scenarios/ in the current folder"
                )
            };
            return Err(usage(
                &p.display().to_string(),
                "",
                "no such file or folder",
                Some(&hint),
            ));
        }
    }
    Ok(files)
}

/// Read every scenario, collecting the errors of all files; names must be unique. `command`
/// is named in hints (see [`scenario_files`]).
pub fn read_scenarios(
    paths: &[PathBuf],
    command: &str,
) -> Result<Vec<(PathBuf, Scenario)>, InputErrors> {
    let files = scenario_files(paths, command)?;
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

/// Every file that `scenarios` were read from, for [`crate::output::check_out_dir`]: each
/// scenario's file and the base files it reads.
fn inputs_of<'a>(scenarios: impl IntoIterator<Item = &'a Scenario>) -> Vec<PathBuf> {
    scenarios
        .into_iter()
        .flat_map(|s| s.document.files())
        .collect()
}

pub(crate) use crate::report::json::sha256_hex;

/// A path for messages and provenance, with `/` separators.
pub(crate) fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
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

/// A flag value of `command` (as typed after `scalecast`, e.g. "fit rl") that must satisfy
/// `ok`, else an input error naming the flag and hinting at the command's help.
fn check_flag(
    command: &str,
    flag: &str,
    value: impl std::fmt::Display,
    ok: bool,
    expected: &str,
) -> Result<(), InputErrors> {
    if ok {
        return Ok(());
    }
    Err(usage(
        flag,
        "",
        format!("expected {expected}, found {value}"),
        Some(&format!("see `scalecast {command} --help`")),
    ))
}

/// The value of a count flag (`--samples 100000`, `--samples 1e5`): a whole number in digits,
/// decimals or exponent form. `what` names the count in the error of a value that is not a
/// whole number; an infinite value is returned as it is, for the caller's range check to report
/// (with the text as typed).
fn count(flag: &str, text: &str, what: &str) -> Result<f64, InputErrors> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(n) if n.is_infinite() || n.fract() == 0.0 => Ok(n),
        _ => Err(usage(
            flag,
            "",
            format!("expected a whole number of {what}, found {text}"),
            Some(&format!("e.g. {flag} 10000, or {flag} 1e4")),
        )),
    }
}

/// The most samples `--write-samples` writes (the file is built in memory).
const MAX_WRITTEN_SAMPLES: usize = 1_000_000;
