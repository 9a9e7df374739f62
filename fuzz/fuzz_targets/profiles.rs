//! A target profile, read and checked (no connection).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use mfa_harness::sut::profile::Profile;

fuzz_target!(|data: &[u8]| {
    let env = |_: &str| Some("http://127.0.0.1:9".to_owned());
    let _ = Profile::parse(Path::new("fuzz.toml"), &String::from_utf8_lossy(data), &env);
});
