//! The vector file format and its loader.
//!
//! ```json
//! { "format": 1, "description": "...",
//!   "records": [ { "id": "...", "source": "...", "kind": "totp", "secret_hex": "...",
//!                  "algorithm": "SHA1", "digits": 8, "period": 30, "t0": 0, "time": 59,
//!                  "expected": "94287082", "note": "..." } ] }
//! ```
//!
//! `kind` is `hotp` (with `counter`), `totp` (with `time`, optional `period` default 30 and
//! `t0` default 0) or `uri` (with `uri` and either `expected_uri` or `expected_error`).
//! Unknown fields are errors, so a typo cannot silently drop an input, and a file needs at
//! least one record, so an empty one cannot pass.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{Case, CodeParams, ParsedUri, UriExpectation, Vector};
use crate::otp::{Algorithm, Digits, Period, Secret};

/// The format version this loader reads.
pub const FORMAT: u32 = 1;

/// The vector files built into the binary, so an installed `mfa-harness vectors` runs them
/// from any folder. A test checks this list names every file under `vectors/`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("vectors/rfc4226-appendix-d.json", include_str!("../../vectors/rfc4226-appendix-d.json")),
    ("vectors/rfc6238-appendix-b.json", include_str!("../../vectors/rfc6238-appendix-b.json")),
    ("vectors/otpauth-uri.json", include_str!("../../vectors/otpauth-uri.json")),
    ("vectors/extra/extended.json", include_str!("../../vectors/extra/extended.json")),
];

/// A loaded vector file.
#[derive(Clone, Debug)]
pub struct VectorFile {
    /// Where it came from (a path, or the embedded name).
    pub name: String,
    /// What the file holds.
    pub description: String,
    /// Its records, in file order.
    pub vectors: Vec<Vector>,
}

/// Why a vector file could not be used. Every variant names the file, and the line where
/// one is known.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The JSON is malformed or does not fit the format.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// A record is well-formed JSON but not a usable vector.
    #[error("{file}:{line}: record {id:?}: {message}")]
    Record {
        /// The file.
        file: String,
        /// 1-based line of the record's id.
        line: usize,
        /// The record id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// Loads the embedded vector files.
///
/// # Errors
/// Only if an embedded file is broken, which the test suite rules out.
pub fn load_embedded() -> Result<Vec<VectorFile>, VectorError> {
    let files = EMBEDDED.iter().map(|(name, text)| parse(name, text)).collect::<Result<Vec<_>, _>>()?;
    check_unique_ids(&files)?;
    Ok(files)
}

/// Loads vector files from disk.
///
/// # Errors
/// [`VectorError`] naming the file (and line) that is missing, malformed or invalid, or a
/// duplicated id.
pub fn load_path(paths: &[impl AsRef<Path>]) -> Result<Vec<VectorFile>, VectorError> {
    let files = paths
        .iter()
        .map(|path| {
            let name = path.as_ref().display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|source| VectorError::Read { file: name.clone(), source })?;
            parse(&name, &text)
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_unique_ids(&files)?;
    Ok(files)
}

/// Parses one vector file's text; `name` is used in errors.
///
/// # Errors
/// [`VectorError::Syntax`] or [`VectorError::Record`].
pub fn parse(name: &str, text: &str) -> Result<VectorFile, VectorError> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| VectorError::Syntax {
        file: name.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    if raw.format != FORMAT {
        return Err(VectorError::Syntax {
            file: name.to_owned(),
            line: line_of(text, "\"format\""),
            column: 1,
            message: format!("format {} is not supported (this harness reads format {FORMAT})", raw.format),
        });
    }
    if raw.records.is_empty() {
        return Err(VectorError::Syntax {
            file: name.to_owned(),
            line: line_of(text, "\"records\""),
            column: 1,
            message: "no records: a file that checks nothing would pass".into(),
        });
    }
    let mut lines = RecordLines::new(text);
    let vectors = raw
        .records
        .into_iter()
        .map(|record| {
            let id = record.id.clone();
            let line = lines.next_id(&id);
            record.into_vector(line).map_err(|message| VectorError::Record {
                file: name.to_owned(),
                line,
                id,
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(VectorFile { name: name.to_owned(), description: raw.description, vectors })
}

/// Finds each record's `"id": "<id>"` in file order: a duplicated id is found at its second
/// occurrence, not its first.
struct RecordLines<'a> {
    text: &'a str,
    from: usize,
}

impl<'a> RecordLines<'a> {
    fn new(text: &'a str) -> Self {
        RecordLines { text, from: 0 }
    }

    /// The 1-based line of the next `"id"` key whose value is `id` (0 when not found).
    fn next_id(&mut self, id: &str) -> usize {
        // Serialising a string cannot fail; the fallback only loses the line.
        let value = serde_json::to_string(id).unwrap_or_default();
        let rest = &self.text[self.from..];
        let mut offset = 0;
        while let Some(at) = rest[offset..].find("\"id\"") {
            let key = offset + at;
            let after = rest[key + 4..].trim_start();
            if let Some(after) = after.strip_prefix(':')
                && after.trim_start().starts_with(&value)
            {
                self.from += key + 4;
                return line_at(self.text, self.from - 4);
            }
            offset = key + 4;
        }
        0
    }
}

fn check_unique_ids(files: &[VectorFile]) -> Result<(), VectorError> {
    let mut seen: HashMap<&str, (&str, usize)> = HashMap::new();
    for file in files {
        for v in &file.vectors {
            if let Some((first_file, first_line)) = seen.insert(v.id.as_str(), (&file.name, v.line)) {
                return Err(VectorError::Record {
                    file: file.name.clone(),
                    line: v.line,
                    id: v.id.clone(),
                    message: format!(
                        "duplicate id, first at {first_file}:{first_line} (ids must be unique across all files)"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The 1-based line where `needle` first appears (0 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(0, |at| line_at(text, at))
}

/// The 1-based line of byte offset `at`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: u32,
    description: String,
    records: Vec<RawRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    id: String,
    source: String,
    kind: String,
    note: Option<String>,
    secret_hex: Option<String>,
    algorithm: Option<String>,
    digits: Option<u8>,
    counter: Option<u64>,
    period: Option<u64>,
    t0: Option<u64>,
    time: Option<u64>,
    expected: Option<String>,
    uri: Option<String>,
    expected_uri: Option<RawParsedUri>,
    expected_error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParsedUri {
    kind: String,
    issuer: Option<String>,
    account: String,
    secret_base32: String,
    algorithm: String,
    digits: u8,
    period: Option<u64>,
    counter: Option<u64>,
}

impl RawRecord {
    fn into_vector(self, line: usize) -> Result<Vector, String> {
        let need = |field: Option<u64>, name: &str| {
            field.ok_or_else(|| format!("{} record needs {name:?}", self.kind))
        };
        let case = match self.kind.as_str() {
            "hotp" => Case::Hotp {
                params: self.params()?,
                counter: need(self.counter, "counter")?,
                expected: self.expected()?,
            },
            "totp" => Case::Totp {
                params: self.params()?,
                period: Period::new(self.period.unwrap_or(30)).map_err(|e| e.to_string())?,
                t0: self.t0.unwrap_or(0),
                time: need(self.time, "time")?,
                expected: self.expected()?,
            },
            "uri" => Case::Uri {
                uri: self.uri.clone().ok_or("uri record needs \"uri\"")?,
                expected: match (&self.expected_uri, &self.expected_error) {
                    (Some(p), None) => UriExpectation::Parsed(ParsedUri {
                        kind: p.kind.clone(),
                        issuer: p.issuer.clone(),
                        account: p.account.clone(),
                        secret_base32: p.secret_base32.clone(),
                        algorithm: p.algorithm.parse().map_err(|e: crate::otp::OtpError| e.to_string())?,
                        digits: p.digits,
                        period: p.period,
                        counter: p.counter,
                    }),
                    (None, Some(kind)) => UriExpectation::Error(kind.clone()),
                    _ => {
                        return Err(
                            "uri record needs exactly one of \"expected_uri\" and \"expected_error\"".into(),
                        );
                    }
                },
            },
            other => return Err(format!("unknown kind {other:?} (expected hotp, totp or uri)")),
        };
        Ok(Vector { id: self.id, source: self.source, note: self.note, case, line })
    }

    fn params(&self) -> Result<CodeParams, String> {
        let hex = self.secret_hex.as_deref().ok_or("code record needs \"secret_hex\"")?;
        let algorithm: Algorithm = self
            .algorithm
            .as_deref()
            .unwrap_or("SHA1")
            .parse()
            .map_err(|e: crate::otp::OtpError| e.to_string())?;
        Ok(CodeParams {
            secret: Secret::from_hex(hex).map_err(|e| format!("secret_hex: {e}"))?,
            algorithm,
            digits: Digits::new(self.digits.unwrap_or(6)).map_err(|e| e.to_string())?,
        })
    }

    fn expected(&self) -> Result<String, String> {
        let expected = self.expected.clone().ok_or("code record needs \"expected\"")?;
        let digits = usize::from(self.digits.unwrap_or(6));
        if expected.len() != digits || !expected.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("expected {expected:?} is not {digits} digits"));
        }
        Ok(expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse(
            "x.json",
            "{\n  \"format\": 1,\n  \"description\": \"d\",\n  \"records\": [ { \"id\": 5 } ]\n}",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("x.json:4:"), "{text}");
    }

    #[test]
    fn record_errors_name_the_record_and_its_line() {
        let text = r#"{ "format": 1, "description": "d", "records": [
  { "id": "a", "source": "s", "kind": "totp", "secret_hex": "31", "expected": "123456" }
]}"#;
        let err = parse("x.json", text).unwrap_err().to_string();
        assert_eq!(err, r#"x.json:2: record "a": totp record needs "time""#);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = r#"{ "format": 1, "description": "d", "records": [
  { "id": "a", "source": "s", "kind": "hotp", "secret_hex": "31", "counter": 0, "expected": "123456", "tme": 3 }
]}"#;
        assert!(parse("x.json", text).unwrap_err().to_string().contains("unknown field `tme`"));
    }

    #[test]
    fn a_file_without_records_is_refused() {
        let err =
            parse("x.json", "{ \"format\": 1, \"description\": \"d\",\n  \"records\": [] }").unwrap_err();
        assert_eq!(err.to_string(), "x.json:2:1: no records: a file that checks nothing would pass");
    }

    #[test]
    fn a_duplicate_id_is_reported_at_its_second_line() {
        let text = r#"{ "format": 1, "description": "d", "records": [
  { "id": "a", "source": "s", "kind": "hotp", "secret_hex": "31", "counter": 0, "expected": "123456" },
  { "id": "b", "source": "s", "kind": "hotp", "secret_hex": "31", "counter": 1, "expected": "123456" },
  { "id": "a", "source": "s", "kind": "hotp", "secret_hex": "31", "counter": 2, "expected": "123456" }
]}"#;
        let file = parse("x.json", text).unwrap();
        assert_eq!(file.vectors.iter().map(|v| v.line).collect::<Vec<_>>(), [2, 3, 4]);
        let err = check_unique_ids(&[file]).unwrap_err().to_string();
        assert_eq!(
            err,
            "x.json:4: record \"a\": duplicate id, first at x.json:2 (ids must be unique across all files)"
        );
    }

    #[test]
    fn other_format_versions_are_refused() {
        let err = parse("x.json", r#"{ "format": 2, "description": "d", "records": [] }"#).unwrap_err();
        assert!(err.to_string().contains("format 2 is not supported"));
    }

    #[test]
    fn every_file_under_vectors_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk = Vec::new();
        let mut stack = vec![root.join("vectors")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    on_disk.push(path.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
