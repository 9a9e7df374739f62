//! The HMAC hash functions RFC 6238 §1.2 allows.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::OtpError;

/// Hash function under HMAC. RFC 4226 defines HOTP with SHA-1 only; RFC 6238 §1.2 adds SHA-256
/// and SHA-512 for TOTP. Many authenticator apps silently use SHA-1 whatever the URI says (see
/// [`crate::otp::uri`]), which is why a harness must test the other two explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Algorithm {
    /// HMAC-SHA-1, the default everywhere.
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// Every algorithm, in a fixed order (for sweeps and benchmarks).
    pub const ALL: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

    /// The name used in `otpauth://` URIs and vector files.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    /// The hash's output size in bytes, and so the HMAC's.
    pub fn output_len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = OtpError;

    /// Accepts `SHA1`, `SHA-1`, `sha1` and the like: apps and servers spell it every way.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(Algorithm::Sha1),
            "SHA256" => Ok(Algorithm::Sha256),
            "SHA512" => Ok(Algorithm::Sha512),
            _ => Err(OtpError::UnknownAlgorithm(s.to_owned())),
        }
    }
}

impl TryFrom<String> for Algorithm {
    type Error = OtpError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Algorithm> for String {
    fn from(a: Algorithm) -> String {
        a.name().to_owned()
    }
}
