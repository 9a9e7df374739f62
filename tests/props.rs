//! Properties of the OTP core, checked against totp-rs and against simple models.

use mfa_harness::otp::{
    Algorithm, Code, Digits, Hotp, OtpAuthUri, Period, Secret, Step, Totp, UriKind, Verification, Window,
    base32,
};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)]
}

fn secret() -> impl Strategy<Value = Secret> {
    prop::collection::vec(any::<u8>(), 1..160).prop_map(|b| Secret::from_bytes(b).unwrap())
}

/// Times near zero, near the 2^31 and 2^32 boundaries, and anywhere in 64 bits.
fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..120u64,
        (1u64 << 31) - 60..(1u64 << 31) + 60,
        (1u64 << 32) - 60..(1u64 << 32) + 60,
        any::<u64>()
    ]
}

fn totp_rs_code(secret: &Secret, algorithm: Algorithm, digits: u8, period: u64, time: u64) -> String {
    let algorithm = match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    };
    totp_rs::Builder::new()
        .with_algorithm(algorithm)
        .with_digits(digits)
        .with_secret(secret.expose().to_vec())
        .with_step_duration(period)
        .build_noncompliant()
        .generate(time)
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn core_agrees_with_totp_rs(secret in secret(), algorithm in algorithm(), digits in 6u8..=9,
                                period in prop_oneof![Just(30u64), 1..600u64], time in time()) {
        let totp = Totp::new(&secret, algorithm, Digits::new(digits).unwrap(), Period::new(period).unwrap(), 0);
        prop_assert_eq!(totp.code_at(time).unwrap().to_string(), totp_rs_code(&secret, algorithm, digits, period, time));
    }

    #[test]
    fn code_has_exactly_digits_ascii_digits(secret in secret(), algorithm in algorithm(), digits in 6u8..=10,
                                            counter in any::<u64>()) {
        let code = Hotp::new(&secret, algorithm, Digits::new(digits).unwrap()).code(counter).to_string();
        prop_assert_eq!(code.len(), usize::from(digits));
        prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn code_is_constant_within_a_step_and_t0_shifts_it(secret in secret(), period in 1..300u64,
                                                      t0 in 0..1_000_000u64, step in 0..1u64 << 40, a in 0..300u64, b in 0..300u64) {
        let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::new(period).unwrap(), t0);
        let start = t0 + step * period;
        let code = totp.code_at(start + a % period).unwrap();
        prop_assert_eq!(code, totp.code_at(start + b % period).unwrap());
        prop_assert_eq!(code, totp.code_for(Step(step)));
        prop_assert!(totp.code_at(t0.wrapping_sub(1)).is_err() || t0 == 0);
    }

    /// The verifier accepts a code exactly when some step in the window has it, and reports
    /// the offset a brute-force search in tie-break order (0, -1, +1, ...) finds.
    #[test]
    fn window_accepts_exactly_the_steps_in_it(secret in secret(), digits in 6u8..=10, center in 0..1u64 << 40,
                                              submitted in -8i64..=8, behind in 0..5u64, ahead in 0..5u64) {
        let totp = Totp::new(&secret, Algorithm::Sha1, Digits::new(digits).unwrap(), Period::THIRTY_SECONDS, 0);
        let window = Window { behind, ahead };
        let Some(submitted_step) = Step(center).offset(submitted) else { return Ok(()) };
        let code = totp.code_for(submitted_step);
        let model = window.offsets()
            .filter_map(|o| Step(center).offset(o).map(|s| (o, s)))
            .find(|(_, s)| totp.code_for(*s) == code);
        let got = totp.verify_around(&code, Step(center), window);
        match model {
            Some((offset, step)) => prop_assert_eq!(got, Verification::Matched { step, offset }),
            None => prop_assert_eq!(got, Verification::NoMatch),
        }
        let inside = submitted >= -(behind as i64) && submitted <= ahead as i64;
        let matched = matches!(got, Verification::Matched { .. });
        prop_assert!(!inside || matched, "submitted offset {} is inside {:?} but was not matched", submitted, window);
        // Near t = 0 the window has no negative steps; nothing below step 0 is ever matched.
        if let Verification::Matched { step, offset } = got {
            prop_assert_eq!(Step(center).offset(offset), Some(step));
        }
    }

    #[test]
    fn hotp_find_returns_the_first_matching_counter(secret in secret(), from in any::<u64>(), ahead in 0..20u64, k in 0..25u64) {
        let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::new(10).unwrap());
        let Some(counter) = from.checked_add(k) else { return Ok(()) };
        let code = hotp.code(counter);
        let model = (from..=from.saturating_add(ahead)).find(|&c| hotp.code(c) == code);
        prop_assert_eq!(hotp.find(&code, from, ahead), model);
    }

    #[test]
    fn base32_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let text = base32::encode(&bytes);
        prop_assert_eq!(base32::decode(&text).unwrap(), bytes.clone());
        prop_assert_eq!(base32::decode(&text.to_lowercase()).unwrap(), bytes);
    }

    #[test]
    fn otpauth_uri_round_trips(secret in secret(), algorithm in algorithm(), digits in 6u8..=10,
                               issuer in proptest::option::of("[^:\\x00]{1,20}"), account in "[^:\\x00]{1,30}",
                               kind in prop_oneof![(1..1000u64).prop_map(|p| UriKind::Totp { period: Period::new(p).unwrap() }),
                                                   any::<u64>().prop_map(|counter| UriKind::Hotp { counter })]) {
        let (issuer, account) = (issuer.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()), account.trim().to_owned());
        prop_assume!(!account.is_empty());
        let uri = OtpAuthUri { kind, issuer, account, secret, algorithm, digits: Digits::new(digits).unwrap() };
        prop_assert_eq!(OtpAuthUri::parse(&uri.to_uri_string()).unwrap(), uri);
    }

    /// Arbitrary text never panics any parser; it is accepted or refused with a typed error.
    #[test]
    fn parsers_never_panic(text in ".{0,80}", prefixed in ".{0,80}") {
        let _ = base32::decode(&text);
        let _ = Secret::from_hex(&text);
        let _ = Code::parse(&text, Digits::SIX);
        let _ = OtpAuthUri::parse(&text);
        let _ = OtpAuthUri::parse(&format!("otpauth://totp/{prefixed}"));
        let _ = text.parse::<Algorithm>();
    }
}
