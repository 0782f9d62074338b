//! The CSV outputs of MODEL.md §7: long format, floats written so they round-trip. Each table is
//! built as columns ([`Table`]) and then written; the Python package takes the same columns.

use std::ops::Range;

use crate::forecast::{Forecast, Levers};
use crate::model::Terms;

/// Columns of `capabilities.csv`.
pub const CAPABILITY_COLUMNS: [&str; 12] = [
    "scenario",
    "year",
    "domain",
    "capability",
    "logit",
    "pretrain",
    "rl",
    "erosion",
    "inference",
    "thought_ceiling",
    "effective_thinking_tokens",
    "thinking_multiplier_per_oom",
];

/// Columns of `levers.csv`.
pub const LEVER_COLUMNS: [&str; 15] = [
    "scenario",
    "year",
    "params",
    "tokens",
    "loss",
    "effective_log10_compute",
    "rl_steps",
    "rl_progress",
    "thinking_tokens",
    "pretrain_flop",
    "rl_flop",
    "flop_per_query",
    "training_usd",
    "rl_usd",
    "usd_per_query",
];

/// An f64 as the shortest text that parses back to the same value; `inf` for infinity.
/// Plain decimals between 1e-5 and 1e16, scientific notation outside (`1.8e12` stays readable).
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let a = x.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A table as named columns of equal length: what a CSV file holds before its numbers are
/// written. [`Table::csv`] writes it; the Python package hands the same columns to pandas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
}

/// One named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

/// A column's cells: text (names) or numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Text(Vec<String>),
    Numbers(Vec<f64>),
}

/// One cell of a row added with [`Table::push`].
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
}

impl Table {
    /// An empty table with these columns; those named in `text` hold text, the others numbers.
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>, text: &[&str]) -> Table {
        let columns = names
            .into_iter()
            .map(|n| {
                let name = n.as_ref().to_string();
                let values = if text.contains(&name.as_str()) {
                    Values::Text(Vec::new())
                } else {
                    Values::Numbers(Vec::new())
                };
                Column { name, values }
            })
            .collect();
        Table { columns }
    }

    /// Append one row: a cell per column, text cells in the text columns.
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        let mut n = 0;
        for (column, cell) in self.columns.iter_mut().zip(cells) {
            match (&mut column.values, cell) {
                (Values::Text(v), Cell::Text(s)) => v.push(s.to_string()),
                (Values::Numbers(v), Cell::Number(x)) => v.push(x),
                _ => panic!("a cell of the wrong kind in column `{}`", column.name),
            }
            n += 1;
        }
        assert_eq!(n, self.columns.len(), "a row of {n} cells");
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| match &c.values {
            Values::Text(v) => v.len(),
            Values::Numbers(v) => v.len(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table as CSV: a header row, then one line per row, numbers written by [`number`].
    pub fn csv(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        let mut out = names.join(",") + "\n";
        for i in 0..self.len() {
            for (j, c) in self.columns.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                match &c.values {
                    Values::Text(v) => out.push_str(&v[i]),
                    Values::Numbers(v) => out.push_str(&number(v[i])),
                }
            }
            out.push('\n');
        }
        out
    }
}

/// The numbers of one `capabilities.csv` row, in the order of [`CAPABILITY_COLUMNS`] after
/// `scenario, year, domain`.
pub fn term_numbers(t: &Terms) -> [f64; 9] {
    [
        t.capability,
        t.logit,
        t.pretrain,
        t.rl,
        t.erosion,
        t.inference,
        t.thought_ceiling,
        t.effective_thinking_tokens,
        t.thinking_multiplier_per_oom,
    ]
}

/// The numbers of one `levers.csv` row, in the order of [`LEVER_COLUMNS`] after `scenario`
/// (the year first).
pub fn lever_numbers(l: &Levers) -> [f64; 14] {
    [
        l.year,
        l.params,
        l.tokens,
        l.loss,
        l.effective_log10_compute,
        l.rl_steps,
        l.rl_progress,
        l.thinking_tokens,
        l.pretrain_flop,
        l.rl_flop,
        l.flop_per_query,
        l.training_usd,
        l.rl_usd,
        l.usd_per_query,
    ]
}

/// One row of `capabilities.csv` (year `k`, domain `d`), without the line end.
pub fn capability_row(f: &Forecast, k: usize, d: usize) -> String {
    [
        f.scenario.clone(),
        number(f.levers[k].year),
        f.domains[d].clone(),
    ]
    .into_iter()
    .chain(term_numbers(&f.terms[d][k]).map(number))
    .collect::<Vec<_>>()
    .join(",")
}

/// Append the `capabilities.csv` rows of grid years `years` of `f` (years outer, domains in file
/// order) to `table`, each after the numbers `prefix` (a sweep's grid point).
pub fn push_capabilities(table: &mut Table, prefix: &[f64], f: &Forecast, years: Range<usize>) {
    for k in years {
        for d in 0..f.domains.len() {
            let cells = prefix
                .iter()
                .map(|&x| Cell::Number(x))
                .chain([
                    Cell::Text(&f.scenario),
                    Cell::Number(f.levers[k].year),
                    Cell::Text(&f.domains[d]),
                ])
                .chain(term_numbers(&f.terms[d][k]).map(Cell::Number));
            table.push(cells);
        }
    }
}

/// The text columns of `capabilities.csv` (and of `sweep.csv`).
pub const CAPABILITY_TEXT: [&str; 2] = ["scenario", "domain"];

/// `capabilities.csv` as columns: one row per (scenario, year, domain), years outer, domains in
/// file order.
pub fn capability_table(forecasts: &[&Forecast]) -> Table {
    let mut table = Table::new(CAPABILITY_COLUMNS, &CAPABILITY_TEXT);
    for f in forecasts {
        push_capabilities(&mut table, &[], f, 0..f.levers.len());
    }
    table
}

/// `capabilities.csv`.
pub fn capabilities(forecasts: &[&Forecast]) -> String {
    capability_table(forecasts).csv()
}

/// `levers.csv` as columns: one row per (scenario, year).
pub fn lever_table(forecasts: &[&Forecast]) -> Table {
    let mut table = Table::new(LEVER_COLUMNS, &["scenario"]);
    for f in forecasts {
        for l in &f.levers {
            table.push(
                std::iter::once(Cell::Text(&f.scenario)).chain(lever_numbers(l).map(Cell::Number)),
            );
        }
    }
    table
}

/// `levers.csv`.
pub fn levers(forecasts: &[&Forecast]) -> String {
    lever_table(forecasts).csv()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_read_well() {
        for x in [
            0.0,
            1.0,
            0.1,
            2024.25,
            1.8e12,
            13e12,
            1e16,
            1e-300,
            5e-324,
            f64::MAX,
            -3.5e-7,
            0.1 + 0.2,
        ] {
            let s = number(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(number(1.8e12), "1800000000000");
        assert_eq!(number(2e16), "2e16");
        assert_eq!(number(2024.25), "2024.25");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn a_table_is_written_row_by_row_with_round_trip_numbers() {
        let mut t = Table::new(["name", "x", "y"], &["name"]);
        assert!(t.is_empty());
        t.push([Cell::Text("a"), Cell::Number(0.1), Cell::Number(1.8e12)]);
        t.push([
            Cell::Text("b"),
            Cell::Number(f64::INFINITY),
            Cell::Number(-2.5e-7),
        ]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.csv(), "name,x,y\na,0.1,1800000000000\nb,inf,-2.5e-7\n");
        assert_eq!(
            t.columns[1].values,
            Values::Numbers(vec![0.1, f64::INFINITY])
        );
        assert_eq!(
            t.columns[0].values,
            Values::Text(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    #[should_panic(expected = "wrong kind in column `x`")]
    fn a_cell_of_the_wrong_kind_is_a_bug() {
        Table::new(["name", "x"], &["name"]).push([Cell::Text("a"), Cell::Text("b")]);
    }

    #[test]
    #[should_panic(expected = "a row of 1 cells")]
    fn a_short_row_is_a_bug() {
        Table::new(["name", "x"], &["name"]).push([Cell::Text("a")]);
    }

    #[test]
    fn the_capability_table_holds_the_rows_a_sweep_streams() {
        let s = crate::scenario::Scenario::from_text(
            "t.toml",
            "t",
            "[time]\nstart = 2024\nend = 2026\nstep = 0.5\n[pretraining]\nparams = 1e12\ntokens = 2e13\n[rl]\nsteps = 1e4\n[inference]\ntokens = 1e3\n[[domain]]\nname = \"math\"\nverifiability = 0.9\nslope = 1\ndifficulty = 27\n[[domain]]\nname = \"writing\"\nverifiability = 0.1\nslope = 0.8\ndifficulty = 26\n",
        )
        .unwrap();
        let f = crate::forecast::forecast(&s).unwrap();
        let mut expected = CAPABILITY_COLUMNS.join(",") + "\n";
        for k in 0..f.levers.len() {
            for d in 0..f.domains.len() {
                expected.push_str(&capability_row(&f, k, d));
                expected.push('\n');
            }
        }
        assert_eq!(capabilities(&[&f]), expected);
        let t = capability_table(&[&f]);
        assert_eq!(t.len(), 5 * 2);
        let Values::Numbers(capability) = &t.columns[3].values else {
            panic!("capability is a number column")
        };
        assert_eq!(capability[3], f.terms[1][1].capability);
        let levers = lever_table(&[&f]);
        assert_eq!(levers.len(), 5);
        assert!(levers
            .csv()
            .starts_with(&(LEVER_COLUMNS.join(",") + "\nt,2024,1000000000000,")));
    }
}
