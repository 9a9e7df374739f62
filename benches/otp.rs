//! OTP core vs totp-rs, side by side in one run: codes per second per core for each hash, and
//! window verification at ±1 and ±5 steps.
//!
//! `cargo bench --bench otp`. Criterion reports time per code; throughput (elements/s) is
//! codes/s on one core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mfa_harness::otp::{Algorithm, Code, Digits, Period, Secret, Totp, Window};

const SEEDS: [(&str, Algorithm, &[u8]); 3] = [
    ("SHA1", Algorithm::Sha1, b"12345678901234567890"),
    ("SHA256", Algorithm::Sha256, b"12345678901234567890123456789012"),
    ("SHA512", Algorithm::Sha512, b"1234567890123456789012345678901234567890123456789012345678901234"),
];

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.throughput(Throughput::Elements(1));
    for (name, algorithm, seed) in SEEDS {
        let secret = Secret::from_bytes(seed.to_vec()).unwrap();
        let core = Totp::new(&secret, algorithm, Digits::SIX, Period::THIRTY_SECONDS, 0);
        let mut t = 1_767_225_600u64;
        group.bench_function(format!("core/{name}"), |b| {
            b.iter(|| {
                t += 30;
                black_box(core.code_at(black_box(t)).unwrap())
            })
        });
        let oracle = totp_rs::Builder::new()
            .with_algorithm(match algorithm {
                Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
                Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
                Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
            })
            .with_digits(6)
            .with_secret(seed.to_vec())
            .with_step_duration(30)
            .build_noncompliant();
        group.bench_function(format!("totp-rs/{name}"), |b| {
            b.iter(|| {
                t += 30;
                black_box(oracle.generate(black_box(t)))
            })
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    let secret = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0);
    let t = 1_767_225_600u64;
    // A wrong code costs the most: every step of the window is computed (constant time).
    let wrong = Code::from_value(u64::from(totp.code_at(t).unwrap().value() ^ 1), Digits::SIX).unwrap();
    for n in [1u64, 5] {
        group.bench_function(format!("core/SHA1/window±{n}/no-match"), |b| {
            b.iter(|| black_box(totp.verify(black_box(&wrong), black_box(t), Window::symmetric(n)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, generate, verify);
criterion_main!(benches);
