//! `fit` and `backtest`: calibration against measurements and scoring against observations.

use super::*;

/// A file stem usable in an output folder name (characters outside `[A-Za-z0-9._-]` become `_`).
pub(super) fn stem(data: &Path) -> String {
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

pub(super) fn source(table: &Table, data: &Path, command: String) -> Result<Source> {
    let bytes = std::fs::read(data)?;
    Ok(Source {
        file: shown(data),
        sha256: sha256_hex(&bytes),
        rows: table.len(),
        command,
    })
}

pub(super) fn boot(o: &FitOptions) -> Bootstrap {
    Bootstrap {
        replicates: o.bootstrap,
        seed: o.seed,
    }
}

/// Write the fit's folder, print its table and, on stderr, its warnings.
pub(super) fn write_fit(
    folder: Folder,
    out: &Path,
    name: &str,
    table: &str,
    warnings: &[String],
) -> Result<()> {
    let target = folder.write(out, name)?;
    print!("{table}");
    for w in warnings {
        eprintln!("warning: {w}");
    }
    println!("wrote {}", shown(&target));
    Ok(())
}

pub(super) fn fit(command: FitCommand) -> Result<()> {
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
                "fit pretraining",
                "--delta",
                delta,
                delta > 0.0 && delta.is_finite(),
                "a positive number",
            )?;
            check_flag(
                "fit pretraining",
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
            let warnings = report::fit::pretraining_warnings(&f);
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
                    &warnings,
                    boot(&common),
                    f.intervals.as_ref().map(|i| i.replicates),
                ),
            );
            folder.add("law.toml", report::fit::pretraining_toml(&f, &source));
            let chart = report::fit_charts::pretraining_chart(&runs, &f.law)?;
            folder.add("fit.png", chart.png);
            folder.add("fit.svg", chart.svg);
            let name = format!("fit-pretraining-{}", stem(&data));
            write_fit(
                folder,
                &common.out,
                &name,
                &report::fit::table(&estimates),
                &warnings,
            )
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
                check_flag(
                    "fit domain",
                    "--floor",
                    x,
                    (0.0..1.0).contains(&x),
                    "a number in [0, 1)",
                )?;
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
                    let k = table
                        .column(col, "--u")
                        .map_err(crate::error::InputErrors::from)?;
                    domain::check_u(&table, k, &c[0])?;
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
            let warnings = report::fit::domain_warnings(&f);
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
                    &warnings,
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
                &warnings,
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
            let warnings = report::fit::rl_warnings(&f);
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
                    &warnings,
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
            write_fit(folder, &common.out, &name, &table, &warnings)
        }
    }
}

pub(super) fn backtest(
    file: &Path,
    from: f64,
    samples: Option<&str>,
    seed: u64,
    out: &Path,
) -> Result<()> {
    check_flag("backtest", "--from", from, from.is_finite(), "a year")?;
    let samples = samples
        .map(|text| -> Result<usize, InputErrors> {
            let n = count("--samples", text, "samples")?;
            check_flag(
                "backtest",
                "--samples",
                text.trim(),
                (2.0..=1e6).contains(&n),
                "a number of samples from 2 to 1000000",
            )?;
            Ok(n as usize)
        })
        .transpose()?;
    let s = Scenario::from_file(file)?;
    crate::output::check_out_dir(out, &inputs_of([&s]))?;
    let f = forecast(&s)?;
    let sampling = samples.map(|samples| crate::backtest::Sampling { samples, seed });
    let b = crate::backtest::backtest(&s, from, sampling)?;
    let sample_args = samples.map_or(String::new(), |n| format!(" --samples {n} --seed {seed}"));
    let provenance = Provenance::new(
        shown(file),
        &s,
        format!(
            "scalecast backtest {} --from {from}{sample_args} --out {}",
            shown(file),
            shown(out)
        ),
    );
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
