//! The conformance suite against a live privacyIDEA 3.14 through `servers/privacyidea/profile.toml`.
//! Runs only when `PI_BASE_URL` is set (CI sets it after `servers/privacyidea/setup.sh`).
//! With `PI_FAKETIME_FILE` set too (privacyIDEA started under libfaketime, as CI does), the suite
//! runs twice: with the harness setting privacyIDEA's clock (the verdict table, scenario ->
//! status and reason, is an insta snapshot, so a change in what privacyIDEA does or in what the
//! profile maps shows up as a diff), and with the harness treating that clock as a real one it
//! cannot set (scenarios start at privacyIDEA's time, which is then far from the harness's own).
//! Under faketime the probe follows the suite, as in `mfa-harness run`: its figures are a
//! snapshot too, and the run's HTML report is opened in headless Chromium.
//! Findings (scenarios privacyIDEA fails) are listed in `docs/privacyidea-findings.md`, never
//! hidden here.

mod browser;
mod observed;
mod real_server;

use mfa_harness::protocol::Capability;
use mfa_harness::report::{RunRecord, Status};
use real_server::{RealServer, one_at_a_time};

const PRIVACYIDEA: RealServer = RealServer {
    name: "privacyIDEA",
    profile: "servers/privacyidea/profile.toml",
    base_url_var: "PI_BASE_URL",
    faketime_var: "PI_FAKETIME_FILE",
    setup_hint: "start privacyIDEA with servers/privacyidea/setup.sh and export \
                 PI_BASE_URL=http://127.0.0.1:5001",
    home_var: "PI_HOME",
    home_default: "target/privacyidea",
    // The RFC 6238 rows at Unix 20000000000 (year 2603) are past CPython's clock, and the
    // profile's [clock] latest makes them not applicable rather than errors; nothing else may
    // end in a harness error.
    unanswerable: &[],
    // Races whose outcome privacyIDEA leaves to chance (API.md, finding 2): one valid code sent
    // from 32 browsers at once is accepted 1 to 4 times, and when two acceptances collide
    // writing the token's first success counters one of them ends in HTTP 500 (finding 10).
    racy: &["features/replay/concurrent_replay.feature:17"],
    race_error: "500 Internal Server Error",
};

#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL, and headless Chromium (see .ci/run)"]
fn the_suite_against_privacyidea_under_faketime_matches_the_snapshots() {
    let Some((_alone, connection)) = PRIVACYIDEA.connect_under_faketime() else { return };
    let lines = RealServer::capability_lines(&connection);
    insta::assert_snapshot!("privacyidea_capabilities", lines);
    let (mut record, table) = PRIVACYIDEA.judged(&connection);
    let figures = observed::probe_after_suite(&RealServer::sut(&connection), &mut record, &PROBE_RACES);
    open_in_chromium(&record);
    insta::assert_snapshot!("privacyidea_verdicts", table);
    insta::assert_snapshot!("privacyidea_probe", figures);
}

/// The probe's figures that a race decides (API.md, findings 2 and 10): how many copies of one
/// code, and how many guesses past the threshold, get through when sent at once.
const PROBE_RACES: [&str; 2] = ["replay.parallel", "lockout.parallel_past"];

/// The run's HTML report in headless Chromium: its script runs cleanly, the grade card comes
/// first and the failures right after it, every row is shown. The page and its screenshot stay
/// in `target/tmp/privacyidea-report/` (CI keeps them as artifacts).
fn open_in_chromium(record: &RunRecord) {
    let report = browser::Report::write(record, "privacyidea-report");
    let page = report.open_with_failures_first();
    assert!(page.contains("<strong>overall</strong>"), "the card has no overall grade");
    let total = record.scenarios.len();
    assert!(page.contains(&format!("{total} of {total} shown")), "the filter's count is missing");
    assert!(browser::rows(&page).iter().all(|(_, hidden)| !hidden), "no filter: every row shown");
    report.screenshot("report.png", 2600);
}

/// On a clock the harness cannot set, every scenario starts at privacyIDEA's time: with the
/// server under libfaketime that is far from the harness's own clock, so a scenario starting
/// anywhere else would show codes privacyIDEA rejects (or accepts by accident).
#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL (see .ci/run)"]
fn the_suite_against_privacyidea_on_a_clock_the_harness_cannot_set_starts_at_its_time() {
    PRIVACYIDEA.require_live();
    let _alone = one_at_a_time();
    let connection = PRIVACYIDEA.connect(false);
    assert!(!connection.capabilities().has(Capability::ClockControl));
    let server = connection.server_time().expect("privacyIDEA reports its time in every answer");
    let record = PRIVACYIDEA.run_suite(&connection);
    let table = PRIVACYIDEA.verdict_table(&record);
    eprintln!("{table}");
    PRIVACYIDEA.assert_sound(&record, &table);
    for s in record.scenarios.iter().filter(|s| s.status == Status::Failed) {
        let message = &s.failure.as_ref().unwrap().message;
        let at: f64 = message
            .split("at unix:")
            .nth(1)
            .and_then(|rest| rest.split([';', ',', ' ']).next())
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{}: no simulated time in {message:?}", s.id));
        assert!((at - server).abs() < 600.0, "{} ran at {at}, privacyIDEA's clock said {server}", s.id);
    }
    // The statuses are privacyIDEA's behaviour, whichever clock: the same as under faketime,
    // apart from what needs clock control.
    let statuses: String = record
        .scenarios
        .iter()
        .filter(|s| s.status != Status::NotApplicable)
        .map(|s| {
            format!(
                "{} | {}\n",
                s.id,
                if PRIVACYIDEA.is_racy(&s.id, s.status) { "raced" } else { s.status.label() }
            )
        })
        .collect();
    insta::assert_snapshot!("privacyidea_real_clock_statuses", statuses);
}

/// privacyIDEA's HTTP SMS gateway, pointed at the harness's sink by the profile's connect steps,
/// delivers a real SMS challenge's code, and that code answers the challenge.
#[test]
#[ignore = "needs a privacyIDEA server: PI_BASE_URL (see .ci/run)"]
fn an_sms_privacyidea_sends_reaches_the_sink_and_its_code_is_accepted() {
    PRIVACYIDEA.sms_reaches_the_sink_and_its_code_is_accepted();
}
