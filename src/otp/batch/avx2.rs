//! The 8-lane HMAC-SHA-1 and HMAC-SHA-256 kernels in AVX2 registers (a 16-lane block in two
//! passes): rotates as two shifts and an or, round functions as two or three logic instructions.

use std::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_loadu_si256, _mm256_or_si256, _mm256_set1_epi32,
    _mm256_slli_epi32, _mm256_srli_epi32, _mm256_storeu_si256, _mm256_xor_si256,
};

use super::lane::{BLOCK, Counters, MacWords, Sha1Block, Sha256Block};
use super::sha1x::multi_buffer_hmac_sha1;
use super::sha256x::multi_buffer_hmac_sha256;

type V = __m256i;

multi_buffer_hmac_sha1!("avx2", 8);
multi_buffer_hmac_sha256!("avx2", 8);

#[target_feature(enable = "avx2")]
fn splat(x: u32) -> V {
    _mm256_set1_epi32(x as i32)
}

/// The 8 words of `row` from lane `at`.
#[target_feature(enable = "avx2")]
fn load(row: &[u32; BLOCK], at: usize) -> V {
    let words = &row[at..at + 8];
    // SAFETY: `words` is 8 readable words (32 bytes, bounds checked by the slice); the
    // unaligned load has no alignment requirement.
    unsafe { _mm256_loadu_si256(words.as_ptr().cast()) }
}

/// Stores `v` into the 8 words of `row` from lane `at`.
#[target_feature(enable = "avx2")]
fn store(v: V, row: &mut [u32; BLOCK], at: usize) {
    let words = &mut row[at..at + 8];
    // SAFETY: `words` is 8 writable words (32 bytes, bounds checked by the slice); the
    // unaligned store has no alignment requirement.
    unsafe { _mm256_storeu_si256(words.as_mut_ptr().cast(), v) }
}

#[target_feature(enable = "avx2")]
fn add(a: V, b: V) -> V {
    _mm256_add_epi32(a, b)
}

#[target_feature(enable = "avx2")]
fn xor(a: V, b: V) -> V {
    _mm256_xor_si256(a, b)
}

/// a ^ b ^ c: the schedule's mix and SHA-1's Parity.
#[target_feature(enable = "avx2")]
fn xor3(a: V, b: V, c: V) -> V {
    _mm256_xor_si256(_mm256_xor_si256(a, b), c)
}

#[target_feature(enable = "avx2")]
fn rol1(x: V) -> V {
    _mm256_or_si256(_mm256_slli_epi32::<1>(x), _mm256_srli_epi32::<31>(x))
}

#[target_feature(enable = "avx2")]
fn rol5(x: V) -> V {
    _mm256_or_si256(_mm256_slli_epi32::<5>(x), _mm256_srli_epi32::<27>(x))
}

#[target_feature(enable = "avx2")]
fn rol30(x: V) -> V {
    _mm256_or_si256(_mm256_slli_epi32::<30>(x), _mm256_srli_epi32::<2>(x))
}

/// Ch(b, c, d) = (b & c) | (!b & d), computed as d ^ (b & (c ^ d)).
#[target_feature(enable = "avx2")]
fn ch(b: V, c: V, d: V) -> V {
    _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)))
}

/// Maj(b, c, d) = (b & c) | (b & d) | (c & d), computed as (b & c) | (d & (b | c)).
#[target_feature(enable = "avx2")]
fn maj(b: V, c: V, d: V) -> V {
    _mm256_or_si256(_mm256_and_si256(b, c), _mm256_and_si256(d, _mm256_or_si256(b, c)))
}

/// Rotates each lane right by `$n` bits (AVX2 has no rotate: two shifts and an or).
macro_rules! ror {
    ($x:expr, $n:literal) => {
        _mm256_or_si256(_mm256_srli_epi32::<$n>($x), _mm256_slli_epi32::<{ 32 - $n }>($x))
    };
}

/// Σ0(x) = ROTR2(x) ^ ROTR13(x) ^ ROTR22(x).
#[target_feature(enable = "avx2")]
fn big_sigma0(x: V) -> V {
    xor3(ror!(x, 2), ror!(x, 13), ror!(x, 22))
}

/// Σ1(x) = ROTR6(x) ^ ROTR11(x) ^ ROTR25(x).
#[target_feature(enable = "avx2")]
fn big_sigma1(x: V) -> V {
    xor3(ror!(x, 6), ror!(x, 11), ror!(x, 25))
}

/// σ0(x) = ROTR7(x) ^ ROTR18(x) ^ SHR3(x).
#[target_feature(enable = "avx2")]
fn small_sigma0(x: V) -> V {
    xor3(ror!(x, 7), ror!(x, 18), _mm256_srli_epi32::<3>(x))
}

/// σ1(x) = ROTR17(x) ^ ROTR19(x) ^ SHR10(x).
#[target_feature(enable = "avx2")]
fn small_sigma1(x: V) -> V {
    xor3(ror!(x, 17), ror!(x, 19), _mm256_srli_epi32::<10>(x))
}
