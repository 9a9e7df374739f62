//! The batch engine agrees with the scalar core, kernel by kernel: RFC 4226 / RFC 6238 (and
//! our extended) vectors, and random keys, counters, code lengths and batch lengths.
//!
//! A kernel this CPU lacks is skipped with a message on stderr; set
//! `MFA_HARNESS_REQUIRE_KERNELS=1` to make a missing kernel fail instead (for machines that
//! must exercise all of them).

use mfa_harness::otp::batch::{BatchEngine, BatchError, Kernel, KeySet};
use mfa_harness::otp::{Algorithm, Code, Digits, KeyedHmac, Secret};
use mfa_harness::vectors::{Case, load_embedded};
use proptest::prelude::*;

/// One engine per kernel this CPU runs, with a printed reason for each one skipped.
fn engines() -> Vec<BatchEngine> {
    let require = std::env::var_os("MFA_HARNESS_REQUIRE_KERNELS").is_some();
    Kernel::ALL
        .into_iter()
        .filter_map(|kernel| match BatchEngine::with_kernel(kernel) {
            Ok(engine) => Some(engine),
            Err(e) if require => panic!("MFA_HARNESS_REQUIRE_KERNELS is set: {e}"),
            Err(e) => {
                eprintln!("skipping kernel {kernel}: {e}");
                None
            }
        })
        .collect()
}

fn scalar_code(key: &KeyedHmac, counter: u64, digits: Digits) -> Code {
    Code::truncate(&key.mac_counter(counter), digits)
}

fn blank(n: usize) -> Vec<Code> {
    vec![Code::from_value(0, Digits::SIX).unwrap(); n]
}

#[test]
fn every_kernel_reproduces_the_rfc_and_extended_code_vectors() {
    let mut jobs = Vec::new(); // (id, key, counter, digits, expected)
    for file in load_embedded().unwrap() {
        for vector in file.vectors {
            let (params, counter, expected) = match vector.case {
                Case::Hotp { params, counter, expected } => (params, counter, expected),
                Case::Totp { params, period, t0, time, expected } => {
                    let Some(since) = time.checked_sub(t0) else {
                        eprintln!("skipping {}: time before T0 has no step", vector.id);
                        continue;
                    };
                    (params, since / period.seconds(), expected)
                }
                Case::Uri { .. } => continue,
            };
            let key = KeyedHmac::new(&params.secret, params.algorithm);
            jobs.push((vector.id, key, counter, params.digits, expected));
        }
    }
    let rfc_sha1 = jobs
        .iter()
        .filter(|(id, key, ..)| id.starts_with("rfc") && key.algorithm() == Algorithm::Sha1)
        .count();
    assert!(rfc_sha1 >= 16, "expected RFC 4226 D (10) and RFC 6238 B SHA-1 (6) rows, found {rfc_sha1}");

    for engine in engines() {
        for digits in (6..=10).map(|n| Digits::new(n).unwrap()) {
            let group: Vec<_> = jobs.iter().filter(|job| job.3 == digits).collect();
            let keys: Vec<&KeyedHmac> = group.iter().map(|job| &job.1).collect();
            let counters: Vec<u64> = group.iter().map(|job| job.2).collect();
            let mut out = blank(group.len());
            engine.codes(&keys, &counters, digits, &mut out).unwrap();
            for (job, code) in group.iter().zip(&out) {
                assert_eq!(code.to_string(), job.4, "vector {} with kernel {}", job.0, engine.kernel());
            }
            // The same rows as a population, and as all-SHA-1 and all-SHA-256 populations.
            let subsets: [fn(Algorithm) -> bool; 3] =
                [|_| true, |a| a == Algorithm::Sha1, |a| a == Algorithm::Sha256];
            for keep in subsets {
                let rows: Vec<_> = group.iter().filter(|job| keep(job.1.algorithm())).collect();
                let set: KeySet = rows.iter().map(|job| job.1.clone()).collect();
                let counters: Vec<u64> = rows.iter().map(|job| job.2).collect();
                let mut out = blank(rows.len());
                engine.codes_for_set(&set, &counters, digits, &mut out).unwrap();
                for (job, code) in rows.iter().zip(&out) {
                    assert_eq!(
                        code.to_string(),
                        job.4,
                        "vector {} in a key set, kernel {}",
                        job.0,
                        engine.kernel()
                    );
                }
            }
        }
    }
}

#[test]
fn one_key_batch_gives_the_rfc4226_appendix_d_sequence() {
    let expected =
        ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    let key = KeyedHmac::new(&Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap(), Algorithm::Sha1);
    let counters: Vec<u64> = (0..10).collect();
    for engine in engines() {
        let mut out = blank(10);
        engine.codes_for_key(&key, &counters, Digits::SIX, &mut out).unwrap();
        let texts: Vec<String> = out.iter().map(Code::to_string).collect();
        assert_eq!(texts, expected, "kernel {}", engine.kernel());
    }
}

#[test]
fn mismatched_lengths_are_an_error_and_leave_the_output_alone() {
    let key = KeyedHmac::new(&Secret::from_bytes(vec![7; 20]).unwrap(), Algorithm::Sha1);
    let marker = Code::from_value(123_456, Digits::SIX).unwrap();
    for engine in engines() {
        let mut out = vec![marker; 3];
        assert_eq!(
            engine.codes(&[&key, &key], &[1, 2, 3], Digits::SIX, &mut out),
            Err(BatchError::LengthMismatch { keys: 2, counters: 3, out: 3 })
        );
        assert_eq!(
            engine.codes_for_key(&key, &[1, 2], Digits::SIX, &mut out),
            Err(BatchError::LengthMismatch { keys: 1, counters: 2, out: 3 })
        );
        let set = KeySet::new(vec![key.clone(), key.clone()]);
        assert_eq!(
            engine.codes_for_set(&set, &[1, 2, 3], Digits::SIX, &mut out),
            Err(BatchError::LengthMismatch { keys: 2, counters: 3, out: 3 })
        );
        assert_eq!(out, vec![marker; 3]);
    }
}

#[test]
fn key_set_debug_output_hides_the_keys() {
    let secret = b"12345678901234567890".to_vec();
    let set: KeySet = (0..3)
        .map(|_| KeyedHmac::new(&Secret::from_bytes(secret.clone()).unwrap(), Algorithm::Sha1))
        .collect();
    assert_eq!(format!("{set:?}"), "KeySet(3 keys, [redacted])");
    assert_eq!(set.len(), 3);
}

#[test]
fn detected_kernel_is_available_and_scalar_always_is() {
    assert!(Kernel::detect().is_available());
    assert_eq!(BatchEngine::with_kernel(Kernel::Scalar).unwrap().kernel(), Kernel::Scalar);
    assert_eq!(BatchEngine::detect().kernel(), Kernel::detect());
    for kernel in Kernel::ALL {
        if !kernel.is_available() {
            assert_eq!(BatchEngine::with_kernel(kernel), Err(BatchError::KernelUnavailable(kernel)));
        }
    }
}

/// Counters with the edge values drawn often: 0, around 2^32 (the word boundary of the
/// counter's two message words) and u64::MAX.
fn counter() -> impl Strategy<Value = u64> {
    prop_oneof![
        1 => Just(0u64),
        1 => Just((1u64 << 32) - 1),
        1 => Just(1u64 << 32),
        1 => Just(u64::MAX),
        6 => any::<u64>(),
    ]
}

/// SHA-1 and SHA-256 (the SIMD paths) and SHA-512 (scalar within a batch), mixed.
fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![5 => Just(Algorithm::Sha1), 3 => Just(Algorithm::Sha256), 1 => Just(Algorithm::Sha512)]
}

/// Keys of 1..200 bytes: longer than a block (64) means the key is hashed first.
fn key() -> impl Strategy<Value = KeyedHmac> {
    (prop::collection::vec(any::<u8>(), 1..200), algorithm())
        .prop_map(|(bytes, alg)| KeyedHmac::new(&Secret::from_bytes(bytes).unwrap(), alg))
}

/// Batch lengths around the lane counts (8, 16), and anything up to 70.
fn batch_len() -> impl Strategy<Value = usize> {
    prop_oneof![prop::sample::select(vec![0usize, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33]), 0usize..70]
}

/// Key populations: all SHA-1 or all SHA-256 (the transposed-block paths), or mixed algorithms.
fn key_set() -> impl Strategy<Value = Vec<KeyedHmac>> {
    let single = |algorithm| {
        batch_len().prop_flat_map(move |n| {
            prop::collection::vec(
                prop::collection::vec(any::<u8>(), 1..200)
                    .prop_map(move |bytes| KeyedHmac::new(&Secret::from_bytes(bytes).unwrap(), algorithm)),
                n,
            )
        })
    };
    prop_oneof![
        3 => single(Algorithm::Sha1),
        2 => single(Algorithm::Sha256),
        1 => batch_len().prop_flat_map(|n| prop::collection::vec(key(), n)),
    ]
}

fn digits() -> impl Strategy<Value = Digits> {
    (6u8..=10).prop_map(|n| Digits::new(n).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_kernel_matches_the_scalar_core_on_key_populations(
        jobs in batch_len().prop_flat_map(|n| prop::collection::vec((key(), counter()), n)),
        digits in digits(),
    ) {
        let keys: Vec<&KeyedHmac> = jobs.iter().map(|(k, _)| k).collect();
        let counters: Vec<u64> = jobs.iter().map(|(_, c)| *c).collect();
        let expected: Vec<Code> = jobs.iter().map(|(k, c)| scalar_code(k, *c, digits)).collect();
        for engine in engines() {
            let mut out = blank(jobs.len());
            engine.codes(&keys, &counters, digits, &mut out).unwrap();
            prop_assert_eq!(&out, &expected, "kernel {}", engine.kernel());
        }
    }

    #[test]
    fn every_kernel_matches_the_scalar_core_on_one_key_windows(
        key in key(),
        counters in batch_len().prop_flat_map(|n| prop::collection::vec(counter(), n)),
        digits in digits(),
    ) {
        let expected: Vec<Code> = counters.iter().map(|c| scalar_code(&key, *c, digits)).collect();
        for engine in engines() {
            let mut out = blank(counters.len());
            engine.codes_for_key(&key, &counters, digits, &mut out).unwrap();
            prop_assert_eq!(&out, &expected, "kernel {}", engine.kernel());
        }
    }

    #[test]
    fn every_kernel_matches_the_scalar_core_on_key_sets(
        (keys, counters) in key_set().prop_flat_map(|keys| {
            let n = keys.len();
            (Just(keys), prop::collection::vec(counter(), n))
        }),
        digits in digits(),
    ) {
        let expected: Vec<Code> = keys.iter().zip(&counters).map(|(k, c)| scalar_code(k, *c, digits)).collect();
        let set = KeySet::new(keys);
        for engine in engines() {
            let mut out = blank(counters.len());
            engine.codes_for_set(&set, &counters, digits, &mut out).unwrap();
            prop_assert_eq!(&out, &expected, "kernel {}", engine.kernel());
        }
    }
}
