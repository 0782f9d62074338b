//! The command line: clap types and one small function per subcommand. The only module that
//! knows about clap.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};

use crate::error::{usage, InputError, InputErrors};
use crate::fit::data::{columns, Rule, Table};
use crate::fit::Bootstrap;
use crate::forecast::{forecast, Forecast};
use crate::output::Folder;
use crate::report::{self, fit::Source, json::Provenance};
use crate::scenario::Scenario;

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
    /// Parse and validate scenario files without running them.
    Check {
        /// Scenario files or folders of them
        #[arg(required = true)]
        paths: Vec<PathBuf>,
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
        Command::Check { paths } => check(&paths),
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
    for (name, folder) in &folders {
        folder.write(out, name)?;
    }
    print!(
        "{}",
        summary_table(&results.iter().map(|(_, _, f)| f).collect::<Vec<_>>())
    );
    println!("wrote {} scenario(s) to {}", folders.len(), shown(out));
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
    ] {
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

fn check(paths: &[PathBuf]) -> Result<()> {
    let files = scenario_files(paths)?;
    let mut errors = Vec::new();
    for f in &files {
        match Scenario::from_file(f).and_then(|s| forecast(&s).map(|_| s)) {
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
