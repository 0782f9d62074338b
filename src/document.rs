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
