//! The smaller `serve` items: `--sms-webhook 'not a url'` started anyway, and on a port in use
//! `serve` printed "serving on ..." before failing. Both now stop at start with exit 2 and a
//! message naming the flag or address, and nothing claims to serve.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::harness;

/// Runs `command` to its end; panics if it is still running after 20 s (it started serving).
fn run_to_exit(mut command: Command) -> (Option<i32>, String) {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let Output { stderr, .. } = child.wait_with_output().unwrap();
            panic!("still running after 20 s; it printed: {}", String::from_utf8_lossy(&stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let Output { status, stderr, .. } = child.wait_with_output().unwrap();
    (status.code(), String::from_utf8_lossy(&stderr).into_owned())
}

#[test]
fn a_webhook_that_is_not_an_http_url_is_refused_before_serving() {
    for bad in ["not a url", "ftp://example.org/sms", "http://"] {
        let (code, stderr) = run_to_exit(harness(&["--test-clock", "--sms-webhook", bad]));
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--sms-webhook") && stderr.contains(bad), "{bad}: {stderr}");
        assert!(!stderr.contains("serving"), "{bad}: {stderr}");
    }
}

#[test]
fn a_port_in_use_is_an_error_before_any_serving_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mfa-harness"));
    command.args(["serve", "--test-clock", "--addr", &addr]);
    let (code, stderr) = run_to_exit(command);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("binding {addr}")), "{stderr}");
    assert!(!stderr.contains("serving"), "{stderr}");
}
