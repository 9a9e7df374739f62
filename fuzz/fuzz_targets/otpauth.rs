//! An otpauth URI, parsed, written and read back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfa_harness::otp::OtpAuthUri;

fuzz_target!(|data: &[u8]| {
    if let Ok(uri) = OtpAuthUri::parse(&String::from_utf8_lossy(data)) {
        // Names the format can carry: no colon, no spaces around (as in tests/fuzz_parsers.rs).
        let writable = uri.issuer.iter().chain([&uri.account]).all(|n| !n.contains(':') && n.trim() == n);
        let again = OtpAuthUri::parse(&uri.to_uri_string());
        assert!(!writable || again.is_ok(), "a written URI does not read back: {again:?}");
    }
});
