//! The command line: clap types and one small function per subcommand. The only module that
//! knows about clap.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};

use crate::error::{usage, InputError, InputErrors};
use crate::forecast::{forecast, Forecast};
use crate::montecarlo::{self, McResult, Sampler};
use crate::output::Folder;
use crate::report::{self, json::Provenance};
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
}

/// Run the parsed command line.
pub fn main(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run { paths, out } => run(&paths, &out),
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

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A path for messages and provenance, with `/` separators.
fn shown(p: &Path) -> String {
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
    let bar = progress_bar(o.quiet, (o.samples * plans.len()) as u64);
    let observe = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let mut results: Vec<McResult> = Vec::new();
    for (_, s, _, _, _) in &plans {
        results.push(montecarlo::run(s, o.samples, o.seed, &observe)?);
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
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

/// A progress bar with rate and ETA on a terminal; None with `--quiet` or when stderr is not one.
fn progress_bar(quiet: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {human_pos}/{human_len} samples  {per_sec}  ETA {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
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
