//! The transport key of encrypted PSKC files: pre-shared (RFC 6030 section 6.1) or derived
//! from a password with PBKDF2 (section 6.2). AES-128-CBC with the IV prepended to each
//! ciphertext, and HMAC-SHA1 over IV and ciphertext as the MAC.

use std::fmt;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{KeyInit, Mac};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::otp::{OtpError, Secret};

/// `EncryptionMethod/@Algorithm` of AES-128-CBC (XML Encryption, RFC 6030 section 6.1).
pub const AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";

/// `MACMethod/@Algorithm` of HMAC-SHA1 (XML Signature, RFC 6030 section 6.1.1).
pub const HMAC_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";

/// `KeyDerivationMethod/@Algorithm` of PBKDF2 (PKCS #5 v2.0, RFC 6030 section 6.2).
pub const PBKDF2: &str = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";

/// The most PBKDF2 iterations a file may ask for: far above real files (RFC 6030's example
/// uses 1,000), low enough that a hostile file cannot stall the reader for minutes.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// AES block and IV length in bytes.
const BLOCK: usize = 16;

/// A 128-bit key shared out of band between vendor and customer, used to encrypt the token
/// keys and the MAC key of a PSKC file. `Debug` is redacted; the bytes are wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PreSharedKey([u8; BLOCK]);

impl PreSharedKey {
    /// The key from 32 hex digits, as vendors hand it over (RFC 6030's example:
    /// `12345678901234567890123456789012`).
    ///
    /// # Errors
    /// [`OtpError::Hex`] for bad hex; [`PreSharedKeyError::Length`] for another length.
    pub fn from_hex(text: &str) -> Result<Self, PreSharedKeyError> {
        let bytes = Secret::from_hex(text).map_err(PreSharedKeyError::Hex)?;
        let array: [u8; BLOCK] =
            bytes.expose().try_into().map_err(|_| PreSharedKeyError::Length(bytes.len()))?;
        Ok(PreSharedKey(array))
    }

    /// The key from raw bytes.
    pub fn from_bytes(bytes: [u8; BLOCK]) -> Self {
        PreSharedKey(bytes)
    }

    /// The key derived from a password with PBKDF2-HMAC-SHA1 (RFC 8018 section 5.2), as
    /// RFC 6030 section 6.2 encrypts PSKC files: a 16-byte key needs only the first block.
    /// An `iterations` of 0 counts as 1 (the PSKC reader refuses 0 before getting here).
    pub fn from_password(password: &[u8], salt: &[u8], iterations: u32) -> Self {
        // Cannot fail: HMAC accepts keys of any length.
        let prf = hmac::Hmac::<sha1::Sha1>::new_from_slice(password).expect("HMAC takes any key length");
        let mut mac = prf.clone();
        mac.update(salt);
        mac.update(&1u32.to_be_bytes());
        let mut u = Zeroizing::new(mac.finalize().into_bytes().to_vec());
        let mut t = Zeroizing::new(u.clone());
        for _ in 1..iterations {
            let mut mac = prf.clone();
            mac.update(&u);
            u = Zeroizing::new(mac.finalize().into_bytes().to_vec());
            t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
        }
        let mut key = [0u8; BLOCK];
        key.copy_from_slice(&t[..BLOCK]);
        PreSharedKey(key)
    }

    /// Decrypts `IV || ciphertext` (PKCS#7 padding, as XML Encryption's block ciphers use).
    pub(crate) fn decrypt(&self, iv_and_ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Undecryptable> {
        if iv_and_ciphertext.len() < 2 * BLOCK || !iv_and_ciphertext.len().is_multiple_of(BLOCK) {
            return Err(Undecryptable::Length);
        }
        let (iv, ciphertext) = iv_and_ciphertext.split_at(BLOCK);
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let decryptor =
            cbc::Decryptor::<aes::Aes128>::new_from_slices(&self.0, iv).map_err(|_| Undecryptable::Length)?;
        let plain_len =
            decryptor.decrypt_padded::<Pkcs7>(&mut buffer).map_err(|_| Undecryptable::Padding)?.len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }

    /// Encrypts `plain` under `iv`, returning `IV || ciphertext`.
    pub(crate) fn encrypt(&self, iv: [u8; BLOCK], plain: &[u8]) -> Vec<u8> {
        let padded_len = (plain.len() / BLOCK + 1) * BLOCK;
        let mut buffer = Zeroizing::new(vec![0u8; padded_len]);
        buffer[..plain.len()].copy_from_slice(plain);
        let encryptor = cbc::Encryptor::<aes::Aes128>::new(&self.0.into(), &iv.into());
        let mut out = iv.to_vec();
        // Cannot fail: the buffer holds the plaintext plus one full block of padding room.
        out.extend_from_slice(
            encryptor.encrypt_padded::<Pkcs7>(&mut buffer, plain.len()).expect("padding room"),
        );
        out
    }
}

impl fmt::Debug for PreSharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PreSharedKey([redacted])")
    }
}

/// A pre-shared key that could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PreSharedKeyError {
    /// Not hex.
    #[error("pre-shared key: {0}")]
    Hex(OtpError),
    /// Not 16 bytes.
    #[error("pre-shared key must be 16 bytes (32 hex digits) for AES-128, got {0} bytes")]
    Length(usize),
}

/// Why a ciphertext did not decrypt. Says nothing about its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Undecryptable {
    /// Not an IV plus whole blocks.
    Length,
    /// Bad padding after decryption: almost always the wrong key or password.
    Padding,
}

/// HMAC-SHA1 of `data` under `mac_key`, as RFC 6030 section 6.1.1 computes `ValueMAC`.
pub(crate) fn value_mac(mac_key: &[u8], data: &[u8]) -> Vec<u8> {
    // Cannot fail: HMAC accepts keys of any length.
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(mac_key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `expected` is the HMAC-SHA1 of `data`, compared in constant time.
pub(crate) fn value_mac_matches(mac_key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    // Cannot fail: HMAC accepts keys of any length.
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(mac_key).expect("HMAC takes any key length");
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_then_decrypt_is_identity_for_every_length() {
        let key = PreSharedKey::from_hex("12345678901234567890123456789012").unwrap();
        for len in [0, 1, 15, 16, 17, 20, 64] {
            let plain: Vec<u8> = (0..len as u8).collect();
            let sealed = key.encrypt([7; 16], &plain);
            assert_eq!(sealed.len() % 16, 0);
            assert_eq!(&*key.decrypt(&sealed).unwrap(), &plain);
        }
    }

    #[test]
    fn wrong_key_or_truncation_is_detected() {
        let key = PreSharedKey::from_bytes([1; 16]);
        let sealed = key.encrypt([0; 16], b"12345678901234567890");
        assert_eq!(key.decrypt(&sealed[..20]).unwrap_err(), Undecryptable::Length);
        // A wrong key yields bad padding with overwhelming probability for this input.
        assert_eq!(PreSharedKey::from_bytes([2; 16]).decrypt(&sealed).unwrap_err(), Undecryptable::Padding);
    }

    #[test]
    fn pbkdf2_matches_rfc6070_vectors() {
        // RFC 6070 test vectors 1 and 2 (PBKDF2-HMAC-SHA1), first 16 bytes of the output.
        let one = PreSharedKey::from_password(b"password", b"salt", 1);
        assert_eq!(
            one.0,
            [0x0c, 0x60, 0xc8, 0x0f, 0x96, 0x1f, 0x0e, 0x71, 0xf3, 0xa9, 0xb5, 0x24, 0xaf, 0x60, 0x12, 0x06]
        );
        let two = PreSharedKey::from_password(b"password", b"salt", 2);
        assert_eq!(
            two.0,
            [0xea, 0x6c, 0x01, 0x4d, 0xc7, 0x2d, 0x6f, 0x8c, 0xcd, 0x1e, 0xd9, 0x2a, 0xce, 0x1d, 0x41, 0xf0]
        );
        let many = PreSharedKey::from_password(b"password", b"salt", 4096);
        assert_eq!(
            many.0,
            [0x4b, 0x00, 0x79, 0x01, 0xb7, 0x65, 0x48, 0x9a, 0xbe, 0xad, 0x49, 0xd9, 0x26, 0xf7, 0x21, 0xd0]
        );
    }

    #[test]
    fn key_parsing_checks_length_and_debug_is_redacted() {
        assert_eq!(PreSharedKey::from_hex("0011").unwrap_err(), PreSharedKeyError::Length(2));
        assert!(matches!(PreSharedKey::from_hex("zz"), Err(PreSharedKeyError::Hex(_))));
        let key = PreSharedKey::from_hex("12345678901234567890123456789012").unwrap();
        assert_eq!(format!("{key:?}"), "PreSharedKey([redacted])");
    }
}
