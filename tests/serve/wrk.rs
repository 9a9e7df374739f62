//! Item 13: `benches/reference-wrk.lua` sent the operation `read_resource`, so every request
//! measured was a 422 and the published requests/s was a figure for errors. The script now
//! sends a mix of sign-ins, binding starts and answers, and fails the run when any response
//! is not a 2xx with an expected verdict. Needs `wrk` (CI installs it; elsewhere these tests
//! say why they did not run).

use std::path::Path;
use std::process::{Command, Output};

use super::Served;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn wrk_missing() -> bool {
    let missing = Command::new("wrk").arg("--version").output().is_err();
    assert!(!(missing && std::env::var_os("CI").is_some()), "CI must install wrk (apt-get install wrk)");
    if missing {
        eprintln!("skipped: wrk is not installed (apt-get install wrk)");
    }
    missing
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn the_mixed_load_is_all_2xx_with_expected_verdicts() {
    if wrk_missing() {
        return;
    }
    let Output { status, stdout, stderr } = Command::new("sh")
        .arg(Path::new(ROOT).join("benches/reference-http.sh"))
        .args([free_port().to_string().as_str(), "1s"])
        .current_dir(ROOT)
        .env("MFA_HARNESS", env!("CARGO_BIN_EXE_mfa-harness"))
        .env("BENCH_USERS", "2")
        .env("WRK_ARGS", "-t1 -c4 --timeout 5s")
        .output()
        .unwrap();
    let (out, err) = (String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    assert!(status.success(), "{out}\n{err}");
    assert!(out.contains("non-2xx responses: 0, unexpected verdicts: 0, socket errors: 0"), "{out}");
    let mix = out.lines().find(|l| l.starts_with("mix sent:")).unwrap();
    let counts: Vec<u64> = mix.split(' ').filter_map(|w| w.trim_end_matches(',').parse().ok()).collect();
    assert!(counts.len() == 3 && counts.iter().all(|&n| n > 0), "{mix}");
}

#[test]
fn the_load_fails_loudly_on_error_responses() {
    if wrk_missing() {
        return;
    }
    // No accounts were created: every sign-in is a 404.
    let served = Served::start(&["--test-clock"]);
    let Output { status, stdout, stderr } = Command::new("wrk")
        .args(["-t1", "-c2", "-d1s", "-s", "benches/reference-wrk.lua", &served.base])
        .current_dir(ROOT)
        .output()
        .unwrap();
    let (out, err) = (String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    assert!(!status.success(), "{out}\n{err}");
    assert!(err.contains("FAIL") && err.contains("404") && err.contains("unknown_user"), "{err}");
}
