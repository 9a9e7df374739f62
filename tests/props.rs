//! Properties of the OTP core, checked against totp-rs and against simple models.

use hmac::KeyInit;
use mfa_harness::otp::{
    Algorithm, Code, Digits, Hotp, KeyedHmac, OtpAuthUri, OtpError, Period, Secret, Step, Totp, UriKind,
    Verification, Window, base32,
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

/// RFC 2104 HMAC of the 8-byte big-endian counter (RFC 4226 §5.2), by RustCrypto's `hmac`.
fn rustcrypto_hmac(key: &[u8], algorithm: Algorithm, counter: u64) -> Vec<u8> {
    fn mac<M: hmac::Mac + KeyInit>(key: &[u8], counter: u64) -> Vec<u8> {
        let mut m = <M as KeyInit>::new_from_slice(key).unwrap();
        m.update(&counter.to_be_bytes());
        m.finalize().into_bytes().to_vec()
    }
    match algorithm {
        Algorithm::Sha1 => mac::<hmac::Hmac<sha1::Sha1>>(key, counter),
        Algorithm::Sha256 => mac::<hmac::Hmac<sha2::Sha256>>(key, counter),
        Algorithm::Sha512 => mac::<hmac::Hmac<sha2::Sha512>>(key, counter),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The precomputed key schedule gives RustCrypto's HMAC, at the hash's output length.
    #[test]
    fn keyed_mac_is_rustcrypto_hmac_at_the_hash_output_length(secret in secret(), algorithm in algorithm(),
                                                              counter in any::<u64>()) {
        let mac = KeyedHmac::new(&secret, algorithm).mac_counter(counter);
        prop_assert_eq!(mac.as_bytes(), rustcrypto_hmac(secret.expose(), algorithm, counter));
        prop_assert_eq!(mac.as_bytes().len(), algorithm.output_len());
    }

    /// The window's offsets are exactly -behind..=ahead, nearest first and the older of two
    /// equally near steps first (the order replay guards and drift tracking rely on).
    #[test]
    fn window_offsets_are_the_window_nearest_first(behind in 0..40u64, ahead in 0..40u64) {
        let mut model: Vec<i64> = (-(behind as i64)..=ahead as i64).collect();
        model.sort_by_key(|&o| (o.unsigned_abs(), o > 0));
        prop_assert_eq!(Window { behind, ahead }.offsets().collect::<Vec<_>>(), model);
        prop_assert_eq!(Window::symmetric(behind), Window { behind, ahead: behind });
    }

    /// Step arithmetic saturates instead of wrapping.
    #[test]
    fn step_distance_saturates(a in any::<u64>(), b in prop_oneof![any::<u64>(), 0..100u64]) {
        let model = if a >= b { i64::try_from(a - b).unwrap_or(i64::MAX) } else { i64::try_from(b - a).map_or(i64::MIN, |d| -d) };
        prop_assert_eq!(Step(a).minus(Step(b)), model);
        if model != i64::MAX && model != i64::MIN {
            prop_assert_eq!(Step(b).offset(model), Some(Step(a)));
        }
    }

    /// `verify` at a time is `verify_around` that time's step; the seconds left run to the
    /// step's last second; the generator keeps what it was built with.
    #[test]
    fn verify_at_a_time_is_verify_around_its_step(secret in secret(), algorithm in algorithm(), digits in 6u8..=10,
                                                  period in 1..300u64, t0 in 0..1_000_000u64, since in 0..1u64 << 40,
                                                  submitted in -3i64..=3) {
        let (digits, period) = (Digits::new(digits).unwrap(), Period::new(period).unwrap());
        let totp = Totp::new(&secret, algorithm, digits, period, t0);
        prop_assert_eq!((totp.algorithm(), totp.digits(), totp.period(), totp.t0()), (algorithm, digits, period, t0));
        let now = t0 + since;
        let step = totp.step_at(now).unwrap();
        let Some(submitted) = step.offset(submitted) else { return Ok(()) };
        let code = totp.code_for(submitted);
        let window = Window::symmetric(1);
        prop_assert_eq!(totp.verify(&code, now, window), Ok(totp.verify_around(&code, step, window)));
        prop_assert!(totp.verify(&code, t0.wrapping_sub(1), window).is_err() || t0 == 0);
        let left = totp.seconds_left(now).unwrap();
        prop_assert!((1..=period.seconds()).contains(&left));
        prop_assert_eq!(totp.step_at(now + left - 1).unwrap(), step);
        prop_assert_eq!(totp.step_at(now + left).unwrap(), Step(step.0 + 1));
        prop_assert_eq!(serde_json::to_string(&period).unwrap(), period.seconds().to_string());
        prop_assert_eq!(serde_json::from_str::<Period>(&period.seconds().to_string()).unwrap(), period);
        prop_assert_eq!(u64::from(period), period.seconds());
        let hotp = Hotp::new(&secret, algorithm, digits);
        prop_assert_eq!((hotp.algorithm(), hotp.digits()), (algorithm, digits));
        let keyed = KeyedHmac::new(&secret, algorithm);
        prop_assert_eq!(keyed.algorithm(), algorithm);
        prop_assert_eq!(format!("{:?}", keyed), format!("KeyedHmac({}, [redacted])", algorithm));
    }

    /// A code parses from exactly its digits, zero-padded, and from nothing else.
    #[test]
    fn a_code_parses_from_its_digits_and_nothing_else(digits in 6u8..=10, value in any::<u64>(),
                                                      at in 0usize..10, junk in "[^0-9]") {
        let digits = Digits::new(digits).unwrap();
        let value = value % digits.modulus();
        let text = format!("{value:0width$}", width = usize::from(digits.get()));
        // Ten digits reach past the 31 bits a code can have (RFC 4226 §5.3): such text is no
        // code, and must not wrap onto the code 2^32 below it.
        if value > u64::from(u32::MAX) {
            prop_assert!(Code::parse(&text, digits).is_err(), "{} parsed", text);
            prop_assert!(Code::from_value(value, digits).is_err());
            return Ok(());
        }
        let code = Code::from_value(value, digits).unwrap();
        prop_assert_eq!(code.to_string(), text.clone());
        prop_assert_eq!(format!("{code:?}"), format!("Code({text})"));
        prop_assert_eq!(u64::from(code.value()), value);
        prop_assert_eq!(Code::parse(&text, digits), Ok(code));
        let at = at % text.len();
        let mut bad = text.clone();
        bad.replace_range(at..=at, &junk);
        prop_assert!(Code::parse(&bad, digits).is_err(), "{:?} parsed", bad);
        prop_assert!(Code::parse(&text[1..], digits).is_err());
        let longer = format!("{}0", text);
        prop_assert!(Code::parse(&longer, digits).is_err());
        prop_assert!(Code::from_value(digits.modulus(), digits).is_err());
        let largest = (digits.modulus() - 1).min(u64::from(u32::MAX));
        prop_assert_eq!(Code::from_value(largest, digits).map(Code::value), Ok(largest as u32));
    }

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

/// Algorithms and digit counts read and write as vector files and URIs spell them.
#[test]
fn algorithm_and_digits_keep_their_names_in_text_and_json() {
    for (algorithm, name) in Algorithm::ALL.into_iter().zip(["SHA1", "SHA256", "SHA512"]) {
        assert_eq!(
            (algorithm.name(), algorithm.to_string(), String::from(algorithm)),
            (name, name.into(), name.into())
        );
        assert_eq!(serde_json::to_string(&algorithm).unwrap(), format!("\"{name}\""));
        assert_eq!(
            serde_json::from_str::<Algorithm>(&format!("\"{}\"", name.to_lowercase())).unwrap(),
            algorithm
        );
        assert_eq!(name.replace("SHA", "sha-").parse::<Algorithm>(), Ok(algorithm));
    }
    assert!(serde_json::from_str::<Algorithm>("\"MD5\"").is_err());
    for n in 0..=12u8 {
        let digits = Digits::new(n);
        assert_eq!(digits.is_ok(), (6..=10).contains(&n), "{n} digits");
        assert_eq!(
            serde_json::from_str::<Digits>(&n.to_string()).is_ok(),
            digits.is_ok(),
            "{n} digits in JSON"
        );
        if let Ok(d) = digits {
            assert_eq!((d.get(), u8::from(d), serde_json::to_string(&d).unwrap()), (n, n, n.to_string()));
            assert_eq!(d.modulus(), 10u64.pow(u32::from(n)));
        }
    }
}

/// Each error of the OTP core has the stable kind that vector files, the provisioning loaders
/// and the server's messages name.
#[test]
fn each_otp_error_has_its_stable_kind() {
    let sha1 = Secret::from_bytes(vec![1; 20]).unwrap();
    let kinds = [
        (Secret::from_base32("MZXW6!").unwrap_err(), "bad_base32"),
        (Secret::from_base32("A").unwrap_err(), "bad_base32"),
        (Secret::from_hex("0g").unwrap_err(), "bad_hex"),
        (Secret::from_bytes(Vec::new()).unwrap_err(), "empty_secret"),
        (Digits::new(5).unwrap_err(), "bad_digits"),
        (Period::new(0).unwrap_err(), "bad_period"),
        (
            Totp::new(&sha1, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 60)
                .code_at(59)
                .unwrap_err(),
            "before_t0",
        ),
        (Code::parse("12345", Digits::SIX).unwrap_err(), "bad_code"),
        ("MD5".parse::<Algorithm>().unwrap_err(), "bad_algorithm"),
    ];
    for (error, kind) in kinds {
        assert_eq!(error.kind(), kind, "{error}");
    }
    let uri = OtpAuthUri::parse("otpauth://totp/a?secret=").unwrap_err();
    assert_eq!(OtpError::Uri(uri.clone()).kind(), uri.kind());
}
