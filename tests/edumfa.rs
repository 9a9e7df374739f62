//! The conformance suite against a live eduMFA 2.9.5 through `servers/edumfa/profile.toml`.
//! Needs the server `servers/edumfa/setup.sh` starts and `EDUMFA_BASE_URL`, so every test here is
//! ignored by default and `.ci/run` runs them with `--include-ignored`; run that way without the
//! variable they fail rather than pass untried. With `EDUMFA_FAKETIME_FILE` set too (eduMFA
//! started under libfaketime, as CI does), the harness sets eduMFA's clock and the verdict table
//! (scenario -> status and reason) is an insta snapshot, so a change in what eduMFA does, or in
//! what the profile maps, shows up as a diff. Findings (scenarios eduMFA fails) are listed in
//! `docs/edumfa-findings.md`, never hidden here.

mod real_server;

use mfa_harness::protocol::Capability;
use mfa_harness::sut::TargetSpec;
use real_server::{RealServer, one_at_a_time};

const EDUMFA: RealServer = RealServer {
    name: "eduMFA",
    profile: "servers/edumfa/profile.toml",
    base_url_var: "EDUMFA_BASE_URL",
    faketime_var: "EDUMFA_FAKETIME_FILE",
    setup_hint: "start eduMFA with servers/edumfa/setup.sh and export \
                 EDUMFA_BASE_URL=http://127.0.0.1:5002 (.ci/run does both)",
    home_var: "EDUMFA_HOME",
    home_default: "target/edumfa",
    // The RFC 6238 rows at Unix 20000000000 (year 2603) are past CPython's clock, and the
    // profile's [clock] latest makes them not applicable rather than errors; nothing else may
    // end in a harness error.
    unanswerable: &[],
    // One code answered from 32 browsers at once is accepted once (passed), more than once
    // (failed), or twice with one of the winners ending in HTTP 500 on a duplicate token-info
    // insert (error, eduMFA's answer to a database error): docs/edumfa-findings.md, finding 2.
    racy: &["features/replay/concurrent_replay.feature:17"],
    race_error: "A database error occurred.",
};

#[test]
#[ignore = "needs an eduMFA server: EDUMFA_BASE_URL (see .ci/run)"]
fn the_suite_against_edumfa_under_faketime_matches_the_snapshots() {
    EDUMFA.require_live();
    if !EDUMFA.faketime() {
        eprintln!(
            "skipped: eduMFA runs on its real clock (start it with EDUMFA_FAKETIME_FILE set, \
             docs/profiles.md)"
        );
        return;
    }
    let _alone = one_at_a_time();
    let spec = TargetSpec::parse(&format!("profile:{}", EDUMFA.profile().display())).unwrap();
    assert_eq!(spec, TargetSpec::Profile { path: EDUMFA.profile() });
    let connection = EDUMFA.connect(true);
    let server = connection.server_time().expect("eduMFA reports its time in every answer");
    assert!(server > 1_700_000_000.0, "implausible server time {server}");
    eprintln!("eduMFA's clock at connect: Unix {server:.3}");
    insta::assert_snapshot!("edumfa_capabilities", RealServer::capability_lines(&connection));

    assert!(connection.capabilities().has(Capability::ClockControl), "a faketime clock is clock control");
    assert_eq!(connection.info().kind, "profile");
    let record = EDUMFA.run_suite(&connection);
    let table = EDUMFA.verdict_table(&record);
    eprintln!("{table}");
    EDUMFA.assert_sound(&record, &table);
    insta::assert_snapshot!("edumfa_verdicts", table);
}

/// eduMFA's HTTP SMS gateway, pointed at the harness's sink by `setup.sh`, delivers a real SMS
/// challenge's code, and that code answers the challenge.
#[test]
#[ignore = "needs an eduMFA server: EDUMFA_BASE_URL (see .ci/run)"]
fn an_sms_edumfa_sends_reaches_the_sink_and_its_code_is_accepted() {
    EDUMFA.sms_reaches_the_sink_and_its_code_is_accepted();
}
