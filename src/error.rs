//! Errors a user can cause, located in their file: file, line, column, key path, what was
//! expected and what to do. Everything else is an `anyhow` error (exit code 1).

use std::fmt;
use std::ops::Range;

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line and column; 0 when the problem has no place in the file.
    pub line: usize,
    pub column: usize,
    /// The key path (`rl.steps.growth`, `domain.math.slope`); empty for syntax errors.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The offending line of the file, for display.
    pub snippet: Option<String>,
}

impl InputError {
    /// An error about `path` in `file`, placed at byte range `span` of `text` when known.
    pub fn new(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        path: &str,
        message: String,
    ) -> Self {
        let (line, column, snippet) = match span {
            Some(r) => {
                let (l, c) = line_col(text, r.start);
                (l, c, text.lines().nth(l - 1).map(str::to_string))
            }
            None => (0, 0, None),
        };
        InputError {
            file: file.to_string(),
            line,
            column,
            path: path.to_string(),
            message,
            hint: None,
            snippet,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.snippet {
            let gutter = self.line.to_string();
            write!(f, "\n {gutter} | {s}")?;
            let pad: String = s
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n {} | {pad}^", " ".repeat(gutter.len()))?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// One or more input errors; the process exits with code 2.
#[derive(Clone, Debug, PartialEq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

/// A usage error not tied to a file position (a bad flag value, a missing file): exit code 2.
pub fn usage(
    file: &str,
    path: &str,
    message: impl Into<String>,
    hint: Option<&str>,
) -> InputErrors {
    let mut e = InputError::new(file, "", None, path, message.into());
    e.hint = hint.map(str::to_string);
    e.into()
}

/// `n` and `thing`, plural unless `n` is 1: "1 domain", "6 domains".
pub fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Names in backticks, separated by commas: `` `a`, `b`, `c` ``.
pub fn listed<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidates closest to `word` by edit distance, best first (for "did you mean").
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .collect();
    scored.sort();
    let limit = (word.chars().count() / 2).max(3);
    scored
        .into_iter()
        .filter(|(d, _)| *d <= limit)
        .take(n)
        .map(|(_, c)| c)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }

    #[test]
    fn display_shows_place_path_and_caret() {
        let t = "[rl]\ntransfer = 1.5\n";
        let e = InputError::new(
            "s.toml",
            t,
            Some(16..19),
            "rl.transfer",
            "expected a number in [-1, 1], found 1.5".into(),
        )
        .with_hint("use a value between -1 and 1");
        let s = e.to_string();
        assert!(s.starts_with("s.toml:2:12: `rl.transfer`: expected"), "{s}");
        assert!(s.contains("2 | transfer = 1.5"));
        assert!(s.contains("hint: use a value"));
    }

    #[test]
    fn nearest_suggests_close_names() {
        assert_eq!(
            nearest("tranfser", ["transfer", "exponent", "max_gain"], 2),
            vec!["transfer"]
        );
        assert!(nearest("zzzzzzzz", ["transfer"], 2).is_empty());
    }
}
