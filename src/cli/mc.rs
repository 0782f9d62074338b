//! `mc`: Monte Carlo forecasts, their tables and charts.

use super::*;
use rayon::prelude::*;

/// The options of `scalecast mc`.
pub struct McOptions {
    pub samples: usize,
    pub seed: u64,
    pub year: Option<f64>,
    pub write_samples: bool,
    /// Base samples of the Sobol indices (0: none).
    pub sobol: usize,
    pub quiet: bool,
}

/// The error of a sample count outside 1 to [`montecarlo::MAX_SAMPLES`], shown as `found`.
pub fn samples_out_of_range(found: &str) -> InputErrors {
    usage(
        "--samples",
        "",
        format!(
            "expected 1 to {} samples, found {found}",
            montecarlo::MAX_SAMPLES,
        ),
        Some("10,000 samples give medians to about 1% of the spread"),
    )
}

/// `--samples` as typed (a whole number, `1e5` too) within its limits (see [`check_samples`]).
pub fn samples_flag(text: &str, write_samples: bool) -> Result<usize, InputErrors> {
    let n = count("--samples", text, "samples")?;
    if !(1.0..=montecarlo::MAX_SAMPLES as f64).contains(&n) {
        return Err(samples_out_of_range(text.trim()));
    }
    check_samples(n as i128, write_samples)
}

/// The error of a number of Sobol base samples outside 0 to
/// [`montecarlo::MAX_SOBOL_SAMPLES`], shown as `found`.
fn sobol_out_of_range(found: &str) -> InputErrors {
    usage(
        "--sobol",
        "",
        format!(
            "expected 0 to {} base samples, found {found}",
            montecarlo::MAX_SOBOL_SAMPLES
        ),
        Some("8,192 base samples give indices to about 0.02"),
    )
}

/// `--sobol` as typed (a whole number, `1e4` too) within its limits.
pub fn sobol_flag(text: &str) -> Result<usize, InputErrors> {
    let n = count("--sobol", text, "base samples")?;
    if !(0.0..=montecarlo::MAX_SOBOL_SAMPLES as f64).contains(&n) {
        return Err(sobol_out_of_range(text.trim()));
    }
    Ok(n as usize)
}

/// `--samples` (and `--write-samples`) within their limits.
pub fn check_samples(samples: i128, write_samples: bool) -> Result<usize, InputErrors> {
    if samples < 1 || samples > montecarlo::MAX_SAMPLES as i128 {
        return Err(samples_out_of_range(&samples.to_string()));
    }
    if write_samples && samples > MAX_WRITTEN_SAMPLES as i128 {
        return Err(usage(
            "--write-samples",
            "",
            format!(
                "samples.csv is limited to {MAX_WRITTEN_SAMPLES} samples, found --samples {samples}"
            ),
            Some("drop --write-samples or use fewer samples"),
        ));
    }
    Ok(samples as usize)
}

/// The error of a seed outside 0 to 2^64 - 1, shown as `found` (any whole number, however
/// many digits).
pub fn seed_out_of_range(found: &str) -> InputErrors {
    usage(
        "--seed",
        "",
        format!(
            "expected a whole number from 0 to {}, found {found}",
            u64::MAX
        ),
        Some("any seed in that range; the same seed gives the same samples"),
    )
}

/// Check a seed given as any whole number (the command line's parser takes only 0 to 2^64 - 1).
pub fn check_seed(seed: i128) -> Result<u64, InputErrors> {
    u64::try_from(seed).map_err(|_| seed_out_of_range(&seed.to_string()))
}

/// What `mc` checks of one scenario before any sample is drawn, and keeps.
pub struct McPlan {
    /// The deterministic forecast (at the distributions' medians).
    pub forecast: Forecast,
    /// Grid index of `--year` (default: the last grid year).
    pub year_index: usize,
    /// The sensitivity analysis at that year.
    pub tornadoes: Vec<montecarlo::Tornado>,
}

/// Check one scenario of `mc` (`file` as shown in messages): `--year` on its grid, the forecast
/// at the medians, the correlations, the sensitivity analysis. Every error is returned.
pub fn plan(file: &str, s: &Scenario, seed: u64, year: Option<f64>) -> Result<McPlan, InputErrors> {
    let year_index = match year {
        None => Some(s.time.len() - 1),
        Some(y) => s.time.index_of(y),
    };
    let Some(year_index) = year_index else {
        let (message, hint) = s.time.off_grid(year.unwrap_or(f64::NAN));
        return Err(
            InputError::new(file, "", None, "", format!("--year {message}"))
                .with_hint(format!("{hint}; without --year the last grid year is used"))
                .into(),
        );
    };
    match (
        crate::forecast::forecast_capability(s),
        Sampler::new(s, seed),
        montecarlo::sensitivity(s, year_index),
    ) {
        (Ok(forecast), Ok(_), Ok(tornadoes)) => Ok(McPlan {
            forecast,
            year_index,
            tornadoes,
        }),
        (a, b, c) => {
            let mut errors: Vec<InputError> = Vec::new();
            for e in [a.err(), b.err(), c.err()].into_iter().flatten() {
                errors.extend(e.0);
            }
            errors.dedup();
            Err(InputErrors(errors))
        }
    }
}

/// `mc` with its flags checked ([`samples_flag`], [`sobol_flag`]).
pub(super) fn mc(paths: &[PathBuf], o: &McOptions, out: &Path) -> Result<()> {
    let scenarios = read_scenarios(paths, "mc")?;
    crate::output::check_out_dir(out, &inputs_of(scenarios.iter().map(|(_, s)| s)))?;
    // Check everything before any work: forecasts at the medians, --year, correlations.
    let mut errors: Vec<InputError> = Vec::new();
    let mut plans = Vec::new();
    for (file, s) in &scenarios {
        match plan(&shown(file), s, o.seed, o.year) {
            Ok(p) => plans.push((file, s, p.forecast, p.year_index, p.tornadoes)),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(InputErrors(errors).into());
    }
    let bar = progress_bar(o.quiet, (o.samples * plans.len()) as u64, "samples");
    let observe = |n: u64| bar.inc(n);
    let mut results: Vec<McResult> = Vec::new();
    let mut sobols = Vec::new();
    for (_, s, _, year_index, _) in &plans {
        results.push(montecarlo::run(s, o.samples, o.seed, &observe)?);
        sobols.push(if o.sobol > 0 {
            montecarlo::sobol(s, *year_index, o.sobol, o.seed)?
        } else {
            Vec::new()
        });
    }
    bar.finish_and_clear();
    let mut folders = Vec::new();
    for (((file, s, f, year_index, tornadoes), r), sobol) in plans.iter().zip(&results).zip(&sobols)
    {
        let provenance = Provenance::new(
            shown(file),
            s,
            format!(
                "scalecast mc {} --samples {} --seed {}{}{} --out {}",
                shown(file),
                o.samples,
                o.seed,
                o.year.map_or(String::new(), |y| format!(" --year {y}")),
                if o.sobol == montecarlo::DEFAULT_SOBOL_SAMPLES {
                    String::new()
                } else {
                    format!(" --sobol {}", o.sobol)
                },
                shown(out)
            ),
        );
        folders.push((
            s.name.clone(),
            mc_folder(s, f, r, *year_index, (tornadoes, sobol), &provenance, o)?,
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
    match &plans[..] {
        [(_, s, ..)] => println!(
            "wrote 1 scenario, {} samples (seed {}), to {}",
            o.samples,
            o.seed,
            shown(&out.join(&s.name).join("mc"))
        ),
        _ => println!(
            "wrote {} scenarios, {} samples each (seed {}), to {}/<scenario>/mc and {}",
            plans.len(),
            o.samples,
            o.seed,
            shown(out),
            shown(&out.join("comparison").join("mc"))
        ),
    }
    Ok(())
}

/// Everything `mc` writes for one scenario, under `<scenario>/mc/`.
pub(super) fn mc_folder(
    s: &Scenario,
    f: &Forecast,
    r: &McResult,
    year_index: usize,
    (tornadoes, sobol): (&[montecarlo::Tornado], &[montecarlo::Sobol]),
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
    folder.add(
        "summary.json",
        tables::summary(s, r, year, o.sobol, provenance),
    );
    if o.sobol > 0 {
        folder.add("sensitivity_sobol.csv", tables::sobol(&s.name, year, sobol));
    }
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
    // Each chart as a job, drawn in parallel (and kept in this order).
    type Job<'a> = Box<dyn Fn() -> Result<report::charts::Chart> + Send + Sync + 'a>;
    let mut jobs: Vec<(String, Job)> = Vec::new();
    for (d, name) in r.domains.iter().enumerate() {
        jobs.push((
            format!("fan-{name}"),
            Box::new(move || report::mc_charts::fan_chart(r, d)),
        ));
    }
    if !r.milestones.is_empty() {
        jobs.push((
            "milestones".into(),
            Box::new(|| report::mc_charts::milestone_chart(r)),
        ));
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
        jobs.push((
            file,
            Box::new(move || report::mc_charts::tornado_chart(&s.name, t, &what, after)),
        ));
    }
    for t in sobol {
        let domain = t.target.trim_start_matches("capability:");
        let what = format!("the capability of {domain} in {}", number(year));
        jobs.push((
            format!("sobol-{domain}"),
            Box::new(move || report::mc_charts::sobol_chart(&s.name, t, &what, o.sobol)),
        ));
    }
    let drawn: Vec<(String, Result<report::charts::Chart>)> = jobs
        .into_par_iter()
        .map(|(name, draw)| (name, draw()))
        .collect();
    // The first failure in chart order, whatever order they finished in.
    for (name, chart) in drawn {
        let chart = chart?;
        folder.add(format!("{name}.png"), chart.png);
        folder.add(format!("{name}.svg"), chart.svg);
    }
    Ok(folder)
}

/// Charts comparing the scenarios of one `mc` run, under `comparison/mc/`.
pub(super) fn mc_comparison(results: &[McResult]) -> Result<Folder> {
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
pub(super) fn mc_table(year_indices: &[usize], results: &[McResult]) -> String {
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
