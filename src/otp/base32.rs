//! RFC 4648 base32, as authenticator apps accept it.
//!
//! Apps are lenient where people type secrets by hand: lowercase letters, spaces between groups
//! and missing `=` padding are all accepted. Anything else is an error naming the character and
//! its position, because a silently dropped character changes the key and every code after it.

use super::OtpError;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Decodes base32 text into bytes.
///
/// # Errors
/// [`OtpError::Base32Char`] for a character outside the alphabet (or padding before the end),
/// [`OtpError::Base32Length`] for a symbol count that no whole number of bytes encodes.
pub fn decode(text: &str) -> Result<Vec<u8>, OtpError> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits, mut symbols) = (0u64, 0u32, 0usize);
    let mut padding_started = false;
    for (position, ch) in text.chars().enumerate() {
        if ch.is_whitespace() {
            continue;
        }
        if ch == '=' {
            padding_started = true;
            continue;
        }
        let value = match ch.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u8 - b'A',
            c @ '2'..='7' => c as u8 - b'2' + 26,
            _ => return Err(OtpError::Base32Char { ch, position }),
        };
        if padding_started {
            return Err(OtpError::Base32Char { ch, position });
        }
        buffer = (buffer << 5) | u64::from(value);
        bits += 5;
        symbols += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // RFC 4648 §6: the last quantum holds 2, 4, 5 or 7 symbols; 1, 3 or 6 encode no whole byte.
    if matches!(symbols % 8, 1 | 3 | 6) {
        return Err(OtpError::Base32Length { symbols });
    }
    Ok(out)
}

/// Encodes bytes as unpadded uppercase base32, the form `otpauth://` URIs carry.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_section10_vectors_round_trip() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn app_style_input_is_accepted() {
        assert_eq!(decode("mzxw 6ytb oi======").unwrap(), b"foobar");
    }

    #[test]
    fn bad_character_is_named_with_its_position() {
        assert_eq!(decode("MZX1W6").unwrap_err(), OtpError::Base32Char { ch: '1', position: 3 });
        assert_eq!(decode("MZ=XW").unwrap_err(), OtpError::Base32Char { ch: 'X', position: 3 });
    }

    #[test]
    fn impossible_length_is_rejected() {
        assert_eq!(decode("MZX").unwrap_err(), OtpError::Base32Length { symbols: 3 });
    }
}
