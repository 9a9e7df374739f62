//! Lane packing: HMAC-SHA-1 keyed states in the struct-of-arrays layout the SIMD kernels load
//! (word `w` of 16 keys side by side), the drivers that feed kernels from loose keys or from a
//! [`super::KeySet`], and the truncation of what the kernels return.

use zeroize::Zeroize;

use crate::otp::{Code, Digits, KeyedHmac};

/// Keys per block: one AVX-512 pass, two AVX2 passes.
pub(super) const BLOCK: usize = 16;

/// The five big-endian HMAC-SHA-1 words of every lane of a block, word-major.
pub(super) type MacWords = [[u32; BLOCK]; 5];

/// HMAC-SHA-1 keyed states of up to 16 keys, word-major: `inner[w][lane]` is word `w` of the
/// lane's inner chaining state. Unused lanes hold zeros or stale states; their results are
/// ignored.
#[derive(Clone, Zeroize)]
pub(super) struct Sha1Block {
    /// Inner chaining states (after `K ^ ipad`).
    pub inner: [[u32; BLOCK]; 5],
    /// Outer chaining states (after `K ^ opad`).
    pub outer: [[u32; BLOCK]; 5],
}

/// The counters of a block's lanes, split into the two big-endian message words.
pub(super) struct Counters {
    /// High 32 bits of each counter (message word 0).
    pub hi: [u32; BLOCK],
    /// Low 32 bits of each counter (message word 1).
    pub lo: [u32; BLOCK],
}

impl Sha1Block {
    /// A block with every lane zero.
    pub const EMPTY: Sha1Block = Sha1Block { inner: [[0; BLOCK]; 5], outer: [[0; BLOCK]; 5] };

    /// Packs SHA-1 keys (at most 16) into a block; other algorithms have no SHA-1 states and
    /// leave their lane zero (callers only build blocks from all-SHA-1 sets).
    pub fn pack(keys: &[KeyedHmac]) -> Sha1Block {
        let mut block = Sha1Block::EMPTY;
        for (lane, key) in keys.iter().enumerate().take(BLOCK) {
            if let KeyedHmac::Sha1 { inner, outer } = key {
                block.set(lane, inner, outer);
            }
        }
        block
    }

    fn set(&mut self, lane: usize, inner: &[u32; 5], outer: &[u32; 5]) {
        for w in 0..5 {
            self.inner[w][lane] = inner[w];
            self.outer[w][lane] = outer[w];
        }
    }
}

impl Sha1Block {
    /// A block with `key`'s states in every lane (one device over many counters), or `None`
    /// for a key that is not SHA-1.
    pub fn broadcast(key: &KeyedHmac) -> Option<Sha1Block> {
        let KeyedHmac::Sha1 { inner, outer } = key else { return None };
        let mut block = Sha1Block::EMPTY;
        for lane in 0..BLOCK {
            block.set(lane, inner, outer);
        }
        Some(block)
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
/// SHA-1 jobs are packed 16 at a time and run through `kernel`, any other algorithm goes
/// through the scalar core as it comes.
pub(super) fn run_jobs<'k>(
    jobs: impl Iterator<Item = (&'k KeyedHmac, u64)>,
    digits: Digits,
    out: &mut [Code],
    kernel: impl Fn(&Sha1Block, &Counters) -> MacWords,
) {
    let mut block = Sha1Block::EMPTY;
    let mut counters = Counters::new();
    let mut slots = [0usize; BLOCK];
    let mut len = 0;
    for (i, (key, counter)) in jobs.enumerate() {
        match key {
            KeyedHmac::Sha1 { inner, outer } => {
                block.set(len, inner, outer);
                counters.set(len, counter);
                slots[len] = i;
                len += 1;
                if len == BLOCK {
                    let mac = kernel(&block, &counters);
                    for (lane, &slot) in slots.iter().enumerate() {
                        out[slot] = code(truncate(&mac, lane), digits);
                    }
                    len = 0;
                }
            }
            _ => out[i] = Code::truncate(&key.mac_counter(counter), digits),
        }
    }
    if len > 0 {
        let mac = kernel(&block, &counters);
        for (lane, &slot) in slots[..len].iter().enumerate() {
            out[slot] = code(truncate(&mac, lane), digits);
        }
    }
    block.zeroize();
}

/// Computes `out[i]` = code of key `i` of `blocks` at `counters[i]`: the blocks are loaded
/// as they are, so no packing happens per call. Needs `counters.len() == out.len()` and at
/// least `counters.len() / 16` (rounded up) blocks.
pub(super) fn run_blocks<'b>(
    blocks: impl Iterator<Item = &'b Sha1Block>,
    counters: &[u64],
    digits: Digits,
    out: &mut [Code],
    kernel: impl Fn(&Sha1Block, &Counters) -> MacWords,
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

/// RFC 4226 §5.3 dynamic truncation on lane `lane` of a block's HMAC-SHA-1 words: the 31 bits
/// at the byte offset named by the last nibble.
fn truncate(mac: &MacWords, lane: usize) -> u32 {
    let offset = (mac[4][lane] & 0x0f) as usize;
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
    fn block_with(words: [u32; 5]) -> MacWords {
        let mut mac: MacWords =
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
