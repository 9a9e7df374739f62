//! Password storage: Argon2id with a per-account salt. Only the hash is kept.

use std::fmt;

use subtle::ConstantTimeEq;

use super::policy::PasswordCost;

/// An Argon2id password hash with its salt and cost. `Debug` shows neither.
#[derive(Clone)]
pub struct PasswordHash {
    cost: PasswordCost,
    salt: [u8; 16],
    hash: Option<[u8; 32]>,
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PasswordHash({:?}, <redacted>)", self.cost)
    }
}

impl PasswordHash {
    /// Hashes `password` with `salt`.
    pub fn new(password: &str, salt: [u8; 16], cost: PasswordCost) -> Self {
        PasswordHash { cost, salt, hash: derive(password, &salt, cost) }
    }

    /// Whether `password` is the one hashed (constant-time comparison).
    pub fn verify(&self, password: &str) -> bool {
        match (derive(password, &self.salt, self.cost), self.hash) {
            (Some(candidate), Some(stored)) => bool::from(candidate.ct_eq(&stored)),
            // A hash that could not be computed never matches.
            _ => false,
        }
    }
}

fn derive(password: &str, salt: &[u8; 16], cost: PasswordCost) -> Option<[u8; 32]> {
    let (m, t) = match cost {
        PasswordCost::Standard => (19 * 1024, 2),
        PasswordCost::Fast => (8, 1),
    };
    let mut out = [0u8; 32];
    let params = argon2::Params::new(m, t, 1, Some(32)).ok()?;
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_does_not() {
        let h = PasswordHash::new("correct horse", [7; 16], PasswordCost::Fast);
        assert!(h.verify("correct horse"));
        assert!(!h.verify("correct horsf"));
    }

    #[test]
    fn debug_hides_the_hash() {
        let h = PasswordHash::new("pw", [7; 16], PasswordCost::Fast);
        assert_eq!(format!("{h:?}"), "PasswordHash(Fast, <redacted>)");
    }
}
