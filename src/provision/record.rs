//! The token seed record both seed-file formats carry, and the sample batches that tests and
//! `mfa-harness tokens` write.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::otp::{Algorithm, Digits, Period, Secret, Totp};

/// One hardware token's seed record, as vendors ship them (OATH CSV, PSKC RFC 6030).
/// `Debug` shows no key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSeed {
    /// The serial number printed on the back of the token.
    pub serial: String,
    /// The shared key.
    pub secret: Secret,
    /// The HMAC hash.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: Digits,
    /// Step length.
    pub period: Period,
    /// Unix time of step 0.
    pub t0: u64,
}

impl TokenSeed {
    /// The TOTP generator/verifier for this token (key schedule done once).
    pub fn totp(&self) -> Totp {
        Totp::new(&self.secret, self.algorithm, self.digits, self.period, self.t0)
    }
}

/// ChaCha20 stream numbers, one per concern: for one seed, token keys and the PSKC transport
/// encryption's MAC key and IVs never share bytes (an IV is public, so sharing would leak keys).
pub(crate) mod stream {
    /// [`super::sample_batch`] keys.
    pub(crate) const TOKEN_KEYS: u64 = 1;
    /// The MAC key and IVs of `pskc::write_encrypted`.
    pub(crate) const PSKC_TRANSPORT: u64 = 2;
}

/// Key length of [`sample_batch`] tokens: 160 bits, RFC 4226's recommendation.
pub const SAMPLE_KEY_BYTES: usize = 20;

/// A batch of `count` TOTP tokens as a vendor might ship it, from `seed` alone: serials
/// `MFA0000001`, `MFA0000002`, ...; 20-byte keys from ChaCha20 seeded with `seed`; SHA1, 6
/// digits, 30 s, T0 0 (what the consoles' hardware tokens use). For seed-file tests and
/// `mfa-harness tokens`; the same `(count, seed)` always gives the same batch, and a
/// longer batch starts with the shorter one.
pub fn sample_batch(count: usize, seed: u64) -> Vec<TokenSeed> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream::TOKEN_KEYS);
    (1..=count)
        .map(|n| {
            let mut key = [0u8; SAMPLE_KEY_BYTES];
            rng.fill_bytes(&mut key);
            TokenSeed {
                serial: format!("MFA{n:07}"),
                // Cannot fail: the key is 20 bytes, never empty.
                secret: Secret::from_bytes(key.to_vec()).expect("20-byte key is not empty"),
                algorithm: Algorithm::Sha1,
                digits: Digits::SIX,
                period: Period::THIRTY_SECONDS,
                t0: 0,
            }
        })
        .collect()
}
