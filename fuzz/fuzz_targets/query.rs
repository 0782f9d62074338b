//! Fuzz target: any bytes as the query string of `scalecast serve`'s forecast and save routes.
//! Parsing must never panic; whatever parses is applied to the reasoners scenario as the server
//! applies it, and an accepted edit must forecast without NaN and save to a file that reads back
//! (the save checks that itself).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scalecast::scenario::Scenario;
use scalecast::serve::{edit, query, save};

fn reasoners() -> &'static Scenario {
    static S: OnceLock<Scenario> = OnceLock::new();
    S.get_or_init(|| {
        Scenario::from_text(
            "reasoners.toml",
            "reasoners",
            include_str!("../../scenarios/reasoners.toml"),
        )
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(q) = query::parse(&text) else {
        return;
    };
    if let Ok(e) = edit::apply(reasoners(), &q.edits) {
        for row in &e.forecast.terms {
            for t in row {
                assert!(!t.capability.is_nan() && !t.logit.is_nan());
            }
        }
        save::saved(&e).unwrap();
    }
});
