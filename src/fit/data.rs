//! Measurement tables for the fits: a small CSV reader (header row, one measurement per row,
//! `#` comments) whose bad cells are input errors naming the file, line, column and row. The
//! observations build of [`crate::data`] reads its source files with it too.

use std::path::Path;

use crate::error::{listed, nearest, usage, InputError, InputErrors};

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
        self.position(name).ok_or_else(|| {
            self.missing_column(name, &format!("name the column with `{flag} NAME`"))
        })
    }

    /// The index of column `name`, if the header has it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The header closest to `name`: by edit distance when one is close, else the shortest
    /// header containing `name` or contained in it (ignoring case), if any.
    pub fn nearest_header(&self, name: &str) -> Option<&str> {
        let headers = || self.headers.iter().map(String::as_str);
        if let Some(near) = nearest(name, headers(), 1).first() {
            return Some(near);
        }
        let (low, name) = (|s: &str| s.to_lowercase(), name.to_lowercase());
        headers()
            .filter(|h| !h.is_empty() && (low(h).contains(&name) || name.contains(&low(h))))
            .min_by_key(|h| (h.len(), *h))
    }

    /// The error for a column `name` the header lacks, placed at the header, with the nearest
    /// header, the list of columns and `what_to_do`.
    pub fn missing_column(&self, name: &str, what_to_do: &str) -> InputError {
        let mut hint = match self.nearest_header(name) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        hint.push_str(&format!(
            "the columns are {}; {what_to_do}",
            listed(&self.headers)
        ));
        InputError::new(
            &self.file,
            &self.text,
            Some(0..0),
            name,
            format!("no column `{name}` in the header"),
        )
        .with_hint(hint)
    }

    /// The cell of data row `row` (from 0) in column `col`, trimmed; empty when the row is short.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.records[row].get(col).unwrap_or("")
    }

    /// An error about the cell of data row `row` (from 0) in column `col`, placed at the cell,
    /// with the column's name as its path and the row number (from 1) before `message`.
    pub fn cell_error(&self, row: usize, col: usize, message: &str) -> InputError {
        InputError::new(
            &self.file,
            &self.text,
            Some(self.cell_span(&self.records[row], col)),
            self.headers.get(col).map_or("", String::as_str),
            format!("row {}: {message}", row + 1),
        )
    }

    /// Column `col` as numbers obeying `rule`; every bad cell is an error naming its row.
    pub fn numbers(&self, col: usize, rule: Rule) -> Result<Vec<f64>, Vec<InputError>> {
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
                        self.cell_error(
                            row,
                            col,
                            &format!("expected {}, found {found}", rule.expected()),
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

    /// Byte span of a cell in the text, leading blanks skipped (the record's start when the
    /// record has no such cell). Commas and line ends inside double quotes do not end a cell;
    /// lines may end in LF or CRLF.
    fn cell_span(&self, record: &csv::StringRecord, col: usize) -> std::ops::Range<usize> {
        let bytes = self.text.as_bytes();
        // After a CRLF line end the reader places the record at its `\n`: skip line ends.
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(self.text.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let (mut field, mut field_start, mut quoted) = (0, start, false);
        let mut end = start;
        while end < bytes.len() {
            match bytes[end] {
                b'"' => quoted = !quoted,
                b',' if !quoted => {
                    if field == col {
                        break;
                    }
                    field += 1;
                    field_start = end + 1;
                }
                b'\n' | b'\r' if !quoted => break,
                _ => {}
            }
            end += 1;
        }
        if field < col {
            return start..start;
        }
        let cell = &self.text[field_start..end];
        field_start + cell.len() - cell.trim_start().len()..end
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
    fn nearest_header_tries_edit_distance_then_containment() {
        let t = Table::from_text(
            "d.csv",
            "Model version,Percent correct,Percent using correct edit format\n",
        )
        .unwrap();
        assert_eq!(t.nearest_header("Percent corect"), Some("Percent correct"));
        assert_eq!(t.nearest_header("percent"), Some("Percent correct"));
        assert_eq!(
            t.nearest_header("Model version (id)"),
            Some("Model version")
        );
        assert_eq!(t.nearest_header("score"), None);
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
    fn cells_after_quoted_commas_and_line_ends_are_placed() {
        let text = "name,note,score\n\"a, b\",\"two\nlines, here\", x\nc,d,0.5\n";
        let t = Table::from_text("d.csv", text).unwrap();
        assert_eq!(t.cell(0, 0), "a, b");
        let e = t.numbers(2, Rule::Unit).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].to_string()
                .starts_with("d.csv:3:15: `score`: row 1: expected a number in [0, 1], found `x`"),
            "{}",
            e[0]
        );
        let e = t.cell_error(1, 1, "bad note").to_string();
        assert!(e.starts_with("d.csv:4:3: `note`: row 2: bad note"), "{e}");
    }

    #[test]
    fn cells_of_crlf_files_are_placed() {
        let text = "a,b\r\n1,\"x\ny\"\r\n2,z\r\n";
        let t = Table::from_text("d.csv", text).unwrap();
        let e = t.numbers(1, Rule::Finite).unwrap_err();
        assert!(
            e[0].to_string().starts_with("d.csv:2:3: `b`: row 1:"),
            "{}",
            e[0]
        );
        assert!(
            e[1].to_string().starts_with("d.csv:4:3: `b`: row 2:"),
            "{}",
            e[1]
        );
        let e = t.numbers(0, Rule::Unit).unwrap_err();
        assert!(
            e[0].to_string().starts_with("d.csv:4:1: `a`: row 2:"),
            "{}",
            e[0]
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
