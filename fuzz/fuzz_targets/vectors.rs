//! A vector file, parsed, and every record run through both implementations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfa_harness::vectors::{self, Implementation};

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = vectors::parse("fuzz.json", &String::from_utf8_lossy(data)) {
        for vector in &file.vectors {
            for implementation in Implementation::ALL {
                let _ = implementation.run(vector);
            }
        }
    }
});
