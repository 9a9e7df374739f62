//! The report a vendor reads first, of a run with failures: its Markdown and HTML are
//! snapshot-tested for a fixed seed, the same seed gives the same bytes, a declared policy the
//! probe contradicts fails the run on its own, and `run` embeds the observed policy (or says
//! why it did not measure it).

mod vendor_run;

use std::process::Command;

use mfa_harness::report::{RunOutcome, render_html, render_markdown};
use vendor_run::{SEED, failing_run};

const TAGS: &str = "@area.lockout or @area.replay";

#[test]
fn the_vendor_report_of_a_failing_run_matches_its_reviewed_snapshots() {
    let record = failing_run(SEED, TAGS);
    assert!(record.summary.failed > 0, "the run must fail for the snapshot to show failures");
    insta::assert_snapshot!("failing_run_summary_md", render_markdown(&record));
    insta::assert_snapshot!("failing_run_report_html", render_html(&record));
}

#[test]
fn the_same_seed_gives_byte_identical_vendor_reports() {
    let (a, b) = (failing_run(7, TAGS), failing_run(7, TAGS));
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(render_markdown(&a), render_markdown(&b));
    assert_eq!(render_html(&a), render_html(&b));
}

#[test]
fn a_declared_policy_the_probe_contradicts_fails_a_run_whose_scenarios_pass() {
    // The window scenarios pass without a lockout; the declared threshold of 10 does not.
    let record = failing_run(SEED, "@area.window");
    assert_eq!(record.summary.failed, 0, "{:?}", record.summary);
    assert_eq!(record.outcome(), RunOutcome::DoesNotConform);
    let mismatches: Vec<&str> = record.policy_mismatches().iter().map(|c| c.figure.as_str()).collect();
    assert!(mismatches.contains(&"lockout.threshold"), "{mismatches:?}");
    let md = render_markdown(&record);
    assert!(
        md.contains("### FAILED declared policy `lockout.threshold`\n\n- declared: 10\n- measured: none"),
        "{md}"
    );
    assert!(md.contains("| `lockout.threshold` | 10 | none | **FAILED: disagrees** |"), "{md}");
}

#[test]
fn every_failure_names_its_step_expectation_and_the_command_that_reproduces_it() {
    let record = failing_run(SEED, TAGS);
    let html = render_html(&record);
    let failures = &html
        [html.find("<section id=\"failures\">").unwrap()..html.find("<section id=\"coverage\">").unwrap()];
    for r in record.scenarios.iter().filter(|s| s.status == mfa_harness::report::Status::Failed) {
        let f = r.failure.as_ref().unwrap();
        assert!(failures.contains(&format!("<code>{}</code>", r.id)), "{} missing", r.id);
        assert!(failures.contains(&f.line.to_string()));
    }
    assert_eq!(
        failures.matches("(seed 2026)</dd>").count(),
        record.summary.failed + record.summary.errors,
        "one reproduce line per failed scenario"
    );
}

fn harness(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mfa-harness")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn run_embeds_the_observed_policy_or_says_why_not() {
    let dir = std::env::temp_dir().join(format!("mfa-harness-card-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    let (code, stdout) = harness(&["run", "--quiet", "--tags", "@area.window", "--out", out]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("observed policy: overall grade A"), "{stdout}");
    let json = std::fs::read_to_string(dir.join("results.json")).unwrap();
    assert!(json.contains("\"observed_policy\"") && json.contains("\"overall\": \"A\""));
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("| **overall** | **A** | the lowest area grade |"), "{md}");

    let (code, stdout) = harness(&["run", "--quiet", "--no-probe", "--tags", "@area.window", "--out", out]);
    assert_eq!(code, 0, "{stdout}");
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("The observed policy was not measured: --no-probe."), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("The observed policy was not measured: --no-probe."));
    std::fs::remove_dir_all(dir).unwrap();
}
