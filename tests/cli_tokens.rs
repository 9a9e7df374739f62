//! `mfa-harness tokens` end to end: the binary's seed files read back as the batch they claim.

use std::process::Command;

use mfa_harness::provision::{self, SeedFormat};

fn tokens(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mfa-harness")).arg("tokens").args(args).output().unwrap()
}

#[test]
fn tokens_writes_the_seeded_batch_in_both_formats() {
    let dir = std::env::temp_dir().join(format!("mfa-harness-cli-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (flag, format, file) in
        [("pskc", SeedFormat::Pskc, "b.xml"), ("oath-csv", SeedFormat::OathCsv, "b.csv")]
    {
        let path = dir.join(file);
        let out =
            tokens(&["--count", "25", "--seed", "7", "--format", flag, "--out", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(format.parse(file, &text).unwrap(), provision::sample_batch(25, 7));
        let stdout = tokens(&["--count", "25", "--seed", "7", "--format", flag]);
        assert_eq!(String::from_utf8(stdout.stdout).unwrap(), text, "stdout and --out agree, byte for byte");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tokens_reports_an_unwritable_file_with_exit_code_2() {
    let out = tokens(&["--count", "1", "--out", "/nonexistent-dir/seeds.xml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("writing seed file /nonexistent-dir/seeds.xml"), "{stderr}");
}

#[test]
fn tokens_encrypts_pskc_with_a_pre_shared_key() {
    let psk = "000102030405060708090a0b0c0d0e0f";
    let out = tokens(&["--count", "5", "--seed", "3", "--psk", psk]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let key = provision::PreSharedKey::from_hex(psk).unwrap();
    assert_eq!(provision::pskc::parse_encrypted("-", &text, &key).unwrap(), provision::sample_batch(5, 3));
    let csv = tokens(&["--count", "1", "--format", "oath-csv", "--psk", psk]);
    assert_eq!(csv.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&csv.stderr).contains("--psk needs --format pskc"));
    let short = tokens(&["--count", "1", "--psk", "0011"]);
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("pre-shared key must be 16 bytes"));
}
