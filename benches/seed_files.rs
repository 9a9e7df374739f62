//! Seed-file throughput: writing and parsing a 1,000-token batch in each format (plain and
//! encrypted PSKC), the size a vendor ships in one file; and how fast hostile PSKC files
//! (billion laughs, an external entity, deep nesting) are refused.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mfa_harness::provision::{self, PreSharedKey, SeedFormat, pskc};

fn seed_files(c: &mut Criterion) {
    let batch = provision::sample_batch(1000, 42);
    let psk = PreSharedKey::from_hex("12345678901234567890123456789012").expect("32 hex digits");
    let mut group = c.benchmark_group("seed_files_1000");
    for format in SeedFormat::ALL {
        let text = format.write(&batch).expect("writable batch");
        group.bench_function(format!("write_{format}"), |b| b.iter(|| format.write(black_box(&batch))));
        group.bench_function(format!("parse_{format}"), |b| b.iter(|| format.parse("b", black_box(&text))));
    }
    let sealed = pskc::write_encrypted(&batch, &psk, 1).expect("writable batch");
    group.bench_function("write_pskc_encrypted", |b| {
        b.iter(|| pskc::write_encrypted(black_box(&batch), &psk, 1))
    });
    group.bench_function("parse_pskc_encrypted", |b| {
        b.iter(|| pskc::parse_encrypted("b", black_box(&sealed), &psk))
    });
    group.finish();

    let mut hostile = c.benchmark_group("pskc_hostile");
    let deep = format!("<a>{}{}</a>", "<b>".repeat(10_000), "</b>".repeat(10_000));
    for (name, text) in [
        ("billion_laughs", include_str!("../tests/bad_inputs/pskc/billion-laughs.xml").to_owned()),
        ("xxe", include_str!("../tests/bad_inputs/pskc/xxe.xml").to_owned()),
        ("nested_10000_deep", deep),
    ] {
        hostile.bench_function(name, |b| b.iter(|| pskc::parse("h.xml", black_box(&text))));
    }
    hostile.finish();
}

// No plots: criterion's plotters backend panics on machines without fonts (as in CI containers).
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = seed_files
}
criterion_main!(benches);
