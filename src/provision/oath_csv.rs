//! OATH CSV seed files, as privacyIDEA imports them.
//!
//! The format, per privacyIDEA's import documentation (`doc/workflows_and_tools/import/index.rst`,
//! section "OATH CSV") and its parser `parseOATHcsv` in `privacyidea/lib/importotp.py`:
//!
//! ```text
//! <serial>, <seed>, <type>, <otp length>, <time step>
//! ```
//!
//! * **seed** is the key in hex. The hash algorithm is not a column: privacyIDEA infers it from
//!   the key length ("depending on the length either the SHA1 or SHA256 hash algorithm is
//!   identified": 32-byte keys are SHA256). We also infer SHA512 for 64-byte keys, and accept an
//!   optional sixth column `sha1|sha256|sha512` as LinOTP's `parseOATHcsv` documents
//!   (`serial, key, [hotp,totp], [6,8], [30|60], [sha1|sha256|sha512]`). The writer emits that
//!   column only when inference would pick the wrong hash, so ordinary files are exactly what
//!   privacyIDEA expects.
//! * **type** defaults to `hotp` when absent (as in privacyIDEA); only `totp` is accepted here,
//!   because [`TokenSeed`] describes TOTP tokens.
//! * **otp length** defaults to 6, **time step** to 30. There is no T0 column: T0 is 0.
//! * Lines starting with `#` are comments and blank lines are skipped, as privacyIDEA does. A
//!   first line `# version: 2` means three user columns (`username, resolver, realm`) come first;
//!   they are read and dropped, since assigning users is the server's business.
//!
//! Deliberate differences from privacyIDEA, which splits lines on every comma: fields follow
//! RFC 4180 quoting (via the `csv` crate), so serials may contain commas and quotes; a line with a
//! serial but no key, a key without a serial, a duplicate serial or an extra column is an error
//! rather than silently skipped or overwritten.

use crate::otp::{Algorithm, Secret};

use super::error::{Place, SeedFileError, SeedProblem, quotable};
use super::field::{self, SerialRegister};
use super::record::TokenSeed;
use super::seed_format::SeedFormat;

/// The comment line the writer puts first, so a person opening the file knows the columns.
pub const HEADER_COMMENT: &str = "# OATH CSV seed file (privacyIDEA import format): serial, key (hex), type, otp length, time step[, hash]";

/// Writes `seeds` as OATH CSV, one token per line after a comment naming the columns.
///
/// # Errors
/// [`SeedFileError::Write`] for a serial that cannot survive a round trip (empty, surrounded
/// by whitespace, control characters) or a T0 other than 0, which the format cannot carry.
pub fn write(seeds: &[TokenSeed]) -> Result<String, SeedFileError> {
    let mut out = String::with_capacity(64 + seeds.len() * 80);
    out.push_str(HEADER_COMMENT);
    out.push('\n');
    for (index, seed) in seeds.iter().enumerate() {
        let unwritable = |reason| SeedFileError::Write {
            format: SeedFormat::OathCsv,
            index,
            serial: seed.serial.clone(),
            reason,
        };
        if let Some(reason) = field::unwritable_serial(&seed.serial) {
            return Err(unwritable(reason));
        }
        if seed.t0 != 0 {
            return Err(unwritable("OATH CSV has no T0 column, so T0 must be 0"));
        }
        let digits = seed.digits.get().to_string();
        let period = seed.period.seconds().to_string();
        let key = seed.secret.to_hex();
        let mut fields = vec![seed.serial.as_str(), key.as_str(), "totp", digits.as_str(), period.as_str()];
        if inferred_algorithm(seed.secret.len()) != seed.algorithm {
            fields.push(csv_hash_name(seed.algorithm));
        }
        // A serial starting with `#` must be quoted or the line would read as a comment.
        let quote =
            if seed.serial.starts_with('#') { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
        out.push_str(&csv_line(&fields, quote).map_err(|_| unwritable("the CSV writer failed"))?);
    }
    Ok(out)
}

/// Parses an OATH CSV seed file. `name` is only used in error messages.
///
/// # Errors
/// The first problem found, as [`SeedFileError::Read`] with the line: malformed CSV, a
/// missing serial or key, a duplicate serial, bad hex, a type other than TOTP, an otp length
/// outside 6..=10, a time step of 0, an unknown hash name or an extra column.
pub fn parse(name: &str, text: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let user_columns = if is_version_2(text) { 3 } else { 0 };
    // privacyIDEA drops every line that starts with `#`. Blanking them (line endings kept)
    // rather than using the csv crate's comment support keeps our line numbers exact.
    let cleaned: String =
        text.split_inclusive('\n')
            .map(|line| {
                if line.starts_with('#') { &line[line.trim_end_matches(['\r', '\n']).len()..] } else { line }
            })
            .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(cleaned.as_bytes());
    let mut lines = RecordLines { text: &cleaned, offset: 0, line: 1 };
    let mut seeds = Vec::new();
    let mut serials = SerialRegister::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
            Place { file: name, line, element: None }
                .error(SeedProblem::Syntax { format: "CSV", reason: syntax_reason(&e) })
        })?;
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        let place = Place { file: name, line, element: None };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let fields: Vec<&str> = record.iter().skip(user_columns).collect();
        if let Some(seed) = parse_row(place, &fields, &mut serials)? {
            seeds.push(seed);
        }
    }
    Ok(seeds)
}

/// One token line (user columns already dropped). `None` for a line with only user columns.
fn parse_row(
    place: Place<'_>,
    fields: &[&str],
    serials: &mut SerialRegister,
) -> Result<Option<TokenSeed>, SeedFileError> {
    let field = |i: usize| fields.get(i).copied();
    let serial = match field(0) {
        None => return Err(place.error(SeedProblem::MissingSerial(" (line has only user columns)"))),
        Some("") => return Err(place.error(SeedProblem::MissingSerial(" (first column is empty)"))),
        Some(serial) => serial.to_owned(),
    };
    serials.insert(place, &serial)?;
    // Messages quote `shown`: a line missing its serial has the key in the first column.
    let shown = quotable(&serial);
    let key = field(1).unwrap_or("");
    if key.is_empty() {
        return Err(place.error(SeedProblem::MissingKey { serial: shown, where_: " (second column)" }));
    }
    let kind = field(2).unwrap_or("hotp");
    if !kind.eq_ignore_ascii_case("totp") {
        let found = quotable(kind);
        return Err(place.error(SeedProblem::UnsupportedType { serial: shown, found }));
    }
    let secret = Secret::from_hex(key).map_err(|e| {
        let detail = match e {
            crate::otp::OtpError::Hex { position, reason } => format!(": {reason} at position {position}"),
            _ => String::new(),
        };
        place.error(SeedProblem::BadKey { serial: shown.clone(), encoding: "hex", detail })
    })?;
    let digits = field::digits(place, &serial, field(3).unwrap_or("6"))?;
    let period = field::period(place, &serial, field(4).unwrap_or("30"))?;
    let algorithm = match field(5) {
        None => inferred_algorithm(secret.len()),
        Some(hash) => hash.parse::<Algorithm>().map_err(|_| {
            let found = quotable(hash);
            place.error(SeedProblem::UnknownAlgorithm { serial: shown.clone(), found })
        })?,
    };
    if fields.len() > 6 {
        return Err(place.error(SeedProblem::Unsupported {
            serial: shown,
            what: format!("column {} (a line has at most 6 token columns)", fields.len()),
        }));
    }
    Ok(Some(TokenSeed { serial, secret, algorithm, digits, period, t0: 0 }))
}

/// Line numbers of records. The csv crate reports a record's byte offset before any blank
/// lines it skipped, so the line is counted from the first byte that is not a line ending.
struct RecordLines<'t> {
    text: &'t str,
    offset: usize,
    line: u64,
}

impl RecordLines<'_> {
    /// The 1-based line of the record at `byte`; offsets only grow, so each byte is seen once.
    fn line_of(&mut self, byte: u64) -> u64 {
        let bytes = self.text.as_bytes();
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if start < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += bytes[self.offset..start].iter().filter(|b| **b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}

/// privacyIDEA's rule: a first line `# version: 2` announces the user columns.
fn is_version_2(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first
        .strip_prefix('#')
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix("version:"))
        .is_some_and(|version| version.trim() == "2")
}

/// The hash privacyIDEA (32-byte keys: SHA256) and LinOTP (64-byte keys: SHA512) infer from
/// the key length when no hash column is given.
fn inferred_algorithm(key_bytes: usize) -> Algorithm {
    match key_bytes {
        32 => Algorithm::Sha256,
        64 => Algorithm::Sha512,
        _ => Algorithm::Sha1,
    }
}

/// The hash column's spelling (lowercase, as privacyIDEA's `hashlib` values).
fn csv_hash_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha1 => "sha1",
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

/// One CSV line with `\n` ending.
fn csv_line(fields: &[&str], quote: csv::QuoteStyle) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(quote)
        .from_writer(Vec::new());
    writer.write_record(fields)?;
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    // The fields are `&str`, and the writer only adds ASCII quotes, commas and newlines.
    String::from_utf8(bytes).map_err(|e| csv::Error::from(std::io::Error::other(e)))
}

/// The csv crate's message without its own position prefix (we print file:line ourselves).
fn syntax_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { .. } => "rows of unequal length".to_owned(),
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_owned(),
        _ => "unreadable record".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Digits, Period};

    fn seed(serial: &str, key: &[u8], algorithm: Algorithm) -> TokenSeed {
        TokenSeed {
            serial: serial.to_owned(),
            secret: Secret::from_bytes(key.to_vec()).unwrap(),
            algorithm,
            digits: Digits::SIX,
            period: Period::THIRTY_SECONDS,
            t0: 0,
        }
    }

    #[test]
    fn privacyidea_example_lines_parse_with_defaults() {
        let text = "# a comment\n\nT1, 3132333435363738393031323334353637383930, totp, 8, 60\n\
                    T2,3132333435363738393031323334353637383930,TOTP\n";
        let seeds = parse("batch.csv", text).unwrap();
        assert_eq!(seeds.len(), 2);
        assert_eq!(seeds[0].serial, "T1");
        assert_eq!(seeds[0].secret.expose(), b"12345678901234567890");
        assert_eq!((seeds[0].digits.get(), seeds[0].period.seconds()), (8, 60));
        assert_eq!((seeds[1].digits.get(), seeds[1].period.seconds()), (6, 30));
        assert_eq!(seeds[1].algorithm, Algorithm::Sha1);
    }

    #[test]
    fn hash_follows_key_length_unless_a_column_says_otherwise() {
        let k32 = "00".repeat(32);
        let k64 = "00".repeat(64);
        let text = format!("A,{k32},totp\nB,{k64},totp\nC,{k32},totp,6,30,SHA1\nD,00ff,totp,6,30,sha-512\n");
        let algorithms: Vec<Algorithm> = parse("f.csv", &text).unwrap().iter().map(|s| s.algorithm).collect();
        assert_eq!(algorithms, [Algorithm::Sha256, Algorithm::Sha512, Algorithm::Sha1, Algorithm::Sha512]);
    }

    #[test]
    fn version_2_files_drop_the_user_columns() {
        let text = "# version: 2\nalice, ldap, realm1, T1, 00112233, totp, 6, 30\n";
        let seeds = parse("v2.csv", text).unwrap();
        assert_eq!(seeds[0].serial, "T1");
        assert_eq!(seeds[0].secret.expose(), [0x00, 0x11, 0x22, 0x33]);
    }

    #[test]
    fn writer_adds_a_hash_column_only_when_inference_would_be_wrong() {
        let text =
            write(&[seed("A", &[1; 20], Algorithm::Sha1), seed("B", &[1; 20], Algorithm::Sha256)]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER_COMMENT);
        assert_eq!(lines[1], format!("A,{},totp,6,30", "01".repeat(20)));
        assert_eq!(lines[2], format!("B,{},totp,6,30,sha256", "01".repeat(20)));
    }

    #[test]
    fn serials_with_commas_quotes_and_hashes_round_trip() {
        let seeds = vec![
            seed("a,b", &[1; 20], Algorithm::Sha1),
            seed("say \"hi\"", &[2; 20], Algorithm::Sha1),
            seed("#7", &[3; 20], Algorithm::Sha1),
        ];
        assert_eq!(parse("x.csv", &write(&seeds).unwrap()).unwrap(), seeds);
    }
}
