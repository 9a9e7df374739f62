//! HMAC (RFC 2104) with the key schedule done once per secret.
//!
//! HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The two key blocks never change for a
//! device, so we compress each once and keep the two chaining states. An OTP message is an
//! 8-byte counter, so after that every code costs exactly two compressions: one for the inner
//! block (counter + padding) and one for the outer block (inner digest + padding). The
//! compression functions are RustCrypto's (`sha1`, `sha2`), which pick SHA-NI or SIMD at run
//! time; only the padding and chaining around them is ours.

use sha1::Digest;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{Algorithm, Secret};

/// The largest HMAC output: SHA-512's 64 bytes.
pub const MAX_MAC_LEN: usize = 64;

const SHA1_IV: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
const SHA256_IV: [u32; 8] =
    [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];
const SHA512_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// An HMAC output: up to 64 bytes on the stack, so a code allocates nothing.
#[derive(Clone, Copy)]
pub struct Mac {
    bytes: [u8; MAX_MAC_LEN],
    len: usize,
}

impl Mac {
    /// The MAC bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Precomputed inner and outer chaining states of HMAC for one key. Key-equivalent material:
/// wiped on drop and never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub enum KeyedHmac {
    /// HMAC-SHA-1 states.
    Sha1 {
        /// State after compressing `K ^ ipad`.
        inner: [u32; 5],
        /// State after compressing `K ^ opad`.
        outer: [u32; 5],
    },
    /// HMAC-SHA-256 states.
    Sha256 {
        /// State after compressing `K ^ ipad`.
        inner: [u32; 8],
        /// State after compressing `K ^ opad`.
        outer: [u32; 8],
    },
    /// HMAC-SHA-512 states.
    Sha512 {
        /// State after compressing `K ^ ipad`.
        inner: [u64; 8],
        /// State after compressing `K ^ opad`.
        outer: [u64; 8],
    },
}

impl std::fmt::Debug for KeyedHmac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyedHmac({}, [redacted])", self.algorithm())
    }
}

impl KeyedHmac {
    /// Runs the key schedule for `secret` under `algorithm`.
    pub fn new(secret: &Secret, algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha1 => {
                let [ipad, opad] = pads::<64>(secret.expose(), |k| sha1::Sha1::digest(k).to_vec());
                let (mut inner, mut outer) = (SHA1_IV, SHA1_IV);
                sha1::block_api::compress(&mut inner, &[ipad]);
                sha1::block_api::compress(&mut outer, &[opad]);
                KeyedHmac::Sha1 { inner, outer }
            }
            Algorithm::Sha256 => {
                let [ipad, opad] = pads::<64>(secret.expose(), |k| sha2::Sha256::digest(k).to_vec());
                let (mut inner, mut outer) = (SHA256_IV, SHA256_IV);
                sha2::block_api::compress256(&mut inner, &[ipad]);
                sha2::block_api::compress256(&mut outer, &[opad]);
                KeyedHmac::Sha256 { inner, outer }
            }
            Algorithm::Sha512 => {
                let [ipad, opad] = pads::<128>(secret.expose(), |k| sha2::Sha512::digest(k).to_vec());
                let (mut inner, mut outer) = (SHA512_IV, SHA512_IV);
                sha2::block_api::compress512(&mut inner, &[ipad]);
                sha2::block_api::compress512(&mut outer, &[opad]);
                KeyedHmac::Sha512 { inner, outer }
            }
        }
    }

    /// The algorithm these states belong to.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyedHmac::Sha1 { .. } => Algorithm::Sha1,
            KeyedHmac::Sha256 { .. } => Algorithm::Sha256,
            KeyedHmac::Sha512 { .. } => Algorithm::Sha512,
        }
    }

    /// HMAC of the 8-byte big-endian `counter` (RFC 4226 §5.2): two compressions.
    pub fn mac_counter(&self, counter: u64) -> Mac {
        let mut mac = Mac { bytes: [0; MAX_MAC_LEN], len: 0 };
        match self {
            KeyedHmac::Sha1 { inner, outer } => {
                let mut state = *inner;
                sha1::block_api::compress(&mut state, &[padded_block::<64>(&counter.to_be_bytes())]);
                let digest = words32_be::<20>(&state);
                let mut state = *outer;
                sha1::block_api::compress(&mut state, &[padded_block::<64>(&digest)]);
                mac.bytes[..20].copy_from_slice(&words32_be::<20>(&state));
                mac.len = 20;
            }
            KeyedHmac::Sha256 { inner, outer } => {
                let mut state = *inner;
                sha2::block_api::compress256(&mut state, &[padded_block::<64>(&counter.to_be_bytes())]);
                let digest = words32_be::<32>(&state);
                let mut state = *outer;
                sha2::block_api::compress256(&mut state, &[padded_block::<64>(&digest)]);
                mac.bytes[..32].copy_from_slice(&words32_be::<32>(&state));
                mac.len = 32;
            }
            KeyedHmac::Sha512 { inner, outer } => {
                let mut state = *inner;
                sha2::block_api::compress512(&mut state, &[padded_block::<128>(&counter.to_be_bytes())]);
                let digest = words64_be(&state);
                let mut state = *outer;
                sha2::block_api::compress512(&mut state, &[padded_block::<128>(&digest)]);
                mac.bytes.copy_from_slice(&words64_be(&state));
                mac.len = 64;
            }
        }
        mac
    }
}

/// The `K ^ ipad` and `K ^ opad` blocks (RFC 2104 §2); keys longer than a block are hashed.
fn pads<const B: usize>(key: &[u8], hash: impl Fn(&[u8]) -> Vec<u8>) -> [[u8; B]; 2] {
    let hashed;
    let key = if key.len() > B {
        hashed = hash(key);
        &hashed[..]
    } else {
        key
    };
    let mut ipad = [0x36u8; B];
    let mut opad = [0x5cu8; B];
    for (i, &k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    [ipad, opad]
}

/// The single final block for a message of `tail.len()` bytes that follows one already
/// compressed key block: tail, 0x80, zeros, then the total length in bits (one block + tail)
/// big-endian in the last 8 bytes (SHA-1/SHA-256) or 16 bytes (SHA-512; the high half is 0).
fn padded_block<const B: usize>(tail: &[u8]) -> [u8; B] {
    let mut block = [0u8; B];
    block[..tail.len()].copy_from_slice(tail);
    block[tail.len()] = 0x80;
    let bits = ((B + tail.len()) * 8) as u64;
    block[B - 8..].copy_from_slice(&bits.to_be_bytes());
    block
}

fn words32_be<const N: usize>(state: &[u32]) -> [u8; N] {
    let mut out = [0u8; N];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn words64_be(state: &[u64; 8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (chunk, word) in out.chunks_exact_mut(8).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use hmac::{KeyInit, Mac as _};

    use super::*;

    fn reference_mac(key: &[u8], algorithm: Algorithm, counter: u64) -> Vec<u8> {
        let msg = counter.to_be_bytes();
        match algorithm {
            Algorithm::Sha1 => {
                let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha256 => {
                let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha512 => {
                let mut m = hmac::Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    #[test]
    fn matches_rustcrypto_hmac_for_short_block_and_long_keys() {
        for algorithm in Algorithm::ALL {
            for len in [1, 10, 20, 32, 63, 64, 65, 127, 128, 129, 300] {
                let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let keyed = KeyedHmac::new(&Secret::from_bytes(key.clone()).unwrap(), algorithm);
                for counter in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
                    assert_eq!(
                        keyed.mac_counter(counter).as_bytes(),
                        reference_mac(&key, algorithm, counter),
                        "{algorithm} key of {len} bytes, counter {counter}"
                    );
                }
            }
        }
    }
}
