//! `sweep`, `merge` and `allocate`: parameter grids and compute allocation.

use super::*;

/// The sweep's charts, if it has any.
pub(super) fn sweep_charts(surface: Option<&Surface>) -> Result<Folder> {
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

pub(super) fn sweep(
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
    crate::output::check_out_dir(out, &inputs_of([&s]))?;
    let sw = Sweep::new(&s, &vary, origin, at)?;
    let points = sw.points_of(shard);
    sw.check_rows(
        points,
        force,
        "write",
        "pass --force to write them anyway, use --at YEAR to keep one year, use fewer points, or split the grid with --shard K/N",
    )?;
    let rows = u128::from(points) * u128::from(sw.rows_per_point());
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

pub(super) fn merge(paths: &[PathBuf], out: &Path) -> Result<()> {
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

pub(super) fn allocate(
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
    crate::output::check_out_dir(out, &inputs_of([&s]))?;
    let grid = problem.grid();
    let best = problem.best(&grid);
    let all = problem.all_pretraining();
    let year_text = report::csv::number(problem.year);
    println!(
        "{}: {domain} in {year_text}, budget {} FLOP, {} queries",
        s.name,
        exponent_text(budget),
        exponent_text(queries)
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
        exponent_text(budget)
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

/// A budget or a query count as `allocate` prints it: exponent form at any size (`1e10`,
/// `2.5e26`, `1e27`).
fn exponent_text(x: f64) -> String {
    format!("{x:e}")
}

/// The allocation table printed by `allocate`.
pub(super) fn allocation_table(rows: &[(&str, &Allocation)]) -> String {
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
