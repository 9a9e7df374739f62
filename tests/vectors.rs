//! Every vector file through the core and through totp-rs, and the `vectors` subcommand's
//! behaviour on good, failing and broken files.

use std::process::Command;

use mfa_harness::vectors::{self, Case, Implementation, Outcome};

#[test]
fn every_vector_passes_on_the_core_and_totp_rs_never_disagrees() {
    let files = vectors::load_embedded().unwrap();
    let mut counts = [0usize; 2];
    for file in &files {
        for v in &file.vectors {
            for (i, implementation) in Implementation::ALL.into_iter().enumerate() {
                match implementation.run(v) {
                    Outcome::Pass => counts[i] += 1,
                    Outcome::Fail { expected, actual } => {
                        panic!("{} on {}: expected {expected}, got {actual}", v.id, implementation.name())
                    }
                    Outcome::NotApplicable { reason } => {
                        assert_eq!(implementation, Implementation::TotpRs, "{}: {reason}", v.id);
                        // Only URI records and 10-digit codes are outside totp-rs.
                        let ten_digits = v.case.params().is_some_and(|p| p.digits.get() == 10);
                        assert!(matches!(v.case, Case::Uri { .. }) || ten_digits, "{}: {reason}", v.id);
                    }
                }
            }
        }
    }
    assert_eq!(counts[0], files.iter().map(|f| f.vectors.len()).sum::<usize>());
    assert!(counts[1] >= 10 + 18 + 200, "totp-rs checked only {} records", counts[1]);
}

#[test]
fn rfc_files_hold_every_row_of_the_appendices() {
    let files = vectors::load_embedded().unwrap();
    let count = |name: &str| files.iter().find(|f| f.name.ends_with(name)).unwrap().vectors.len();
    assert_eq!(count("rfc4226-appendix-d.json"), 10);
    assert_eq!(count("rfc6238-appendix-b.json"), 18);
    assert!(count("extra/extended.json") >= 200);
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
fn vectors_command_passes_on_the_built_in_files() {
    let (code, stdout, _) = harness(&["vectors"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("PASS core:") && stdout.contains("PASS totp-rs:"), "{stdout}");
    // The extended set's short keys are flagged, by id.
    assert!(stdout.contains("warning: 12 records use keys below the 128-bit minimum"), "{stdout}");
    assert!(stdout.contains("ext-key1-sha1"), "{stdout}");
}

#[test]
fn a_wrong_expected_code_fails_with_id_expected_and_actual() {
    let (code, stdout, _) = harness(&["vectors", "--file", &data("wrong-code.json"), "--impl", "core"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("FAIL core"), "{stdout}");
    assert!(stdout.contains("wrong-rfc4226-d-0: expected 755225, got 755224"), "{stdout}");
}

#[test]
fn json_output_is_machine_readable() {
    let (code, stdout, _) = harness(&["vectors", "--file", &data("wrong-code.json"), "--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["status"], "fail");
    assert_eq!(results[0]["actual"], "755224");
}

#[test]
fn broken_files_are_harness_errors_naming_file_and_line() {
    let (code, _, stderr) = harness(&["vectors", "--file", &data("broken-syntax.json")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("broken-syntax.json:5:"), "{stderr}");

    let (code, _, stderr) = harness(&["vectors", "--file", &data("bad-record.json")]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad-record.json:4: record \"bad-digits\": digits must be 6 to 10, got 12"),
        "{stderr}"
    );

    let (code, _, stderr) = harness(&["vectors", "--file", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/file.json"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = harness(&["vectors", "--impl", "oathtool"]);
    assert_eq!(code, 2, "{stderr}");
}
