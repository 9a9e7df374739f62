//! A device population's keyed states, stored once in the layout the SIMD kernels load.

use std::fmt;

use zeroize::Zeroize;

use super::lane::{BLOCK, Sha1Block, Sha256Block};
use crate::otp::{Algorithm, KeyedHmac};

/// The keyed HMAC states of a fixed population of devices (key `i` is device `i`), for
/// studies that compute every device's code at step after step.
///
/// When every key is HMAC-SHA-1 (or every key HMAC-SHA-256) the set also keeps the states
/// transposed into blocks of 16 (word `w` of 16 keys side by side), so
/// [`super::BatchEngine::codes_for_set`] hands them to the SIMD kernels with plain vector loads
/// instead of repacking each key on every call. Sets with SHA-512 or mixed algorithms work the
/// same, at the speed of [`super::BatchEngine::codes`].
///
/// Key-equivalent material: wiped on drop and never printed.
#[derive(Clone)]
pub struct KeySet {
    keys: Vec<KeyedHmac>,
    layout: Layout,
}

/// How a [`KeySet`]'s states are laid out for the kernels.
#[derive(Clone)]
pub(super) enum Layout {
    /// Every key is SHA-1: blocks of 16 (the last one padded with zero lanes).
    Sha1(Vec<Sha1Block>),
    /// Every key is SHA-256: blocks of 16.
    Sha256(Vec<Sha256Block>),
    /// SHA-512 or mixed algorithms: only the keys themselves.
    Loose,
}

impl KeySet {
    /// Builds the set (and, for an all-SHA-1 or all-SHA-256 population, its transposed
    /// blocks).
    pub fn new(keys: Vec<KeyedHmac>) -> KeySet {
        let all = |algorithm| keys.iter().all(|k| k.algorithm() == algorithm);
        let layout = if all(Algorithm::Sha1) {
            Layout::Sha1(keys.chunks(BLOCK).map(Sha1Block::pack).collect())
        } else if all(Algorithm::Sha256) {
            Layout::Sha256(keys.chunks(BLOCK).map(Sha256Block::pack).collect())
        } else {
            Layout::Loose
        };
        KeySet { keys, layout }
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

    /// How the states are laid out for the kernels.
    pub(super) fn layout(&self) -> &Layout {
        &self.layout
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
        match &mut self.layout {
            Layout::Sha1(blocks) => blocks.zeroize(),
            Layout::Sha256(blocks) => blocks.zeroize(),
            Layout::Loose => {}
        }
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeySet({} keys, [redacted])", self.keys.len())
    }
}
