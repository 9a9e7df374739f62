//! Secrets out of every message that quotes a server, for every target: one redactor.
//!
//! A message may quote a server's answer (the start of a body) or a rendered request; before
//! it reaches an error, a log or a report, the [`Redactor`] replaces with `<redacted>`:
//! - known values: a profile's `[secrets]`, the admin tokens the harness was issued, and the
//!   values of a call's secret variables (passwords, codes, keys);
//! - the string values of JSON fields that carry secrets ([`SECRET_FIELDS`]), in cut-off JSON
//!   too (a value running to the end is redacted to the end);
//! - the value of every `secret=` URI parameter and every `seed://` key (privacyIDEA's
//!   `otpkey`), whoever echoes them.
//!
//! Redaction runs before a quote is shortened, so a secret cut in half is still hidden.

use std::sync::{Mutex, PoisonError};

/// How much of a response body an error message quotes, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// JSON fields whose string values are secrets (or carry one) and never reach a message.
pub const SECRET_FIELDS: [&str; 8] =
    ["password", "code", "secret", "uri", "qr_png", "text", "first", "second"];

/// Markers after which a URI carries key material, up to the next delimiter.
const URI_SECRET_MARKERS: [&str; 2] = ["secret=", "seed://"];

/// Known values shorter than this are left alone: replacing `"1"` or `"ok"` everywhere would
/// garble messages without hiding anything a guess would not find.
const SHORTEST_SECRET: usize = 4;

/// Replaces secrets in text quoted from servers. Values learned later (an admin token issued
/// mid-run) are added through a shared reference; the lock guarding them is a leaf, taken
/// only to copy or extend the list, so redacting can never wait on anything else.
#[derive(Default)]
pub struct Redactor {
    learned: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor {{ {} known values }}", self.values().len())
    }
}

impl Redactor {
    /// A redactor that knows `values` (shorter ones than [`SHORTEST_SECRET`] are ignored).
    pub fn knowing(values: impl IntoIterator<Item = String>) -> Redactor {
        let redactor = Redactor::default();
        for value in values {
            redactor.learn(value);
        }
        redactor
    }

    /// Adds a value that must never be shown from now on.
    pub fn learn(&self, value: String) {
        if value.len() >= SHORTEST_SECRET {
            let mut learned = self.learned.lock().unwrap_or_else(PoisonError::into_inner);
            if !learned.contains(&value) {
                learned.push(value);
            }
        }
    }

    /// `text` with every known value, secret JSON field and URI key replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        self.redact_with(text, &[])
    }

    /// [`Redactor::redact`], also hiding `extra` values (a call's own secret variables).
    pub fn redact_with(&self, text: &str, extra: &[&str]) -> String {
        let mut values = self.values();
        values.extend(extra.iter().filter(|v| v.len() >= SHORTEST_SECRET).map(|v| (*v).to_owned()));
        // Longest first: a value containing another is replaced whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = text.to_owned();
        for value in &values {
            out = out.replace(value.as_str(), "<redacted>");
        }
        let out = redact_secret_fields(&out);
        URI_SECRET_MARKERS.iter().fold(out, |text, marker| cut_after(&text, marker))
    }

    /// At most [`EXCERPT_CHARS`] characters of a body, redacted first (with `extra` values),
    /// `…` where it was cut, `(empty)` for nothing.
    pub fn excerpt(&self, body: &[u8], extra: &[&str]) -> String {
        let text = self.redact_with(&String::from_utf8_lossy(body), extra);
        let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
        if text.chars().nth(EXCERPT_CHARS).is_some() {
            out.push('…');
        }
        if out.is_empty() { "(empty)".to_owned() } else { out }
    }

    fn values(&self) -> Vec<String> {
        self.learned.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Replaces the string values of [`SECRET_FIELDS`]; works on cut-off JSON too.
fn redact_secret_fields(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(quote) = rest.find('"') {
        out.push_str(&rest[..quote]);
        rest = &rest[quote..];
        let key_end = rest[1..].find('"').map(|i| i + 1);
        let Some(key_end) = key_end else { break };
        let key = &rest[1..key_end];
        out.push_str(&rest[..=key_end]);
        rest = &rest[key_end + 1..];
        let after = rest.trim_start();
        if SECRET_FIELDS.contains(&key) && after.starts_with(':') {
            let value = after[1..].trim_start();
            if let Some(inner) = value.strip_prefix('"') {
                out.push_str(": \"<redacted>\"");
                rest = match inner.find('"') {
                    Some(end) => &inner[end + 1..],
                    None => "",
                };
            }
        }
    }
    out.push_str(rest);
    out
}

/// `…marker ABC&…` → `…marker<redacted>&…`: the value runs to the next URI, JSON or text
/// delimiter.
fn cut_after(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        out.push_str("<redacted>");
        rest = &rest[at + marker.len()..];
        let end = rest.find(|c: char| c.is_whitespace() || "&#\"',;<>\\}".contains(c)).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_redacted_even_when_cut_off() {
        let body = r#"{"verdict":"binding_open","enrolment":{"uri":"otpauth://totp/x?secret=JBSWY3DP&issuer=y","qr_png":"iVBOR"},"code": "123456","password":"hunter2","session":"17","text":"Your code is 654321"#;
        let out = Redactor::default().redact(body);
        for secret in ["JBSWY3DP", "iVBOR", "123456", "hunter2", "654321"] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
        assert!(out.contains(r#""session":"17""#) && out.contains("binding_open"), "{out}");
    }

    #[test]
    fn key_material_in_quoted_uris_is_cut() {
        let redactor = Redactor::default();
        assert_eq!(redactor.redact("a?secret=ABC&b=1"), "a?secret=<redacted>&b=1");
        let quoted = r#"{"googleurl": "otpauth://totp/X?secret=JBSWY3DPEHPK3PXP&period=30", "otpkey": "seed://3132333435"}"#;
        let cut = redactor.redact(quoted);
        assert!(!cut.contains("JBSWY3DPEHPK3PXP") && !cut.contains("3132333435"), "{cut}");
        assert!(cut.contains("secret=<redacted>&period=30") && cut.contains("seed://<redacted>\""), "{cut}");
    }

    #[test]
    fn known_and_learned_values_are_hidden_longest_first() {
        let redactor = Redactor::knowing(["s3cret-admin".to_owned(), "ok".to_owned()]);
        redactor.learn("jwt-abcdef".to_owned());
        let out =
            redactor.redact_with("pw s3cret-admin, token jwt-abcdef, ok, code 12345678", &["12345678", "1"]);
        assert_eq!(out, "pw <redacted>, token <redacted>, ok, code <redacted>");
        assert!(!format!("{redactor:?}").contains("s3cret"), "Debug shows no value");
    }

    #[test]
    fn excerpts_are_short_redacted_before_cutting_and_say_when_empty() {
        let redactor = Redactor::knowing(["hunter22".to_owned()]);
        assert_eq!(redactor.excerpt(b"", &[]), "(empty)");
        let long = "x".repeat(500);
        let e = redactor.excerpt(long.as_bytes(), &[]);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        // The secret straddles the cut: redacting first still hides its first half.
        let body = format!("{}hunter22", "y".repeat(EXCERPT_CHARS - 4));
        assert!(!redactor.excerpt(body.as_bytes(), &[]).contains("hunt"));
    }
}
