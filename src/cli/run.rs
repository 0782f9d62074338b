//! `run`, `check` and `explain`: deterministic forecasts and what they write.

use super::*;
use crate::error::counted;

pub(super) fn run(paths: &[PathBuf], out: &Path, set: &[String]) -> Result<()> {
    let edits = set
        .iter()
        .map(|text| parse_set(text))
        .collect::<Result<Vec<_>, _>>()?;
    let mut scenarios = read_scenarios(paths, "run")?;
    crate::output::check_out_dir(out, &inputs_of(scenarios.iter().map(|(_, s)| s)))?;
    let mut results = Vec::new();
    let mut errors: Vec<InputError> = Vec::new();
    for (_, s) in &mut scenarios {
        if let Err(e) = s.edit(&edits, "--set") {
            errors.extend(e.0);
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors).into());
    }
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
        let provenance = Provenance::new(
            shown(file),
            s,
            format!(
                "scalecast run {}{} --out {}",
                shown(file),
                s.edits
                    .iter()
                    .map(|(p, v)| format!(" --set {p}={}", report::csv::number(*v)))
                    .collect::<String>(),
                shown(out)
            ),
        );
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

/// `--set PATH=VALUE`: the key path and the number.
fn parse_set(text: &str) -> Result<(String, f64), InputErrors> {
    text.split_once('=')
        .and_then(|(path, value)| Some((path.trim().to_string(), value.trim().parse().ok()?)))
        .ok_or_else(|| {
            usage(
                "--set",
                "",
                format!("expected PATH=VALUE with a number as VALUE, found {text:?}"),
                Some("e.g. --set rl.transfer=0.3; `scalecast explain FILE` lists the key paths"),
            )
        })
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

/// The SVGs of `folder` named by `charts`, with their captions.
pub(super) fn svgs(folder: &Folder, charts: &[(&str, &str)]) -> Vec<(String, String)> {
    let owned: Vec<(&str, String)> = charts.iter().map(|(n, c)| (*n, c.to_string())).collect();
    svgs_captioned(folder, &owned)
}

pub(super) fn svgs_captioned(folder: &Folder, charts: &[(&str, String)]) -> Vec<(String, String)> {
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

pub(super) fn explain(file: &Path, year: Option<f64>) -> Result<()> {
    let s = Scenario::from_file(file)?;
    let f = forecast(&s)?;
    let k = match year {
        None => s.time.len() - 1,
        Some(y) => s.time.index_of(y).ok_or_else(|| {
            let (message, hint) = s.time.off_grid(y);
            usage(
                &shown(file),
                "",
                format!("--year {message}"),
                Some(&format!(
                    "{hint}; without --year the last grid year is used"
                )),
            )
        })?,
    };
    print!("{}", report::explain::explain(&s, &f, k));
    Ok(())
}

/// The `[[correlation]]`s of `s` as `mc` checks them: one per pair, and ranks that can hold
/// together (a positive definite matrix), by building its [`Sampler`].
fn check_correlations(s: &Scenario) -> Result<(), InputErrors> {
    if s.correlations.is_empty() {
        return Ok(());
    }
    Sampler::new(s, montecarlo::DEFAULT_SEED).map(|_| ())
}

pub(super) fn check(paths: &[PathBuf]) -> Result<()> {
    let files = scenario_files(paths, "check")?;
    let mut errors = Vec::new();
    for f in &files {
        let checked = Scenario::from_file(f)
            .and_then(|s| forecast(&s).map(|_| s))
            .and_then(|s| check_correlations(&s).map(|()| s))
            .and_then(|s| crate::sweep::check_table(&s).map(|()| s));
        match checked {
            Ok(s) => println!(
                "OK    {} ({}, {}, {} from {} to {})",
                shown(f),
                s.name,
                counted(s.domains.len(), "domain"),
                counted(s.time.len(), "time point"),
                s.time.start,
                s.time.end
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
