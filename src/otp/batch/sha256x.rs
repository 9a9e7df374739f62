//! The multi-buffer HMAC-SHA-256 body shared by the SIMD kernels (FIPS 180-4 §6.2.2, one lane
//! per code), expanded inside each kernel module for the same reason as [`super::sha1x`].
//!
//! Besides what `sha1x` needs, the expanding module imports `Sha256Block` and provides the
//! four SHA-256 sigma functions `big_sigma0`, `big_sigma1`, `small_sigma0`, `small_sigma1`.

/// SHA-256 round constants (FIPS 180-4 §4.2.2).
pub(super) const K256: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

/// Expands to `hmac_sha256`, the two-compression HMAC of a block's 16 counters, `$lanes` of
/// them per pass.
macro_rules! multi_buffer_hmac_sha256 {
    ($feature:literal, $lanes:literal) => {
        /// HMAC-SHA-256 of each lane's 8-byte counter under its precomputed inner and outer
        /// states: the eight big-endian MAC words per lane, word-major.
        ///
        /// # Safety
        /// The CPU must support the target features of this function (checked by
        /// [`super::Kernel::is_available`] before a `BatchEngine` holds the kernel).
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn hmac_sha256(keys: &Sha256Block, counters: &Counters) -> MacWords<8> {
            let mut mac: MacWords<8> = [[0; BLOCK]; 8];
            for at in (0..BLOCK).step_by($lanes) {
                // Inner block: counter (2 words), 0x80 pad, zeros, length (64 + 8) bytes in bits.
                let mut w = [splat(0); 16];
                w[0] = load(&counters.hi, at);
                w[1] = load(&counters.lo, at);
                w[2] = splat(0x8000_0000);
                w[15] = splat((64 + 8) * 8);
                let mut inner = [splat(0); 8];
                for (word, row) in inner.iter_mut().zip(&keys.inner) {
                    *word = load(row, at);
                }
                let digest = $crate::otp::batch::sha256x::sha256_compress!(inner, w);
                // Outer block: inner digest (8 words), 0x80 pad, zeros, length (64 + 32) bytes.
                let mut w = [splat(0); 16];
                w[..8].copy_from_slice(&digest);
                w[8] = splat(0x8000_0000);
                w[15] = splat((64 + 32) * 8);
                let mut outer = [splat(0); 8];
                for (word, row) in outer.iter_mut().zip(&keys.outer) {
                    *word = load(row, at);
                }
                let words = $crate::otp::batch::sha256x::sha256_compress!(outer, w);
                for (word, out) in words.into_iter().zip(mac.iter_mut()) {
                    store(word, out, at);
                }
            }
            mac
        }
    };
}

/// One SHA-256 compression of block `$w` (a mutable `[V; 16]`) into `$state`, in every lane
/// at once, fully unrolled; evaluates to the new state.
macro_rules! sha256_compress {
    ($state:expr, $w:ident) => {{
        let state: [V; 8] = $state;
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
        $crate::otp::batch::sha256x::sha256_rounds!($w, [a b c d e f g h];
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
            32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);
        [
            add(state[0], a),
            add(state[1], b),
            add(state[2], c),
            add(state[3], d),
            add(state[4], e),
            add(state[5], f),
            add(state[6], g),
            add(state[7], h),
        ]
    }};
}

/// Expands to SHA-256 rounds `$t...` on working variables `a..h` and schedule ring `w`
/// (W[t] lives in `w[t % 16]`).
macro_rules! sha256_rounds {
    ($w:ident, [$a:ident $b:ident $c:ident $d:ident $e:ident $f:ident $g:ident $h:ident]; $($t:literal)*) => {
        $(
            if $t >= 16 {
                // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16].
                $w[$t & 15] = add(
                    add(small_sigma1($w[($t + 14) & 15]), $w[($t + 9) & 15]),
                    add(small_sigma0($w[($t + 1) & 15]), $w[$t & 15]),
                );
            }
            let k = splat($crate::otp::batch::sha256x::K256[$t]);
            let t1 = add(add(add($h, big_sigma1($e)), add(ch($e, $f, $g), k)), $w[$t & 15]);
            let t2 = add(big_sigma0($a), maj($a, $b, $c));
            $h = $g;
            $g = $f;
            $f = $e;
            $e = add($d, t1);
            $d = $c;
            $c = $b;
            $b = $a;
            $a = add(t1, t2);
        )*
    };
}

pub(super) use {multi_buffer_hmac_sha256, sha256_compress, sha256_rounds};
