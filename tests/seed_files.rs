//! Seed files (PSKC RFC 6030, OATH CSV): round trips at batch scale and under proptest, the
//! RFC 6030 examples, and one test per error kind asserting the message (file and line
//! present, key material absent).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mfa_harness::otp::{Algorithm, Digits, Period, Secret};
use mfa_harness::provision::{self, PreSharedKey, SeedFileError, SeedFormat, TokenSeed, oath_csv, pskc};
use proptest::prelude::*;

/// RFC 6030's example key, "12345678901234567890".
const RFC_KEY_B64: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=";
const RFC_KEY_HEX: &str = "3132333435363738393031323334353637383930";

/// A valid one-token PSKC file; error tests change one thing in it. Line numbers matter.
const PSKC_ONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>T1</SerialNo></DeviceInfo>
    <Key Id="T1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters>
        <Suite>SHA256</Suite>
        <ResponseFormat Length="8" Encoding="DECIMAL"/>
      </AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Time><PlainValue>0</PlainValue></Time>
        <TimeInterval><PlainValue>60</PlainValue></TimeInterval>
        <TimeDrift><PlainValue>0</PlainValue></TimeDrift>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>
"#;

/// RFC 6030 Figure 3 (plain-value key with DeviceInfo), verbatim but for the whitespace.
const RFC6030_FIGURE_3: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
    <KeyPackage>
        <DeviceInfo>
            <Manufacturer>Manufacturer</Manufacturer>
            <SerialNo>987654321</SerialNo>
            <UserId>DC=example-bank,DC=net</UserId>
        </DeviceInfo>
        <CryptoModuleInfo>
            <Id>CM_ID_001</Id>
        </CryptoModuleInfo>
        <Key Id="12345678"
            Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
            <Issuer>Issuer</Issuer>
            <AlgorithmParameters>
                <ResponseFormat Length="8" Encoding="DECIMAL"/>
            </AlgorithmParameters>
            <Data>
                <Secret>
                    <PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=
                    </PlainValue>
                </Secret>
                <Counter>
                    <PlainValue>0</PlainValue>
                </Counter>
            </Data>
            <UserId>UID=jsmith,DC=example-bank,DC=net</UserId>
        </Key>
    </KeyPackage>
</KeyContainer>
"#;

/// RFC 6030 Figure 6 (AES-128-CBC with a pre-shared key, HMAC-SHA1 MAC), with the algorithm
/// changed from HOTP to TOTP so that this harness reads it. Values as printed in the RFC.
const RFC6030_FIGURE_6_TOTP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0"
    xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
    <EncryptionKey>
        <ds:KeyName>Pre-shared-key</ds:KeyName>
    </EncryptionKey>
    <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
        <MACKey>
            <xenc:EncryptionMethod
            Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData>
                <xenc:CipherValue>
    ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX
                </xenc:CipherValue>
            </xenc:CipherData>
        </MACKey>
    </MACMethod>
    <KeyPackage>
        <DeviceInfo>
            <Manufacturer>Manufacturer</Manufacturer>
            <SerialNo>987654321</SerialNo>
        </DeviceInfo>
        <Key Id="12345678"
            Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
            <Issuer>Issuer</Issuer>
            <AlgorithmParameters>
                <ResponseFormat Length="8" Encoding="DECIMAL"/>
            </AlgorithmParameters>
            <Data>
                <Secret>
                    <EncryptedValue>
                        <xenc:EncryptionMethod
            Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
                        <xenc:CipherData>
                            <xenc:CipherValue>
    AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv
                            </xenc:CipherValue>
                        </xenc:CipherData>
                    </EncryptedValue>
                    <ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=
                    </ValueMAC>
                </Secret>
                <Counter>
                    <PlainValue>0</PlainValue>
                </Counter>
            </Data>
        </Key>
    </KeyPackage>
</KeyContainer>
"#;

/// RFC 6030 section 6.1's pre-shared key.
fn rfc_psk() -> PreSharedKey {
    PreSharedKey::from_hex("12345678901234567890123456789012").unwrap()
}

fn seed(serial: &str, key: &[u8]) -> TokenSeed {
    TokenSeed {
        serial: serial.to_owned(),
        secret: Secret::from_bytes(key.to_vec()).unwrap(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        period: Period::THIRTY_SECONDS,
        t0: 0,
    }
}

/// A batch with every parameter varied, so a writer that drops one is caught.
fn varied_batch(count: usize, seed: u64, with_t0: bool) -> Vec<TokenSeed> {
    provision::sample_batch(count, seed)
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.algorithm = Algorithm::ALL[i % 3];
            s.digits = Digits::new(6 + (i % 5) as u8).unwrap();
            s.period = Period::new([30, 60, 15, 1, 3600][i % 5]).unwrap();
            if with_t0 {
                s.t0 = (i as u64) * 7;
            }
            if i % 4 == 1 {
                // Key lengths privacyIDEA maps to SHA256/SHA512, with a mismatching algorithm.
                s.secret = Secret::from_bytes(vec![i as u8; [32, 64][i % 2]]).unwrap();
            }
            s
        })
        .collect()
}

/// The error's message; asserts it carries none of the secrets given.
fn message(result: Result<Vec<TokenSeed>, SeedFileError>, secrets: &[&str]) -> String {
    let error = result.expect_err("the file should be refused");
    let shown = error.to_string();
    for secret in secrets {
        assert!(!shown.contains(secret), "{shown:?} shows key material {secret:?}");
        assert!(!format!("{error:?}").contains(secret), "Debug of {shown:?} shows key material");
    }
    shown
}

fn pskc_error(text: &str) -> String {
    message(pskc::parse("batch.xml", text), &[RFC_KEY_B64, RFC_KEY_HEX, "12345678901234567890"])
}

fn csv_error(text: &str) -> String {
    message(oath_csv::parse("batch.csv", text), &[RFC_KEY_HEX, "12345678901234567890"])
}

// ---- round trips ----

#[test]
fn a_thousand_tokens_round_trip_in_both_formats() {
    for format in SeedFormat::ALL {
        let batch = varied_batch(1000, 7, format == SeedFormat::Pskc);
        let text = format.write(&batch).unwrap();
        assert_eq!(format.parse("batch", &text).unwrap(), batch, "{format}");
        assert_eq!(
            provision::read(&format!("batch.{format}"), &text).unwrap(),
            batch,
            "{format} by detection"
        );
    }
}

#[test]
fn writing_is_deterministic_and_seed_dependent() {
    for format in SeedFormat::ALL {
        let a = format.write(&provision::sample_batch(1000, 1)).unwrap();
        assert_eq!(a, format.write(&provision::sample_batch(1000, 1)).unwrap());
        assert_ne!(a, format.write(&provision::sample_batch(1000, 2)).unwrap());
    }
}

#[test]
fn sample_batch_has_vendor_serials_and_distinct_keys() {
    let batch = provision::sample_batch(1000, 9);
    assert_eq!(batch[0].serial, "MFA0000001");
    assert_eq!(batch[999].serial, "MFA0001000");
    let keys: std::collections::HashSet<&[u8]> = batch.iter().map(|s| s.secret.expose()).collect();
    assert_eq!(keys.len(), 1000);
    assert!(batch.iter().all(|s| s.secret.len() == provision::SAMPLE_KEY_BYTES));
    assert_eq!(provision::sample_batch(10, 9), batch[..10]);
}

#[test]
fn written_files_look_like_their_formats() {
    let batch = vec![seed("MFA0000001", b"12345678901234567890")];
    let csv = oath_csv::write(&batch).unwrap();
    assert_eq!(csv, format!("{}\nMFA0000001,{RFC_KEY_HEX},totp,6,30\n", oath_csv::HEADER_COMMENT));
    let xml = pskc::write(&batch).unwrap();
    for expected in [
        r#"<pskc:KeyContainer xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">"#,
        "<pskc:SerialNo>MFA0000001</pskc:SerialNo>",
        r#"<pskc:Key Id="MFA0000001" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">"#,
        "<pskc:Suite>SHA1</pskc:Suite>",
        r#"<pskc:ResponseFormat Length="6" Encoding="DECIMAL"/>"#,
        &format!("<pskc:PlainValue>{RFC_KEY_B64}</pskc:PlainValue>"),
        "<pskc:TimeInterval>\n",
    ] {
        assert!(xml.contains(expected), "missing {expected:?} in\n{xml}");
    }
}

fn serial_strategy() -> impl Strategy<Value = String> {
    // Commas, quotes, XML specials, '#', unicode; no surrounding whitespace (readers trim).
    "[A-Za-z0-9,\"'<>&#;:é中😀-][A-Za-z0-9 ,\"'<>&#;:é中😀\u{a0}-]{0,10}"
}

fn seed_strategy(with_t0: bool) -> impl Strategy<Value = TokenSeed> {
    (
        serial_strategy(),
        prop::collection::vec(any::<u8>(), 1..=64),
        0..3usize,
        6..=10u8,
        1..=7200u64,
        if with_t0 { 0..=u64::from(u32::MAX) } else { 0..=0u64 },
    )
        .prop_map(|(serial, key, algorithm, digits, period, t0)| TokenSeed {
            serial,
            secret: Secret::from_bytes(key).unwrap(),
            algorithm: Algorithm::ALL[algorithm],
            digits: Digits::new(digits).unwrap(),
            period: Period::new(period).unwrap(),
            t0,
        })
}

/// Serials made unique by a numeric suffix (duplicates are an error by design).
fn unique(mut seeds: Vec<TokenSeed>) -> Vec<TokenSeed> {
    for (i, s) in seeds.iter_mut().enumerate() {
        s.serial = format!("{}{i}", s.serial.trim_end());
    }
    seeds
}

proptest! {
    #[test]
    fn pskc_round_trips_any_seeds(seeds in prop::collection::vec(seed_strategy(true), 0..8)) {
        let seeds = unique(seeds);
        let text = pskc::write(&seeds).unwrap();
        prop_assert_eq!(pskc::parse("p.xml", &text).unwrap(), seeds);
    }

    #[test]
    fn encrypted_pskc_round_trips_any_seeds(
        seeds in prop::collection::vec(seed_strategy(true), 0..4),
        key in any::<[u8; 16]>(),
        seed in any::<u64>(),
    ) {
        let seeds = unique(seeds);
        let key = PreSharedKey::from_bytes(key);
        let text = pskc::write_encrypted(&seeds, &key, seed).unwrap();
        prop_assert_eq!(pskc::parse_encrypted("p.xml", &text, &key).unwrap(), seeds);
    }

    #[test]
    fn readers_never_panic_on_arbitrary_text(text in ".{0,400}") {
        let _ = pskc::parse("x.xml", &text);
        let _ = oath_csv::parse("x.csv", &text);
    }

    #[test]
    fn readers_never_panic_on_damaged_files(cut_from in 0usize..4000, cut_len in 0usize..200) {
        let batch = varied_batch(3, 1, false);
        for text in [pskc::write(&batch).unwrap(), oath_csv::write(&batch).unwrap()] {
            let from = cut_from.min(text.len());
            let to = (from + cut_len).min(text.len());
            if text.is_char_boundary(from) && text.is_char_boundary(to) {
                let damaged = format!("{}{}", &text[..from], &text[to..]);
                // An error or some seeds (a cut inside a key can leave another valid key), never a
                // panic, and never more tokens than were written.
                if let Ok(seeds) = provision::read(if text.starts_with('<') { "d.xml" } else { "d.csv" }, &damaged) {
                    prop_assert!(seeds.len() <= batch.len());
                }
            }
        }
    }

    #[test]
    fn oath_csv_round_trips_any_seeds(seeds in prop::collection::vec(seed_strategy(false), 0..8)) {
        let seeds = unique(seeds);
        let text = oath_csv::write(&seeds).unwrap();
        prop_assert_eq!(oath_csv::parse("p.csv", &text).unwrap(), seeds);
    }
}

// ---- RFC 6030 examples ----

#[test]
fn rfc6030_figure_3_is_refused_as_hotp_with_its_uri() {
    assert_eq!(
        pskc_error(RFC6030_FIGURE_3),
        "batch.xml:12 <Key>: token \"987654321\": token type \"urn:ietf:params:xml:ns:keyprov:pskc:hotp\" \
         is not supported (only TOTP tokens are)"
    );
}

#[test]
fn rfc6030_figure_3_as_a_totp_token_parses_to_its_values() {
    let text = RFC6030_FIGURE_3.replace("pskc:hotp", "pskc:totp");
    let seeds = pskc::parse("figure3.xml", &text).unwrap();
    assert_eq!(seeds.len(), 1);
    let s = &seeds[0];
    // DeviceInfo/SerialNo wins over Key/@Id, as privacyIDEA reads it.
    assert_eq!(s.serial, "987654321");
    assert_eq!(s.secret.expose(), b"12345678901234567890");
    assert_eq!((s.algorithm, s.digits.get(), s.period.seconds(), s.t0), (Algorithm::Sha1, 8, 30, 0));
    // RFC 6238 Appendix B: SHA1 at T = 59 is 94287082.
    assert_eq!(s.totp().code_at(59).unwrap().to_string(), "94287082");
}

#[test]
fn rfc6030_figure_2_style_minimal_container_uses_key_id_and_needs_a_response_format() {
    // Figure 2 has no DeviceInfo and no AlgorithmParameters.
    let figure_2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" Id="exampleID1" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
    <KeyPackage>
        <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
            <Issuer>Issuer-A</Issuer>
            <Data>
                <Secret>
                    <PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=
                    </PlainValue>
                </Secret>
            </Data>
        </Key>
    </KeyPackage>
</KeyContainer>"#;
    assert_eq!(pskc_error(figure_2), "batch.xml:4 <Key>: token \"12345678\": missing <AlgorithmParameters>");
    let with_length = figure_2.replace(
        "<Issuer>Issuer-A</Issuer>",
        r#"<AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>"#,
    );
    let seeds = pskc::parse("figure2.xml", &with_length).unwrap();
    assert_eq!(seeds[0].serial, "12345678");
    assert_eq!(seeds[0].secret.expose(), b"12345678901234567890");
}

#[test]
fn prefixed_namespaces_suite_spellings_and_privacyidea_hashalgo_attribute_are_read() {
    let prefixed = pskc::write(&[seed("T1", b"12345678901234567890")]).unwrap();
    assert_eq!(pskc::parse("p.xml", &prefixed).unwrap()[0].serial, "T1");
    for (suite, expected) in [
        ("<Suite>SHA256</Suite>", Algorithm::Sha256),
        ("<Suite>hmac-sha512</Suite>", Algorithm::Sha512),
        ("<Suite> sha-1 </Suite>", Algorithm::Sha1),
        (r#"<Suite hashalgo="sha256"/>"#, Algorithm::Sha256),
        ("", Algorithm::Sha1),
    ] {
        let text = PSKC_ONE.replace("<Suite>SHA256</Suite>", suite);
        assert_eq!(pskc::parse("p.xml", &text).unwrap()[0].algorithm, expected, "{suite}");
    }
}

#[test]
fn one_token_file_parses_to_its_values() {
    let s = &pskc::parse("one.xml", PSKC_ONE).unwrap()[0];
    assert_eq!(s.serial, "T1");
    assert_eq!((s.algorithm, s.digits.get(), s.period.seconds(), s.t0), (Algorithm::Sha256, 8, 60, 0));
}

#[test]
fn entities_and_cdata_in_serials_are_resolved() {
    let text =
        PSKC_ONE.replace("<SerialNo>T1</SerialNo>", "<SerialNo>a&amp;b&#x3c;<![CDATA[&c]]></SerialNo>");
    assert_eq!(pskc::parse("e.xml", &text).unwrap()[0].serial, "a&b<&c");
}

// ---- PSKC errors: one per kind ----

#[test]
fn pskc_malformed_xml_names_the_line() {
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("</Suite>", "</Suit>")),
        "batch.xml:7: malformed XML: an end tag does not close <Suite>"
    );
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("</Suite>", "</Data>")),
        "batch.xml:7: malformed XML: end tag </Data> does not close <Suite>"
    );
    assert_eq!(
        pskc_error(
            "<KeyContainer xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\" Version=\"1.0\">\n<KeyPackage>"
        ),
        "batch.xml:2: malformed XML: document ends inside <KeyPackage>"
    );
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("<SerialNo>T1", "<SerialNo>&ent;T1")),
        "batch.xml:4: malformed XML: unknown entity (only &lt; &gt; &amp; &apos; &quot; and character references)"
    );
}

#[test]
fn markup_damage_inside_a_key_never_shows_key_text() {
    for damage in [
        "MTIzNDU2&Nzg5MDEy",
        "MTIzNDU2<Nzg5MDEy",
        "MTIzNDU2&#xZZ;Nzg5",
        "MTIzNDU2</Nzg5MDEy>",
        "MTIzNDU2<a:Nzg5/>",
    ] {
        let text = PSKC_ONE.replace(RFC_KEY_B64, damage);
        let shown = message(pskc::parse("batch.xml", &text), &["MTIzNDU2", "Nzg5"]);
        assert!(shown.starts_with("batch.xml:11"), "{shown}");
    }
}

#[test]
fn pskc_content_after_the_root_is_refused() {
    assert_eq!(
        pskc_error(&format!("{PSKC_ONE}<KeyContainer/>\n")),
        "batch.xml:19: malformed XML: a second element after the root element"
    );
    assert_eq!(
        pskc_error(&format!("{PSKC_ONE}trailing\n")),
        "batch.xml:19: malformed XML: text outside the root element"
    );
    assert_eq!(pskc_error("<?xml version=\"1.0\"?>\n"), "batch.xml:2: malformed XML: no root element");
    let crlf = format!("{}\r\n\r\ntrailing", PSKC_ONE.replace('\n', "\r\n"));
    assert_eq!(pskc_error(&crlf), "batch.xml:21: malformed XML: text outside the root element");
    assert!(pskc::parse("ok.xml", &format!("{PSKC_ONE}<!-- signed off -->\n\n")).is_ok());
}

#[test]
fn pskc_root_must_be_a_pskc_key_container() {
    assert_eq!(
        pskc_error("<?xml version=\"1.0\"?>\n<Tokens/>"),
        "batch.xml:2 <element>: root element is <Tokens>, expected <KeyContainer> in namespace \
         urn:ietf:params:xml:ns:keyprov:pskc"
    );
    let wrong_namespace =
        PSKC_ONE.replace("xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\"", "xmlns=\"urn:x\"");
    assert!(pskc_error(&wrong_namespace).contains("root element is <KeyContainer>, expected"));
}

#[test]
fn pskc_version_must_be_1_0() {
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("Version=\"1.0\"", "Version=\"2.0\"")),
        "batch.xml:2 <KeyContainer>: <KeyContainer> Version \"2.0\" is not supported (expected \"1.0\")"
    );
}

#[test]
fn pskc_missing_serial_is_refused() {
    let text = PSKC_ONE.replace("<SerialNo>T1</SerialNo>", "").replace(" Id=\"T1\"", "");
    assert_eq!(
        pskc_error(&text),
        "batch.xml:5 <Key>: token has no serial number (no <DeviceInfo><SerialNo> and no Key Id)"
    );
}

#[test]
fn pskc_duplicate_serial_names_both_lines() {
    let package =
        &PSKC_ONE[PSKC_ONE.find("  <KeyPackage>").unwrap()..PSKC_ONE.find("</KeyContainer>").unwrap()];
    let text = PSKC_ONE.replace("</KeyContainer>", &format!("{package}</KeyContainer>"));
    assert_eq!(pskc_error(&text), "batch.xml:20 <Key>: duplicate serial \"T1\" (first on line 5)");
}

#[test]
fn pskc_missing_key_is_refused() {
    let text = PSKC_ONE.replace(&format!("<Secret><PlainValue>{RFC_KEY_B64}</PlainValue></Secret>"), "");
    assert_eq!(pskc_error(&text), "batch.xml:10 <Data>: token \"T1\" has no key (no <Secret> in <Data>)");
    let empty = PSKC_ONE.replace(RFC_KEY_B64, " ");
    assert_eq!(pskc_error(&empty), "batch.xml:11 <PlainValue>: token \"T1\" has no key (empty <PlainValue>)");
}

#[test]
fn pskc_bad_base64_says_so_without_the_value() {
    let text = PSKC_ONE.replace(RFC_KEY_B64, "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA*");
    let shown = message(pskc::parse("batch.xml", &text), &["MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"]);
    assert_eq!(shown, "batch.xml:11 <PlainValue>: token \"T1\": key is not valid base64");
}

#[test]
fn pskc_unknown_hash_is_refused() {
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("<Suite>SHA256", "<Suite>SHA3-256")),
        "batch.xml:7 <Suite>: token \"T1\": unknown hash algorithm \"SHA3-256\" (expected SHA1, SHA256 or SHA512)"
    );
}

#[test]
fn pskc_digits_outside_6_to_10_are_refused() {
    for length in ["5", "11", "eight"] {
        assert_eq!(
            pskc_error(&PSKC_ONE.replace("Length=\"8\"", &format!("Length=\"{length}\""))),
            format!(
                "batch.xml:8 <ResponseFormat>: token \"T1\": otp length \"{length}\" is not a number from 6 to 10"
            )
        );
    }
}

#[test]
fn pskc_zero_time_interval_is_refused() {
    assert_eq!(
        pskc_error(&PSKC_ONE.replace("<PlainValue>60</PlainValue>", "<PlainValue>0</PlainValue>")),
        "batch.xml:13 <TimeInterval>: token \"T1\": time step \"0\" is not a whole number of seconds of at least 1"
    );
}

#[test]
fn pskc_bad_t0_is_refused() {
    let text = PSKC_ONE.replace("<Time><PlainValue>0</PlainValue>", "<Time><PlainValue>-5</PlainValue>");
    assert_eq!(
        pskc_error(&text),
        "batch.xml:12 <Time>: token \"T1\": Time (T0) \"-5\" is not a whole number"
    );
}

#[test]
fn pskc_missing_response_format_is_refused() {
    let text = PSKC_ONE.replace("<ResponseFormat Length=\"8\" Encoding=\"DECIMAL\"/>", "");
    assert_eq!(
        pskc_error(&text),
        "batch.xml:6 <AlgorithmParameters>: token \"T1\": missing <ResponseFormat>"
    );
}

#[test]
fn pskc_encrypted_values_without_the_key_are_refused_clearly() {
    assert_eq!(
        pskc_error(RFC6030_FIGURE_6_TOTP),
        "batch.xml:33 <EncryptedValue>: token \"987654321\": the key is encrypted (<EncryptedValue>); \
         the pre-shared key is needed to read it"
    );
}

// ---- encrypted PSKC (RFC 6030 section 6.1) ----

#[test]
fn rfc6030_figure_6_decrypts_with_its_pre_shared_key() {
    let seeds = pskc::parse_encrypted("figure6.xml", RFC6030_FIGURE_6_TOTP, &rfc_psk()).unwrap();
    assert_eq!(seeds.len(), 1);
    assert_eq!(seeds[0].serial, "987654321");
    assert_eq!(seeds[0].secret.expose(), b"12345678901234567890");
    assert_eq!(seeds[0].digits.get(), 8);
}

#[test]
fn rfc6030_figure_6_with_a_wrong_key_is_refused() {
    let wrong = PreSharedKey::from_hex("12345678901234567890123456789013").unwrap();
    let shown = message(pskc::parse_encrypted("f6.xml", RFC6030_FIGURE_6_TOTP, &wrong), &[RFC_KEY_HEX]);
    assert!(shown.starts_with("f6.xml:10 <MACKey>: <MACMethod>: "), "{shown}");
    assert!(shown.contains("wrong key or password"), "{shown}");
}

#[test]
fn rfc6030_figure_6_with_an_altered_mac_is_refused() {
    let altered =
        RFC6030_FIGURE_6_TOTP.replace("Su+NvtQfmvfJzF6bmQiJqoLRExc=", "Tu+NvtQfmvfJzF6bmQiJqoLRExc=");
    assert_eq!(
        message(pskc::parse_encrypted("f6.xml", &altered, &rfc_psk()), &[RFC_KEY_HEX]),
        "f6.xml:42 <ValueMAC>: token \"987654321\": <ValueMAC> does not match: wrong key or password, or altered value"
    );
    let no_mac = RFC6030_FIGURE_6_TOTP
        .replace("<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=\n                    </ValueMAC>", "");
    assert_eq!(
        message(pskc::parse_encrypted("f6.xml", &no_mac, &rfc_psk()), &[RFC_KEY_HEX]),
        "f6.xml:32 <Secret>: token \"987654321\": missing <ValueMAC>"
    );
}

#[test]
fn pskc_unsupported_encryption_algorithms_are_named() {
    let aes256 = RFC6030_FIGURE_6_TOTP.replacen("xmlenc#aes128-cbc", "xmlenc#aes256-cbc", 2);
    let shown = message(pskc::parse_encrypted("f6.xml", &aes256, &rfc_psk()), &[RFC_KEY_HEX]);
    assert_eq!(
        shown,
        "f6.xml:10 <MACKey>: <MACMethod>: encryption algorithm \"http://www.w3.org/2001/04/xmlenc#aes256-cbc\" \
         is not supported (only http://www.w3.org/2001/04/xmlenc#aes128-cbc)"
    );
}

#[test]
fn transport_ivs_share_no_bytes_with_token_keys_of_the_same_seed() {
    // The CLI uses one --seed for both keys and encryption; IVs are public.
    let batch = provision::sample_batch(50, 9);
    let psk = rfc_psk();
    let text = pskc::write_encrypted(&batch, &psk, 9).unwrap();
    let keys: Vec<u8> = batch.iter().flat_map(|s| s.secret.expose().to_vec()).collect();
    let mut ivs = 0;
    for chunk in text.split("<xenc:CipherValue>").skip(1) {
        let sealed = BASE64.decode(&chunk[..chunk.find('<').unwrap()]).unwrap();
        let iv_head = &sealed[..8];
        assert!(!keys.windows(8).any(|w| w == iv_head), "an IV repeats token key bytes");
        ivs += 1;
    }
    assert_eq!(ivs, 51, "one IV for the MAC key and one per token");
}

#[test]
fn encrypted_files_round_trip_deterministically() {
    let key = PreSharedKey::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
    let batch = varied_batch(200, 3, true);
    let text = pskc::write_encrypted(&batch, &key, 11).unwrap();
    assert_eq!(text, pskc::write_encrypted(&batch, &key, 11).unwrap());
    assert_ne!(text, pskc::write_encrypted(&batch, &key, 12).unwrap(), "the seed drives IVs and MAC key");
    for s in &batch {
        assert!(!text.contains(&BASE64.encode(s.secret.expose())), "a key is in the clear");
    }
    assert_eq!(pskc::parse_encrypted("e.xml", &text, &key).unwrap(), batch);
    assert!(matches!(
        pskc::parse("e.xml", &text).unwrap_err().problem(),
        Some(provision::SeedProblem::Encrypted { .. })
    ));
}

#[test]
fn pskc_time_drift_and_non_decimal_encodings_are_refused() {
    let drift = PSKC_ONE.replace("<TimeDrift><PlainValue>0", "<TimeDrift><PlainValue>2");
    assert_eq!(
        pskc_error(&drift),
        "batch.xml:14 <TimeDrift>: token \"T1\": a non-zero <TimeDrift> is not supported"
    );
    let hex = PSKC_ONE.replace("Encoding=\"DECIMAL\"", "Encoding=\"HEXADECIMAL\"");
    assert_eq!(
        pskc_error(&hex),
        "batch.xml:8 <ResponseFormat>: token \"T1\": response Encoding \"HEXADECIMAL\" (only DECIMAL) is not supported"
    );
}

// ---- OATH CSV errors: one per kind ----

#[test]
fn csv_missing_serial_is_refused() {
    assert_eq!(
        csv_error(&format!("# c\n,{RFC_KEY_HEX},totp\n")),
        "batch.csv:2: token has no serial number (first column is empty)"
    );
}

#[test]
fn csv_line_without_its_serial_does_not_show_the_key_it_shifted() {
    // The key lands in the serial column and "totp" in the key column.
    assert_eq!(
        csv_error(&format!("{RFC_KEY_HEX},totp,6,30\n")),
        "batch.csv:1: token \"<40 characters hidden: they look like a key>\": token type \"6\" is not supported \
         (only TOTP tokens are)"
    );
}

#[test]
fn csv_duplicate_serial_names_both_lines() {
    let text = format!("T1,{RFC_KEY_HEX},totp\n\n# again\nT1,{RFC_KEY_HEX},totp\n");
    assert_eq!(csv_error(&text), "batch.csv:4: duplicate serial \"T1\" (first on line 1)");
}

#[test]
fn csv_missing_key_is_refused() {
    assert_eq!(csv_error("T1\n"), "batch.csv:1: token \"T1\" has no key (second column)");
    assert_eq!(csv_error("T0,00,totp\nT1, ,totp\n"), "batch.csv:2: token \"T1\" has no key (second column)");
}

#[test]
fn csv_bad_hex_names_the_position_not_the_key() {
    let text = "T1,3132333435363738393031323334353637383Z30,totp\n";
    let shown = message(oath_csv::parse("batch.csv", text), &["3132333435363738393031323334353637383"]);
    assert_eq!(shown, "batch.csv:1: token \"T1\": key is not valid hex: not a hex digit at position 37");
    assert_eq!(
        csv_error("T1,313,totp\n"),
        "batch.csv:1: token \"T1\": key is not valid hex: odd number of digits at position 3"
    );
}

#[test]
fn csv_unknown_hash_is_refused() {
    assert_eq!(
        csv_error(&format!("T1,{RFC_KEY_HEX},totp,6,30,md5\n")),
        "batch.csv:1: token \"T1\": unknown hash algorithm \"md5\" (expected SHA1, SHA256 or SHA512)"
    );
}

#[test]
fn csv_non_totp_types_are_refused() {
    assert_eq!(
        csv_error(&format!("T1,{RFC_KEY_HEX},hotp,6,0\n")),
        "batch.csv:1: token \"T1\": token type \"hotp\" is not supported (only TOTP tokens are)"
    );
    // privacyIDEA's default type is hotp.
    assert!(csv_error(&format!("T1,{RFC_KEY_HEX}\n")).contains("token type \"hotp\""));
}

#[test]
fn csv_digits_outside_6_to_10_are_refused() {
    for digits in ["5", "11", "", "x"] {
        assert_eq!(
            csv_error(&format!("T1,{RFC_KEY_HEX},totp,{digits},30\n")),
            format!("batch.csv:1: token \"T1\": otp length \"{digits}\" is not a number from 6 to 10")
        );
    }
}

#[test]
fn csv_zero_time_step_is_refused() {
    assert_eq!(
        csv_error(&format!("T1,{RFC_KEY_HEX},totp,6,0\n")),
        "batch.csv:1: token \"T1\": time step \"0\" is not a whole number of seconds of at least 1"
    );
}

#[test]
fn csv_extra_columns_are_refused() {
    assert_eq!(
        csv_error(&format!("T1,{RFC_KEY_HEX},totp,6,30,sha1,extra\n")),
        "batch.csv:1: token \"T1\": column 7 (a line has at most 6 token columns) is not supported"
    );
}

#[test]
fn csv_line_numbers_count_comments_blank_lines_and_quoted_newlines() {
    let text = format!("# header\n\n\"multi\nline\",{RFC_KEY_HEX},totp\n   \nT2,{RFC_KEY_HEX},totp,4\n");
    assert_eq!(csv_error(&text), "batch.csv:6: token \"T2\": otp length \"4\" is not a number from 6 to 10");
}

// ---- writers ----

#[test]
fn writers_refuse_what_they_cannot_carry() {
    let mut with_t0 = seed("T1", b"12345678901234567890");
    with_t0.t0 = 30;
    assert_eq!(
        oath_csv::write(&[with_t0.clone()]).unwrap_err().to_string(),
        "cannot write token 0 (serial \"T1\") as oath-csv: OATH CSV has no T0 column, so T0 must be 0"
    );
    assert!(pskc::write(&[with_t0]).is_ok());
    for format in SeedFormat::ALL {
        let spaced = seed(" T1", b"1");
        assert_eq!(
            format.write(&[seed("T0", b"0"), spaced]).unwrap_err().to_string(),
            format!(
                "cannot write token 1 (serial \" T1\") as {format}: the serial has leading or trailing whitespace, \
                 which readers strip"
            )
        );
    }
}

#[test]
fn the_crate_error_wraps_seed_file_errors_unchanged() {
    let error: mfa_harness::Error = oath_csv::parse("f.csv", "T1\n").unwrap_err().into();
    assert_eq!(error.to_string(), "f.csv:1: token \"T1\" has no key (second column)");
}

#[test]
fn base64_of_sample_keys_matches_the_pskc_text() {
    // Guards the writer's encoding choice (standard alphabet, padded), which importers expect.
    let batch = provision::sample_batch(3, 5);
    let xml = pskc::write(&batch).unwrap();
    for s in &batch {
        assert!(
            xml.contains(&format!("<pskc:PlainValue>{}</pskc:PlainValue>", BASE64.encode(s.secret.expose())))
        );
    }
}

#[test]
fn errors_deep_in_a_large_file_point_at_the_right_line() {
    let batch = provision::sample_batch(1000, 4);
    let xml = pskc::write(&batch).unwrap();
    let needle = "<pskc:SerialNo>MFA0000500</pskc:SerialNo>";
    let at = xml.find(needle).unwrap();
    let length_at = at + xml[at..].find("Length=\"6\"").unwrap();
    let broken = format!("{}Length=\"4\"{}", &xml[..length_at], &xml[length_at + "Length=\"6\"".len()..]);
    let line = xml[..length_at].matches('\n').count() + 1;
    assert_eq!(
        pskc_error(&broken),
        format!(
            "batch.xml:{line} <ResponseFormat>: token \"MFA0000500\": otp length \"4\" is not a number from 6 to 10"
        )
    );
    let csv = oath_csv::write(&batch).unwrap().replace("MFA0000700,", "MFA0000001,");
    assert_eq!(csv_error(&csv), "batch.csv:701: duplicate serial \"MFA0000001\" (first on line 2)");
}

#[test]
fn a_byte_order_mark_and_a_doctype_do_not_change_the_reading() {
    let text = format!("\u{feff}{}", PSKC_ONE.replacen("?>\n", "?>\n<!DOCTYPE KeyContainer>", 1));
    assert_eq!(pskc::parse("bom.xml", &text).unwrap()[0].serial, "T1");
    assert_eq!(provision::read("bom", &text).unwrap()[0].serial, "T1");
    let csv = format!("\u{feff}T1,{RFC_KEY_HEX},totp\n");
    assert_eq!(oath_csv::parse("bom.csv", &csv).unwrap()[0].serial, "T1");
}

#[test]
fn entity_definitions_in_a_doctype_are_not_expanded() {
    let text = PSKC_ONE
        .replacen("?>\n", "?>\n<!DOCTYPE KeyContainer [<!ENTITY boom \"aaaaaaaaaa\">]>", 1)
        .replace("<SerialNo>T1", "<SerialNo>&boom;T1");
    assert_eq!(
        pskc_error(&text),
        "batch.xml:4: malformed XML: unknown entity (only &lt; &gt; &amp; &apos; &quot; and character references)"
    );
}

#[test]
fn rfc6030_figure_4_style_pin_key_packages_are_refused_by_uri() {
    // Figure 4: a key protected by a PIN that travels as a second KeyPackage (algorithm
    // pskc:pin). The OTP key's <Policy> is ignored; the PIN key is not a TOTP token.
    let figure_4 = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
    <KeyPackage>
        <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
        <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
            <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
            <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data>
            <Policy>
                <PINPolicy MinLength="4" MaxLength="4" PINKeyId="123456781" PINEncoding="DECIMAL" PINUsageMode="Local"/>
                <KeyUsage>OTP</KeyUsage>
            </Policy>
        </Key>
    </KeyPackage>
    <KeyPackage>
        <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
        <Key Id="123456781" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:pin">
            <AlgorithmParameters><ResponseFormat Length="4" Encoding="DECIMAL"/></AlgorithmParameters>
            <Data><Secret><PlainValue>MTIzNA==</PlainValue></Secret></Data>
        </Key>
    </KeyPackage>
</KeyContainer>"#;
    assert_eq!(
        message(pskc::parse("figure4.xml", figure_4), &["MTIzNA==", RFC_KEY_B64]),
        "figure4.xml:16 <Key>: token \"987654321\": token type \"urn:ietf:params:xml:ns:keyprov:pskc:pin\" \
         is not supported (only TOTP tokens are)"
    );
    let first_only = format!("{}</KeyContainer>", &figure_4[..figure_4.rfind("    <KeyPackage>").unwrap()]);
    let seeds = pskc::parse("figure4.xml", &first_only).unwrap();
    assert_eq!((seeds[0].serial.as_str(), seeds[0].digits.get()), ("987654321", 8));
}

/// RFC 6030 Figure 7 (PBKDF2 password-derived key, password "qwerty"), with the algorithm
/// changed from HOTP to TOTP. The unprefixed PBKDF2 parameters are in no namespace, as printed.
const RFC6030_FIGURE_7_TOTP: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer
  xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"
  xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
  xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"
  xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Version="1.0">
    <pskc:EncryptionKey>
        <xenc11:DerivedKey>
            <xenc11:KeyDerivationMethod
              Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
                <pkcs5:PBKDF2-params>
                    <Salt>
                        <Specified>Ej7/PEpyEpw=</Specified>
                    </Salt>
                    <IterationCount>1000</IterationCount>
                    <KeyLength>16</KeyLength>
                    <PRF/>
                </pkcs5:PBKDF2-params>
            </xenc11:KeyDerivationMethod>
            <xenc:ReferenceList>
                <xenc:DataReference URI="#ED"/>
            </xenc:ReferenceList>
            <xenc11:MasterKeyName>My Password 1</xenc11:MasterKeyName>
        </xenc11:DerivedKey>
    </pskc:EncryptionKey>
    <pskc:MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
        <pskc:MACKey>
            <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData>
                <xenc:CipherValue>
2GTTnLwM3I4e5IO5FkufoOEiOhNj91fhKRQBtBJYluUDsPOLTfUvoU2dStyOwYZx
                </xenc:CipherValue>
            </xenc:CipherData>
        </pskc:MACKey>
    </pskc:MACMethod>
    <pskc:KeyPackage>
        <pskc:DeviceInfo>
            <pskc:Manufacturer>TokenVendorAcme</pskc:Manufacturer>
            <pskc:SerialNo>987654321</pskc:SerialNo>
        </pskc:DeviceInfo>
        <pskc:CryptoModuleInfo>
            <pskc:Id>CM_ID_001</pskc:Id>
        </pskc:CryptoModuleInfo>
        <pskc:Key Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp" Id="123456">
            <pskc:Issuer>Example-Issuer</pskc:Issuer>
            <pskc:AlgorithmParameters>
                <pskc:ResponseFormat Length="8" Encoding="DECIMAL"/>
            </pskc:AlgorithmParameters>
            <pskc:Data>
                <pskc:Secret>
                <pskc:EncryptedValue Id="ED">
                    <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
                        <xenc:CipherData>
                            <xenc:CipherValue>
oTvo+S22nsmS2Z/RtcoF8Hfh+jzMe0RkiafpoDpnoZTjPYZu6V+A4aEn032yCr4f
                            </xenc:CipherValue>
                        </xenc:CipherData>
                    </pskc:EncryptedValue>
                    <pskc:ValueMAC>LP6xMvjtypbfT9PdkJhBZ+D6O4w=
                    </pskc:ValueMAC>
                </pskc:Secret>
            </pskc:Data>
        </pskc:Key>
    </pskc:KeyPackage>
</pskc:KeyContainer>
"##;

#[test]
fn rfc6030_figure_7_decrypts_with_its_password() {
    let seeds = pskc::parse_with_password("figure7.xml", RFC6030_FIGURE_7_TOTP, "qwerty").unwrap();
    assert_eq!(seeds.len(), 1);
    assert_eq!(seeds[0].serial, "987654321");
    assert_eq!(seeds[0].secret.expose(), b"12345678901234567890");
}

#[test]
fn rfc6030_figure_7_with_a_wrong_password_is_refused() {
    let shown = message(
        pskc::parse_with_password("f7.xml", RFC6030_FIGURE_7_TOTP, "qwertz"),
        &[RFC_KEY_HEX, "qwert"],
    );
    assert!(shown.starts_with("f7.xml:27 <MACKey>: <MACMethod>: "), "{shown}");
    assert!(shown.contains("wrong key or password"), "{shown}");
}

#[test]
fn password_derivation_problems_are_named() {
    let unsupported = RFC6030_FIGURE_7_TOTP.replace("pkcs-5v2-0#pbkdf2", "pkcs-5v2-0#pbkdf3");
    assert_eq!(
        message(pskc::parse_with_password("f7.xml", &unsupported, "qwerty"), &[]),
        "f7.xml:9 <KeyDerivationMethod>: <EncryptionKey>: key derivation \
         \"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf3\" is not supported \
         (only http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2)"
    );
    let endless = RFC6030_FIGURE_7_TOTP.replace(">1000<", ">4000000000<");
    assert_eq!(
        message(pskc::parse_with_password("f7.xml", &endless, "qwerty"), &[]),
        "f7.xml:11 <PBKDF2-params>: <EncryptionKey>: <IterationCount> must be a whole number from 1 to 10000000"
    );
    assert_eq!(
        message(pskc::parse_with_password("one.xml", PSKC_ONE, "qwerty"), &[]),
        "one.xml:2 <KeyContainer>: <EncryptionKey>: a password was given but the file has no \
         <EncryptionKey><DerivedKey>"
    );
    // A pre-shared-key file read with a password says so, rather than failing obscurely.
    assert!(
        message(pskc::parse_with_password("f6.xml", RFC6030_FIGURE_6_TOTP, "x"), &[])
            .contains("has no <EncryptionKey><DerivedKey>")
    );
}
