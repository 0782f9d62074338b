//! Benchmark: Monte Carlo runs of the benchmark scenario (10 uncertain inputs, 41 time points,
//! 6 domains, tests/fixtures/mc_benchmark.toml): the engine alone, and the sensitivity analysis.
//! The full command, against the NumPy peer on nine scenario shapes, is timed by
//! `benches/peer/bench.py` (see README).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scalecast::montecarlo::{run, sensitivity};
use scalecast::scenario::Scenario;

fn bench(c: &mut Criterion) {
    let s = Scenario::from_file(std::path::Path::new("tests/fixtures/mc_benchmark.toml"))
        .expect("scenario");
    let samples = 20_000;
    let mut group = c.benchmark_group("mc");
    group.sample_size(10);
    group.throughput(Throughput::Elements(samples as u64));
    group.bench_function("20,000 samples", |b| {
        b.iter(|| run(std::hint::black_box(&s), samples, 1, &|_| {}).expect("mc"))
    });
    group.bench_function("sensitivity", |b| {
        b.iter(|| sensitivity(std::hint::black_box(&s), 40).expect("sensitivity"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
