//! An expected-failures file, checked against the built-in suite's ids.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mfa_harness::scenario::{ExpectedFailures, Suite};

fn ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        Suite::load(&[]).expect("the built-in suite loads").scenarios().into_iter().map(|s| s.id).collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = ExpectedFailures::parse("fuzz.toml", &String::from_utf8_lossy(data), ids());
});
