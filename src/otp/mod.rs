//! The OTP core: HOTP (RFC 4226) and TOTP (RFC 6238) over explicit time, base32 secrets and
//! `otpauth://` URIs.
//!
//! Nothing here reads a clock: every function takes the Unix time or counter it works on, so
//! the simulator's virtual clock (and a test's) drives it. The HMAC key schedule runs once per
//! secret ([`KeyedHmac`]); a code then costs two hash compressions. Verification returns
//! which step offset matched, because replay guards and drift tracking need it.
//!
//! ```
//! use mfa_harness::otp::{Algorithm, Digits, Period, Secret, Totp, Verification, Window};
//!
//! // RFC 6238 Appendix B, first row.
//! let secret = Secret::from_bytes(b"12345678901234567890".to_vec())?;
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::EIGHT, Period::THIRTY_SECONDS, 0);
//! let code = totp.code_at(59)?;
//! assert_eq!(code.to_string(), "94287082");
//! // Thirty seconds later the same code is one step old: accepted with offset -1.
//! assert!(matches!(totp.verify(&code, 89, Window::symmetric(1))?,
//!                  Verification::Matched { offset: -1, .. }));
//! # Ok::<(), mfa_harness::otp::OtpError>(())
//! ```

pub mod algorithm;
pub mod base32;
pub mod batch;
pub mod code;
pub mod hotp;
pub mod keyed;
pub mod secret;
pub mod totp;
pub mod uri;

pub use algorithm::Algorithm;
pub use code::{Code, Digits};
pub use hotp::Hotp;
pub use keyed::KeyedHmac;
pub use secret::Secret;
pub use totp::{Period, Step, Totp, Verification, Window};
pub use uri::{OtpAuthUri, UriError, UriKind};

/// Errors of the OTP core. [`OtpError::kind`] gives a stable name for vector files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// A character outside the base32 alphabet, or after padding.
    #[error("invalid base32 character {ch:?} at position {position}")]
    Base32Char {
        /// The character.
        ch: char,
        /// Its index (in characters) in the input.
        position: usize,
    },
    /// A symbol count that encodes no whole number of bytes.
    #[error("invalid base32 length: {symbols} symbols do not encode whole bytes")]
    Base32Length {
        /// Symbols seen (spaces and padding excluded).
        symbols: usize,
    },
    /// Malformed hex.
    #[error("invalid hex at position {position}: {reason}")]
    Hex {
        /// Index of the offending character.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An empty key.
    #[error("secret is empty")]
    EmptySecret,
    /// A code length outside 6..=10.
    #[error("digits must be 6 to 10, got {0}")]
    Digits(u64),
    /// A period of zero seconds.
    #[error("period must be at least one second")]
    ZeroPeriod,
    /// A time before T0.
    #[error("time {time} is before T0 {t0}")]
    BeforeEpoch {
        /// The Unix time asked for.
        time: u64,
        /// The TOTP's T0.
        t0: u64,
    },
    /// Text that is not a code of the expected length.
    #[error("code must be exactly {digits} ASCII digits")]
    CodeFormat {
        /// The expected length.
        digits: u8,
    },
    /// An algorithm name we do not know.
    #[error("unknown algorithm {0:?} (expected SHA1, SHA256 or SHA512)")]
    UnknownAlgorithm(String),
    /// A malformed `otpauth://` URI.
    #[error("bad otpauth URI: {0}")]
    Uri(#[from] UriError),
}

impl OtpError {
    /// A stable snake_case name for the error, used by vector files and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            OtpError::Base32Char { .. } | OtpError::Base32Length { .. } => "bad_base32",
            OtpError::Hex { .. } => "bad_hex",
            OtpError::EmptySecret => "empty_secret",
            OtpError::Digits(_) => "bad_digits",
            OtpError::ZeroPeriod => "bad_period",
            OtpError::BeforeEpoch { .. } => "before_t0",
            OtpError::CodeFormat { .. } => "bad_code",
            OtpError::UnknownAlgorithm(_) => "bad_algorithm",
            OtpError::Uri(e) => e.kind(),
        }
    }
}
