//! `calibrate`: fit a scenario's domains, efficiency growth, RL gain and transfer to the
//! observations table, or backtest that calibration out of sample (`--holdout`).

use rayon::prelude::*;

use super::*;
use crate::calibrate::holdout::holdout;
use crate::calibrate::observations::Data;
use crate::calibrate::{calibrate, Settings};
use crate::report::calibrate::{self as out_calibrate, Origin};
use crate::report::calibrate_charts;

/// The options of `scalecast calibrate`.
#[derive(clap::Args, Debug)]
pub struct CalibrateOptions {
    /// The observations table (one row per model and benchmark; `scalecast data build`)
    pub data: PathBuf,
    /// The scenario whose domains, law and levers the calibration is for
    #[arg(long)]
    pub scenario: PathBuf,
    /// The benchmarks table (domain, anchor, chance level, grading); default: benchmarks.csv
    /// beside DATA
    #[arg(long)]
    pub benchmarks: Option<PathBuf>,
    /// Calibrate on observations released before this date (YYYY-MM-DD) and score the rest
    #[arg(long, value_name = "DATE")]
    pub holdout: Option<String>,
    /// With --holdout, score up to this date (default: the last release in the data)
    #[arg(long, value_name = "DATE", requires = "holdout")]
    pub until: Option<String>,
    /// Fix the efficiency growth (a multiplier per year) instead of fitting it
    #[arg(long, value_name = "X")]
    pub efficiency_growth: Option<f64>,
    /// Fit the curves to frontier-scale models only: training compute within this many
    /// orders of magnitude of the largest released by then (inf: every model)
    #[arg(long, default_value_t = crate::calibrate::SCALE_BAND)]
    pub scale_band: f64,
    /// RL steps of the reference reasoner whose gain the RL fit reproduces
    #[arg(long, default_value_t = crate::calibrate::REASONER_STEPS)]
    pub reasoner_steps: f64,
    /// Thinking tokens per query of the reference reasoner
    #[arg(long, default_value_t = crate::calibrate::REASONER_TOKENS)]
    pub reasoner_tokens: f64,
    /// Bootstrap replicates for the intervals (0: none)
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Seed of the bootstrap resampling
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder; results go to OUT/calibrate-<scenario stem>/ (or holdout-<stem>-<date>/)
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
}

/// A date `YYYY-MM-DD` (or a decimal year) as a decimal year (see [`crate::data::date`]).
pub fn decimal_year(text: &str) -> Option<f64> {
    if let Ok(y) = text.parse::<f64>() {
        return y.is_finite().then_some(y);
    }
    crate::data::date::Date::parse(text).map(|d| d.decimal_year())
}

fn date_flag(flag: &str, text: &str) -> Result<f64, InputErrors> {
    decimal_year(text).ok_or_else(|| {
        usage(
            flag,
            "",
            format!("expected a date YYYY-MM-DD or a year, found `{text}`"),
            Some("e.g. --holdout 2024-01-01"),
        )
    })
}

pub(super) fn run_calibrate(o: &CalibrateOptions) -> Result<()> {
    check_flag(
        "calibrate",
        "--reasoner-steps",
        o.reasoner_steps,
        o.reasoner_steps > 0.0 && o.reasoner_steps.is_finite(),
        "a positive number of RL steps",
    )?;
    check_flag(
        "calibrate",
        "--reasoner-tokens",
        o.reasoner_tokens,
        o.reasoner_tokens >= 0.0 && o.reasoner_tokens.is_finite(),
        "a number of thinking tokens >= 0",
    )?;
    check_flag(
        "calibrate",
        "--scale-band",
        o.scale_band,
        o.scale_band >= 0.0,
        "a number of orders of magnitude >= 0 (inf: every model)",
    )?;
    if let Some(g) = o.efficiency_growth {
        check_flag(
            "calibrate",
            "--efficiency-growth",
            g,
            g > 0.0 && g.is_finite(),
            "a positive multiplier per year",
        )?;
    }
    let split = o
        .holdout
        .as_deref()
        .map(|t| date_flag("--holdout", t))
        .transpose()?;
    let until = o
        .until
        .as_deref()
        .map(|t| date_flag("--until", t))
        .transpose()?;
    if let (Some(a), Some(b)) = (split, until) {
        if b <= a {
            return Err(usage(
                "--until",
                "",
                format!(
                    "--until {} is not after --holdout {}",
                    o.until.as_deref().unwrap_or_default(),
                    o.holdout.as_deref().unwrap_or_default()
                ),
                Some("the holdout scores what was released after the split: give a later --until"),
            )
            .into());
        }
    }
    let benchmarks = o.benchmarks.clone().unwrap_or_else(|| {
        o.data
            .parent()
            .unwrap_or(Path::new(""))
            .join("benchmarks.csv")
    });
    let data = Data::read(&o.data, &benchmarks)?;
    if let Some(y) = split {
        let last = data.last_release();
        if y >= last {
            return Err(usage(
                "--holdout",
                "",
                format!(
                    "--holdout {} is not before the last release in {} ({}): there is nothing after it to score",
                    o.holdout.as_deref().unwrap_or_default(),
                    shown(&o.data),
                    crate::report::calibrate::year_text(last)
                ),
                Some("the split divides the observations: give a date between their first and last releases"),
            )
            .into());
        }
    }
    let s = Scenario::from_file(&o.scenario)?;
    let mut inputs_read = vec![o.data.clone(), benchmarks.clone()];
    inputs_read.extend(inputs_of([&s]));
    crate::output::check_out_dir(&o.out, &inputs_read)?;
    let settings = Settings {
        before: split,
        efficiency_growth: o.efficiency_growth.map(f64::log10),
        bootstrap: Bootstrap {
            replicates: o.bootstrap,
            seed: o.seed,
        },
        scale_band: o.scale_band,
        reasoner_steps: o.reasoner_steps,
        reasoner_tokens: o.reasoner_tokens,
    };
    let c = calibrate(&data, &s, &settings)?;
    // The present needs every domain; a holdout scores those it can.
    if split.is_none() && !c.uncalibrated.is_empty() {
        return Err(InputErrors(c.uncalibrated.clone()).into());
    }
    let mut inputs = Vec::new();
    for f in [&o.data, &benchmarks] {
        inputs.push((shown(f), sha256_hex(&std::fs::read(f)?)));
    }
    for (file, text) in s.document.sources() {
        inputs.push((file.replace('\\', "/"), sha256_hex(text.as_bytes())));
    }
    let mut command = format!(
        "scalecast calibrate {} --scenario {}",
        shown(&o.data),
        shown(&o.scenario)
    );
    if let Some(b) = &o.benchmarks {
        command.push_str(&format!(" --benchmarks {}", shown(b)));
    }
    if let Some(t) = &o.holdout {
        command.push_str(&format!(" --holdout {t}"));
    }
    if let Some(t) = &o.until {
        command.push_str(&format!(" --until {t}"));
    }
    if let Some(g) = o.efficiency_growth {
        command.push_str(&format!(" --efficiency-growth {g}"));
    }
    if o.scale_band != crate::calibrate::SCALE_BAND {
        command.push_str(&format!(" --scale-band {}", o.scale_band));
    }
    if o.reasoner_steps != crate::calibrate::REASONER_STEPS {
        command.push_str(&format!(" --reasoner-steps {}", o.reasoner_steps));
    }
    if o.reasoner_tokens != crate::calibrate::REASONER_TOKENS {
        command.push_str(&format!(" --reasoner-tokens {}", o.reasoner_tokens));
    }
    command.push_str(&format!(" --bootstrap {} --seed {}", o.bootstrap, o.seed));
    let base = o
        .scenario
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let origin = Origin {
        command,
        inputs,
        base,
    };

    let mut folder = Folder::default();
    folder.add("calibrated.toml", out_calibrate::base_toml(&c, &origin));
    folder.add("calibration.json", out_calibrate::json(&c, &origin));
    folder.add("curves.csv", out_calibrate::curves_csv(&c));
    folder.add("pairs.csv", out_calibrate::pairs_csv(&c));
    folder.add("frontier.csv", out_calibrate::frontier_csv(&c, &data, &s));
    let charts: Vec<(String, Result<crate::report::charts::Chart>)> = c
        .domains
        .par_iter()
        .map(|d| {
            (
                format!("calibrate_{}", d.name),
                calibrate_charts::domain_chart(&c, &data, &s, &d.name),
            )
        })
        .collect();
    for (name, chart) in charts {
        let chart = chart?;
        folder.add(format!("{name}.png"), chart.png);
        folder.add(format!("{name}.svg"), chart.svg);
    }
    let mut table = out_calibrate::table(&c);
    let name = match split {
        None => format!("calibrate-{}", fit::stem(&o.scenario)),
        Some(y) => {
            let h = holdout(&data, &s, &c, y, until.unwrap_or(data.last_release()))?;
            folder.add("holdout.csv", out_calibrate::holdout_csv(&h));
            folder.add("holdout.json", out_calibrate::holdout_json(&h, &c, &origin));
            for d in &h.domains {
                if d.count > 0 {
                    let chart = calibrate_charts::holdout_chart(&h, &d.domain)?;
                    folder.add(format!("holdout_{}.png", d.domain), chart.png);
                    folder.add(format!("holdout_{}.svg", d.domain), chart.svg);
                }
            }
            table.push_str(&out_calibrate::holdout_table(&h));
            format!(
                "holdout-{}-{}",
                fit::stem(&o.scenario),
                o.holdout.as_deref().unwrap_or_default()
            )
        }
    };
    fit::write_fit(folder, &o.out, &name, &table, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_decimal_years() {
        assert_eq!(decimal_year("2024-01-01"), Some(2024.0));
        assert_eq!(decimal_year("2024-07-02"), Some(2024.0 + 183.0 / 366.0));
        assert_eq!(decimal_year("2023-12-31"), Some(2023.0 + 364.0 / 365.0));
        assert_eq!(decimal_year("2025.5"), Some(2025.5));
        for bad in [
            "2024-13-01",
            "2023-02-29",
            "24-01-01",
            "2024-1-1",
            "soon",
            "inf",
        ] {
            assert_eq!(decimal_year(bad), None, "{bad}");
        }
    }
}
