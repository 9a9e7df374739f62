//! A `--tags` expression, parsed and evaluated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfa_harness::scenario::TagFilter;

fuzz_target!(|data: &[u8]| {
    if let Ok(filter) = TagFilter::parse(&String::from_utf8_lossy(data)) {
        let _ = filter.matches(&["area.replay".into(), "serial".into()]);
    }
});
