//! `benchmarks.csv`: which benchmark comes from which source file, task and columns, how its
//! scores are written, and the domain it stands for (with one anchor per domain).

use crate::error::InputError;
use crate::fit::data::Table;

use super::{columns_of, one_of};

/// The six capability domains of the shipped scenarios.
pub const DOMAINS: [&str; 6] = ["math", "code", "exams", "writing", "empathy", "strategy"];

/// How graders decide a score.
pub const GRADINGS: [&str; 4] = ["answer_key", "tests", "environment", "judge"];

/// The columns of `benchmarks.csv`.
pub const COLUMNS: [&str; 12] = [
    "benchmark",
    "file",
    "task",
    "model_column",
    "score_column",
    "scale",
    "domain",
    "anchor",
    "chance",
    "verifiable",
    "grading",
    "justification",
];

/// How a source file writes a score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// 0 to 1, as is.
    Fraction,
    /// 0 to 100, with or without a `%` sign.
    Percent,
    /// 0 to 10.
    Ten,
}

impl Scale {
    pub const NAMES: [&'static str; 3] = ["fraction", "percent", "ten"];

    const ALL: [Scale; 3] = [Scale::Fraction, Scale::Percent, Scale::Ten];

    fn from_name(name: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The name `benchmarks.csv` gives the scale.
    pub fn name(self) -> &'static str {
        Scale::NAMES[self as usize]
    }

    /// The score `cell` as a fraction in [0, 1], or `None` when it is not a number on this
    /// scale. The decimal point is shifted in the text (`62.4%` reads as `62.4e-2`), so the
    /// fraction is the double nearest to the written decimal, as if written as a fraction.
    pub fn fraction(self, cell: &str) -> Option<f64> {
        let (text, shift) = match self {
            Scale::Fraction => (cell, 0),
            Scale::Percent => (cell.strip_suffix('%').unwrap_or(cell).trim_end(), 2),
            Scale::Ten => (cell, 1),
        };
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let plain = |c: char| c.is_ascii_digit() || c == '.';
        let digits = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
        if digits.is_empty() || !digits.chars().all(plain) {
            return None;
        }
        let x: f64 = format!("{mantissa}e{}", i64::from(exponent) - shift)
            .parse()
            .ok()?;
        (0.0..=1.0).contains(&x).then_some(x)
    }

    /// What a cell on this scale looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            Scale::Fraction => "a score between 0 and 1",
            Scale::Percent => "a percentage between 0 and 100 (`62.4%` or `62.4`)",
            Scale::Ten => "a score between 0 and 10",
        }
    }
}

/// One row of `benchmarks.csv`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Benchmark {
    /// The short id used in the observations table.
    pub id: String,
    /// The source file under `epoch/`.
    pub file: String,
    /// The `task` value selecting this benchmark's rows of `file`; empty for a file of one
    /// benchmark.
    pub task: String,
    pub model_column: String,
    pub score_column: String,
    pub scale: Scale,
    pub domain: String,
    pub anchor: bool,
    /// The data row of `benchmarks.csv` (from 0), for errors about it.
    pub row: usize,
}

/// The benchmarks of `table` (a `benchmarks.csv`), every bad cell reported.
pub fn read(table: &Table) -> Result<Vec<Benchmark>, Vec<InputError>> {
    let c = columns_of(
        table,
        &COLUMNS,
        "the columns are those of the shipped benchmarks.csv",
    )?;
    let mut out: Vec<Benchmark> = Vec::new();
    let mut errors = Vec::new();
    for row in 0..table.len() {
        let cell = |i: usize| table.cell(row, c[i]);
        let bad = |i: usize, message: String, hint: &str| {
            table.cell_error(row, c[i], &message).with_hint(hint)
        };
        let id = cell(0);
        if id.is_empty() {
            errors.push(bad(
                0,
                "the benchmark id is empty".into(),
                "give the benchmark a short id such as `gpqa_diamond`",
            ));
        } else if let Some(first) = out.iter().find(|b| b.id == id) {
            errors.push(bad(
                0,
                format!("the benchmark `{id}` is also row {}", first.row + 1),
                "each benchmark has one row",
            ));
        }
        let file = cell(1);
        if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
            errors.push(bad(
                1,
                format!("expected the name of a file in the epoch folder, found `{file}`"),
                "name a file of the epoch folder beside benchmarks.csv, e.g. `benchmarks_runs.csv`",
            ));
        }
        for i in [3, 4] {
            if cell(i).is_empty() {
                errors.push(bad(
                    i,
                    format!("the {} is empty", COLUMNS[i]),
                    "name a column of the source file's header",
                ));
            }
        }
        let scale = Scale::from_name(cell(5));
        if scale.is_none() {
            errors.push(one_of(table, row, c[5], &Scale::NAMES));
        }
        let domain = cell(6);
        if !DOMAINS.contains(&domain) {
            errors.push(one_of(table, row, c[6], &DOMAINS));
        }
        let anchor = match cell(7) {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(one_of(table, row, c[7], &["yes", "no"]));
                None
            }
        };
        if anchor == Some(true) && DOMAINS.contains(&domain) {
            if let Some(first) = out.iter().find(|b| b.anchor && b.domain == domain) {
                errors.push(bad(
                    7,
                    format!(
                        "a second anchor for the domain `{domain}`: `{}` (row {}) is its anchor",
                        first.id,
                        first.row + 1
                    ),
                    "exactly one benchmark per domain has anchor = yes; set the others to no",
                ));
            }
        }
        let chance = cell(8);
        if !chance.is_empty() && !chance.parse::<f64>().is_ok_and(|x| (0.0..1.0).contains(&x)) {
            errors.push(bad(
                8,
                format!("expected a fraction in [0, 1) or an empty cell, found `{chance}`"),
                "the chance-level score as a fraction (0.25 for four-way multiple choice); empty when unknown",
            ));
        }
        let verifiable = cell(9);
        if !verifiable
            .parse::<f64>()
            .is_ok_and(|x| (0.0..=1.0).contains(&x))
        {
            errors.push(bad(
                9,
                format!("expected a share in [0, 1], found `{verifiable}`"),
                "the share of items graded by an automatic checker: 1 for answer keys, tests and game scores, 0 for judges",
            ));
        }
        if !GRADINGS.contains(&cell(10)) {
            errors.push(one_of(table, row, c[10], &GRADINGS));
        }
        if cell(11).is_empty() {
            errors.push(bad(
                11,
                "the justification is empty".into(),
                "say in one sentence why this benchmark stands for its domain",
            ));
        }
        if let (Some(scale), Some(anchor)) = (scale, anchor) {
            out.push(Benchmark {
                id: id.to_string(),
                file: file.to_string(),
                task: cell(2).to_string(),
                model_column: cell(3).to_string(),
                score_column: cell(4).to_string(),
                scale,
                domain: domain.to_string(),
                anchor,
                row,
            });
        }
    }
    for d in DOMAINS {
        let first = out.iter().find(|b| b.domain == d);
        if let (Some(first), false) = (first, out.iter().any(|b| b.domain == d && b.anchor)) {
            errors.push(
                table
                    .cell_error(first.row, c[7], &format!("the domain `{d}` has no anchor"))
                    .with_hint("set anchor = yes on exactly one benchmark of each domain"),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "benchmark,file,task,model_column,score_column,scale,domain,anchor,chance,verifiable,grading,justification\n";

    fn table(rows: &str) -> Table {
        Table::from_text("benchmarks.csv", &format!("{HEADER}{rows}")).unwrap()
    }

    #[test]
    fn scales_turn_scores_into_fractions() {
        assert_eq!(Scale::Fraction.fraction("0.733"), Some(0.733));
        assert_eq!(Scale::Percent.fraction("62.4%"), Some(0.624));
        assert_eq!(Scale::Percent.fraction("84.900"), Some(0.849));
        assert_eq!(Scale::Percent.fraction("100%"), Some(1.0));
        assert_eq!(Scale::Percent.fraction("0.0%"), Some(0.0));
        assert_eq!(Scale::Ten.fraction("7.02"), Some(0.702));
        assert_eq!(Scale::Ten.fraction("8.18"), Some(0.818));
        assert_eq!(Scale::Ten.fraction("10"), Some(1.0));
        assert_eq!(Scale::Fraction.fraction("5e-1"), Some(0.5));
        assert_eq!(Scale::Percent.fraction("6.24E1"), Some(0.624));
        // The shift is exact where dividing is not: 7.02 / 10 is not the double nearest 0.702.
        assert_eq!(Scale::Ten.fraction("7.02"), Some("0.702".parse().unwrap()));
        for (scale, bad) in [
            (Scale::Fraction, "1.2"),
            (Scale::Fraction, "-0.1"),
            (Scale::Percent, "101%"),
            (Scale::Percent, "abc"),
            (Scale::Percent, "%"),
            (Scale::Ten, "NaN"),
            (Scale::Ten, "inf"),
            (Scale::Ten, "11"),
            (Scale::Fraction, "0x1"),
            (Scale::Fraction, "1e"),
            (Scale::Fraction, ""),
        ] {
            assert_eq!(scale.fraction(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// A score written with up to three decimals on any scale reads as the double nearest
        /// the same decimal written as a fraction.
        #[test]
        fn scaled_scores_equal_the_written_fraction(thousandths in 0u32..=100_000, sign in proptest::bool::ANY) {
            // `thousandths` of a percent point: 12.345% is the fraction 0.12345.
            let percent = format!("{}.{:03}", thousandths / 1000, thousandths % 1000);
            let fraction: f64 = format!("0.{:05}", thousandths).parse().unwrap();
            let fraction = if thousandths == 100_000 { 1.0 } else { fraction };
            let cell = if sign { format!("{percent}%") } else { percent.clone() };
            proptest::prop_assert_eq!(Scale::Percent.fraction(&cell), Some(fraction));
            // The same digits out of ten: 12.345 out of 100 is 1.2345 out of 10.
            let ten = format!("{}.{:04}", thousandths / 10_000, thousandths % 10_000);
            proptest::prop_assert_eq!(Scale::Ten.fraction(&ten), Some(fraction));
        }
    }

    #[test]
    fn reads_a_good_table() {
        let t = table(
            "otis_aime,benchmarks_runs.csv,OTIS Mock AIME 2024-2025,model,Best score (across scorers),fraction,math,yes,0,1,answer_key,\"Free response, key.\"\n\
             lech_mazur_writing,external_benchmark_lech_mazur_writing.csv,,Model version,Mean score,ten,writing,yes,,0,judge,LLM graders.\n",
        );
        let b = read(&t).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].task, "OTIS Mock AIME 2024-2025");
        assert_eq!(b[1].scale, Scale::Ten);
        assert!(b[1].task.is_empty());
    }

    #[test]
    fn bad_cells_are_located() {
        let t = table(
            "a,f.csv,,m,s,fraction,maths,yes,0,1,answer_key,J\n\
             b,f.csv,,m,s,fraction,code,yes,0.25,1,answer_key,J\n\
             c,f.csv,,m,s,fraction,code,yes,1.5,2,quiz,\n\
             c,../f.csv,,m,s,tenths,code,maybe,,1,tests,J\n",
        );
        let e: Vec<String> = read(&t)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        let has = |s: &str| e.iter().any(|x| x.starts_with(s));
        assert!(has("benchmarks.csv:2:23: `domain`: row 1: expected one of `math`, `code`, `exams`, `writing`, `empathy`, `strategy`, found `maths`"), "{e:#?}");
        assert!(has("benchmarks.csv:4:28: `anchor`: row 3: a second anchor for the domain `code`: `b` (row 2) is its anchor"), "{e:#?}");
        assert!(has("benchmarks.csv:4:32: `chance`: row 3"), "{e:#?}");
        assert!(has("benchmarks.csv:4:36: `verifiable`: row 3"), "{e:#?}");
        assert!(has("benchmarks.csv:4:38: `grading`: row 3"), "{e:#?}");
        assert!(has("benchmarks.csv:4:43: `justification`: row 3"), "{e:#?}");
        assert!(
            has("benchmarks.csv:5:1: `benchmark`: row 4: the benchmark `c` is also row 3"),
            "{e:#?}"
        );
        assert!(has("benchmarks.csv:5:3: `file`: row 4"), "{e:#?}");
        assert!(has("benchmarks.csv:5:17: `scale`: row 4: expected one of `fraction`, `percent`, `ten`, found `tenths`"), "{e:#?}");
        assert!(has("benchmarks.csv:5:29: `anchor`: row 4"), "{e:#?}");
        assert_eq!(e.len(), 10, "{e:#?}");
    }

    #[test]
    fn a_domain_without_anchor_and_a_missing_column_are_errors() {
        let t = table("a,f.csv,,m,s,fraction,math,no,0,1,answer_key,J\n");
        let e = read(&t).unwrap_err();
        assert!(
            e[0].to_string().starts_with(
                "benchmarks.csv:2:28: `anchor`: row 1: the domain `math` has no anchor"
            ),
            "{}",
            e[0]
        );
        let t = Table::from_text("benchmarks.csv", "benchmark,file,tsk\n").unwrap();
        let e = read(&t).unwrap_err();
        let s = e[0].to_string();
        assert!(
            s.starts_with("benchmarks.csv:1:1: `task`: no column `task`"),
            "{s}"
        );
        assert!(s.contains("did you mean `tsk`?"), "{s}");
    }
}
