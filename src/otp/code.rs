//! Code lengths and codes, and RFC 4226 §5.3 dynamic truncation.

use std::fmt;

use serde::{Deserialize, Serialize};
use subtle::{Choice, ConstantTimeEq};

use super::OtpError;
use super::keyed::Mac;

/// Number of decimal digits in a code: 6 to 10. RFC 4226 §5.3 requires at least 6; the 31-bit
/// truncated value has 10 decimal digits, so more would only ever add leading zeros.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Digits(u8);

impl Digits {
    /// Six digits, what every console and hardware token in the seeds uses.
    pub const SIX: Digits = Digits(6);
    /// Eight digits, as in RFC 6238 Appendix B.
    pub const EIGHT: Digits = Digits(8);

    /// # Errors
    /// [`OtpError::Digits`] outside 6..=10.
    pub fn new(n: u8) -> Result<Self, OtpError> {
        if (6..=10).contains(&n) { Ok(Digits(n)) } else { Err(OtpError::Digits(u64::from(n))) }
    }

    /// The digit count.
    pub fn get(self) -> u8 {
        self.0
    }

    /// 10^digits: how many distinct codes there are.
    pub fn modulus(self) -> u64 {
        10u64.pow(u32::from(self.0))
    }
}

impl TryFrom<u8> for Digits {
    type Error = OtpError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Digits::new(n)
    }
}

impl From<Digits> for u8 {
    fn from(d: Digits) -> u8 {
        d.0
    }
}

/// A one-time code: its numeric value and its length (leading zeros count).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    value: u32,
    digits: Digits,
}

impl Code {
    /// Dynamic truncation (RFC 4226 §5.3): 31 bits at the offset named by the MAC's last
    /// nibble, reduced modulo 10^digits.
    pub fn truncate(mac: &Mac, digits: Digits) -> Code {
        let bytes = mac.as_bytes();
        let offset = (bytes[bytes.len() - 1] & 0x0f) as usize;
        let word =
            u32::from_be_bytes([bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]])
                & 0x7fff_ffff;
        // The 31-bit word is below 10^10, so the remainder always fits in u32.
        let value = (u64::from(word) % digits.modulus()) as u32;
        Code { value, digits }
    }

    /// Parses what a user typed: exactly `digits` ASCII digits, nothing else (no trimming: a
    /// server that trims is a server decision, not the code's).
    ///
    /// # Errors
    /// [`OtpError::CodeFormat`] for any other text.
    pub fn parse(text: &str, digits: Digits) -> Result<Code, OtpError> {
        if text.len() != usize::from(digits.get()) || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OtpError::CodeFormat { digits: digits.get() });
        }
        let value = text.parse::<u64>().map_err(|_| OtpError::CodeFormat { digits: digits.get() })?;
        Code::from_value(value, digits)
    }

    /// A code from its numeric value (for mutants and attackers that make codes up).
    ///
    /// # Errors
    /// [`OtpError::CodeFormat`] when the value has more than `digits` digits, or does not fit
    /// the 32 bits a code is kept in: a 10-digit value from 2^32 up, which no code reaches (the
    /// truncation keeps 31 bits, RFC 4226 §5.3) and which must not wrap onto one that does.
    pub fn from_value(value: u64, digits: Digits) -> Result<Code, OtpError> {
        match u32::try_from(value) {
            Ok(fits) if value < digits.modulus() => Ok(Code { value: fits, digits }),
            _ => Err(OtpError::CodeFormat { digits: digits.get() }),
        }
    }

    /// A code from a value the caller already reduced below 10^digits (the batch engine's
    /// truncation), without `from_value`'s check in the hot loop.
    pub(crate) fn from_reduced(value: u32, digits: Digits) -> Code {
        debug_assert!(u64::from(value) < digits.modulus());
        Code { value, digits }
    }

    /// The numeric value.
    pub fn value(self) -> u32 {
        self.value
    }

    /// The code's length.
    pub fn digits(self) -> Digits {
        self.digits
    }
}

/// Constant-time equality (value and length), so a verifier leaks nothing through timing.
impl ConstantTimeEq for Code {
    fn ct_eq(&self, other: &Code) -> Choice {
        self.value.ct_eq(&other.value) & self.digits.0.ct_eq(&other.digits.0)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = usize::from(self.digits.get()))
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_leading_zeros() {
        let code = Code::from_value(42, Digits::SIX).unwrap();
        assert_eq!(code.to_string(), "000042");
        assert_eq!(Code::parse("000042", Digits::SIX).unwrap(), code);
    }

    #[test]
    fn parse_rejects_wrong_length_and_non_digits() {
        for bad in ["12345", "1234567", "12345a", " 12345", "١٢٣٤٥٦", "+12345"] {
            assert_eq!(
                Code::parse(bad, Digits::SIX).unwrap_err(),
                OtpError::CodeFormat { digits: 6 },
                "{bad:?}"
            );
        }
    }

    #[test]
    fn digits_outside_six_to_ten_are_rejected() {
        assert!(Digits::new(5).is_err());
        assert!(Digits::new(11).is_err());
        assert_eq!(Digits::new(10).unwrap().modulus(), 10_000_000_000);
    }
}
