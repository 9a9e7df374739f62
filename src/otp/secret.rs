//! The shared key of an OTP device.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{OtpError, base32};

/// RFC 4226 §4 R6: the key must be at least 128 bits; 160 bits are recommended.
pub const MIN_RECOMMENDED_BYTES: usize = 16;

/// An OTP device's shared key. `Debug` is redacted and there is no `Display`, so a secret can
/// only reach a log or report through an explicit [`Secret::expose`] or [`Secret::to_base32`];
/// the bytes are wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from raw key bytes.
    ///
    /// # Errors
    /// [`OtpError::EmptySecret`] for an empty key: HMAC would accept it, but every code would
    /// then be public.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, OtpError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(OtpError::EmptySecret);
        }
        Ok(Secret(bytes))
    }

    /// A secret from base32 text as apps accept it (see [`base32::decode`]).
    ///
    /// # Errors
    /// Base32 errors, and [`OtpError::EmptySecret`].
    pub fn from_base32(text: &str) -> Result<Self, OtpError> {
        Self::from_bytes(base32::decode(text)?)
    }

    /// A secret from hex text (vector files and PSKC seed files carry keys this way).
    ///
    /// # Errors
    /// [`OtpError::Hex`] naming the first bad character, and [`OtpError::EmptySecret`].
    pub fn from_hex(text: &str) -> Result<Self, OtpError> {
        let text = text.trim();
        if text.len() % 2 == 1 {
            return Err(OtpError::Hex { position: text.len(), reason: "odd number of digits" });
        }
        let digit = |position: usize| {
            (text.as_bytes()[position] as char)
                .to_digit(16)
                .ok_or(OtpError::Hex { position, reason: "not a hex digit" })
        };
        let bytes = (0..text.len() / 2)
            .map(|i| Ok((digit(2 * i)? * 16 + digit(2 * i + 1)?) as u8))
            .collect::<Result<Vec<u8>, OtpError>>()?;
        Self::from_bytes(bytes)
    }

    /// The key as unpadded uppercase base32, for `otpauth://` URIs and seed files.
    pub fn to_base32(&self) -> String {
        base32::encode(&self.0)
    }

    /// The key as lowercase hex, for seed files.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The raw key bytes. Named so that every place that handles them is easy to find.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Key length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: an empty secret cannot be built. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A warning when the key is shorter than RFC 4226's 128-bit minimum. Short keys still
    /// work (real tokens and servers have them), so this is a warning, not an error.
    pub fn strength_warning(&self) -> Option<String> {
        (self.0.len() < MIN_RECOMMENDED_BYTES).then(|| {
            format!("key is {} bits, below the 128-bit minimum of RFC 4226 section 4", self.0.len() * 8)
        })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([redacted; {} bytes])", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_key_material() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret([redacted; 20 bytes])");
        assert!(!shown.contains("1234"));
        assert!(!shown.contains(&secret.to_base32()));
    }

    #[test]
    fn hex_errors_name_the_position() {
        assert_eq!(
            Secret::from_hex("00fg").unwrap_err(),
            OtpError::Hex { position: 3, reason: "not a hex digit" }
        );
        assert!(matches!(Secret::from_hex("abc"), Err(OtpError::Hex { .. })));
        assert_eq!(Secret::from_hex("").unwrap_err(), OtpError::EmptySecret);
    }

    #[test]
    fn short_keys_warn_but_work() {
        assert!(Secret::from_bytes(vec![1; 10]).unwrap().strength_warning().is_some());
        assert!(Secret::from_bytes(vec![1; 16]).unwrap().strength_warning().is_none());
    }
}
