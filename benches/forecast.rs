//! Benchmark: one deterministic forecast of the shipped reasoners scenario (41 years x 6 domains).

use criterion::{criterion_group, criterion_main, Criterion};
use scalecast::forecast::forecast;
use scalecast::scenario::Scenario;

fn bench(c: &mut Criterion) {
    let s =
        Scenario::from_file(std::path::Path::new("scenarios/reasoners.toml")).expect("scenario");
    c.bench_function("forecast reasoners", |b| {
        b.iter(|| forecast(std::hint::black_box(&s)).expect("forecast"))
    });
    let text = std::fs::read_to_string("scenarios/reasoners.toml").expect("read");
    c.bench_function("parse and check reasoners", |b| {
        b.iter(|| {
            Scenario::from_text("reasoners.toml", "reasoners", std::hint::black_box(&text))
                .expect("parse")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
