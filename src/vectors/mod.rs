//! Test vectors as data: typed records loaded from the JSON files in `vectors/`, and the
//! implementations they run against.
//!
//! One format for every source (RFC 4226 Appendix D, RFC 6238 Appendix B, our extended and
//! URI sets); `vectors/README.md` documents it and the provenance of each file. A record is
//! never edited to make an implementation pass: a divergence is listed in the README.

mod file;
mod implementation;

use std::fmt;

use serde::Serialize;

pub use file::{EMBEDDED, VectorError, VectorFile, load_embedded, load_path, parse};
pub use implementation::{Implementation, Outcome};

use crate::otp::{Algorithm, Digits, Period, Secret, UriKind};

/// One test vector: a stable id, where it comes from, what to compute and what must result.
#[derive(Clone, Debug)]
pub struct Vector {
    /// Stable identifier, unique across all files (reports and expected-failure lists use it).
    pub id: String,
    /// The document and section the record comes from.
    pub source: String,
    /// Why this record exists (edge case, erratum, ...).
    pub note: Option<String>,
    /// The inputs and expected result.
    pub case: Case,
    /// 1-based line of the record's `"id"` in its file, for messages.
    pub line: usize,
}

/// What a vector checks.
#[derive(Clone, Debug)]
pub enum Case {
    /// An HOTP code at a counter.
    Hotp {
        /// Code parameters.
        params: CodeParams,
        /// The counter.
        counter: u64,
        /// The expected code text.
        expected: String,
    },
    /// A TOTP code at a Unix time.
    Totp {
        /// Code parameters.
        params: CodeParams,
        /// Step length.
        period: Period,
        /// Unix time of step 0.
        t0: u64,
        /// Unix time of the code.
        time: u64,
        /// The expected code text.
        expected: String,
    },
    /// An `otpauth://` URI that must parse to given fields, or fail with a given error kind.
    Uri {
        /// The URI text.
        uri: String,
        /// What parsing must give.
        expected: UriExpectation,
    },
}

impl Case {
    /// The code parameters of an HOTP or TOTP record (`None` for URI records).
    pub fn params(&self) -> Option<&CodeParams> {
        match self {
            Case::Hotp { params, .. } | Case::Totp { params, .. } => Some(params),
            Case::Uri { .. } => None,
        }
    }
}

/// Parameters shared by HOTP and TOTP records.
#[derive(Clone, Debug)]
pub struct CodeParams {
    /// The key.
    pub secret: Secret,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
}

/// The expected result of parsing a URI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UriExpectation {
    /// Parsing succeeds with these fields.
    Parsed(ParsedUri),
    /// Parsing fails with this [`crate::otp::UriError::kind`].
    Error(String),
}

/// The fields a URI record expects, in comparable form (the secret as base32).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedUri {
    /// `totp` or `hotp`.
    pub kind: String,
    /// Issuer, if any.
    pub issuer: Option<String>,
    /// Account name.
    pub account: String,
    /// Secret as unpadded uppercase base32.
    pub secret_base32: String,
    /// Algorithm name.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// TOTP period.
    pub period: Option<u64>,
    /// HOTP counter.
    pub counter: Option<u64>,
}

impl ParsedUri {
    /// The comparable form of a parsed URI.
    pub fn of(uri: &crate::otp::OtpAuthUri) -> Self {
        let (kind, period, counter) = match uri.kind {
            UriKind::Totp { period } => ("totp", Some(period.seconds()), None),
            UriKind::Hotp { counter } => ("hotp", None, Some(counter)),
        };
        ParsedUri {
            kind: kind.to_owned(),
            issuer: uri.issuer.clone(),
            account: uri.account.clone(),
            secret_base32: uri.secret.to_base32(),
            algorithm: uri.algorithm,
            digits: uri.digits.get(),
            period,
            counter,
        }
    }
}

impl fmt::Display for UriExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriExpectation::Error(kind) => write!(f, "error {kind}"),
            // Secrets of URI records are public test keys, but reports still never print them.
            UriExpectation::Parsed(p) => write!(
                f,
                "{} {}:{} {} {} digits{}{}",
                p.kind,
                p.issuer.as_deref().unwrap_or("-"),
                p.account,
                p.algorithm,
                p.digits,
                p.period.map(|s| format!(" period {s}")).unwrap_or_default(),
                p.counter.map(|c| format!(" counter {c}")).unwrap_or_default(),
            ),
        }
    }
}
