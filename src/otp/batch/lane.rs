//! Lane packing: gathers SHA-1 jobs into the struct-of-arrays layout the SIMD kernels read
//! (word `w` of every lane's state side by side), and truncates what they return.

use crate::otp::{Code, Digits, KeyedHmac};

/// Up to `N` HMAC-SHA-1 jobs laid out word-major: `inner[w][lane]` is word `w` of the lane's
/// inner chaining state. Lanes at or past `len` hold stale data whose results are ignored.
pub(super) struct Lanes<const N: usize> {
    /// Inner chaining states (after `K ^ ipad`).
    pub inner: [[u32; N]; 5],
    /// Outer chaining states (after `K ^ opad`).
    pub outer: [[u32; N]; 5],
    /// High 32 bits of each counter (the first big-endian message word).
    pub counter_hi: [u32; N],
    /// Low 32 bits of each counter.
    pub counter_lo: [u32; N],
    /// Which output slot each lane fills.
    slot: [usize; N],
    /// Lanes in use.
    len: usize,
}

impl<const N: usize> Lanes<N> {
    /// Computes the code of every job into `out`: SHA-1 jobs `N` at a time through `kernel`
    /// (which returns the five HMAC words per lane), any other algorithm through the scalar
    /// core as it comes.
    pub fn run<'k>(
        jobs: impl Iterator<Item = (&'k KeyedHmac, u64)>,
        digits: Digits,
        out: &mut [Code],
        kernel: impl Fn(&Lanes<N>) -> [[u32; N]; 5],
    ) {
        let mut lanes = Lanes {
            inner: [[0; N]; 5],
            outer: [[0; N]; 5],
            counter_hi: [0; N],
            counter_lo: [0; N],
            slot: [0; N],
            len: 0,
        };
        for (i, (key, counter)) in jobs.enumerate() {
            match key {
                KeyedHmac::Sha1 { inner, outer } => {
                    let lane = lanes.len;
                    for w in 0..5 {
                        lanes.inner[w][lane] = inner[w];
                        lanes.outer[w][lane] = outer[w];
                    }
                    lanes.counter_hi[lane] = (counter >> 32) as u32;
                    lanes.counter_lo[lane] = counter as u32;
                    lanes.slot[lane] = i;
                    lanes.len += 1;
                    if lanes.len == N {
                        lanes.flush(kernel(&lanes), digits, out);
                    }
                }
                _ => out[i] = Code::truncate(&key.mac_counter(counter), digits),
            }
        }
        if lanes.len > 0 {
            lanes.flush(kernel(&lanes), digits, out);
        }
        lanes.wipe();
    }

    /// Truncates each used lane's MAC into its output slot and empties the lanes.
    fn flush(&mut self, mac: [[u32; N]; 5], digits: Digits, out: &mut [Code]) {
        for lane in 0..self.len {
            let words = [mac[0][lane], mac[1][lane], mac[2][lane], mac[3][lane], mac[4][lane]];
            out[self.slot[lane]] = code(truncate(&words), digits);
        }
        self.len = 0;
    }

    /// Clears the key-equivalent chaining states before the lanes go out of scope.
    fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.inner.iter_mut().for_each(|w| w.zeroize());
        self.outer.iter_mut().for_each(|w| w.zeroize());
    }
}

/// RFC 4226 §5.3 dynamic truncation on the five big-endian words of an HMAC-SHA-1: the 31 bits
/// at the byte offset named by the last nibble.
fn truncate(words: &[u32; 5]) -> u32 {
    let offset = (words[4] & 0x0f) as usize;
    let (index, shift) = (offset / 4, offset % 4);
    // Bytes offset..offset+4 straddle words `index` and `index + 1` (index <= 3, so both exist).
    let pair = (u64::from(words[index]) << 32) | u64::from(words[index + 1]);
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

    #[test]
    fn truncation_reproduces_the_rfc4226_section_5_4_example() {
        // HMAC-SHA-1 = 1f8698690e02ca16618550ef7f19da8e945b555a; offset 0xa; 0x50ef7f19.
        let words = [0x1f86_9869, 0x0e02_ca16, 0x6185_50ef, 0x7f19_da8e, 0x945b_555a];
        assert_eq!(truncate(&words), 0x50ef_7f19);
        assert_eq!(code(truncate(&words), Digits::SIX).to_string(), "872921");
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
            assert_eq!(truncate(&words), truncate_bytes(&bytes), "offset {offset}");
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
