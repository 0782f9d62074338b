//! `DIR/index.html`: one self-contained page for a run. Charts are inlined as SVG, the CSS is
//! inline, there are no scripts and nothing is fetched from the network. A table of contents
//! leads to the comparison and to each scenario: its claim (the file's header comment), an
//! assumptions table (every key the file sets, with its comment), its charts and its model card.

use std::fmt::Write;

use crate::forecast::Forecast;
use crate::report::explain::short;
use crate::scenario::Scenario;

/// One scenario's part of the page.
pub struct Section<'a> {
    pub scenario: &'a Scenario,
    pub forecast: &'a Forecast,
    /// (caption, SVG document) in display order.
    pub charts: Vec<(String, String)>,
    /// The model card ([`crate::report::explain::explain`]).
    pub card: String,
}

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A chart's SVG for inlining: the document without any XML prolog.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

/// The scenario file's opening comment (its claim), as paragraphs.
fn claim(text: &str) -> Vec<String> {
    let mut paragraphs = vec![String::new()];
    for line in text.lines() {
        let line = line.trim();
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        if comment.is_empty() {
            paragraphs.push(String::new());
        } else {
            let p = paragraphs.last_mut().expect("one paragraph");
            if !p.is_empty() {
                p.push(' ');
            }
            p.push_str(comment);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs
}

/// Every `key = value` line the file sets outside `[scenario]`, `[time]` and the domains, as
/// (key path, value as written, its comment: trailing, else the comment lines just above).
pub fn assumptions(text: &str) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut section = String::new();
    let mut above: Vec<String> = Vec::new();
    let mut in_header = true;
    for line in text.lines() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            if !in_header {
                above.push(comment.trim().to_string());
            }
            continue;
        }
        in_header = false;
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            section = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            above.clear();
            continue;
        }
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        let (value, trailing) = match rest.find('#') {
            Some(i) => (&rest[..i], rest[i + 1..].trim()),
            None => (rest, ""),
        };
        let comment = if trailing.is_empty() {
            above.join(" ")
        } else {
            trailing.to_string()
        };
        above.clear();
        if matches!(section.as_str(), "scenario" | "time" | "domain") {
            continue;
        }
        rows.push((
            format!("{section}.{}", key.trim()),
            value.trim().to_string(),
            comment,
        ));
    }
    rows
}

/// [`assumptions`] of the file, then those of its base files that it does not set itself, their
/// comments saying which file they come from.
pub fn inherited_assumptions(doc: &crate::document::Document) -> Vec<(String, String, String)> {
    let mut rows = assumptions(&doc.text);
    for base in &doc.bases {
        for (key, value, comment) in assumptions(&base.text) {
            if rows.iter().all(|(k, _, _)| *k != key) {
                let from = format!("(from {})", base.file);
                let comment = if comment.is_empty() {
                    from
                } else {
                    format!("{comment} {from}")
                };
                rows.push((key, value, comment));
            }
        }
    }
    rows
}

/// The whole page.
pub fn index(sections: &[Section<'_>], comparison: &[(String, String)]) -> String {
    let mut o = String::new();
    let _ = write_page(&mut o, sections, comparison);
    o
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;line-height:1.45}
h1{margin-bottom:0.2em}h2{border-bottom:2px solid #ddd;padding-bottom:0.2em;margin-top:2.5em}
table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}
th,td{border:1px solid #ddd;padding:0.25em 0.6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto;display:block}
figcaption{color:#555;font-size:0.9em}
pre{background:#f7f7f7;border:1px solid #e4e4e4;padding:0.8em;overflow-x:auto;font-size:0.8em;line-height:1.3}
.claim{background:#f3f7fb;border-left:4px solid #1f77b4;padding:0.4em 1em}
nav ul{columns:2}code{font-size:0.95em}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5em}
@media (max-width:800px){.pair{grid-template-columns:1fr}}";

fn write_page(
    o: &mut String,
    sections: &[Section<'_>],
    comparison: &[(String, String)],
) -> std::fmt::Result {
    writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        o,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        o,
        "<title>scalecast report</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>"
    )?;
    writeln!(o, "<h1>scalecast report</h1>")?;
    writeln!(
        o,
        "<p>{} scenario(s), forecast by scalecast {}. Capability is the share of a domain's tasks solved; every term is in logits (<code>logit = pretrain + rl - erosion + inference</code>).</p>",
        sections.len(),
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(o, "<nav><h2 id=\"contents\">Contents</h2><ul>")?;
    if !comparison.is_empty() {
        writeln!(o, "<li><a href=\"#comparison\">Comparison</a></li>")?;
    }
    for s in sections {
        let name = escape(&s.scenario.name);
        writeln!(
            o,
            "<li><a href=\"#scenario-{name}\">{name}</a>: {}</li>",
            escape(&s.scenario.description)
        )?;
    }
    writeln!(o, "</ul></nav>")?;

    if !comparison.is_empty() {
        writeln!(o, "<h2 id=\"comparison\">Comparison</h2>")?;
        writeln!(
            o,
            "<p>Each scenario keeps its colour in every comparison chart. Data: <code>comparison/comparison.csv</code>.</p>"
        )?;
        // The gap alone, then the domains two by two.
        let (first, rest) = comparison.split_at(1);
        for (caption, svg) in first {
            figure(o, caption, svg)?;
        }
        writeln!(o, "<div class=\"pair\">")?;
        for (caption, svg) in rest {
            figure(o, caption, svg)?;
        }
        writeln!(o, "</div>")?;
    }

    for s in sections {
        let sc = s.scenario;
        let name = escape(&sc.name);
        writeln!(o, "<h2 id=\"scenario-{name}\">{name}</h2>")?;
        writeln!(
            o,
            "<p>{} <small>(file <code>{}</code>; outputs in <code>{name}/</code>)</small></p>",
            escape(&sc.description),
            escape(&sc.document.file)
        )?;
        let paragraphs = claim(&sc.document.text);
        if !paragraphs.is_empty() {
            writeln!(o, "<div class=\"claim\">")?;
            for p in paragraphs {
                writeln!(o, "<p>{}</p>", escape(&p))?;
            }
            writeln!(o, "</div>")?;
        }
        writeln!(o, "<h3>Assumptions</h3>")?;
        let (first, last) = (sc.time.year(0), sc.time.year(sc.time.len() - 1));
        writeln!(
            o,
            "<p>Years {} to {} in steps of {}. Keys the file does not set take their defaults (all listed in the model card).</p>",
            short(first),
            short(last),
            short(sc.time.step)
        )?;
        writeln!(
            o,
            "<table><tr><th>key</th><th>value</th><th>source or reason</th></tr>"
        )?;
        for (key, value, comment) in inherited_assumptions(&sc.document) {
            writeln!(
                o,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&key),
                escape(&value),
                escape(&comment)
            )?;
        }
        writeln!(o, "</table>")?;
        if !sc.edits.is_empty() {
            let set: Vec<String> = sc
                .edits
                .iter()
                .map(|(p, v)| format!("<code>{} = {}</code>", escape(p), short(*v)))
                .collect();
            writeln!(
                o,
                "<p>Set on the command line (<code>--set</code>), in place of the file's values: {}.</p>",
                set.join(", ")
            )?;
        }
        writeln!(
            o,
            "<table><tr><th>domain</th><th>verifiability</th><th>slope</th><th>difficulty</th><th>floor</th><th>capability {}</th><th>capability {}</th></tr>",
            short(first),
            short(last)
        )?;
        let f = s.forecast;
        for (d, dom) in sc.domains.iter().enumerate() {
            let row = &f.terms[d];
            writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td></tr>",
                escape(&dom.name),
                short(dom.verifiability),
                short(dom.slope),
                short(dom.difficulty),
                short(dom.floor),
                row[0].capability,
                row[row.len() - 1].capability
            )?;
        }
        writeln!(o, "</table>")?;
        writeln!(o, "<h3>Charts</h3>")?;
        for (caption, svg) in &s.charts {
            figure(o, caption, svg)?;
        }
        // The key-path list is long: folded away under its heading.
        let (card, keys) = match s.card.split_once("\n## Key paths") {
            Some((card, keys)) => (card, Some(format!("Key paths{keys}"))),
            None => (s.card.as_str(), None),
        };
        writeln!(
            o,
            "<h3>Model card</h3>\n<p>The output of <code>scalecast explain {}</code>.</p>\n<pre>{}</pre>",
            escape(&sc.document.file),
            escape(card.trim_end())
        )?;
        if let Some(keys) = keys {
            let (summary, list) = keys.split_once('\n').unwrap_or((&keys, ""));
            writeln!(
                o,
                "<details><summary>{}</summary>\n<pre>{}</pre></details>",
                escape(summary),
                escape(list.trim_end())
            )?;
        }
        writeln!(o, "<p><a href=\"#contents\">Back to contents</a></p>")?;
    }
    writeln!(o, "</body>\n</html>")
}

fn figure(o: &mut String, caption: &str, svg: &str) -> std::fmt::Result {
    writeln!(
        o,
        "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
        inline_svg(svg).trim_end(),
        escape(caption)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# World: a claim\n# cited here.\n#\n# Second paragraph.\n\n[scenario]\nname = \"w\"\n[time]\nstart = 2024\n[pretraining]\n# GPT-4 press estimates\nparams = 1.8e12\ntokens = 13e12   # also press\n[rl]\ntransfer = { dist = \"uniform\", low = 0.0, high = 0.1 }\n[[domain]]\nname = \"math\"\nverifiability = 0.95\nslope = 1.0\ndifficulty = 28.3\n";

    #[test]
    fn claim_is_the_opening_comment() {
        assert_eq!(
            claim(TEXT),
            ["World: a claim cited here.", "Second paragraph."]
        );
    }

    #[test]
    fn assumptions_carry_their_comments() {
        let rows = assumptions(TEXT);
        assert_eq!(
            rows,
            [
                (
                    "pretraining.params".to_string(),
                    "1.8e12".to_string(),
                    "GPT-4 press estimates".to_string()
                ),
                (
                    "pretraining.tokens".to_string(),
                    "13e12".to_string(),
                    "also press".to_string()
                ),
                (
                    "rl.transfer".to_string(),
                    "{ dist = \"uniform\", low = 0.0, high = 0.1 }".to_string(),
                    String::new()
                ),
            ]
        );
    }

    #[test]
    fn page_inlines_svg_and_escapes_text() {
        let s = Scenario::from_text("w.toml", "w", TEXT).unwrap();
        let f = crate::forecast::forecast(&s).unwrap();
        let sections = [Section {
            scenario: &s,
            forecast: &f,
            charts: vec![(
                "a <chart>".into(),
                "<?xml version=\"1.0\"?>\n<svg></svg>".into(),
            )],
            card: "x < y".into(),
        }];
        let page = index(&sections, &[("gap".into(), "<svg id=\"g\"></svg>".into())]);
        assert!(page.contains("<figure>\n<svg></svg>"));
        assert!(!page.contains("<?xml"));
        assert!(page.contains("a &lt;chart&gt;"));
        assert!(page.contains("<pre>x &lt; y</pre>"));
        assert!(page.contains("href=\"#scenario-w\""));
        assert!(page.contains("<svg id=\"g\"></svg>"));
        assert!(!page.contains("<script"));
    }
}
