//! An OATH CSV seed file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfa_harness::provision::oath_csv;

fuzz_target!(|data: &[u8]| {
    let _ = oath_csv::parse("fuzz.csv", &String::from_utf8_lossy(data));
});
