//! Import time of the built-in sample (116 rows) and of a generated 10,000-row report in the
//! sample's layout. Targets (issue 2): sample < 5 ms, 10,000 rows < 1 s.

use criterion::{criterion_group, criterion_main, Criterion};
use duban::import::{import_bytes, Aliases};
use duban::ledger::SAMPLE_REPORT;
use duban::synth::Corpus;
use std::hint::black_box;
use std::time::Duration;

fn import(c: &mut Criterion) {
    let aliases = Aliases::builtin();
    let mut g = c.benchmark_group("import");
    g.bench_function("sample_116_rows", |b| {
        b.iter(|| import_bytes(black_box(SAMPLE_REPORT), "sample", &aliases).map(|r| r.rows.len()))
    });
    let big = Corpus::from_sample().concatenated_report(10_000, 7);
    let rows = import_bytes(big.as_bytes(), "generated", &aliases)
        .map(|r| r.rows.len())
        .unwrap_or(0);
    assert_eq!(rows, 10_000, "the generated report imports every row");
    eprintln!(
        "generated report: {} rows, {:.1} MB",
        rows,
        big.len() as f64 / 1e6
    );
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("generated_10000_rows", |b| {
        b.iter(|| {
            import_bytes(black_box(big.as_bytes()), "generated", &aliases).map(|r| r.rows.len())
        })
    });
    let gbk = encoding_rs::GBK.encode(&big).0.into_owned();
    g.bench_function("generated_10000_rows_gbk", |b| {
        b.iter(|| import_bytes(black_box(&gbk), "generated-gbk", &aliases).map(|r| r.rows.len()))
    });
    g.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
