//! Inputs a careless user gives `run` and `vectors`: selections that select nothing, feature
//! files that check nothing, expected failures without a reason, a duplicated vector id. Each
//! is an error naming the file and line (exit 2) instead of a run that passes vacuously.

use std::path::Path;
use std::process::Command;

use mfa_harness::scenario::{ExpectedFailures, Suite, TagFilter};

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mfa-harness")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A reports folder that must never be written (the run must not start).
fn never_written(test: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mfa-harness-bad-{test}-{}", std::process::id()));
    dir.to_str().unwrap().to_owned()
}

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mfa-harness-bad-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

// ---- item 2: empty selections ----------------------------------------------------------------

#[test]
fn a_tag_expression_selecting_no_scenario_is_an_error() {
    let suite = Suite::load(&[]).unwrap();
    let filter = TagFilter::parse("@area.replay and not @area.replay").unwrap();
    let err = suite.select(Some(&filter)).unwrap_err().to_string();
    assert_eq!(err, "--tags \"@area.replay and not @area.replay\": selects no scenario");

    let out = never_written("tags");
    let (code, stdout, stderr) =
        harness(&["run", "--tags", "@area.replay and not @area.replay", "--out", &out]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("selects no scenario"), "{stderr}");
    assert!(!Path::new(&out).exists(), "a run of nothing must not write a report");
}

#[test]
fn a_vector_file_with_no_records_is_an_error() {
    let file =
        temp_file("empty.json", "{ \"format\": 1, \"description\": \"nothing\",\n  \"records\": [] }\n");
    let (code, stdout, stderr) = harness(&["vectors", "--file", &file]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("empty.json:2:1: no records"), "{stderr}");
}

#[test]
fn a_features_folder_without_feature_files_is_an_error() {
    let err = Suite::load(&[data("no-features").into()]).unwrap_err().to_string();
    assert!(err.ends_with("no-features: no .feature files in this folder or below it"), "{err}");
    let out = never_written("folder");
    let (code, _, stderr) = harness(&["run", "--features", &data("no-features"), "--out", &out]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no .feature files"), "{stderr}");
}

#[test]
fn a_feature_without_scenarios_is_a_located_error() {
    let err = Suite::load(&[data("no-scenarios").into()]).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "empty.feature:2: feature \"A feature whose scenarios were never written\" has no scenarios"
        ),
        "{err}"
    );
    let out = never_written("scenarios");
    let (code, _, stderr) = harness(&["run", "--features", &data("no-scenarios"), "--out", &out]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("empty.feature:2:"), "{stderr}");
}

// ---- item 3: a scenario that asserts nothing ---------------------------------------------------

#[test]
fn a_scenario_without_a_then_step_is_a_located_error() {
    let err = Suite::load(&[data("no-then").into()]).unwrap_err().to_string();
    assert!(
        err.ends_with("asserts_nothing.feature:5: scenario \"Signing in, with no Then\" has no Then step: it asserts nothing"),
        "{err}"
    );
    let out = never_written("then");
    let (code, _, stderr) = harness(&["run", "--features", &data("no-then"), "--out", &out]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("asserts_nothing.feature:5:"), "{stderr}");
}

#[test]
fn the_python_checker_finds_the_same_vacuous_features_at_the_same_lines() {
    let script = format!("{}/features/check_steps.py", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("python3").arg(&script).arg(data("no-then")).arg(data("no-scenarios")).output();
    let output = match output {
        Ok(o) if o.status.code() == Some(1) || o.status.success() => o,
        _ if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 is not installed");
            return;
        }
        other => panic!("check_steps.py did not run: {other:?}"),
    };
    let stdout = String::from_utf8(output.stdout).unwrap();
    let findings: Vec<&str> = stdout.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(findings.len(), 2, "{stdout}");
    assert!(
        findings[0]
            .contains("asserts_nothing.feature:5: scenario 'Signing in, with no Then' has no Then step")
    );
    assert!(findings[1].contains("empty.feature:2: no scenarios"), "{stdout}");
}

// ---- smaller items ---------------------------------------------------------------------------

#[test]
fn an_expected_failure_with_an_empty_reason_is_a_located_error() {
    let ids = vec!["features/replay/concurrent_replay.feature:17".to_owned()];
    let text = "[[expected]]\nscenario = \"features/replay/concurrent_replay.feature:17\"\nreason = \"  \"\n";
    let err = ExpectedFailures::parse("gaps.toml", text, &ids).unwrap_err().to_string();
    assert_eq!(
        err,
        "gaps.toml:3: the reason for \"features/replay/concurrent_replay.feature:17\" is empty (say why it is expected to fail)"
    );
    let file = temp_file("gaps.toml", text);
    let (code, _, stderr) =
        harness(&["run", "--expected-failures", &file, "--out", &never_written("reason")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("gaps.toml:3: the reason"), "{stderr}");
}

#[test]
fn a_duplicate_vector_id_is_reported_at_its_own_line() {
    let record = |counter: u32| {
        format!(
            "    {{ \"id\": \"twice\", \"source\": \"s\", \"kind\": \"hotp\", \"secret_hex\": \"3132\", \"counter\": {counter}, \"expected\": \"123456\" }}"
        )
    };
    let text = format!(
        "{{\n  \"format\": 1,\n  \"description\": \"d\",\n  \"records\": [\n{},\n{}\n  ]\n}}\n",
        record(0),
        record(1)
    );
    let file = temp_file("twice.json", &text);
    let (code, _, stderr) = harness(&["vectors", "--file", &file]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("twice.json:6: record \"twice\": duplicate id, first at"), "{stderr}");
    assert!(stderr.contains("twice.json:5"), "{stderr}");
}

#[test]
fn the_readme_example_of_an_expected_failures_file_is_valid() {
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let start = readme.find("```toml\n# expected-failures.toml").expect("the README shows an example") + 8;
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let ids: Vec<String> = Suite::load(&[]).unwrap().scenarios().into_iter().map(|s| s.id).collect();
    let parsed = ExpectedFailures::parse("README.md", example, &ids).unwrap();
    assert!(parsed.reason("features/replay/concurrent_replay.feature:17").is_some());
}
