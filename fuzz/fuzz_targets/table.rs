//! Fuzz target: any bytes as a measurement CSV for the fits. Reading it and pulling numeric
//! columns must never panic; errors must carry a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scalecast::fit::data::{Rule, Table};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = Table::from_text("fuzz.csv", text) else {
        return;
    };
    for name in table.headers.clone() {
        if let Ok(col) = table.column(&name, "--column") {
            for rule in [
                Rule::Positive,
                Rule::NonNegative,
                Rule::Finite,
                Rule::Unit,
                Rule::OpenUnit,
            ] {
                if let Err(errors) = table.numbers(col, rule) {
                    assert!(errors.iter().all(|e| !e.message.is_empty()));
                }
            }
        }
    }
    let _ = table.need_rows(5, "a fit");
});
