//! Fuzz target: any bytes as a scenario file. Parsing and validation must never panic, and a
//! scenario that validates must forecast without NaN and with capability in [floor, 1].
#![no_main]

use libfuzzer_sys::fuzz_target;
use scalecast::forecast::forecast;
use scalecast::scenario::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(s) = Scenario::from_text("fuzz.toml", "fuzz", text) else {
        return;
    };
    if s.time.len() > 2_000 {
        return;
    }
    if let Ok(f) = forecast(&s) {
        for (d, row) in f.terms.iter().enumerate() {
            let floor = s.domains[d].floor;
            for t in row {
                assert!(t.capability >= floor && t.capability <= 1.0, "{t:?}");
                assert!(!t.logit.is_nan() && !t.thinking_multiplier_per_oom.is_nan());
            }
        }
    }
});
