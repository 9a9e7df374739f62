//! The bearer token guarding a server's privileged routes (`/v1/admin/*`, `/v1/test/*`):
//! `Authorization: Bearer <token>`. `mfa-harness serve` requires it outside test mode; the
//! HTTP target sends it when given one. It is a secret: `Debug` never shows it.

use std::fmt;

use rand::TryRng;
use rand::rngs::SysRng;
use subtle::ConstantTimeEq;

/// An admin bearer token: at least [`AdminToken::MIN_CHARS`] visible ASCII characters.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

/// Why a text is not an admin token, or why none could be generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdminTokenError {
    /// Fewer characters than [`AdminToken::MIN_CHARS`] (after trimming whitespace).
    #[error("admin token too short: at least {} characters", AdminToken::MIN_CHARS)]
    TooShort,
    /// A space, control or non-ASCII character (it could not travel in a header).
    #[error("admin token may contain only visible ASCII characters")]
    NotVisibleAscii,
    /// The operating system gave no randomness.
    #[error("no randomness for an admin token: {0}")]
    NoRandomness(String),
}

impl AdminToken {
    /// Shortest token accepted: 16 characters.
    pub const MIN_CHARS: usize = 16;

    /// A fresh token: 32 bytes from the operating system, in hex (64 characters).
    ///
    /// # Errors
    /// [`AdminTokenError::NoRandomness`].
    pub fn generate() -> Result<AdminToken, AdminTokenError> {
        let mut bytes = [0u8; 32];
        SysRng.try_fill_bytes(&mut bytes).map_err(|e| AdminTokenError::NoRandomness(e.to_string()))?;
        Ok(AdminToken(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// A token as written in a file: surrounding whitespace (a final newline) is dropped.
    ///
    /// # Errors
    /// [`AdminTokenError::TooShort`], [`AdminTokenError::NotVisibleAscii`].
    pub fn parse(text: &str) -> Result<AdminToken, AdminTokenError> {
        let token = text.trim();
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AdminTokenError::NotVisibleAscii);
        }
        if token.len() < AdminToken::MIN_CHARS {
            return Err(AdminTokenError::TooShort);
        }
        Ok(AdminToken(token.to_owned()))
    }

    /// The token itself, to send or to show its owner once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`. The token is compared
    /// in constant time, so response times do not reveal how much of a guess was right.
    pub fn authorizes(&self, header: &str) -> bool {
        header.strip_prefix("Bearer ").is_some_and(|t| bool::from(t.as_bytes().ct_eq(self.0.as_bytes())))
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_differ_and_parse_back() {
        let (a, b) = (AdminToken::generate().unwrap(), AdminToken::generate().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.reveal().len(), 64);
        assert_eq!(AdminToken::parse(&format!("{}\n", a.reveal())).unwrap(), a);
    }

    #[test]
    fn only_the_exact_bearer_header_authorizes() {
        let t = AdminToken::parse("0123456789abcdef").unwrap();
        assert!(t.authorizes("Bearer 0123456789abcdef"));
        for wrong in ["Bearer 0123456789abcdeg", "Bearer 0123456789abcde", "0123456789abcdef", "Basic x", ""]
        {
            assert!(!t.authorizes(wrong), "{wrong}");
        }
    }

    #[test]
    fn short_or_spaced_tokens_are_refused_and_debug_hides_the_token() {
        assert_eq!(AdminToken::parse("short"), Err(AdminTokenError::TooShort));
        assert_eq!(AdminToken::parse("0123456789 abcdef"), Err(AdminTokenError::NotVisibleAscii));
        let t = AdminToken::parse("0123456789abcdef").unwrap();
        assert_eq!(format!("{t:?}"), "AdminToken(<redacted>)");
    }
}
