//! The conformance suite against a live eduMFA 2.9.5 through `servers/edumfa/profile.toml`.
//! Needs the server `servers/edumfa/setup.sh` starts and `EDUMFA_BASE_URL`, so every test here is
//! ignored by default and `.ci/run` runs them with `--include-ignored`; run that way without the
//! variable they fail rather than pass untried. With `EDUMFA_FAKETIME_FILE` set too (eduMFA
//! started under libfaketime, as CI does), the harness sets eduMFA's clock and the verdict table
//! (scenario -> status and reason) is an insta snapshot, so a change in what eduMFA does, or in
//! what the profile maps, shows up as a diff. Findings (scenarios eduMFA fails) are listed in
//! `docs/edumfa-findings.md`, never hidden here.

mod observed;
mod real_server;

use real_server::RealServer;

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
    let Some((_alone, connection)) = EDUMFA.connect_under_faketime() else { return };
    insta::assert_snapshot!("edumfa_capabilities", RealServer::capability_lines(&connection));
    let (mut record, table) = EDUMFA.judged(&connection);
    // The probe after the suite, as `mfa-harness run` does it (not beside it: a second test of
    // this file runs at the same time, and the probe's bursts would meet the suite's).
    let figures = observed::probe_after_suite(&RealServer::sut(&connection), &mut record, &PROBE_RACES);
    insta::assert_snapshot!("edumfa_verdicts", table);
    insta::assert_snapshot!("edumfa_probe", figures);
}

/// The probe's figure a race decides (docs/edumfa-findings.md): how many copies of one code get
/// through when sent at once. (Guesses past the threshold cannot be counted on eduMFA: a locked
/// account answers a wrong code as before the lock, and the figure says so.)
const PROBE_RACES: [&str; 1] = ["replay.parallel"];

/// eduMFA's HTTP SMS gateway, pointed at the harness's sink by `setup.sh`, delivers a real SMS
/// challenge's code, and that code answers the challenge.
#[test]
#[ignore = "needs an eduMFA server: EDUMFA_BASE_URL (see .ci/run)"]
fn an_sms_edumfa_sends_reaches_the_sink_and_its_code_is_accepted() {
    EDUMFA.sms_reaches_the_sink_and_its_code_is_accepted();
}
