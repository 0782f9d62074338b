//! The query string of the playground: which scenario, and the edits to its numeric keys, e.g.
//! `scenario=reasoners&rl.transfer=0.2&domain.math.slope=1.1`. The page keeps the same string in
//! its own URL, so a view can be shared and restored.
//!
//! Keys and values are percent-encoded (`+` is a space). `scenario` names the scenario; every
//! other key is a key path and its value the number as typed, kept as text so that it is read
//! exactly as `scalecast sweep --vary PATH=list:VALUE` reads it. A path given twice keeps its
//! last value.

/// The longest query string read: below the 65,534 bytes of the longest URI that hyper parses
/// (longer ones get its bare 414), so that a long query gets this module's 400 with its reason.
pub const MAX_QUERY: usize = 60 * 1024;

/// The most edits in one query.
pub const MAX_EDITS: usize = 1000;

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub scenario: Option<String>,
    /// `(key path, value as typed)` in the order first given, one per path.
    pub edits: Vec<(String, String)>,
}

/// Parse a query string (without the `?`).
pub fn parse(query: &str) -> Result<Query, String> {
    if query.len() > MAX_QUERY {
        return Err(format!(
            "the query is {} bytes long; the limit is {MAX_QUERY}",
            query.len()
        ));
    }
    let mut q = Query::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=VALUE, found {:?}", decode_lossy(pair)))?;
        let (key, value) = (decode(key)?, decode(value)?);
        if key == "scenario" {
            q.scenario = Some(value);
            continue;
        }
        if key.is_empty() || !key.chars().all(is_path_char) {
            return Err(format!("{key:?} is not a key path"));
        }
        if let Some(edit) = q.edits.iter_mut().find(|(k, _)| *k == key) {
            edit.1 = value;
        } else if q.edits.len() == MAX_EDITS {
            return Err(format!("more than {MAX_EDITS} edits"));
        } else {
            q.edits.push((key, value));
        }
    }
    Ok(q)
}

/// Characters of key paths: `domain.math.slope`, `rl.steps.points[1][0]`.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-[]".contains(c)
}

/// The query string of `q`, the inverse of [`parse`].
pub fn encode(q: &Query) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &q.scenario {
        parts.push(format!("scenario={}", encode_part(s)));
    }
    for (k, v) in &q.edits {
        parts.push(format!("{}={}", encode_part(k), encode_part(v)));
    }
    parts.join("&")
}

fn encode_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"._-[]~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decode one key or value; `+` is a space. The result must be UTF-8.
fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!("bad percent-encoding at byte {i} of {:?}", decode_lossy(s))
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("{:?} is not UTF-8 text", decode_lossy(s)))
}

/// For messages: the text with bad sequences left as they are, at most 100 characters.
fn decode_lossy(s: &str) -> String {
    s.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scenario_and_edits_in_order() {
        let q = parse("scenario=reasoners&rl.transfer=0.2&domain.math.slope=1.1e0&&").unwrap();
        assert_eq!(q.scenario.as_deref(), Some("reasoners"));
        assert_eq!(
            q.edits,
            vec![
                ("rl.transfer".to_string(), "0.2".to_string()),
                ("domain.math.slope".to_string(), "1.1e0".to_string())
            ]
        );
        assert_eq!(parse("").unwrap(), Query::default());
    }

    #[test]
    fn percent_encoding_and_plus() {
        let q = parse("rl.steps.points%5B1%5D%5B0%5D=%2B1e%2B3&x=a+b").unwrap();
        assert_eq!(q.edits[0], ("rl.steps.points[1][0]".into(), "+1e+3".into()));
        assert_eq!(q.edits[1], ("x".into(), "a b".into()));
    }

    #[test]
    fn the_last_value_of_a_path_wins() {
        let q = parse("rl.transfer=0.1&erosion.rate=0&rl.transfer=0.3").unwrap();
        assert_eq!(
            q.edits,
            vec![
                ("rl.transfer".to_string(), "0.3".to_string()),
                ("erosion.rate".to_string(), "0".to_string())
            ]
        );
    }

    #[test]
    fn malformed_queries_are_errors() {
        for bad in [
            "rl.transfer",
            "rl.transfer=%",
            "rl.transfer=%4",
            "rl.transfer=%zz",
            "rl.transfer=%FF",
            "a%3Db=1",
            "=1",
            "rl transfer=1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let long = "a=1&".repeat(MAX_QUERY / 4 + 1);
        assert!(parse(&long).unwrap_err().contains("limit"));
        let many: Vec<String> = (0..=MAX_EDITS).map(|i| format!("k{i}=1")).collect();
        assert!(parse(&many.join("&")).unwrap_err().contains("edits"));
    }

    proptest! {
        /// Any text parses or fails with a message; nothing panics.
        #[test]
        fn any_text_is_parsed_or_refused(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }

        /// Any bytes, as the server would see them after a lossy UTF-8 decoding.
        #[test]
        fn any_bytes_are_parsed_or_refused(b in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&String::from_utf8_lossy(&b));
        }

        /// Encoding then parsing gives back the query.
        #[test]
        fn encode_then_parse_is_the_identity(
            scenario in proptest::option::of("\\PC{0,20}"),
            edits in prop::collection::btree_map("[a-z][a-z0-9_.\\[\\]-]{0,20}", "\\PC{0,12}", 0..8),
        ) {
            let q = Query {
                scenario,
                edits: edits.into_iter().filter(|(k, _)| k != "scenario").collect(),
            };
            prop_assert_eq!(parse(&encode(&q)).unwrap(), q);
        }
    }
}
