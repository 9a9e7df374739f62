//! `otpauth://` URIs in Google's Key URI format, the text inside every enrolment QR code.
//!
//! `otpauth://TYPE/LABEL?PARAMETERS` with TYPE `totp` or `hotp`, LABEL `issuer:account` or
//! `account` (percent-encoded; spaces may follow the colon), and parameters `secret`
//! (required, base32), `issuer`, `algorithm` (default SHA1), `digits` (default 6), `period`
//! (TOTP, default 30) and `counter` (HOTP, required). Unknown parameters (`image`, ...) are
//! ignored, as apps ignore them.
//!
//! Apps do not all honour every parameter, which is why servers should stay on the defaults
//! and why the harness tests them: Google Authenticator ignored `algorithm`, `digits` and
//! `period` for years (its Android app still shows SHA1, 6 digits, 30 s codes for some
//! entries); Microsoft Authenticator ignores `algorithm` and `digits` for non-Microsoft
//! accounts; Authy accepts `digits` 6 or 8 and `period` 30 or 60 only. A server that issues a
//! SHA256 or 8-digit secret therefore cannot assume the user's codes follow it.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::{Algorithm, Digits, Period, Secret};

/// What kind of counter the URI's device uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriKind {
    /// Time-based: codes change every `period`.
    Totp {
        /// Step length.
        period: Period,
    },
    /// Counter-based: the next code is for `counter`.
    Hotp {
        /// The initial counter.
        counter: u64,
    },
}

/// A parsed `otpauth://` URI. `Debug` shows no key material (see [`Secret`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpAuthUri {
    /// TOTP or HOTP, with its period or counter.
    pub kind: UriKind,
    /// The issuer (from the `issuer` parameter, else from the label prefix).
    pub issuer: Option<String>,
    /// The account name from the label.
    pub account: String,
    /// The shared key.
    pub secret: Secret,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
}

/// Why a URI was refused. [`UriError::kind`] is the stable name vector files use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// The scheme is not `otpauth`.
    #[error("not an otpauth:// URI")]
    NotOtpAuth,
    /// TYPE is neither `totp` nor `hotp`.
    #[error("unknown OTP type {0:?} (expected totp or hotp)")]
    UnknownType(String),
    /// The label has no account name.
    #[error("label has no account name")]
    MissingAccount,
    /// A part is not valid percent-encoded UTF-8.
    #[error("{0} is not valid percent-encoded UTF-8")]
    BadEncoding(&'static str),
    /// A parameter appears twice.
    #[error("parameter {0:?} appears twice")]
    DuplicateParameter(String),
    /// No `secret` parameter.
    #[error("missing secret parameter")]
    MissingSecret,
    /// The secret is not base32 (the cause names the character).
    #[error("bad secret: {0}")]
    BadSecret(String),
    /// An algorithm other than SHA1, SHA256 or SHA512.
    #[error("unknown algorithm {0:?}")]
    BadAlgorithm(String),
    /// `digits` is not a number from 6 to 10.
    #[error("digits must be a number from 6 to 10, got {0:?}")]
    BadDigits(String),
    /// `period` is not a positive number.
    #[error("period must be a positive number of seconds, got {0:?}")]
    BadPeriod(String),
    /// `counter` is not a 64-bit unsigned number.
    #[error("counter must be a number from 0 to 2^64-1, got {0:?}")]
    BadCounter(String),
    /// An HOTP URI without `counter`.
    #[error("hotp URI needs a counter parameter")]
    MissingCounter,
    /// The label prefix and the `issuer` parameter disagree.
    #[error("issuer {parameter:?} does not match label prefix {label:?}")]
    IssuerMismatch {
        /// The `issuer` parameter.
        parameter: String,
        /// The label's issuer prefix.
        label: String,
    },
}

impl UriError {
    /// A stable snake_case name for the error, used by vector files and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            UriError::NotOtpAuth => "not_otpauth",
            UriError::UnknownType(_) => "unknown_type",
            UriError::MissingAccount => "missing_account",
            UriError::BadEncoding(_) => "bad_encoding",
            UriError::DuplicateParameter(_) => "duplicate_parameter",
            UriError::MissingSecret => "missing_secret",
            UriError::BadSecret(_) => "bad_secret",
            UriError::BadAlgorithm(_) => "bad_algorithm",
            UriError::BadDigits(_) => "bad_digits",
            UriError::BadPeriod(_) => "bad_period",
            UriError::BadCounter(_) => "bad_counter",
            UriError::MissingCounter => "missing_counter",
            UriError::IssuerMismatch { .. } => "issuer_mismatch",
        }
    }
}

/// Characters escaped in labels and values: everything but unreserved ones (RFC 3986 §2.3).
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

impl OtpAuthUri {
    /// The TOTP URI the consoles in the seed documents issue for a virtual MFA device: SHA1,
    /// 6 digits, 30-second steps (the parameters every authenticator app honours).
    pub fn console_totp(issuer: &str, account: &str, secret: Secret) -> Self {
        OtpAuthUri {
            kind: UriKind::Totp { period: Period::THIRTY_SECONDS },
            issuer: Some(issuer.to_owned()),
            account: account.to_owned(),
            secret,
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
        }
    }

    /// Parses a URI.
    ///
    /// # Errors
    /// A [`UriError`] naming what is missing or malformed.
    pub fn parse(text: &str) -> Result<Self, UriError> {
        let rest = strip_prefix_ignore_case(text.trim(), "otpauth://").ok_or(UriError::NotOtpAuth)?;
        let (kind_text, rest) = rest.split_once('/').ok_or(UriError::MissingAccount)?;
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
        let label = decode(label, "label")?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer.trim().to_owned()), account.trim().to_owned()),
            None => (None, label.trim().to_owned()),
        };
        if account.is_empty() {
            return Err(UriError::MissingAccount);
        }

        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key, "parameter name")?.to_ascii_lowercase();
            let value = decode(&value.replace('+', " "), "parameter value")?;
            if params.iter().any(|(k, _)| *k == key) {
                return Err(UriError::DuplicateParameter(key));
            }
            params.push((key, value));
        }
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());

        let secret = param("secret").filter(|s| !s.trim().is_empty()).ok_or(UriError::MissingSecret)?;
        let secret = Secret::from_base32(secret).map_err(|e| UriError::BadSecret(e.to_string()))?;
        let algorithm = match param("algorithm") {
            Some(a) => a.parse().map_err(|_| UriError::BadAlgorithm(a.to_owned()))?,
            None => Algorithm::Sha1,
        };
        let digits = match param("digits") {
            Some(d) => d
                .parse::<u8>()
                .ok()
                .and_then(|n| Digits::new(n).ok())
                .ok_or_else(|| UriError::BadDigits(d.to_owned()))?,
            None => Digits::SIX,
        };
        let kind = match kind_text.to_ascii_lowercase().as_str() {
            "totp" => UriKind::Totp {
                period: match param("period") {
                    Some(p) => p
                        .parse::<u64>()
                        .ok()
                        .and_then(|s| Period::new(s).ok())
                        .ok_or_else(|| UriError::BadPeriod(p.to_owned()))?,
                    None => Period::THIRTY_SECONDS,
                },
            },
            "hotp" => UriKind::Hotp {
                counter: param("counter")
                    .ok_or(UriError::MissingCounter)?
                    .parse()
                    .map_err(|_| UriError::BadCounter(param("counter").unwrap_or_default().to_owned()))?,
            },
            other => return Err(UriError::UnknownType(other.to_owned())),
        };
        let issuer = match (param("issuer").map(str::to_owned), label_issuer) {
            (Some(p), Some(l)) if p != l => {
                return Err(UriError::IssuerMismatch { parameter: p, label: l });
            }
            (p, l) => p.or(l),
        };
        Ok(OtpAuthUri { kind, issuer, account, secret, algorithm, digits })
    }

    /// The URI text, with every parameter explicit (apps that ignore defaults then still show
    /// the server's intent). The format forbids a colon in the issuer or account (it reads as
    /// the separator, encoded or not), so such names do not round-trip. This contains the secret: it is for QR codes, never for logs.
    pub fn to_uri_string(&self) -> String {
        let enc = |s: &str| utf8_percent_encode(s, ESCAPED).to_string();
        let label = match &self.issuer {
            Some(issuer) => format!("{}:{}", enc(issuer), enc(&self.account)),
            None => enc(&self.account),
        };
        let (kind, tail) = match self.kind {
            UriKind::Totp { period } => ("totp", format!("period={}", period.seconds())),
            UriKind::Hotp { counter } => ("hotp", format!("counter={counter}")),
        };
        let issuer = self.issuer.as_deref().map(|i| format!("&issuer={}", enc(i))).unwrap_or_default();
        format!(
            "otpauth://{kind}/{label}?secret={}{issuer}&algorithm={}&digits={}&{tail}",
            self.secret.to_base32(),
            self.algorithm,
            self.digits.get()
        )
    }
}

impl fmt::Display for UriKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriKind::Totp { period } => write!(f, "totp (period {} s)", period.seconds()),
            UriKind::Hotp { counter } => write!(f, "hotp (counter {counter})"),
        }
    }
}

fn decode(text: &str, part: &'static str) -> Result<String, UriError> {
    percent_decode_str(text).decode_utf8().map(|c| c.into_owned()).map_err(|_| UriError::BadEncoding(part))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_example_parses() {
        let uri = OtpAuthUri::parse(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        )
        .unwrap();
        assert_eq!(uri.issuer.as_deref(), Some("Example"));
        assert_eq!(uri.account, "alice@google.com");
        assert_eq!(uri.kind, UriKind::Totp { period: Period::THIRTY_SECONDS });
        assert_eq!(uri.algorithm, Algorithm::Sha1);
        assert_eq!(uri.digits, Digits::SIX);
        assert_eq!(uri.secret.to_base32(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn emitted_uri_parses_back_with_escaped_label() {
        let uri = OtpAuthUri {
            kind: UriKind::Hotp { counter: u64::MAX },
            issuer: Some("ACME Co & Ops".into()),
            account: "bob smith@acme.example".into(),
            secret: Secret::from_bytes(vec![7; 20]).unwrap(),
            algorithm: Algorithm::Sha512,
            digits: Digits::new(8).unwrap(),
        };
        let text = uri.to_uri_string();
        assert!(text.starts_with("otpauth://hotp/ACME%20Co%20%26%20Ops:bob%20smith%40acme.example?"));
        assert_eq!(OtpAuthUri::parse(&text).unwrap(), uri);
    }

    #[test]
    fn errors_have_stable_kinds() {
        let cases = [
            ("http://totp/a?secret=JBSWY3DP", "not_otpauth"),
            ("otpauth://motp/a?secret=JBSWY3DP", "unknown_type"),
            ("otpauth://totp/a?issuer=x", "missing_secret"),
            ("otpauth://totp/a?secret=JBSW1", "bad_secret"),
            ("otpauth://totp/a?secret=JBSWY3DP&algorithm=MD5", "bad_algorithm"),
            ("otpauth://totp/a?secret=JBSWY3DP&digits=5", "bad_digits"),
            ("otpauth://totp/a?secret=JBSWY3DP&period=0", "bad_period"),
            ("otpauth://hotp/a?secret=JBSWY3DP", "missing_counter"),
            ("otpauth://hotp/a?secret=JBSWY3DP&counter=-1", "bad_counter"),
            ("otpauth://totp/A:a?secret=JBSWY3DP&issuer=B", "issuer_mismatch"),
            ("otpauth://totp/?secret=JBSWY3DP", "missing_account"),
            ("otpauth://totp/a?secret=JBSWY3DP&secret=JBSWY3DP", "duplicate_parameter"),
            ("otpauth://totp/%FF?secret=JBSWY3DP", "bad_encoding"),
        ];
        for (text, kind) in cases {
            assert_eq!(OtpAuthUri::parse(text).unwrap_err().kind(), kind, "{text}");
        }
    }
}
