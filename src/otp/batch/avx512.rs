//! The 16-lane HMAC-SHA-1 and HMAC-SHA-256 kernels in AVX-512F registers: native rotates
//! (`vprold`/`vprord`) and one ternary-logic instruction per round function or three-way xor.

use std::arch::x86_64::{
    __m512i, _mm512_add_epi32, _mm512_loadu_si512, _mm512_rol_epi32, _mm512_ror_epi32, _mm512_set1_epi32,
    _mm512_srli_epi32, _mm512_storeu_si512, _mm512_ternarylogic_epi32, _mm512_xor_si512,
};

use super::lane::{BLOCK, Counters, MacWords, Sha1Block, Sha256Block};
use super::sha1x::multi_buffer_hmac_sha1;
use super::sha256x::multi_buffer_hmac_sha256;

type V = __m512i;

multi_buffer_hmac_sha1!("avx512f", 16);
multi_buffer_hmac_sha256!("avx512f", 16);

#[target_feature(enable = "avx512f")]
fn splat(x: u32) -> V {
    _mm512_set1_epi32(x as i32)
}

/// The 16 words of `row` from lane `at`.
#[target_feature(enable = "avx512f")]
fn load(row: &[u32; BLOCK], at: usize) -> V {
    let words = &row[at..at + 16];
    // SAFETY: `words` is 16 readable words (64 bytes, bounds checked by the slice); the
    // unaligned load has no alignment requirement.
    unsafe { _mm512_loadu_si512(words.as_ptr().cast()) }
}

/// Stores `v` into the 16 words of `row` from lane `at`.
#[target_feature(enable = "avx512f")]
fn store(v: V, row: &mut [u32; BLOCK], at: usize) {
    let words = &mut row[at..at + 16];
    // SAFETY: `words` is 16 writable words (64 bytes, bounds checked by the slice); the
    // unaligned store has no alignment requirement.
    unsafe { _mm512_storeu_si512(words.as_mut_ptr().cast(), v) }
}

#[target_feature(enable = "avx512f")]
fn add(a: V, b: V) -> V {
    _mm512_add_epi32(a, b)
}

#[target_feature(enable = "avx512f")]
fn xor(a: V, b: V) -> V {
    _mm512_xor_si512(a, b)
}

/// a ^ b ^ c in one instruction (truth table 0x96): the schedule's mix and SHA-1's Parity.
#[target_feature(enable = "avx512f")]
fn xor3(a: V, b: V, c: V) -> V {
    _mm512_ternarylogic_epi32::<0x96>(a, b, c)
}

#[target_feature(enable = "avx512f")]
fn rol1(x: V) -> V {
    _mm512_rol_epi32::<1>(x)
}

#[target_feature(enable = "avx512f")]
fn rol5(x: V) -> V {
    _mm512_rol_epi32::<5>(x)
}

#[target_feature(enable = "avx512f")]
fn rol30(x: V) -> V {
    _mm512_rol_epi32::<30>(x)
}

/// Ch(b, c, d) = (b & c) | (!b & d): truth table 0xCA.
#[target_feature(enable = "avx512f")]
fn ch(b: V, c: V, d: V) -> V {
    _mm512_ternarylogic_epi32::<0xca>(b, c, d)
}

/// Maj(b, c, d) = (b & c) | (b & d) | (c & d): truth table 0xE8.
#[target_feature(enable = "avx512f")]
fn maj(b: V, c: V, d: V) -> V {
    _mm512_ternarylogic_epi32::<0xe8>(b, c, d)
}

/// Σ0(x) = ROTR2(x) ^ ROTR13(x) ^ ROTR22(x).
#[target_feature(enable = "avx512f")]
fn big_sigma0(x: V) -> V {
    xor3(_mm512_ror_epi32::<2>(x), _mm512_ror_epi32::<13>(x), _mm512_ror_epi32::<22>(x))
}

/// Σ1(x) = ROTR6(x) ^ ROTR11(x) ^ ROTR25(x).
#[target_feature(enable = "avx512f")]
fn big_sigma1(x: V) -> V {
    xor3(_mm512_ror_epi32::<6>(x), _mm512_ror_epi32::<11>(x), _mm512_ror_epi32::<25>(x))
}

/// σ0(x) = ROTR7(x) ^ ROTR18(x) ^ SHR3(x).
#[target_feature(enable = "avx512f")]
fn small_sigma0(x: V) -> V {
    xor3(_mm512_ror_epi32::<7>(x), _mm512_ror_epi32::<18>(x), _mm512_srli_epi32::<3>(x))
}

/// σ1(x) = ROTR17(x) ^ ROTR19(x) ^ SHR10(x).
#[target_feature(enable = "avx512f")]
fn small_sigma1(x: V) -> V {
    xor3(_mm512_ror_epi32::<17>(x), _mm512_ror_epi32::<19>(x), _mm512_srli_epi32::<10>(x))
}
