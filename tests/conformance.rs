//! The conformance suite against the embedded reference, through the same runner as
//! `mfa-harness run`: every scenario passes, the same seed gives byte-identical reports, the
//! reports are snapshot-tested, JUnit is read back by a real JUnit parser, and bad input is a
//! located harness error (exit 2).

use std::process::Command;

use mfa_harness::reference::Policy;
use mfa_harness::report::{RunRecord, Status};
use mfa_harness::scenario::runner::{self, RunSettings};
use mfa_harness::scenario::{Suite, TagFilter};
use mfa_harness::sut::TargetSpec;

fn run(seed: u64, tags: Option<&str>) -> RunRecord {
    let suite = Suite::load(&[]).unwrap();
    let connection = TargetSpec::parse("reference").unwrap().connect().unwrap();
    let settings =
        RunSettings { seed, tags: tags.map(|t| TagFilter::parse(t).unwrap()), ..RunSettings::default() };
    runner::run(&suite, &connection, &settings)
}

#[test]
fn the_reference_passes_every_scenario() {
    let record = run(1, None);
    let failing: Vec<String> = record
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .map(|s| format!("{} {:?} {:?} {:?}", s.id, s.status, s.reason, s.failure))
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert!(record.summary.total >= 150);
}

/// `serve` for real users hashes passwords at the standard Argon2id cost, which the suite's
/// reference (`Policy::for_tests`, the cheap hash) never runs: its sign-in scenarios pass there
/// too, so a standard cost that cannot hash (every password refused) fails here.
#[test]
fn the_reference_at_the_standard_password_cost_passes_the_sign_in_scenarios() {
    let suite = Suite::load(&[]).unwrap();
    let policy = Policy::default();
    let spec = TargetSpec::Reference { name: "reference".into(), declared: policy.facts(), policy };
    let tags = Some(TagFilter::parse("@area.login and not @needs.sms").unwrap());
    let record = runner::run(
        &suite,
        &spec.connect().unwrap(),
        &RunSettings { seed: 1, tags, ..RunSettings::default() },
    );
    let failing: Vec<&str> =
        record.scenarios.iter().filter(|s| s.status != Status::Passed).map(|s| s.id.as_str()).collect();
    assert!(failing.is_empty(), "{failing:?}");
    assert!(record.summary.total >= 10);
}

#[test]
fn the_same_seed_gives_byte_identical_json_and_markdown() {
    let (a, b) = (run(7, None), run(7, None));
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(mfa_harness::report::render_markdown(&a), mfa_harness::report::render_markdown(&b));
}

#[test]
fn reports_match_their_reviewed_snapshots() {
    let record = run(2026, Some("@area.replay or @area.window"));
    insta::assert_snapshot!("replay_and_window_results_json", record.to_json());
    insta::assert_snapshot!("replay_and_window_summary_md", mfa_harness::report::render_markdown(&record));
}

#[test]
fn junit_is_read_by_a_real_junit_parser() {
    let record = run(3, Some("@area.lockout"));
    let dir = std::env::temp_dir().join(format!("mfa-harness-junit-{}", std::process::id()));
    let files = record.write_all(&dir).unwrap();
    let junit = files.iter().find(|p| p.ends_with("junit.xml")).unwrap();
    let script = "import sys, junitparser\n\
                  x = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
                  cases = [c for s in x for c in s]\n\
                  print(len(cases), sum(1 for c in cases if c.is_passed))";
    let out = match Command::new("python3").args(["-c", script]).arg(junit).output() {
        Ok(out) if out.status.success() => out,
        // CI installs junitparser; elsewhere say why this check did not run.
        Ok(_) | Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 with junitparser is not installed (pip install junitparser)");
            return;
        }
        other => panic!("junitparser could not read {}: {other:?}", junit.display()),
    };
    let text = String::from_utf8(out.stdout).unwrap();
    let n = record.summary.total;
    assert_eq!(text.trim(), format!("{n} {n}"), "junitparser saw: {text}");
    std::fs::remove_dir_all(dir).unwrap();
}

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mfa-harness")).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_writes_the_four_reports_and_exits_0() {
    let out = std::env::temp_dir().join(format!("mfa-harness-run-{}", std::process::id()));
    let (code, stdout, _) =
        harness(&["run", "--quiet", "--tags", "@area.sms", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    for file in ["results.json", "summary.md", "report.html", "junit.xml"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn bad_input_is_a_located_error_with_exit_2() {
    let out = std::env::temp_dir().join("mfa-harness-never-written");
    let out = out.to_str().unwrap();
    let (code, _, err) = harness(&["run", "--features", &data("bad-features"), "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.feature:2") && err.contains("Givn Rita"), "{err}");

    let (code, _, err) = harness(&["run", "--features", &data("unknown-tag"), "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("tag.feature:1: unknown tag @needs.time-travel"), "{err}");

    let (code, _, err) = harness(&["run", "--tags", "@area.replya", "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown tag @area.replya"), "{err}");

    let (code, _, err) = harness(&["run", "--seed", "minus-one", "--out", out]);
    assert_eq!(code, 2, "{err}");

    let (code, _, err) = harness(&["run", "--features", "no/such/dir", "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");

    let (code, _, err) = harness(&["run", "--expected-failures", &data("wrong-code.json"), "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("wrong-code.json"), "{err}");

    let (code, _, err) = harness(&["run", "--target", "ftp://example", "--out", out]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown target"), "{err}");
    assert!(!std::path::Path::new(out).exists(), "no reports for a run that never started");
}

/// The case: a `Given` change the target refuses ("Bob" may not set Alice's protection)
/// used to let the scenario go on and fail at its `Then` ("asked for a second factor", got
/// signed in). It is an error naming the step and quoting the answer, never a failure.
#[test]
fn a_refused_given_ends_the_scenario_as_an_error_naming_the_step_not_a_later_failure() {
    let feature = "Feature: A change the target refuses
  Scenario: Bob may not protect Alice
    Given Rita has a root account
    And Alice is an IAM user under Rita
    And Bob is an IAM user under Rita
    And Alice has a secure phone number bound
    And Bob enables login protection by SMS for Alice
    When Alice signs in with her password
    Then Alice is asked for a second factor by SMS
";
    let suite = Suite::from_sources(vec![("features/x/refused.feature".into(), feature.into())]).unwrap();
    let connection = TargetSpec::parse("reference").unwrap().connect().unwrap();
    let record = runner::run(&suite, &connection, &RunSettings::default());
    let scenario = &record.scenarios[0];
    assert_eq!(scenario.status, Status::Error, "{scenario:?}");
    let failure = scenario.failure.as_ref().unwrap();
    assert_eq!(failure.step, "And Bob enables login protection by SMS for Alice");
    assert_eq!(failure.line, 7);
    let reason = scenario.reason.as_deref().unwrap();
    assert!(
        reason.starts_with(
            "the target refused the precondition \"And Bob enables login protection by SMS for Alice\""
        ) && reason.ends_with("the target answered rejected (not allowed)"),
        "{reason}"
    );
    assert_eq!(record.outcome(), mfa_harness::report::RunOutcome::NoVerdict);
}
