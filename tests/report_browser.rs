//! The HTML report in a real browser: headless Chromium opens the report of a run with
//! failures, runs its script without an error, and shows the grade card first and the
//! failures right after it; the filter in the address hides every row it should. The
//! screenshot stays under `target/tmp/report-browser/` (CI keeps it as an artifact).
//!
//! Ignored without Chromium (Debian package `chromium`); `.ci/run` installs it and runs this
//! file with `--include-ignored`.

mod browser;
mod vendor_run;

use browser::{Report, rows};
use mfa_harness::report::Status;
use vendor_run::{SEED, failing_run};

#[test]
#[ignore = "needs headless Chromium (Debian package chromium); .ci/run runs it with --include-ignored"]
fn the_report_of_a_failing_run_opens_in_chromium_with_the_failures_right_after_the_card() {
    let record = failing_run(SEED, "@area.lockout or @area.replay");
    assert!(record.summary.failed > 0);
    let report = Report::write(&record, "report-browser");

    let page = report.open_with_failures_first();
    let card =
        &page[page.find("<section id=\"card\">").unwrap()..page.find("<section id=\"failures\">").unwrap()];
    assert!(card.contains("<span class=\"letter\">F</span><strong>overall</strong>"), "{card}");
    let failures = &page[page.find("<section id=\"failures\">").unwrap()..];
    assert!(failures.contains("32 parallel wrong guesses"));
    let total = record.scenarios.len();
    assert!(page.contains(&format!("{total} of {total} shown")), "the filter's count is missing");
    assert!(rows(&page).iter().all(|(_, hidden)| !hidden), "no filter: every row shown");

    let filtered = report.dom(&format!("{}#status=failed", report.url));
    let rows = rows(&filtered);
    assert_eq!(rows.len(), total);
    for (status, hidden) in &rows {
        assert_eq!(*hidden, status != "failed", "a {status} row is hidden={hidden} under status=failed");
    }
    let failed = record.scenarios.iter().filter(|s| s.status == Status::Failed).count();
    assert!(filtered.contains(&format!("{failed} of {total} shown")));

    report.screenshot("report.png", 2600);
}
