//! Measurement tables for the fits: a small CSV reader (header row, one measurement per row,
//! `#` comments) whose bad cells are input errors naming the file, line, column and row.

use std::path::Path;

use crate::error::{nearest, usage, InputError, InputErrors};

/// What a column's values must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Finite and > 0.
    Positive,
    /// Finite and >= 0.
    NonNegative,
    /// Finite.
    Finite,
    /// In [0, 1].
    Unit,
    /// In (0, 1), strictly.
    OpenUnit,
}

impl Rule {
    pub fn admits(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Rule::Positive => x > 0.0,
                Rule::NonNegative => x >= 0.0,
                Rule::Finite => true,
                Rule::Unit => (0.0..=1.0).contains(&x),
                Rule::OpenUnit => x > 0.0 && x < 1.0,
            }
    }

    pub fn expected(self) -> &'static str {
        match self {
            Rule::Positive => "a positive number",
            Rule::NonNegative => "a number >= 0",
            Rule::Finite => "a finite number",
            Rule::Unit => "a number in [0, 1]",
            Rule::OpenUnit => "a number strictly between 0 and 1",
        }
    }
}

/// A CSV file read whole: its header and its records, with their places in the text.
#[derive(Clone, Debug)]
pub struct Table {
    pub file: String,
    text: String,
    pub headers: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl Table {
    /// Read `path`; an unreadable file is an input error.
    pub fn from_file(path: &Path) -> Result<Table, InputErrors> {
        let file = path.display().to_string().replace('\\', "/");
        let text = std::fs::read_to_string(path).map_err(|e| {
            usage(
                &file,
                "",
                format!("cannot read the data file: {e}"),
                Some("pass a CSV file with a header row"),
            )
        })?;
        Table::from_text(&file, &text)
    }

    /// Parse CSV `text` that came from `file` (used in error messages).
    pub fn from_text(file: &str, text: &str) -> Result<Table, InputErrors> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let syntax = |e: csv::Error| {
            let span = e.position().map(|p| p.byte() as usize..p.byte() as usize);
            InputErrors::from(
                InputError::new(file, text, span, "", format!("not valid CSV: {e}"))
                    .with_hint("every row needs as many comma-separated fields as the header"),
            )
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(syntax)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut records = Vec::new();
        for r in reader.records() {
            records.push(r.map_err(syntax)?);
        }
        if headers.iter().all(String::is_empty) {
            return Err(usage(
                file,
                "",
                "the file has no header row",
                Some("the first line names the columns, e.g. `params,tokens,loss`"),
            ));
        }
        Ok(Table {
            file: file.to_string(),
            text: text.to_string(),
            headers,
            records,
        })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The index of column `name`, which the user set with `--flag`.
    pub fn column(&self, name: &str, flag: &str) -> Result<usize, InputError> {
        if let Some(i) = self.headers.iter().position(|h| h == name) {
            return Ok(i);
        }
        let mut hint = match nearest(name, self.headers.iter().map(String::as_str), 1).first() {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        hint.push_str(&format!(
            "the columns are {}; name the column with `{flag} NAME`",
            self.headers
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        Err(InputError::new(
            &self.file,
            &self.text,
            Some(0..0),
            name,
            format!("no column `{name}` in the header"),
        )
        .with_hint(hint))
    }

    /// Column `col` as numbers obeying `rule`; every bad cell is an error naming its row.
    pub fn numbers(&self, col: usize, rule: Rule) -> Result<Vec<f64>, Vec<InputError>> {
        let name = &self.headers[col];
        let mut values = Vec::with_capacity(self.records.len());
        let mut errors = Vec::new();
        for (row, record) in self.records.iter().enumerate() {
            let cell = record.get(col).unwrap_or("");
            // `inf` and `NaN` parse, but no rule admits them.
            match cell.parse::<f64>().ok() {
                Some(x) if rule.admits(x) => values.push(x),
                _ => {
                    let found = if cell.is_empty() {
                        "an empty cell".to_string()
                    } else {
                        format!("`{cell}`")
                    };
                    errors.push(
                        InputError::new(
                            &self.file,
                            &self.text,
                            Some(self.cell_span(record, col)),
                            name,
                            format!(
                                "row {}: expected {}, found {found}",
                                row + 1,
                                rule.expected()
                            ),
                        )
                        .with_hint(format!(
                            "fix or remove row {} (rows count from 1 after the header)",
                            row + 1
                        )),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }

    /// The text of cell `col` in data row `row` (0-based; empty when the row is short).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.records[row].get(col).unwrap_or("")
    }

    /// An error about cell `col` of data row `row`, placed at the cell.
    pub fn cell_error(&self, row: usize, col: usize, message: impl Into<String>) -> InputError {
        InputError::new(
            &self.file,
            &self.text,
            Some(self.cell_span(&self.records[row], col)),
            &self.headers[col],
            format!("row {}: {}", row + 1, message.into()),
        )
        .with_hint(format!(
            "fix or remove row {} (rows count from 1 after the header)",
            row + 1
        ))
    }

    /// Byte span of a cell in the text (exact for unquoted cells; else the record's start).
    fn cell_span(&self, record: &csv::StringRecord, col: usize) -> std::ops::Range<usize> {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line_end = self.text[start.min(self.text.len())..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = &self.text[start.min(line_end)..line_end];
        // Walk the raw line's commas to the cell, skipping leading blanks.
        let mut offset = 0;
        for (i, field) in line.split(',').enumerate() {
            if i == col {
                let blank = field.len() - field.trim_start().len();
                return start + offset + blank..start + offset + field.len();
            }
            offset += field.len() + 1;
        }
        start..start
    }

    /// An error unless there are more rows than a fit has parameters.
    pub fn need_rows(&self, parameters: usize, what: &str) -> Result<(), InputErrors> {
        if self.records.len() > parameters {
            return Ok(());
        }
        Err(usage(
            &self.file,
            "",
            format!(
                "{} data row(s), but the {what} fit has {parameters} parameters and needs at least {}",
                self.records.len(),
                parameters + 1
            ),
            Some("add measurements: a fit needs more rows than parameters"),
        ))
    }
}

/// Read the named columns with their rules, collecting every error of every column.
pub fn columns(table: &Table, wanted: &[(&str, &str, Rule)]) -> Result<Vec<Vec<f64>>, InputErrors> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for &(name, flag, rule) in wanted {
        match table.column(name, flag) {
            Ok(c) => match table.numbers(c, rule) {
                Ok(v) => out.push(v),
                Err(e) => errors.extend(e),
            },
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = "params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n";

    #[test]
    fn reads_columns() {
        let t = Table::from_text("d.csv", DATA).unwrap();
        assert_eq!(t.len(), 2);
        let cols = columns(&t, &[("loss", "--loss", Rule::Positive)]).unwrap();
        assert_eq!(cols[0], vec![3.1, 2.9]);
    }

    #[test]
    fn missing_column_names_it_and_suggests() {
        let t = Table::from_text("d.csv", DATA).unwrap();
        let e = columns(&t, &[("los", "--loss", Rule::Positive)]).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("d.csv:1:1: `los`: no column `los`"), "{s}");
        assert!(s.contains("did you mean `loss`"), "{s}");
        assert!(s.contains("--loss NAME"), "{s}");
    }

    #[test]
    fn bad_cells_name_row_line_and_column() {
        let text = "params,tokens,loss\n1e8,2e9,3.1\n2e8, -4e9 ,NaN\n3e8,,2.0\n";
        let t = Table::from_text("d.csv", text).unwrap();
        let e = columns(
            &t,
            &[
                ("tokens", "--tokens", Rule::Positive),
                ("loss", "--loss", Rule::Positive),
            ],
        )
        .unwrap_err();
        let all: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(
            all[0].starts_with(
                "d.csv:3:6: `tokens`: row 2: expected a positive number, found `-4e9`"
            ),
            "{}",
            all[0]
        );
        assert!(
            all[1].starts_with(
                "d.csv:4:5: `tokens`: row 3: expected a positive number, found an empty cell"
            ),
            "{}",
            all[1]
        );
        assert!(
            all[2]
                .starts_with("d.csv:3:12: `loss`: row 2: expected a positive number, found `NaN`"),
            "{}",
            all[2]
        );
    }

    #[test]
    fn ragged_rows_and_too_few_rows_are_errors() {
        let e = Table::from_text("d.csv", "a,b\n1,2\n3\n").unwrap_err();
        assert!(e.to_string().contains("d.csv:3:"), "{e}");
        let t = Table::from_text("d.csv", DATA).unwrap();
        let e = t.need_rows(5, "pretraining").unwrap_err().to_string();
        assert!(e.contains("2 data row(s)"), "{e}");
        assert!(e.contains("5 parameters"), "{e}");
    }
}
