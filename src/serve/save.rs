//! "Save as scenario": the edited scenario as a self-contained TOML file, built from the file's
//! parsed tree with the edits written in (a distribution replaced by its pinned number), and
//! checked before it is handed out: it must pass `scalecast check`, read back with every value
//! of the edited scenario and give exactly the forecast shown on the page.

use crate::document::{get_path, set_value, to_toml, Kind, Node};
use crate::error::InputErrors;
use crate::forecast::{forecast, Forecast};
use crate::report::csv::{capabilities, levers};
use crate::scenario::Scenario;
use crate::serve::edit::Edited;

/// The TOML text of `edited`, and its file name (`<scenario>-edited.toml`).
pub fn saved(edited: &Edited) -> Result<(String, String), String> {
    let s = &edited.scenario;
    let mut root = s.document.root.clone();
    let set = |root: &mut Node, path: &str, kind: Kind| {
        set_value(root, path, kind).map_err(|e| format!("cannot write the edit: {e}"))
    };
    // The name is written, so that the file's own name does not matter.
    set(&mut root, "scenario.name", Kind::Str(s.name.clone()))?;
    if edited
        .values
        .iter()
        .any(|(p, _)| p.starts_with("pretraining.law."))
    {
        // An edited law is a custom one: all five constants.
        let law = &s.pretraining.law;
        let constants = [
            ("E", law.e),
            ("A", law.a),
            ("B", law.b),
            ("alpha", law.alpha),
            ("beta", law.beta),
        ];
        let table = constants
            .iter()
            .map(|(k, v)| (k.to_string(), number_node(*v)))
            .collect();
        set(&mut root, "pretraining.law", Kind::Table(table))?;
    }
    // An edit inside a trajectory or table the file did not write (the default
    // `cost.usd_per_eflop`) writes the whole of it, so it reads back complete.
    let parameters = s.parameters();
    for (path, x) in &edited.values {
        let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
        if !parent.is_empty() && get_path(&root, parent).is_none() {
            let prefix = format!("{parent}.");
            for (p, v) in parameters.iter().filter(|(p, _)| p.starts_with(&prefix)) {
                set(&mut root, p, Kind::Number(*v))?;
            }
        }
        set(&mut root, path, Kind::Number(*x))?;
    }
    drop_correlations_of(&mut root, &edited.values);
    let mut header = format!(
        "# Saved by `scalecast serve` from {}{}\n",
        s.document.file,
        if edited.values.is_empty() {
            ", unedited"
        } else {
            ", with these edits:"
        }
    );
    for (path, x) in &edited.values {
        header.push_str(&format!(
            "#   {path} = {}\n",
            crate::document::float_text(*x)
        ));
    }
    header.push('\n');
    let name = format!("{}-edited.toml", s.name);
    // A key the file did not set reads back as its default, which is not always the value the
    // page used (an edited `cost.usd_per_eflop.start` needs the default `growth` written too):
    // such keys are written out until the file reads back with every value.
    for _ in 0..3 {
        let text = header.clone() + &to_toml(&root)?;
        let (back, f) = read_back(&name, &text)?;
        let want = edited.scenario.parameters();
        let missing: Vec<(String, f64)> = back
            .parameters()
            .into_iter()
            .zip(&want)
            .filter(|((path, got), (want_path, value))| {
                path != want_path || got.to_bits() != value.to_bits()
            })
            .map(|(_, (path, value))| (path.clone(), *value))
            .collect();
        if missing.is_empty() {
            let same = capabilities(&[&f]) == capabilities(&[&edited.forecast])
                && levers(&[&f]) == levers(&[&edited.forecast]);
            if !same {
                break;
            }
            return Ok((text, name));
        }
        for (path, x) in missing {
            set(&mut root, &path, Kind::Number(x))?;
        }
    }
    Err("the saved scenario does not reproduce the edited forecast".into())
}

fn number_node(x: f64) -> Node {
    Node {
        kind: Kind::Number(x),
        span: None,
        key_span: None,
        source: 0,
    }
}

/// A `[[correlation]]` naming an edited key is dropped: the key is no longer a distribution
/// (as in a sweep).
fn drop_correlations_of(root: &mut Node, values: &[(String, f64)]) {
    let Kind::Table(entries) = &mut root.kind else {
        return;
    };
    let edited = |n: &Node, key: &str| matches!(n.get(key).map(|v| &v.kind), Some(Kind::Str(p)) if values.iter().any(|(e, _)| e == p));
    for (key, node) in entries.iter_mut() {
        if let (true, Kind::Array(items)) = (key == "correlation", &mut node.kind) {
            items.retain(|c| !edited(c, "a") && !edited(c, "b"));
        }
    }
    entries.retain(|(k, n)| {
        !(k == "correlation" && matches!(&n.kind, Kind::Array(i) if i.is_empty()))
    });
}

/// The saved text read as `scalecast check` reads it, and its forecast.
fn read_back(name: &str, text: &str) -> Result<(Scenario, Forecast), String> {
    let stem = name.trim_end_matches(".toml");
    Scenario::from_text(name, stem, text)
        .and_then(|s| forecast(&s).map(|f| (s, f)))
        .and_then(|(s, f)| crate::sweep::check_table(&s).map(|()| (s, f)))
        .map_err(|e: InputErrors| {
            format!("the saved scenario does not pass `scalecast check`:\n{e}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::edit::apply;
    use proptest::prelude::*;

    fn shipped() -> Vec<Scenario> {
        [
            "balanced",
            "big-model-winter",
            "inference-unlock",
            "reasoners",
            "scale",
            "transfer-optimist",
        ]
        .into_iter()
        .map(|name| {
            Scenario::from_file(std::path::Path::new(&format!("scenarios/{name}.toml"))).unwrap()
        })
        .collect()
    }

    #[test]
    fn saved_text_is_exact_and_self_contained() {
        let base =
            &Scenario::from_file(std::path::Path::new("tests/fixtures/playground.toml")).unwrap();
        let edits = vec![
            ("rl.transfer".to_string(), "0.1".to_string()),
            ("pretraining.params".to_string(), "1.8e12".to_string()),
            ("inference.ceiling.base".to_string(), "inf".to_string()),
            ("pretraining.law.alpha".to_string(), "0.35".to_string()),
            ("inference.ceiling.max".to_string(), "5e5".to_string()),
        ];
        let e = apply(base, &edits).unwrap();
        let (text, name) = saved(&e).unwrap();
        assert_eq!(name, "reasoners-edited.toml");
        assert!(text.contains("transfer = 0.1\n"), "{text}");
        assert!(text.contains("params = 1.8e12\n"), "{text}");
        assert!(text.contains("base = inf"), "{text}");
        assert!(text.contains("max = 500000.0"), "{text}");
        assert!(
            text.contains(
                "law = { E = 1.8172, A = 482.01, B = 2085.43, alpha = 0.35, beta = 0.3658 }"
            ),
            "{text}"
        );
        assert!(text.contains("#   rl.transfer = 0.1\n"), "{text}");
    }

    #[test]
    fn correlations_of_edited_keys_are_dropped() {
        let text = format!(
            "{}\n[rl]\nsteps = 1e4\ntransfer = {{ dist = \"uniform\", low = 0.0, high = 0.2 }}\nmax_gain = {{ dist = \"uniform\", low = 1.0, high = 3.0 }}\n[[correlation]]\na = \"rl.transfer\"\nb = \"rl.max_gain\"\nrank = 0.5\n",
            "[pretraining]\nparams = 1e12\ntokens = 2e13\n[[domain]]\nname = \"d\"\nverifiability = 0.5\nslope = 1.0\ndifficulty = 26.0"
        );
        let base = Scenario::from_text("c.toml", "c", &text).unwrap();
        let e = apply(&base, &[("rl.transfer".into(), "0.3".into())]).unwrap();
        let (saved_text, _) = saved(&e).unwrap();
        assert!(!saved_text.contains("correlation"), "{saved_text}");
        assert!(
            saved_text.contains("max_gain = { dist = \"uniform\""),
            "{saved_text}"
        );
        let e = apply(&base, &[("rl.midpoint_steps".into(), "100".into())]).unwrap();
        assert!(saved(&e).unwrap().0.contains("[[correlation]]"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random edits of random keys of every shipped scenario: whatever the page accepts,
        /// its saved file passes `check` and reproduces the forecast (checked inside `saved`).
        #[test]
        fn accepted_edits_are_saved_exactly(
            which in 0usize..6,
            picks in prop::collection::vec((any::<prop::sample::Index>(), -3.0f64..3.0), 1..6),
        ) {
            let base = &shipped()[which];
            let params = base.parameters();
            let edits: Vec<(String, String)> = picks
                .iter()
                .map(|(i, f)| {
                    let (path, v) = &params[i.index(params.len())];
                    // Scale or shift the file's value; also try the special values.
                    let x = if *f > 2.5 { f64::INFINITY } else if *f < -2.5 { 0.0 }
                        else if v.is_finite() && *v != 0.0 { v * 10f64.powf(*f) } else { *f };
                    (path.clone(), format!("{x}"))
                })
                .collect();
            if let Ok(e) = apply(base, &edits) {
                let result = saved(&e);
                prop_assert!(result.is_ok(), "{:?}: {:?}", edits, result.err());
            }
        }
    }
}
