//! Codes per second on one core: the batch engine's kernels against the scalar core and
//! totp-rs `generate`, HMAC-SHA-1 (20-byte keys) and HMAC-SHA-256 (32-byte keys), 6 digits,
//! in one criterion run.
//!
//! `population`: 4096 devices (`&[&KeyedHmac]`), each at its own current step (the exact
//! mode's main shape); `key-set`: the same devices as a prebuilt [`KeySet`].
//! `window`: one device over 4096 consecutive steps. totp-rs runs the key schedule on every
//! code (it keeps the raw secret), which is the cost the keyed core and the engine avoid.
//!
//! Time is the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time: the
//! figures are codes per second of one core even on a machine shared with other jobs, where
//! wall time would also count the time slices given to them.
//!
//! Run: `cargo bench --bench batch -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mfa_harness::otp::batch::{BatchEngine, Kernel, KeySet};
use mfa_harness::otp::{Algorithm, Code, Digits, KeyedHmac, Secret};

const BATCH: usize = 4096;
/// Unix time 2026-01-01T00:00:00Z, and its 30-second step.
const EPOCH: u64 = 1_767_225_600;

fn secret_bytes(device: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| (device * 31 + i * 7) as u8).collect()
}

fn bench_sha1(c: &mut Criterion<ThreadCpuTime>) {
    bench_codes(c, Algorithm::Sha1, totp_rs::Algorithm::SHA1, 20);
}

fn bench_sha256(c: &mut Criterion<ThreadCpuTime>) {
    bench_codes(c, Algorithm::Sha256, totp_rs::Algorithm::SHA256, 32);
}

fn bench_codes(
    c: &mut Criterion<ThreadCpuTime>,
    algorithm: Algorithm,
    totp_rs_algorithm: totp_rs::Algorithm,
    key_len: usize,
) {
    let keys: Vec<KeyedHmac> = (0..BATCH)
        .map(|d| KeyedHmac::new(&Secret::from_bytes(secret_bytes(d, key_len)).unwrap(), algorithm))
        .collect();
    let key_refs: Vec<&KeyedHmac> = keys.iter().collect();
    let key_set: KeySet = keys.iter().cloned().collect();
    let times: Vec<u64> = (0..BATCH as u64).map(|d| EPOCH + d * 7).collect();
    let steps: Vec<u64> = times.iter().map(|t| t / 30).collect();
    let window: Vec<u64> = (0..BATCH as u64).map(|i| EPOCH / 30 + i).collect();
    let mut out = vec![Code::from_value(0, Digits::SIX).unwrap(); BATCH];

    let mut group = c.benchmark_group(format!("{}-codes", algorithm.name().to_lowercase()));
    group.throughput(Throughput::Elements(BATCH as u64));
    for kernel in Kernel::ALL {
        let Ok(engine) = BatchEngine::with_kernel(kernel) else {
            eprintln!("skipping kernel {kernel}: not available on this CPU");
            continue;
        };
        group.bench_function(format!("engine-{kernel}/population"), |b| {
            b.iter(|| engine.codes(black_box(&key_refs), black_box(&steps), Digits::SIX, &mut out).unwrap())
        });
        group.bench_function(format!("engine-{kernel}/key-set"), |b| {
            b.iter(|| {
                engine.codes_for_set(black_box(&key_set), black_box(&steps), Digits::SIX, &mut out).unwrap()
            })
        });
        group.bench_function(format!("engine-{kernel}/window"), |b| {
            b.iter(|| {
                engine.codes_for_key(black_box(&keys[0]), black_box(&window), Digits::SIX, &mut out).unwrap()
            })
        });
    }
    group.bench_function("scalar-core/population", |b| {
        b.iter(|| {
            for ((key, step), slot) in keys.iter().zip(black_box(&steps)).zip(out.iter_mut()) {
                *slot = Code::truncate(&key.mac_counter(*step), Digits::SIX);
            }
        })
    });
    let totps: Vec<totp_rs::Totp> = (0..BATCH)
        .map(|d| {
            totp_rs::Builder::new()
                .with_algorithm(totp_rs_algorithm)
                .with_digits(6)
                .with_secret(secret_bytes(d, key_len))
                .with_step_duration(30)
                .build_noncompliant()
        })
        .collect();
    group.bench_function("totp-rs-generate/population", |b| {
        b.iter(|| {
            for (totp, time) in totps.iter().zip(black_box(&times)) {
                black_box(totp.generate(*time));
            }
        })
    });
    group.finish();
}

/// CPU time of the calling thread, in nanoseconds (formatted like wall time).
struct ThreadCpuTime {
    wall: WallTime,
}

impl ThreadCpuTime {
    fn now() -> u64 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        ThreadCpuTime::now()
    }
    fn end(&self, start: u64) -> u64 {
        ThreadCpuTime::now() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, nanos: &u64) -> f64 {
        *nanos as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

criterion_group! {
    name = benches;
    // No plots: they need system fonts, and the figures that matter are printed.
    config = Criterion::default().with_measurement(ThreadCpuTime { wall: WallTime }).without_plots();
    targets = bench_sha1, bench_sha256
}
criterion_main!(benches);
