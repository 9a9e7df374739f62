//! Token provisioning data: the seed records a vendor ships with a batch of hardware tokens,
//! which a server imports so it knows each token's key by serial number.

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
