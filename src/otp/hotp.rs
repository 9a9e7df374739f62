//! HOTP (RFC 4226): codes from a counter.

use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::{Algorithm, Code, Digits, KeyedHmac, Secret};

/// An HOTP generator: a keyed HMAC state and a code length.
#[derive(Clone, Debug)]
pub struct Hotp {
    key: KeyedHmac,
    digits: Digits,
}

impl Hotp {
    /// Runs the key schedule once; every code after that costs two compressions.
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits) -> Self {
        Hotp { key: KeyedHmac::new(secret, algorithm), digits }
    }

    /// HOTP(K, C) = Truncate(HMAC(K, C)) (RFC 4226 §5.3). Any 64-bit counter.
    pub fn code(&self, counter: u64) -> Code {
        Code::truncate(&self.key.mac_counter(counter), self.digits)
    }

    /// The code length.
    pub fn digits(&self) -> Digits {
        self.digits
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// Looks for `code` at counters `from ..= from + look_ahead` (RFC 4226 §7.4, the server's
    /// look-ahead window) and returns the first counter that matches. Every candidate is
    /// computed and compared in constant time whatever matches, so timing reveals nothing about
    /// where in the window a code lies. Counters past `u64::MAX` are not tried.
    pub fn find(&self, code: &Code, from: u64, look_ahead: u64) -> Option<u64> {
        let mut found = subtle::Choice::from(0);
        let mut counter_found = 0u64;
        let last = from.saturating_add(look_ahead);
        for counter in from..=last {
            let hit = self.code(counter).ct_eq(code) & !found;
            counter_found.conditional_assign(&counter, hit);
            found |= hit;
        }
        bool::from(found).then_some(counter_found)
    }
}
