//! A feature file, loaded as `run --features` loads one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfa_harness::scenario::Suite;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = Suite::from_sources(vec![("features/fuzz/fuzz.feature".into(), text)]);
});
