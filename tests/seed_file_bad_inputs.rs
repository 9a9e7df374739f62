//! Hostile and malformed seed files (the files are in `tests/bad_inputs/pskc/`): each is refused
//! quickly, with the file and line, without expanding entities, reading local files or fetching
//! anything.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use mfa_harness::provision::{self, SeedFileError, TokenSeed, pskc};

fn bad_input(name: &str) -> String {
    let path = format!("{}/tests/bad_inputs/pskc/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `text` as the file `name`, asserting it takes well under a second (an expanding or
/// fetching reader takes minutes or never returns).
fn timed_parse(name: &str, text: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    let started = Instant::now();
    let result = pskc::parse(name, text);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "{name} took {took:?}");
    result
}

fn refusal(name: &str, text: &str) -> String {
    timed_parse(name, text).expect_err("the file should be refused").to_string()
}

const UNKNOWN_ENTITY: &str =
    "malformed XML: unknown entity (only &lt; &gt; &amp; &apos; &quot; and character references)";

#[test]
fn billion_laughs_is_refused_where_the_entity_is_used_without_expanding_it() {
    let text = bad_input("billion-laughs.xml");
    assert_eq!(refusal("billion-laughs.xml", &text), format!("billion-laughs.xml:17: {UNKNOWN_ENTITY}"));
}

#[test]
fn external_entities_are_never_resolved() {
    let text = bad_input("xxe.xml");
    let shown = refusal("xxe.xml", &text);
    assert_eq!(shown, format!("xxe.xml:8: {UNKNOWN_ENTITY}"));
    assert!(!shown.contains("root:"), "{shown}");
}

#[test]
fn an_external_dtd_is_never_fetched() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let text = bad_input("external-dtd.xml").replace("PORT", &port.to_string());
    // The DTD is skipped unread, so the file reads as if it had none.
    assert_eq!(timed_parse("external-dtd.xml", &text).unwrap()[0].serial, "T1");
    let asked = listener.accept();
    assert!(
        matches!(&asked, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the reader connected to the DTD's address: {asked:?}"
    );
}

#[test]
fn elements_nested_too_deep_are_refused_with_the_line() {
    let levels = 50_000;
    let nested = format!("{}{}", "<Extension>".repeat(levels), "</Extension>".repeat(levels));
    let text = bad_input("xxe.xml")
        .replace("&xxe;", "T1")
        .replace("  <KeyPackage>\n", &format!("  <KeyPackage>\n{nested}\n"));
    assert_eq!(
        refusal("deep.xml", &text),
        format!("deep.xml:8: malformed XML: elements nested more than {} deep", provision::pskc::MAX_DEPTH)
    );
}

// ---- issue 14: malformed XML that was read as if it were well formed ----

#[test]
fn an_xml_declaration_whose_quote_is_never_closed_is_refused() {
    let text = bad_input("declaration-quote-never-closed.xml");
    assert_eq!(
        refusal("decl.xml", &text),
        "decl.xml:1: malformed XML: XML declaration: an attribute value whose quote is never closed"
    );
}

#[test]
fn attributes_not_separated_by_whitespace_are_refused() {
    let text = bad_input("attributes-not-separated.xml");
    assert_eq!(
        refusal("attrs.xml", &text),
        "attrs.xml:7: malformed XML: attributes not separated by whitespace in <ResponseFormat>"
    );
}

#[test]
fn other_malformed_attributes_and_declarations_are_refused_with_the_line() {
    let good = bad_input("xxe.xml").replace("&xxe;", "T1");
    for (from, to, expected) in [
        (
            r#"Length="6""#,
            r#"Length="<6""#,
            "attrs.xml:11: malformed XML: `<` in an attribute value in <ResponseFormat>",
        ),
        (
            r#"Length="6""#,
            r#"Length="6" Length="7""#,
            "attrs.xml:11: malformed XML: the same attribute twice in <ResponseFormat>",
        ),
        (
            r#"Length="6""#,
            "Length=6",
            "attrs.xml:11: malformed XML: an attribute value without quotes in <ResponseFormat>",
        ),
        (
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<?xml encoding="UTF-8"?>"#,
            "attrs.xml:1: malformed XML: XML declaration: the version must come first",
        ),
        (
            r#"version="1.0""#,
            r#"version="2.0""#,
            "attrs.xml:1: malformed XML: XML declaration: the version must be 1.0 or another 1.x",
        ),
        (
            r#"encoding="UTF-8""#,
            r#"encoding="UTF 8""#,
            "attrs.xml:1: malformed XML: XML declaration: the encoding is not a valid encoding name",
        ),
        (
            r#"encoding="UTF-8""#,
            r#"standalone="maybe""#,
            "attrs.xml:1: malformed XML: XML declaration: standalone must be \"yes\" or \"no\"",
        ),
        (
            r#"encoding="UTF-8""#,
            r#"standalone="yes" encoding="UTF-8""#,
            "attrs.xml:1: malformed XML: XML declaration: the encoding must come before standalone",
        ),
        (
            r#"encoding="UTF-8""#,
            r#"flavour="vanilla""#,
            "attrs.xml:1: malformed XML: XML declaration: only version, encoding and standalone may appear",
        ),
    ] {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        assert_eq!(refusal("attrs.xml", &text), expected, "{to}");
    }
    // What the declaration allows: single quotes, any 1.x version, standalone, no encoding.
    for declaration in [
        "<?xml version='1.0'?>",
        "<?xml version=\"1.1\" standalone='no' ?>",
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>",
    ] {
        let text = good.replacen(r#"<?xml version="1.0" encoding="UTF-8"?>"#, declaration, 1);
        assert_eq!(timed_parse("ok.xml", &text).unwrap()[0].serial, "T1", "{declaration}");
    }
}
