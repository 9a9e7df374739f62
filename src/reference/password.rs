//! Password storage: Argon2id with a per-account salt. Only the hash is kept.
//!
//! Argon2's working memory (19 MiB at the standard cost) is allocated once per thread and
//! reused. A fresh 64-byte-aligned 19 MiB allocation per hash is never reused by glibc's heap
//! once its mmap threshold has adapted to that size, and `serve` grew by 19 MiB per login, to
//! 5 GB after 300 logins (issue 14). The server hashes on a fixed set of threads, so this memory
//! is bounded by their number.

use std::cell::RefCell;
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
    let blocks = params.block_count();
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::new());
        }
        let result =
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks]);
        // The blocks are derived from the password: leave nothing of it behind.
        memory[..blocks].fill(argon2::Block::new());
        result.ok()
    })?;
    Some(out)
}

thread_local! {
    /// This thread's Argon2 working memory, grown to the largest cost it has hashed at.
    static MEMORY: RefCell<Vec<argon2::Block>> = const { RefCell::new(Vec::new()) };
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
