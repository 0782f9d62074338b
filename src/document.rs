//! A parsed TOML file as a small tree that remembers where each value came from, and the key-path
//! grammar (`rl.transfer`, `domain.math.slope`, `pretraining.params.points[1][1]`) over it.

use std::ops::Range;

use crate::error::InputError;

/// A TOML value with its byte span in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub span: Option<Range<usize>>,
    /// Span of the key naming this value in its table, when it has one.
    pub key_span: Option<Range<usize>>,
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

/// A parsed file: its name as the user gave it, its text and its tree.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: String,
    pub text: String,
    pub root: Node,
}

impl Document {
    /// Parse TOML text; a syntax error is located at its line and column.
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
        })
    }

    /// An error about key path `path`, placed at the deepest part of the path present in the file.
    pub fn error(&self, path: &str, message: impl Into<String>) -> InputError {
        InputError::new(
            &self.file,
            &self.text,
            locate(&self.root, path, false),
            path,
            message.into(),
        )
    }

    /// Like [`Document::error`], placed at the key rather than its value (for unknown keys).
    pub fn key_error(&self, path: &str, message: impl Into<String>) -> InputError {
        InputError::new(
            &self.file,
            &self.text,
            locate(&self.root, path, true),
            path,
            message.into(),
        )
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
        },
        toml_edit::Item::None => Node {
            kind: Kind::Table(vec![]),
            span: None,
            key_span: None,
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
                if n.span.is_some() {
                    best = n.span.clone();
                }
            }
            None => return best,
        }
    }
    if at_key && node.key_span.is_some() {
        return node.key_span.clone();
    }
    best
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
