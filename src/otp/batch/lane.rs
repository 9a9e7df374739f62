//! Lane packing: HMAC keyed states in the struct-of-arrays layout the SIMD kernels load (word
//! `w` of 16 keys side by side), the drivers that feed kernels from loose keys or from a
//! [`super::KeySet`], and the truncation of what the kernels return.

use zeroize::Zeroize;

use crate::otp::{Code, Digits, KeyedHmac};

/// Keys per block: one AVX-512 pass, two AVX2 passes.
pub(super) const BLOCK: usize = 16;

/// The `W` big-endian HMAC words of every lane of a block, word-major.
pub(super) type MacWords<const W: usize> = [[u32; BLOCK]; W];

/// A kernel: the HMACs of a block's 16 counters under its 16 keyed states.
pub(super) type BlockKernel<const W: usize> = fn(&Block<W>, &Counters) -> MacWords<W>;

/// HMAC-SHA-1 states (5 words) of a block.
pub(super) type Sha1Block = Block<5>;
/// HMAC-SHA-256 states (8 words) of a block.
pub(super) type Sha256Block = Block<8>;

/// HMAC keyed states of up to 16 keys of one hash with `W` state words (SHA-1: 5, SHA-256:
/// 8), word-major: `inner[w][lane]` is word `w` of the lane's inner chaining state. Unused
/// lanes hold zeros or stale states; their results are ignored.
#[derive(Clone, Zeroize)]
pub(super) struct Block<const W: usize> {
    /// Inner chaining states (after `K ^ ipad`).
    pub inner: [[u32; BLOCK]; W],
    /// Outer chaining states (after `K ^ opad`).
    pub outer: [[u32; BLOCK]; W],
}

/// The counters of a block's lanes, split into the two big-endian message words.
pub(super) struct Counters {
    /// High 32 bits of each counter (message word 0).
    pub hi: [u32; BLOCK],
    /// Low 32 bits of each counter (message word 1).
    pub lo: [u32; BLOCK],
}

/// The SIMD kernels of one engine, per hash.
#[derive(Clone, Copy)]
pub(super) struct Kernels {
    /// HMAC-SHA-1 of a block.
    pub sha1: BlockKernel<5>,
    /// HMAC-SHA-256 of a block.
    pub sha256: BlockKernel<8>,
}

impl<const W: usize> Block<W> {
    /// A block with every lane zero.
    pub const EMPTY: Block<W> = Block { inner: [[0; BLOCK]; W], outer: [[0; BLOCK]; W] };

    /// Packs keys (at most 16) into a block; keys of another hash leave their lane zero
    /// (callers only build blocks from single-hash sets).
    pub fn pack(keys: &[KeyedHmac]) -> Block<W> {
        let mut block = Block::EMPTY;
        for (lane, key) in keys.iter().enumerate().take(BLOCK) {
            if let Some((inner, outer)) = states(key) {
                block.set(lane, inner, outer);
            }
        }
        block
    }

    /// A block with `key`'s states in every lane (one device over many counters), or `None`
    /// for a key of another hash.
    pub fn broadcast(key: &KeyedHmac) -> Option<Block<W>> {
        let (inner, outer) = states(key)?;
        let mut block = Block::EMPTY;
        for lane in 0..BLOCK {
            block.set(lane, inner, outer);
        }
        Some(block)
    }

    fn set(&mut self, lane: usize, inner: &[u32; W], outer: &[u32; W]) {
        for w in 0..W {
            self.inner[w][lane] = inner[w];
            self.outer[w][lane] = outer[w];
        }
    }
}

/// The inner and outer states of `key` if its hash has `W` state words. SHA-1 (5 words) and
/// SHA-256 (8) are told apart by that count; SHA-512's states are 64-bit words and never fit.
fn states<const W: usize>(key: &KeyedHmac) -> Option<(&[u32; W], &[u32; W])> {
    match key {
        KeyedHmac::Sha1 { inner, outer } => {
            Some((inner.as_slice().try_into().ok()?, outer.as_slice().try_into().ok()?))
        }
        KeyedHmac::Sha256 { inner, outer } => {
            Some((inner.as_slice().try_into().ok()?, outer.as_slice().try_into().ok()?))
        }
        KeyedHmac::Sha512 { .. } => None,
    }
}

impl Counters {
    fn new() -> Counters {
        Counters { hi: [0; BLOCK], lo: [0; BLOCK] }
    }

    fn set(&mut self, lane: usize, counter: u64) {
        self.hi[lane] = (counter >> 32) as u32;
        self.lo[lane] = counter as u32;
    }
}

/// Computes the code of every (key, counter) job into `out` (which has one slot per job):
/// SHA-1 and SHA-256 jobs are packed 16 at a time per hash and run through their kernel,
/// SHA-512 goes through the scalar core as it comes.
pub(super) fn run_jobs<'k>(
    jobs: impl Iterator<Item = (&'k KeyedHmac, u64)>,
    digits: Digits,
    out: &mut [Code],
    kernels: Kernels,
) {
    let mut sha1 = Pending::<5>::new(kernels.sha1);
    let mut sha256 = Pending::<8>::new(kernels.sha256);
    for (i, (key, counter)) in jobs.enumerate() {
        match key {
            KeyedHmac::Sha1 { inner, outer } => sha1.push(inner, outer, counter, i, digits, out),
            KeyedHmac::Sha256 { inner, outer } => sha256.push(inner, outer, counter, i, digits, out),
            KeyedHmac::Sha512 { .. } => out[i] = Code::truncate(&key.mac_counter(counter), digits),
        }
    }
    sha1.flush(digits, out);
    sha256.flush(digits, out);
}

/// Computes `out[i]` = code of key `i` of `blocks` at `counters[i]`: the blocks are loaded
/// as they are, so no packing happens per call. Needs `counters.len() == out.len()` and at
/// least `counters.len() / 16` (rounded up) blocks.
pub(super) fn run_blocks<'b, const W: usize>(
    blocks: impl Iterator<Item = &'b Block<W>>,
    counters: &[u64],
    digits: Digits,
    out: &mut [Code],
    kernel: BlockKernel<W>,
) {
    let mut lanes = Counters::new();
    for ((block, counters), out) in blocks.zip(counters.chunks(BLOCK)).zip(out.chunks_mut(BLOCK)) {
        for (lane, &counter) in counters.iter().enumerate() {
            lanes.set(lane, counter);
        }
        let mac = kernel(block, &lanes);
        for (lane, slot) in out.iter_mut().enumerate() {
            *slot = code(truncate(&mac, lane), digits);
        }
    }
}

/// Jobs of one hash waiting for a full block, and the output slots they fill.
struct Pending<const W: usize> {
    block: Block<W>,
    counters: Counters,
    slots: [usize; BLOCK],
    len: usize,
    kernel: BlockKernel<W>,
}

impl<const W: usize> Pending<W> {
    fn new(kernel: BlockKernel<W>) -> Self {
        Pending { block: Block::EMPTY, counters: Counters::new(), slots: [0; BLOCK], len: 0, kernel }
    }

    fn push(
        &mut self,
        inner: &[u32; W],
        outer: &[u32; W],
        counter: u64,
        slot: usize,
        digits: Digits,
        out: &mut [Code],
    ) {
        self.block.set(self.len, inner, outer);
        self.counters.set(self.len, counter);
        self.slots[self.len] = slot;
        self.len += 1;
        if self.len == BLOCK {
            self.flush(digits, out);
        }
    }

    /// Runs the pending jobs (if any) and writes their codes.
    fn flush(&mut self, digits: Digits, out: &mut [Code]) {
        if self.len == 0 {
            return;
        }
        let mac = (self.kernel)(&self.block, &self.counters);
        for (lane, &slot) in self.slots[..self.len].iter().enumerate() {
            out[slot] = code(truncate(&mac, lane), digits);
        }
        self.len = 0;
    }
}

impl<const W: usize> Drop for Pending<W> {
    fn drop(&mut self) {
        self.block.zeroize();
    }
}

/// RFC 4226 §5.3 dynamic truncation on lane `lane` of a block's HMAC words: the 31 bits at
/// the byte offset named by the last nibble of the MAC (the low nibble of its last word).
fn truncate<const W: usize>(mac: &MacWords<W>, lane: usize) -> u32 {
    let offset = (mac[W - 1][lane] & 0x0f) as usize;
    let (index, shift) = (offset / 4, offset % 4);
    // Bytes offset..offset+4 straddle words `index` and `index + 1` (index <= 3, so both exist).
    let pair = (u64::from(mac[index][lane]) << 32) | u64::from(mac[index + 1][lane]);
    ((pair >> (32 - 8 * shift)) as u32) & 0x7fff_ffff
}

/// The code of a 31-bit truncated value. A constant divisor per arm lets the compiler replace
/// the division with a multiplication, which matters at hundreds of millions of codes.
fn code(word: u32, digits: Digits) -> Code {
    let value = match digits.get() {
        6 => word % 1_000_000,
        7 => word % 10_000_000,
        8 => word % 100_000_000,
        9 => word % 1_000_000_000,
        // 10 digits: a 31-bit value is below 10^10 already.
        _ => word,
    };
    Code::from_reduced(value, digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-wise truncation of RFC 4226 §5.3, written the way the RFC does.
    fn truncate_bytes(mac: &[u8; 20]) -> u32 {
        let offset = usize::from(mac[19] & 0x0f);
        u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]])
    }

    /// A block whose lane 3 holds `words` (the other lanes hold noise).
    fn block_with(words: [u32; 5]) -> MacWords<5> {
        let mut mac: MacWords<5> =
            std::array::from_fn(|w| std::array::from_fn(|l| (w * 16 + l) as u32 * 0x0101_0101));
        for w in 0..5 {
            mac[w][3] = words[w];
        }
        mac
    }

    #[test]
    fn truncation_reproduces_the_rfc4226_section_5_4_example() {
        // HMAC-SHA-1 = 1f8698690e02ca16618550ef7f19da8e945b555a; offset 0xa; 0x50ef7f19.
        let mac = block_with([0x1f86_9869, 0x0e02_ca16, 0x6185_50ef, 0x7f19_da8e, 0x945b_555a]);
        assert_eq!(truncate(&mac, 3), 0x50ef_7f19);
        assert_eq!(code(truncate(&mac, 3), Digits::SIX).to_string(), "872921");
    }

    #[test]
    fn word_truncation_equals_byte_truncation_at_every_offset() {
        for offset in 0..16u32 {
            let words: [u32; 5] = std::array::from_fn(|i| {
                let w = 0x9e37_79b9u32.wrapping_mul(i as u32 + 1).rotate_left(offset);
                if i == 4 { (w & !0x0f) | offset } else { w }
            });
            let mut bytes = [0u8; 20];
            for (chunk, word) in bytes.chunks_exact_mut(4).zip(&words) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
            assert_eq!(truncate(&block_with(words), 3), truncate_bytes(&bytes), "offset {offset}");
        }
    }

    #[test]
    fn code_reduces_modulo_ten_to_the_digits() {
        let word = 0x7fff_ffff; // 2147483647
        for (n, expected) in
            [(6, "483647"), (7, "7483647"), (8, "47483647"), (9, "147483647"), (10, "2147483647")]
        {
            assert_eq!(code(word, Digits::new(n).unwrap()).to_string(), expected);
        }
    }
}
