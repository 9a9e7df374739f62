//! Where the service's random draws (ids, salts, secrets, SMS codes) come from: a seed, so a
//! simulation or a conformance run repeats byte for byte, or the operating system, so nobody
//! can predict a secret or a session id of a server real users sign in to.

use rand::SeedableRng;
use rand::rngs::SysRng;
use rand_chacha::ChaCha12Rng;

/// The source of every random stream of a [`super::Service`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Randomness {
    /// Every stream from this seed: the same seed gives the same ids, salts, secrets and SMS
    /// codes, after every reset too (simulation, tests, `serve --test-clock`).
    Seeded(u64),
    /// A fresh 256-bit key from the operating system for every stream, at start and at each
    /// reset (`serve` for real users). ChaCha12 keyed this way is a cryptographic generator.
    Os,
}

impl Randomness {
    /// Stream number `n` (one per concern, so adding a consumer leaves the others unchanged).
    ///
    /// # Panics
    /// With [`Randomness::Os`], when the operating system has no randomness to give (getrandom
    /// fails only without any kernel entropy source). A server that cannot draw unpredictable
    /// secrets must not run, and there is no safe value to fall back on.
    pub(super) fn stream(self, n: u64) -> ChaCha12Rng {
        match self {
            Randomness::Seeded(seed) => {
                let mut rng = ChaCha12Rng::seed_from_u64(seed);
                rng.set_stream(n);
                rng
            }
            Randomness::Os => ChaCha12Rng::try_from_rng(&mut SysRng)
                .unwrap_or_else(|e| panic!("the operating system's randomness is unavailable: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn a_seed_repeats_its_streams_and_separates_them() {
        let draw = |r: Randomness, n| r.stream(n).next_u64();
        assert_eq!(draw(Randomness::Seeded(7), 1), draw(Randomness::Seeded(7), 1));
        assert_ne!(draw(Randomness::Seeded(7), 1), draw(Randomness::Seeded(7), 2));
    }

    #[test]
    fn the_operating_system_never_repeats_a_stream() {
        assert_ne!(Randomness::Os.stream(1).next_u64(), Randomness::Os.stream(1).next_u64());
    }
}
