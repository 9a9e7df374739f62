//! The multi-buffer HMAC-SHA-1 body shared by the SIMD kernels (FIPS 180-4 §6.1.2, one lane
//! per code). Written once as a macro and expanded inside each kernel module, because the
//! vector operations it calls must be compiled with that module's CPU features: generic code
//! over a trait would be compiled without them and never inlined.
//!
//! The expanding module imports `BLOCK`, `Counters`, `MacWords` and `Sha1Block` from
//! [`super::lane`] and provides the vector type `V` and `splat`, `load` and `store` (of the
//! `$lanes` words at an offset in a block row), `add`,
//! `xor`, `xor3`, `rol1`, `rol5`, `rol30`, `ch` and `maj`
//! (the Parity round function is `xor3`), all enabled for `$feature`.

/// Expands to `hmac_sha1`, the two-compression HMAC of a block's 16 counters, `$lanes` of
/// them per pass.
macro_rules! multi_buffer_hmac_sha1 {
    ($feature:literal, $lanes:literal) => {
        /// HMAC-SHA-1 of each lane's 8-byte counter under its precomputed inner and outer
        /// states: the five big-endian MAC words per lane, word-major.
        ///
        /// # Safety
        /// The CPU must support the target features of this function (checked by
        /// [`super::Kernel::is_available`] before a `BatchEngine` holds the kernel).
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn hmac_sha1(keys: &Sha1Block, counters: &Counters) -> MacWords<5> {
            let mut mac: MacWords<5> = [[0; BLOCK]; 5];
            for at in (0..BLOCK).step_by($lanes) {
                // Inner block: counter (2 words), 0x80 pad, zeros, length (64 + 8) bytes in bits.
                let mut w = [splat(0); 16];
                w[0] = load(&counters.hi, at);
                w[1] = load(&counters.lo, at);
                w[2] = splat(0x8000_0000);
                w[15] = splat((64 + 8) * 8);
                let inner = [
                    load(&keys.inner[0], at),
                    load(&keys.inner[1], at),
                    load(&keys.inner[2], at),
                    load(&keys.inner[3], at),
                    load(&keys.inner[4], at),
                ];
                let digest = $crate::otp::batch::sha1x::sha1_compress!(inner, w);
                // Outer block: inner digest (5 words), 0x80 pad, zeros, length (64 + 20) bytes.
                let mut w = [splat(0); 16];
                w[..5].copy_from_slice(&digest);
                w[5] = splat(0x8000_0000);
                w[15] = splat((64 + 20) * 8);
                let outer = [
                    load(&keys.outer[0], at),
                    load(&keys.outer[1], at),
                    load(&keys.outer[2], at),
                    load(&keys.outer[3], at),
                    load(&keys.outer[4], at),
                ];
                let words = $crate::otp::batch::sha1x::sha1_compress!(outer, w);
                for (word, out) in words.into_iter().zip(mac.iter_mut()) {
                    store(word, out, at);
                }
            }
            mac
        }
    };
}

/// One SHA-1 compression of block `$w` (a mutable `[V; 16]`) into `$state`, in every lane at
/// once; evaluates to the new state. A macro rather than a function so each of the two blocks
/// is compiled with its own constant padding words folded in.
macro_rules! sha1_compress {
    ($state:expr, $w:ident) => {{
        let state: [V; 5] = $state;
        let [mut a, mut b, mut c, mut d, mut e] = state;
        // Fully unrolled (literal round numbers), so the schedule ring stays in registers
        // and the constant padding words of the message fold away.
        $crate::otp::batch::sha1x::sha1_rounds!($w, [a b c d e], ch, 0x5a82_7999;
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);
        $crate::otp::batch::sha1x::sha1_rounds!($w, [a b c d e], xor3, 0x6ed9_eba1;
            20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39);
        $crate::otp::batch::sha1x::sha1_rounds!($w, [a b c d e], maj, 0x8f1b_bcdc;
            40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59);
        $crate::otp::batch::sha1x::sha1_rounds!($w, [a b c d e], xor3, 0xca62_c1d6;
            60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79);
        [add(state[0], a), add(state[1], b), add(state[2], c), add(state[3], d), add(state[4], e)]
    }};
}

/// Expands to SHA-1 rounds `$t...` with round function `$f` and constant `$k` on working
/// variables `a..e` and schedule ring `w` (W[t] lives in `w[t % 16]`).
macro_rules! sha1_rounds {
    ($w:ident, [$a:ident $b:ident $c:ident $d:ident $e:ident], $f:ident, $k:expr; $($t:literal)*) => {
        $(
            if $t >= 16 {
                // W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]).
                let mixed = xor(xor3($w[($t + 13) & 15], $w[($t + 8) & 15], $w[($t + 2) & 15]), $w[$t & 15]);
                $w[$t & 15] = rol1(mixed);
            }
            let temp = add(add(rol5($a), $f($b, $c, $d)), add(add($e, splat($k)), $w[$t & 15]));
            $e = $d;
            $d = $c;
            $c = rol30($b);
            $b = $a;
            $a = temp;
        )*
    };
}

pub(super) use {multi_buffer_hmac_sha1, sha1_compress, sha1_rounds};
