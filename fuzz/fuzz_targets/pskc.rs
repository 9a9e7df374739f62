//! A PSKC file: plain, with RFC 6030's pre-shared key, and with a password.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mfa_harness::provision::{PreSharedKey, pskc};

fn psk() -> &'static PreSharedKey {
    static KEY: OnceLock<PreSharedKey> = OnceLock::new();
    KEY.get_or_init(|| PreSharedKey::from_hex("12345678901234567890123456789012").expect("a valid key"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pskc::parse("fuzz.xml", &text);
    let _ = pskc::parse_encrypted("fuzz.xml", &text, psk());
    let _ = pskc::parse_with_password("fuzz.xml", &text, "qwerty");
});
