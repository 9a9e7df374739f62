//! A device population's keyed states, stored once in the layout the SIMD kernels load.

use std::fmt;

use zeroize::Zeroize;

use super::lane::{BLOCK, Sha1Block};
use crate::otp::{Algorithm, KeyedHmac};

/// The keyed HMAC states of a fixed population of devices (key `i` is device `i`), for
/// studies that compute every device's code at step after step.
///
/// When every key is HMAC-SHA-1 the set also keeps the states transposed into blocks of 16
/// (word `w` of 16 keys side by side), so [`super::BatchEngine::codes_for_set`] hands them to
/// the SIMD kernels with plain vector loads instead of repacking each key on every call. Sets
/// with other or mixed algorithms work the same, at the speed of [`super::BatchEngine::codes`].
///
/// Key-equivalent material: wiped on drop and never printed.
#[derive(Clone)]
pub struct KeySet {
    keys: Vec<KeyedHmac>,
    /// The SHA-1 states in blocks of 16 (last one padded with zero lanes); empty unless every
    /// key is SHA-1.
    sha1_blocks: Vec<Sha1Block>,
}

impl KeySet {
    /// Builds the set (and, for an all-SHA-1 population, its transposed blocks).
    pub fn new(keys: Vec<KeyedHmac>) -> KeySet {
        let sha1_blocks = if keys.iter().all(|k| k.algorithm() == Algorithm::Sha1) {
            keys.chunks(BLOCK).map(Sha1Block::pack).collect()
        } else {
            Vec::new()
        };
        KeySet { keys, sha1_blocks }
    }

    /// The number of devices.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no devices.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in device order.
    pub fn keys(&self) -> &[KeyedHmac] {
        &self.keys
    }

    /// The transposed SHA-1 blocks, or `None` when some key is not SHA-1.
    pub(super) fn sha1_blocks(&self) -> Option<&[Sha1Block]> {
        (!self.sha1_blocks.is_empty()).then_some(&self.sha1_blocks[..])
    }
}

impl FromIterator<KeyedHmac> for KeySet {
    fn from_iter<I: IntoIterator<Item = KeyedHmac>>(keys: I) -> KeySet {
        KeySet::new(keys.into_iter().collect())
    }
}

impl Drop for KeySet {
    fn drop(&mut self) {
        // The `KeyedHmac`s wipe themselves; the transposed copies are ours to wipe.
        self.sha1_blocks.zeroize();
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeySet({} keys, [redacted])", self.keys.len())
    }
}
