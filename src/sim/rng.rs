//! Random streams: one independent ChaCha stream per (entity, concern) under a run's master
//! seed.

use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};

/// What a random draw is for. Each concern of each entity has its own stream, so adding a
/// device, or a new kind of draw for one entity, leaves every other entity's draws unchanged.
/// The name (not the discriminant) is hashed, so reordering variants changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Concern {
    /// A token's or app's shared key.
    Seed,
    /// Factory offset, crystal drift, aging and battery life.
    Drift,
    /// Clock jitter and NTP sync residuals.
    Jitter,
    /// SMS latency, loss and duplicates towards one phone.
    Sms,
    /// A user's reaction time, typing and typos.
    User,
    /// A caller's own schedule (e.g. when a user logs in each day).
    Schedule,
}

impl Concern {
    /// The stable name hashed into the stream key.
    pub fn name(self) -> &'static str {
        match self {
            Concern::Seed => "seed",
            Concern::Drift => "drift",
            Concern::Jitter => "jitter",
            Concern::Sms => "sms",
            Concern::User => "user",
            Concern::Schedule => "schedule",
        }
    }
}

/// Derives streams from one master seed: the ChaCha key of stream (entity, concern) is
/// SHA-256(domain ‖ seed ‖ len(entity) ‖ entity ‖ concern). Hashing (rather than one key
/// with numbered ChaCha streams) needs no registry of stream numbers and cannot collide for
/// two different names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    /// Streams under master seed `seed`.
    pub fn new(seed: u64) -> Self {
        Streams { seed }
    }

    /// The master seed (printed on failures, stored in reports).
    pub fn seed(self) -> u64 {
        self.seed
    }

    /// The stream for `entity`'s `concern`, from its start.
    pub fn stream(self, entity: &str, concern: Concern) -> ChaCha12Rng {
        ChaCha12Rng::from_seed(self.key(entity, concern))
    }

    /// A 64-bit key for hash-driven randomness (clock jitter) of `entity`'s `concern`.
    pub fn key64(self, entity: &str, concern: Concern) -> u64 {
        let k = self.key(entity, concern);
        u64::from_le_bytes([k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]])
    }

    fn key(self, entity: &str, concern: Concern) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"mfa-harness/sim/stream/v1\0");
        h.update(self.seed.to_le_bytes());
        h.update((entity.len() as u64).to_le_bytes());
        h.update(entity.as_bytes());
        h.update(concern.name().as_bytes());
        h.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use rand::RngExt;

    use super::*;

    #[test]
    fn streams_differ_by_seed_entity_and_concern_and_repeat_exactly() {
        let s = Streams::new(1);
        let draw = |st: Streams, e: &str, c: Concern| st.stream(e, c).random::<u64>();
        assert_eq!(draw(s, "alice", Concern::User), draw(Streams::new(1), "alice", Concern::User));
        assert_ne!(draw(s, "alice", Concern::User), draw(s, "alice", Concern::Sms));
        assert_ne!(draw(s, "alice", Concern::User), draw(s, "bob", Concern::User));
        assert_ne!(draw(s, "alice", Concern::User), draw(Streams::new(2), "alice", Concern::User));
        // Length prefix: ("ab", "c...") and ("a", "bc...") never share a key.
        assert_ne!(s.key64("ab", Concern::Seed), s.key64("a", Concern::Seed));
    }
}
