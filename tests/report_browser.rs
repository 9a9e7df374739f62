//! The HTML report in a real browser: headless Chromium opens the report of a run with
//! failures, runs its script without an error, and shows the grade card first and the
//! failures right after it; the filter in the address hides every row it should. The
//! screenshot stays under `target/tmp/report-browser/` (CI keeps it as an artifact).
//!
//! Ignored without Chromium (Debian package `chromium`); `.ci/run` installs it and runs this
//! file with `--include-ignored`.

mod vendor_run;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mfa_harness::report::{RunRecord, Status, render_html};
use vendor_run::{SEED, failing_run};

/// Longer than Chromium ever needs for one local page, short enough that a hung browser
/// fails the test instead of CI.
const BROWSER_LIMIT: Duration = Duration::from_secs(90);

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser")
}

/// Runs headless Chromium on `url` with `extra` arguments, killing it past [`BROWSER_LIMIT`].
fn chromium(url: &str, extra: &[&str]) -> Output {
    let profile = out_dir().join("profile");
    let mut child = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium is not installed (Debian: apt-get install chromium)");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > BROWSER_LIMIT {
            child.kill().unwrap();
            panic!("chromium did not finish {url} within {BROWSER_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "chromium failed on {url}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The DOM after the page's script ran, and what the page wrote to the console.
fn dom(url: &str) -> (String, String) {
    let out = chromium(url, &["--dump-dom"]);
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn write_report(record: &RunRecord) -> String {
    std::fs::create_dir_all(out_dir()).unwrap();
    let path = out_dir().join("report.html");
    std::fs::write(&path, render_html(record)).unwrap();
    format!("file://{}", path.display())
}

/// The ids of the page's sections, in order.
fn sections(dom: &str) -> Vec<&str> {
    dom.match_indices("<section id=\"")
        .map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The scenario rows: (status, hidden).
fn rows(dom: &str) -> Vec<(String, bool)> {
    dom.match_indices("<tr data-status=\"")
        .map(|(i, m)| {
            let rest = &dom[i + m.len()..];
            let tag = &rest[..rest.find('>').unwrap()];
            (tag[..tag.find('"').unwrap()].to_owned(), tag.contains(" hidden"))
        })
        .collect()
}

fn assert_script_ran_cleanly(dom: &str, console: &str) {
    assert!(dom.contains("data-ready=\"yes\""), "the page's script did not finish");
    assert!(!dom.contains("data-script-error"), "the page's script raised an error");
    let page_messages: Vec<&str> = console.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(page_messages.is_empty(), "the page wrote to the console: {page_messages:#?}");
}

#[test]
#[ignore = "needs headless Chromium (Debian package chromium); .ci/run runs it with --include-ignored"]
fn the_report_of_a_failing_run_opens_in_chromium_with_the_failures_right_after_the_card() {
    let record = failing_run(SEED, "@area.lockout or @area.replay");
    assert!(record.summary.failed > 0);
    let url = write_report(&record);

    let (page, console) = dom(&url);
    assert_script_ran_cleanly(&page, &console);
    assert_eq!(sections(&page)[..2], ["card", "failures"], "{:?}", sections(&page));
    let card =
        &page[page.find("<section id=\"card\">").unwrap()..page.find("<section id=\"failures\">").unwrap()];
    assert!(card.contains("<span class=\"letter\">F</span><strong>overall</strong>"), "{card}");
    let failures = &page[page.find("<section id=\"failures\">").unwrap()..];
    assert!(failures.contains("32 parallel wrong guesses"));
    let total = record.scenarios.len();
    assert!(page.contains(&format!("{total} of {total} shown")), "the filter's count is missing");
    assert!(rows(&page).iter().all(|(_, hidden)| !hidden), "no filter: every row shown");

    let (filtered, console) = dom(&format!("{url}#status=failed"));
    assert_script_ran_cleanly(&filtered, &console);
    let rows = rows(&filtered);
    assert_eq!(rows.len(), total);
    for (status, hidden) in &rows {
        assert_eq!(*hidden, status != "failed", "a {status} row is hidden={hidden} under status=failed");
    }
    let failed = record.scenarios.iter().filter(|s| s.status == Status::Failed).count();
    assert!(filtered.contains(&format!("{failed} of {total} shown")));

    let shot = out_dir().join("report.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &url,
        &["--hide-scrollbars", "--window-size=1280,2600", &format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "screenshot too small: {} bytes", png.len());
}
