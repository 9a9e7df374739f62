//! The exact text of written seed files, so a format change is a reviewed diff
//! (`cargo insta review`), never an accident. Keys are seeded sample keys, not secrets.

use mfa_harness::provision::{self, PreSharedKey, oath_csv, pskc};

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn pskc_file_of_two_sample_tokens() {
    let text = pskc::write(&provision::sample_batch(2, 1)).unwrap();
    settings().bind(|| insta::assert_snapshot!("pskc_two_sample_tokens", text));
}

#[test]
fn oath_csv_file_of_two_sample_tokens() {
    let text = oath_csv::write(&provision::sample_batch(2, 1)).unwrap();
    settings().bind(|| insta::assert_snapshot!("oath_csv_two_sample_tokens", text));
}

#[test]
fn encrypted_pskc_file_of_one_sample_token() {
    let key = PreSharedKey::from_hex("12345678901234567890123456789012").unwrap();
    let text = pskc::write_encrypted(&provision::sample_batch(1, 1), &key, 1).unwrap();
    settings().bind(|| insta::assert_snapshot!("pskc_encrypted_one_sample_token", text));
}
