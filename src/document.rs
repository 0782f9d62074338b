//! A parsed TOML file as a small tree that remembers where each value came from, and the key-path
//! grammar (`rl.transfer`, `domain.math.slope`, `pretraining.params.points[1][1]`) over it.
//!
//! A file may name a base file (`[scenario] base = "base/present.toml"`) whose keys it inherits:
//! [`Document::load`] reads the chain of bases and merges them into one tree, each value
//! remembering the file it came from, so that errors point into the right file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{InputError, InputErrors};

/// A TOML value with its byte span in its source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub span: Option<Range<usize>>,
    /// Span of the key naming this value in its table, when it has one.
    pub key_span: Option<Range<usize>>,
    /// The file the value was read from: 0 for the document's own file, `i` for
    /// `Document::bases[i - 1]`.
    pub source: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Number(f64),
    /// Integers are kept apart so that huge ones are reported, not rounded silently.
    Integer(i64),
    Str(String),
    Bool(bool),
    /// A table, inline table or `[[array]]` element; keys in file order.
    Table(Vec<(String, Node)>),
    Array(Vec<Node>),
    Datetime,
}

impl Node {
    /// What this value is, for "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Number(x) => format!("{x}"),
            Kind::Integer(i) => format!("{i}"),
            Kind::Str(s) => format!("the string {s:?}"),
            Kind::Bool(b) => format!("{b}"),
            Kind::Table(_) => "a table".into(),
            Kind::Array(_) => "an array".into(),
            Kind::Datetime => "a date".into(),
        }
    }

    pub fn as_table(&self) -> Option<&[(String, Node)]> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_table()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The value as a number, if it is one (integers widen to f64).
    pub fn as_number(&self) -> Option<f64> {
        match self.kind {
            Kind::Number(x) => Some(x),
            Kind::Integer(i) => Some(i as f64),
            _ => None,
        }
    }
}

/// A file read into a [`Document`]: its name as the user gave it (or as resolved from the file
/// that named it as its base) and its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub file: String,
    pub text: String,
}

/// A parsed file: its name as the user gave it, its text and its tree, merged with the trees of
/// its bases.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: String,
    pub text: String,
    pub root: Node,
    /// The base files whose keys the tree inherits, nearest first.
    pub bases: Vec<Source>,
}

/// The deepest chain of base files one document may have.
pub const MAX_BASE_DEPTH: usize = 8;

impl Document {
    /// Parse TOML text; a syntax error is located at its line and column. A `[scenario] base`
    /// key is kept as it is (see [`Document::load`] for reading the base).
    pub fn parse(file: &str, text: &str) -> Result<Document, InputError> {
        let doc = toml_edit::ImDocument::parse(text).map_err(|e| {
            let msg = e.message().trim().to_string();
            InputError::new(file, text, e.span(), "", format!("invalid TOML: {msg}"))
                .with_hint("check the syntax at the marked place (quotes, brackets, `key = value`)")
        })?;
        let root = table_node(doc.as_table(), doc.as_table().span());
        Ok(Document {
            file: file.to_string(),
            text: text.to_string(),
            root,
            bases: Vec::new(),
        })
    }

    /// Parse TOML text and merge in the chain of base files it names (`[scenario] base`, a path
    /// relative to the folder of `file`); the `base` key itself is removed from the tree.
    ///
    /// Merging: the file's tables merge into the base's key by key, so `compute = { growth = 4.0 }`
    /// keeps the base's `start`; any other value replaces the base's, and so does a table that is a
    /// distribution (has `dist`) or a `points` trajectory, on either side. `[[domain]]` tables
    /// merge into the base's domain of the same `name` (others are added after the base's);
    /// `[[milestone]]`, `[[correlation]]` and `[[observation]]` tables are added after the base's.
    pub fn load(file: &str, text: &str) -> Result<Document, InputErrors> {
        let mut chain = vec![canonical(Path::new(file))];
        Document::load_chain(file, text, &mut chain)
    }

    fn load_chain(
        file: &str,
        text: &str,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Document, InputErrors> {
        let mut doc = Document::parse(file, text)?;
        let Some(base_node) = take_base(&mut doc.root) else {
            return Ok(doc);
        };
        let base_error = |message: String, hint: &str| -> InputErrors {
            InputError::new(file, text, base_node.span.clone(), "scenario.base", message)
                .with_hint(hint)
                .into()
        };
        let Kind::Str(name) = &base_node.kind else {
            return Err(base_error(
                format!("expected a file name, found {}", base_node.describe()),
                "name the base file as a string, relative to this file's folder: base = \"base/present.toml\"",
            ));
        };
        let folder = Path::new(file).parent().unwrap_or(Path::new(""));
        let path = folder.join(name);
        let shown = path.display().to_string();
        if chain.len() > MAX_BASE_DEPTH {
            return Err(base_error(
                format!("more than {MAX_BASE_DEPTH} base files in a chain"),
                "let the base file name no base of its own, or fewer",
            ));
        }
        if chain.contains(&canonical(&path)) {
            return Err(base_error(
                format!("`{shown}` is already in this chain of base files (a cycle)"),
                "a base file must not name, directly or through its own base, the file that names it",
            ));
        }
        if path.is_dir() {
            return Err(base_error(
                format!("`{shown}` is a folder, expected a scenario file"),
                "name one .toml file",
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            base_error(
                format!("cannot read the base file `{shown}`: {e}"),
                "the path is relative to the folder of the file that names it",
            )
        })?;
        let base_text = String::from_utf8(bytes).map_err(|_| {
            base_error(
                format!("`{shown}` is not valid UTF-8"),
                "save it as UTF-8 text",
            )
        })?;
        chain.push(canonical(&path));
        let base = Document::load_chain(&shown, &base_text, chain)?;
        chain.pop();
        // Sources: this file (0), then its base (1), then the base's own bases.
        let mut own = std::mem::replace(&mut doc.root, empty_table());
        shift_sources(&mut own, 0);
        let mut inherited = base.root;
        shift_sources(&mut inherited, 1);
        // A file's name and description are its own.
        if let Some(Kind::Table(keys)) = table_mut(&mut inherited, "scenario").map(|n| &mut n.kind)
        {
            keys.retain(|(k, _)| k != "name" && k != "description");
        }
        doc.root = merge_root(inherited, own);
        doc.bases.push(Source {
            file: base.file,
            text: base.text,
        });
        doc.bases.extend(base.bases);
        Ok(doc)
    }

    /// The name and text of source `i` (0: this file).
    pub fn source(&self, i: usize) -> (&str, &str) {
        match i.checked_sub(1).and_then(|j| self.bases.get(j)) {
            Some(b) => (&b.file, &b.text),
            None => (&self.file, &self.text),
        }
    }

    /// Every file the tree was read from, this file first.
    pub fn sources(&self) -> Vec<(&str, &str)> {
        (0..=self.bases.len()).map(|i| self.source(i)).collect()
    }

    /// The paths of [`Document::sources`]: this file, then its base files, nearest first (a base
    /// file's name is its path as it was read).
    pub fn files(&self) -> Vec<PathBuf> {
        self.sources()
            .into_iter()
            .map(|(file, _)| PathBuf::from(file))
            .collect()
    }

    /// An error about key path `path`, placed at the deepest part of the path present in the
    /// tree, in the file that part came from.
    pub fn error(&self, path: &str, message: impl Into<String>) -> InputError {
        self.located(path, message.into(), false)
    }

    /// Like [`Document::error`], placed at the key rather than its value (for unknown keys).
    pub fn key_error(&self, path: &str, message: impl Into<String>) -> InputError {
        self.located(path, message.into(), true)
    }

    fn located(&self, path: &str, message: String, at_key: bool) -> InputError {
        let (source, span) = match locate_in(&self.root, path, at_key) {
            Some((source, span)) => (source, Some(span)),
            None => (0, None),
        };
        let (file, text) = self.source(source);
        InputError::new(file, text, span, path, message)
    }
}

/// The path as the file system resolves it, for spotting cycles (the path itself if it does
/// not exist yet: that is reported when it is read).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn empty_table() -> Node {
    Node {
        kind: Kind::Table(Vec::new()),
        span: None,
        key_span: None,
        source: 0,
    }
}

fn table_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    let Kind::Table(entries) = &mut node.kind else {
        return None;
    };
    entries.iter_mut().find(|(k, _)| k == key).map(|(_, n)| n)
}

/// Remove `[scenario] base` from the tree, returning its value.
fn take_base(root: &mut Node) -> Option<Node> {
    let scenario = table_mut(root, "scenario")?;
    let Kind::Table(keys) = &mut scenario.kind else {
        return None;
    };
    let at = keys.iter().position(|(k, _)| k == "base")?;
    Some(keys.remove(at).1)
}

fn shift_sources(node: &mut Node, by: usize) {
    node.source += by;
    match &mut node.kind {
        Kind::Table(entries) => entries.iter_mut().for_each(|(_, n)| shift_sources(n, by)),
        Kind::Array(items) => items.iter_mut().for_each(|n| shift_sources(n, by)),
        _ => {}
    }
}

/// Whether a table is one value that replaces rather than merges: a distribution or a `points`
/// trajectory.
fn is_whole(node: &Node) -> bool {
    node.get("dist").is_some() || node.get("points").is_some()
}

/// `own` merged into `inherited` at the top level: tables key by key, arrays of tables by their
/// own rules.
fn merge_root(inherited: Node, own: Node) -> Node {
    let (Kind::Table(base), Kind::Table(mine)) = (inherited.kind, own.kind) else {
        unreachable!("a parsed document is a table");
    };
    let mut entries = base;
    for (key, node) in mine {
        match entries.iter().position(|(k, _)| *k == key) {
            None => entries.push((key, node)),
            Some(i) => {
                let old = std::mem::replace(&mut entries[i].1, empty_table());
                entries[i].1 = match key.as_str() {
                    "domain" => merge_named(old, node),
                    "milestone" | "correlation" | "observation" => append(old, node),
                    _ => merge(old, node),
                };
            }
        }
    }
    Node {
        kind: Kind::Table(entries),
        span: own.span,
        key_span: None,
        source: 0,
    }
}

/// `own` over `inherited`: tables merge key by key unless either is whole; anything else
/// replaces.
fn merge(inherited: Node, own: Node) -> Node {
    let both_tables = inherited.as_table().is_some() && own.as_table().is_some();
    if !both_tables || is_whole(&inherited) || is_whole(&own) {
        return own;
    }
    let (Kind::Table(mut entries), Kind::Table(mine)) = (inherited.kind, own.kind) else {
        unreachable!("checked above");
    };
    for (key, node) in mine {
        match entries.iter().position(|(k, _)| *k == key) {
            None => entries.push((key, node)),
            Some(i) => {
                let old = std::mem::replace(&mut entries[i].1, empty_table());
                entries[i].1 = merge(old, node);
            }
        }
    }
    Node {
        kind: Kind::Table(entries),
        span: own.span,
        key_span: own.key_span,
        source: own.source,
    }
}

fn name_of(node: &Node) -> Option<&str> {
    match &node.get("name")?.kind {
        Kind::Str(s) => Some(s),
        _ => None,
    }
}

/// Arrays of `[[domain]]` tables: an own table merges into the inherited one of the same name.
fn merge_named(inherited: Node, own: Node) -> Node {
    let (Kind::Array(mut items), Kind::Array(mine)) = (inherited.kind.clone(), own.kind.clone())
    else {
        return own;
    };
    for node in mine {
        let same = name_of(&node).and_then(|n| items.iter().position(|i| name_of(i) == Some(n)));
        match same {
            Some(i) => {
                let old = std::mem::replace(&mut items[i], empty_table());
                items[i] = merge(old, node);
            }
            None => items.push(node),
        }
    }
    Node {
        kind: Kind::Array(items),
        span: own.span,
        key_span: own.key_span,
        source: own.source,
    }
}

/// Arrays of tables that add up: the inherited ones first.
fn append(inherited: Node, own: Node) -> Node {
    let (Kind::Array(mut items), Kind::Array(mine)) = (inherited.kind.clone(), own.kind.clone())
    else {
        return own;
    };
    items.extend(mine);
    Node {
        kind: Kind::Array(items),
        span: own.span,
        key_span: own.key_span,
        source: own.source,
    }
}

fn table_node(t: &dyn toml_edit::TableLike, span: Option<Range<usize>>) -> Node {
    let entries = t
        .iter()
        .map(|(k, v)| {
            let mut node = item_node(v);
            node.key_span = t.key(k).and_then(|key| key.span());
            (k.to_string(), node)
        })
        .collect();
    Node {
        kind: Kind::Table(entries),
        span,
        key_span: None,
        source: 0,
    }
}

fn item_node(item: &toml_edit::Item) -> Node {
    match item {
        toml_edit::Item::Value(v) => value_node(v),
        toml_edit::Item::Table(t) => table_node(t, t.span()),
        toml_edit::Item::ArrayOfTables(a) => Node {
            kind: Kind::Array(a.iter().map(|t| table_node(t, t.span())).collect()),
            span: a.span(),
            key_span: None,
            source: 0,
        },
        toml_edit::Item::None => Node {
            kind: Kind::Table(vec![]),
            span: None,
            key_span: None,
            source: 0,
        },
    }
}

fn value_node(v: &toml_edit::Value) -> Node {
    use toml_edit::Value as V;
    let kind = match v {
        V::Float(f) => Kind::Number(*f.value()),
        V::Integer(i) => Kind::Integer(*i.value()),
        V::String(s) => Kind::Str(s.value().clone()),
        V::Boolean(b) => Kind::Bool(*b.value()),
        V::Datetime(_) => Kind::Datetime,
        V::Array(a) => Kind::Array(a.iter().map(value_node).collect()),
        V::InlineTable(t) => return table_node(t, t.span()),
    };
    Node {
        kind,
        span: v.span(),
        key_span: None,
        source: 0,
    }
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Split `a.b[1][0].c` into segments; `None` if it is not a well-formed path.
pub fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return None;
        }
        out.push(Segment::Key(name.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            out.push(Segment::Index(rest.get(1..close)?.parse().ok()?));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

/// Span of the deepest part of `path` present in the tree (of its key when `at_key` and the whole
/// path is present). Arrays of tables whose elements have a `name` (domains) are entered by name:
/// `domain.math.slope`.
pub fn locate(root: &Node, path: &str, at_key: bool) -> Option<Range<usize>> {
    locate_in(root, path, at_key).map(|(_, span)| span)
}

/// Like [`locate`], with the source file the span lies in.
pub fn locate_in(root: &Node, path: &str, at_key: bool) -> Option<(usize, Range<usize>)> {
    let segments = parse_path(path)?;
    let mut node = root;
    let mut best = None;
    for seg in &segments {
        let next = match (seg, &node.kind) {
            (Segment::Key(k), Kind::Table(_)) => node.get(k),
            (Segment::Key(k), Kind::Array(items)) => items
                .iter()
                .find(|n| matches!(n.get("name").map(|v| &v.kind), Some(Kind::Str(s)) if s == k)),
            (Segment::Index(i), Kind::Array(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                if let Some(span) = &n.span {
                    best = Some((n.source, span.clone()));
                }
            }
            None => return best,
        }
    }
    if let (true, Some(span)) = (at_key, &node.key_span) {
        return Some((node.source, span.clone()));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write `files` (name, text) into a fresh folder and load the first.
    fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Document, InputErrors>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let top = dir.path().join(files[0].0);
        let text = files[0].1;
        let doc = Document::load(&top.display().to_string(), text);
        (dir, doc)
    }

    fn number_at(doc: &Document, path: &str) -> Option<f64> {
        let mut node = &doc.root;
        for seg in parse_path(path)? {
            node = match (seg, &node.kind) {
                (Segment::Key(k), Kind::Table(_)) => node.get(&k)?,
                (Segment::Key(k), Kind::Array(items)) => {
                    items.iter().find(|n| name_of(n) == Some(k.as_str()))?
                }
                (Segment::Index(i), Kind::Array(items)) => items.get(i)?,
                _ => return None,
            };
        }
        node.as_number()
    }

    const BASE: &str = r#"
[scenario]
name = "present"
description = "the base"
[pretraining]
compute = { start = 2e25, growth = 2.0 }
[rl]
transfer = { dist = "uniform", low = 0.0, high = 0.1 }
steps = { points = [[2024, 1.0], [2030, 1e6]] }
[[domain]]
name = "math"
verifiability = 0.95
slope = 1.0
difficulty = 28.3
[[domain]]
name = "writing"
verifiability = 0.1
slope = 0.8
difficulty = 26.5
[[milestone]]
domain = "math"
threshold = 0.9
"#;

    #[test]
    fn a_file_inherits_its_base_and_overrides_key_by_key() {
        let top = r#"
[scenario]
base = "base/present.toml"
[pretraining]
compute = { growth = 4.0 }
[rl]
transfer = { dist = "normal", mean = 0.3, sd = 0.1, min = -1.0, max = 1.0 }
steps = { start = 1e4 }
[[domain]]
name = "writing"
slope = 0.9
[[domain]]
name = "code"
verifiability = 0.9
slope = 1.0
difficulty = 27.8
[[milestone]]
domain = "code"
threshold = 0.5
"#;
        let (_dir, doc) = load(&[("a.toml", top), ("base/present.toml", BASE)]);
        let doc = doc.unwrap();
        // Inline tables merge: the base's start, the file's growth.
        assert_eq!(number_at(&doc, "pretraining.compute.start"), Some(2e25));
        assert_eq!(number_at(&doc, "pretraining.compute.growth"), Some(4.0));
        // A distribution replaces the base's whole: no `low` or `high` left over.
        assert_eq!(number_at(&doc, "rl.transfer.mean"), Some(0.3));
        assert_eq!(number_at(&doc, "rl.transfer.low"), None);
        // A points trajectory on either side is replaced whole.
        assert_eq!(number_at(&doc, "rl.steps.start"), Some(1e4));
        assert!(doc
            .root
            .get("rl")
            .unwrap()
            .get("steps")
            .unwrap()
            .get("points")
            .is_none());
        // Domains merge by name; new ones come after the base's.
        assert_eq!(number_at(&doc, "domain.writing.slope"), Some(0.9));
        assert_eq!(number_at(&doc, "domain.writing.difficulty"), Some(26.5));
        let names: Vec<_> = match &doc.root.get("domain").unwrap().kind {
            Kind::Array(items) => items.iter().filter_map(name_of).collect(),
            _ => panic!("domains are an array"),
        };
        assert_eq!(names, ["math", "writing", "code"]);
        // Milestones add up.
        match &doc.root.get("milestone").unwrap().kind {
            Kind::Array(items) => assert_eq!(items.len(), 2),
            _ => panic!("milestones are an array"),
        }
        // The base's name and description are its own; `base` itself is gone.
        let meta = doc.root.get("scenario").unwrap();
        assert!(meta.get("name").is_none() && meta.get("description").is_none());
        assert!(meta.get("base").is_none());
        assert_eq!(doc.bases.len(), 1);
        assert!(doc.bases[0].file.ends_with("present.toml"));
    }

    #[test]
    fn errors_point_into_the_file_the_value_came_from() {
        let top = "[scenario]\nbase = \"base/present.toml\"\n\n[rl]\nmidpoint_steps = 5\n";
        let (_dir, doc) = load(&[("a.toml", top), ("base/present.toml", BASE)]);
        let doc = doc.unwrap();
        let e = doc.error("domain.writing.slope", "bad");
        assert!(e.file.ends_with("present.toml"), "{e}");
        assert_eq!((e.line, e.column), (18, 9));
        assert_eq!(e.snippet.as_deref(), Some("slope = 0.8"));
        let e = doc.error("rl.midpoint_steps", "bad");
        assert!(e.file.ends_with("a.toml"), "{e}");
        assert_eq!(e.line, 5);
        let e = doc.key_error("pretraining.compute", "bad");
        assert!(e.file.ends_with("present.toml"), "{e}");
    }

    #[test]
    fn a_chain_of_bases_is_read_nearest_first() {
        let top = "[scenario]\nbase = \"mid.toml\"\n";
        let mid =
            "[scenario]\nbase = \"base/present.toml\"\n[pretraining]\ncompute = { growth = 3.0 }\n";
        let (_dir, doc) = load(&[
            ("a.toml", top),
            ("mid.toml", mid),
            ("base/present.toml", BASE),
        ]);
        let doc = doc.unwrap();
        assert_eq!(doc.bases.len(), 2);
        assert!(doc.bases[0].file.ends_with("mid.toml"));
        assert!(doc.bases[1].file.ends_with("present.toml"));
        assert_eq!(number_at(&doc, "pretraining.compute.growth"), Some(3.0));
        let e = doc.error("domain.math.slope", "bad");
        assert!(e.file.ends_with("present.toml"), "{e}");
        let e = doc.error("pretraining.compute.growth", "bad");
        assert!(e.file.ends_with("mid.toml"), "{e}");
    }

    #[test]
    fn bad_bases_are_located_errors() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("a.toml", "[scenario]\nbase = \"none.toml\"\n")],
                "cannot read the base file",
            ),
            (
                &[("a.toml", "[scenario]\nbase = 3\n")],
                "expected a file name",
            ),
            (&[("a.toml", "[scenario]\nbase = \"a.toml\"\n")], "a cycle"),
            (
                &[
                    ("a.toml", "[scenario]\nbase = \"b.toml\"\n"),
                    ("b.toml", "[scenario]\nbase = \"a.toml\"\n"),
                ],
                "a cycle",
            ),
            (
                &[("a.toml", "[scenario]\nbase = \"d\"\n"), ("d/x.toml", "")],
                "is a folder",
            ),
            (
                &[
                    ("a.toml", "[scenario]\nbase = \"b.toml\"\n"),
                    ("b.toml", "[rl\n"),
                ],
                "invalid TOML",
            ),
        ];
        for (files, want) in cases {
            let (_dir, doc) = load(files);
            let e = doc.expect_err(want);
            assert!(e.to_string().contains(want), "{e}");
            assert!(e.0[0].line > 0, "{e}");
        }
        // Too deep a chain.
        let files: Vec<(String, String)> = (0..=MAX_BASE_DEPTH + 1)
            .map(|i| {
                (
                    format!("f{i}.toml"),
                    format!("[scenario]\nbase = \"f{}.toml\"\n", i + 1),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (_dir, doc) = load(&refs);
        assert!(doc
            .unwrap_err()
            .to_string()
            .contains("base files in a chain"));
    }
}

// =============================================================================================
// Editing a tree and writing it back as TOML
//
// A tree edited by key path ([`set_value`]) is written as a self-contained TOML file by
// [`to_toml`]: top-level tables become `[sections]`, top-level arrays of tables `[[sections]]`,
// everything deeper inline, top-level values first (as TOML requires). Comments and layout are
// not kept; values are: strings are quoted by toml_edit and floats are written so that they read
// back to the same f64 ([`float_text`]).

/// Put `value` at key path `path` in `root`, creating the tables on the way that are missing.
/// Arrays of named tables are entered by name (`domain.math.slope`), other arrays by index.
pub fn set_value(root: &mut Node, path: &str, value: Kind) -> Result<(), String> {
    let segments = parse_path(path).ok_or_else(|| format!("`{path}` is not a key path"))?;
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match (seg, &mut node.kind) {
            (Segment::Key(k), Kind::Table(entries)) => {
                let at = match entries.iter().position(|(key, _)| key == k) {
                    Some(at) => at,
                    None => {
                        entries.push((k.clone(), new_node(Kind::Table(Vec::new()))));
                        entries.len() - 1
                    }
                };
                &mut entries[at].1
            }
            (Segment::Key(k), Kind::Array(items)) => items
                .iter_mut()
                .find(|n| matches!(n.get("name").map(|v| &v.kind), Some(Kind::Str(s)) if s == k))
                .ok_or_else(|| format!("`{path}`: no table named {k:?}"))?,
            (Segment::Index(at), Kind::Array(items)) => {
                let len = items.len();
                items
                    .get_mut(*at)
                    .ok_or_else(|| format!("`{path}`: index {at} is past the {len} items"))?
            }
            _ => {
                return Err(format!(
                    "`{path}`: a part of the path is not a table or array"
                ))
            }
        };
        if last {
            *node = new_node(value);
            return Ok(());
        }
    }
    Err(format!("`{path}` is empty"))
}

/// The node at key path `path`, if the tree has it (entered as [`set_value`] enters it).
pub fn get_path<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    let mut node = root;
    for seg in parse_path(path)? {
        node = match (seg, &node.kind) {
            (Segment::Key(k), Kind::Table(_)) => node.get(&k)?,
            (Segment::Key(k), Kind::Array(items)) => items.iter().find(
                |n| matches!(n.get("name").map(|v| &v.kind), Some(Kind::Str(s)) if *s == k),
            )?,
            (Segment::Index(i), Kind::Array(items)) => items.get(i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn new_node(kind: Kind) -> Node {
    Node {
        kind,
        span: None,
        key_span: None,
        source: 0,
    }
}

/// The tree as TOML text. A date cannot be written (no scenario key holds one).
pub fn to_toml(root: &Node) -> Result<String, String> {
    let entries = root.as_table().ok_or("the root is not a table")?;
    let mut doc = toml_edit::DocumentMut::new();
    for (key, node) in entries {
        let item = match &node.kind {
            Kind::Table(inner) => {
                let mut table = toml_edit::Table::new();
                for (k, v) in inner {
                    table.insert(k, toml_edit::Item::Value(toml_value(v)?));
                }
                toml_edit::Item::Table(table)
            }
            Kind::Array(items)
                if !items.is_empty() && items.iter().all(|n| n.as_table().is_some()) =>
            {
                let mut array = toml_edit::ArrayOfTables::new();
                for n in items {
                    let mut table = toml_edit::Table::new();
                    for (k, v) in n.as_table().unwrap_or_default() {
                        table.insert(k, toml_edit::Item::Value(toml_value(v)?));
                    }
                    array.push(table);
                }
                toml_edit::Item::ArrayOfTables(array)
            }
            _ => toml_edit::Item::Value(toml_value(node)?),
        };
        doc.insert(key, item);
    }
    Ok(doc.to_string())
}

fn toml_value(node: &Node) -> Result<toml_edit::Value, String> {
    Ok(match &node.kind {
        Kind::Number(x) => float_text(*x)
            .parse::<toml_edit::Value>()
            .map_err(|e| format!("cannot write the number {x}: {e}"))?,
        Kind::Integer(i) => toml_edit::Value::from(*i),
        Kind::Str(s) => toml_edit::Value::from(s.as_str()),
        Kind::Bool(b) => toml_edit::Value::from(*b),
        Kind::Table(entries) => {
            let mut table = toml_edit::InlineTable::new();
            for (k, v) in entries {
                table.insert(k, toml_value(v)?);
            }
            toml_edit::Value::InlineTable(table)
        }
        Kind::Array(items) => {
            let mut array = toml_edit::Array::new();
            for n in items {
                array.push(toml_value(n)?);
            }
            toml_edit::Value::Array(array)
        }
        Kind::Datetime => return Err("a date cannot be written back".into()),
    })
}

/// A float as TOML text that reads back to the same f64: plain decimals from 1e-4 to 1e6 (always
/// with a `.`, so it stays a float), the shortest scientific form outside (`1.8e12`), `inf`,
/// `-inf` and `nan`.
pub fn float_text(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let a = x.abs();
    if a == 0.0 || (1e-4..1e6).contains(&a) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            s + ".0"
        }
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod writer_tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(n: &Node) -> Kind {
        match &n.kind {
            Kind::Table(e) => Kind::Table(
                e.iter()
                    .map(|(k, v)| (k.clone(), new_node(kinds(v))))
                    .collect(),
            ),
            Kind::Array(items) => Kind::Array(items.iter().map(|v| new_node(kinds(v))).collect()),
            other => other.clone(),
        }
    }

    fn round_trip(text: &str) -> (Kind, Kind, String) {
        let doc = Document::parse("t.toml", text).unwrap();
        let written = to_toml(&doc.root).unwrap();
        let back = Document::parse("w.toml", &written).unwrap();
        (kinds(&doc.root), kinds(&back.root), written)
    }

    #[test]
    fn floats_are_written_to_read_back_exactly() {
        for (x, text) in [
            (1.8e12, "1.8e12"),
            (0.1, "0.1"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1000.0, "1000.0"),
            (2024.25, "2024.25"),
            (1e7, "1e7"),
            (13e12, "1.3e13"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e-7, "1e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e308"),
        ] {
            assert_eq!(float_text(x), text);
            let doc = Document::parse("t", &format!("x = {text}\n")).unwrap();
            let got = doc.root.get("x").and_then(Node::as_number).unwrap();
            assert_eq!(got.to_bits(), x.to_bits(), "{text}");
        }
        assert_eq!(float_text(f64::NAN), "nan");
    }

    #[test]
    fn a_scenario_tree_is_written_back_with_the_same_values() {
        let text = r#"
top = "a \"quoted\" name\nwith a new line and é"
[scenario]
name = "x"
[pretraining]
params = 1.8e12
tokens = 13000000000000
law = { E = 1.0, A = 2.0, B = 3.0, alpha = 0.3, beta = 0.4 }
[rl]
steps = { points = [[2024, 1e3], [2030, 1e6]] }
transfer = { dist = "uniform", low = 0.0, high = 0.1 }
[inference.ceiling]
base = inf
[[domain]]
name = "math"
slope = 1.0
[[domain]]
name = "writing"
slope = 0.8
empty = []
"#;
        let (before, after, written) = round_trip(text);
        assert_eq!(before, after, "{written}");
        assert!(written.contains("[[domain]]"), "{written}");
        assert!(written.contains("params = 1.8e12"), "{written}");
        assert!(written.contains("tokens = 13000000000000"), "{written}");
    }

    #[test]
    fn set_value_edits_by_key_path_and_creates_missing_tables() {
        let mut doc = Document::parse(
            "t",
            "[rl]\ntransfer = { dist = \"uniform\", low = 0.0, high = 0.1 }\nsteps = { points = [[2024, 1e3], [2030, 1e6]] }\n[[domain]]\nname = \"math\"\nslope = 1.0\n",
        )
        .unwrap();
        let root = &mut doc.root;
        set_value(root, "rl.transfer", Kind::Number(0.2)).unwrap();
        set_value(root, "rl.steps.points[1][1]", Kind::Number(5e5)).unwrap();
        set_value(root, "domain.math.slope", Kind::Number(1.5)).unwrap();
        set_value(root, "inference.ceiling.base", Kind::Number(f64::INFINITY)).unwrap();
        let back = Document::parse("w", &to_toml(root).unwrap()).unwrap();
        let at = |p: &str| get_path(&back.root, p).and_then(Node::as_number).unwrap();
        assert_eq!(at("rl.transfer"), 0.2);
        assert_eq!(at("rl.steps.points[1][1]"), 5e5);
        assert_eq!(at("rl.steps.points[0][1]"), 1e3);
        assert_eq!(at("domain.math.slope"), 1.5);
        assert_eq!(at("inference.ceiling.base"), f64::INFINITY);
        assert!(set_value(root, "domain.nope.slope", Kind::Number(1.0)).is_err());
        assert!(set_value(root, "rl.steps.points[7][1]", Kind::Number(1.0)).is_err());
        assert!(set_value(root, "domain.math.name.x", Kind::Number(1.0)).is_err());
        assert!(set_value(root, "a..b", Kind::Number(1.0)).is_err());
        assert!(get_path(&back.root, "rl.nope").is_none());
        assert!(get_path(&back.root, "domain.math.slope.x").is_none());
    }

    fn leaf() -> impl Strategy<Value = Kind> {
        prop_oneof![
            any::<f64>().prop_map(Kind::Number),
            any::<i64>().prop_map(Kind::Integer),
            any::<String>().prop_map(Kind::Str),
            any::<bool>().prop_map(Kind::Bool),
        ]
    }

    fn value() -> impl Strategy<Value = Kind> {
        leaf().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| Kind::Array(v.into_iter().map(new_node).collect())),
                prop::collection::btree_map("[a-z_][a-z0-9_-]{0,6}", inner, 0..4).prop_map(|m| {
                    Kind::Table(m.into_iter().map(|(k, v)| (k, new_node(v))).collect())
                }),
            ]
        })
    }

    proptest! {
        /// Any tree of the shapes a scenario has reads back with the same values (NaN aside,
        /// which is never equal to itself).
        #[test]
        fn written_trees_read_back_the_same(
            tree in prop::collection::btree_map("[a-z_][a-z0-9_-]{0,6}", value(), 0..5)
        ) {
            let root = new_node(Kind::Table(
                tree.into_iter().map(|(k, v)| (k, new_node(v))).collect(),
            ));
            let text = to_toml(&root).unwrap();
            let back = Document::parse("w", &text).unwrap();
            // Top-level values are written before the tables; everything else keeps its order.
            let sorted = |n: &Node| match kinds(n) {
                Kind::Table(mut e) => {
                    e.sort_by(|a, b| a.0.cmp(&b.0));
                    format!("{e:?}")
                }
                other => format!("{other:?}"),
            };
            let same = sorted(&root) == sorted(&back.root);
            prop_assert!(same || text.contains("nan"), "{}", text);
        }
    }
}
