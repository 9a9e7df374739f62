//! The conformance suite against a live privacyIDEA 3.14 through `targets/privacyidea/profile.toml`.
//! Runs only when `PI_BASE_URL` is set (CI sets it after `targets/privacyidea/setup.sh`); the
//! verdict table (scenario -> status, reason) is an insta snapshot, so a change in what
//! privacyIDEA does, or in what the profile maps, shows up as a diff. Findings (scenarios
//! privacyIDEA fails) are listed in `docs/privacyidea-findings.md`, never hidden here.

use std::path::Path;

use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::Suite;
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::target::profile::Connection;
use mfa_harness::target::{Capability, TargetSpec};

fn profile() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/privacyidea/profile.toml")
}

fn live() -> bool {
    if std::env::var_os("PI_BASE_URL").is_none() {
        eprintln!(
            "skipped: PI_BASE_URL is not set (start privacyIDEA with targets/privacyidea/setup.sh and \
             export PI_BASE_URL=http://127.0.0.1:5001)"
        );
        return false;
    }
    true
}

/// One line per scenario: id, status, and the reason or the failing step (no times, no codes).
fn verdict_table(record: &RunRecord) -> String {
    let mut out = String::new();
    for s in &record.scenarios {
        let why = match (&s.reason, &s.failure) {
            (Some(reason), _) => reason.clone(),
            (None, Some(f)) => format!("{} (line {}): {}", f.step, f.line, f.message),
            (None, None) => String::new(),
        };
        out.push_str(&format!("{} | {} | {}\n", s.id, s.status.label(), why));
    }
    let m = &record.summary;
    out.push_str(&format!(
        "total {}: {} passed, {} failed, {} not applicable, {} errors\n",
        m.total, m.passed, m.failed, m.not_applicable, m.errors
    ));
    out
}

/// One test, one connection: two connections at once would configure privacyIDEA's SMS gateway
/// concurrently, which its SQLite database answers with HTTP 500 (API.md finding 10's kind).
#[test]
fn the_suite_against_privacyidea_matches_the_snapshots() {
    if !live() {
        return;
    }
    let spec = TargetSpec::parse(&format!("profile:{}", profile().display())).unwrap();
    assert_eq!(spec, TargetSpec::Profile { path: profile() });
    let connection = Connection::open(&profile()).expect("privacyIDEA answers the profile's connect steps");
    // The server's clock was read at connect (privacyIDEA has no clock control to read instead).
    let server = connection.server_time().expect("privacyIDEA reports its time in every answer");
    assert!(server > 1_700_000_000.0, "implausible server time {server}");
    eprintln!("privacyIDEA's clock at connect: Unix {server:.3}");
    let mut lines = String::new();
    for (capability, reason) in connection.not_applicable() {
        lines.push_str(&format!("{capability}: {reason}\n"));
    }
    let capabilities = connection.capabilities();
    let mapped: Vec<String> =
        Capability::ALL.iter().filter(|c| capabilities.has(**c)).map(|c| c.to_string()).collect();
    lines.push_str(&format!("mapped: {}\n", mapped.join(", ")));
    insta::assert_snapshot!("privacyidea_capabilities", lines);

    let info = connection.info();
    assert_eq!(info.kind, "profile");
    let suite = Suite::load(&[]).unwrap();
    let settings = RunSettings { seed: 7, tags: None, expected: Default::default(), live: false };
    let record = runner::run(&suite, info, &capabilities, connection.factory(), &settings);
    let table = verdict_table(&record);
    eprintln!("{table}");
    // Whatever privacyIDEA does, a run must reach it, and nothing may be an error.
    assert!(record.summary.passed > 0, "no scenario passed: is the profile reaching privacyIDEA?\n{table}");
    assert_eq!(record.summary.errors, 0, "harness errors:\n{table}");
    for s in &record.scenarios {
        if s.status == Status::NotApplicable {
            assert!(s.reason.as_deref().is_some_and(|r| !r.is_empty()), "{} has no reason", s.id);
        }
    }
    insta::assert_snapshot!("privacyidea_verdicts", table);
}
