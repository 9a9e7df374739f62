//! Batch OTP engine: many (keyed state, counter) pairs per call, for the exact mode of Monte
//! Carlo studies that compute hundreds of millions of codes.
//!
//! Each code is the same two compressions as the scalar core ([`KeyedHmac::mac_counter`]):
//! the inner block (8-byte counter + padding) from the key's inner state, then the outer block
//! (inner digest + padding) from its outer state. For HMAC-SHA-1 and HMAC-SHA-256 the engine
//! runs those two compressions for 16 codes at once in AVX-512 registers, or 8 at once in AVX2
//! registers (multi-buffer hashing: lane `i` of every vector belongs to code `i`). The kernel
//! is chosen at run time ([`Kernel::detect`]); the crate is never built for the host CPU, each
//! kernel enables its CPU features on its own functions only.
//!
//! HMAC-SHA-512 keys go through the scalar core (RustCrypto's compression): its 64-bit words
//! halve the lanes per register, and HOTP/TOTP deployments almost never use it. A batch may mix
//! algorithms; every code equals what the scalar core gives for the same key and counter.
//!
//! Three shapes: [`BatchEngine::codes`] (loose keys, one counter each),
//! [`BatchEngine::codes_for_key`] (one key, many counters) and [`BatchEngine::codes_for_set`]
//! (a [`KeySet`] population whose states are laid out for the kernels once, the fastest).
//! `docs/batch-engine.md` has the design and measured figures.
//!
//! ```
//! use mfa_harness::otp::batch::BatchEngine;
//! use mfa_harness::otp::{Algorithm, Code, Digits, KeyedHmac, Secret};
//!
//! // RFC 4226 Appendix D: the ten first HOTP values of the test key.
//! let secret = Secret::from_bytes(b"12345678901234567890".to_vec())?;
//! let key = KeyedHmac::new(&secret, Algorithm::Sha1);
//! let counters: Vec<u64> = (0..10).collect();
//! let mut codes = vec![Code::from_value(0, Digits::SIX)?; counters.len()];
//! BatchEngine::detect().codes_for_key(&key, &counters, Digits::SIX, &mut codes)?;
//! assert_eq!(codes[0].to_string(), "755224");
//! assert_eq!(codes[9].to_string(), "520489");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod key_set;
// Off x86-64 only the scalar kernel exists, so the lane drivers go unused there.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
mod lane;
#[cfg(target_arch = "x86_64")]
mod sha1x;
#[cfg(target_arch = "x86_64")]
mod sha256x;

use std::fmt;

use zeroize::Zeroize;

use super::{Code, Digits, KeyedHmac};
pub use key_set::KeySet;
use key_set::Layout;
use lane::{Kernels, Sha1Block, Sha256Block};

/// A kernel the engine can run: which instructions compute the SHA-1 and SHA-256 codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// 16 codes per pass in 512-bit registers (needs AVX-512F).
    Avx512,
    /// 8 codes per pass in 256-bit registers (needs AVX2).
    Avx2,
    /// One code at a time through the scalar core; runs everywhere.
    Scalar,
}

impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 3] = [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar];

    /// The fastest kernel this CPU can run.
    pub fn detect() -> Kernel {
        Kernel::ALL.into_iter().find(|k| k.is_available()).unwrap_or(Kernel::Scalar)
    }

    /// Whether this CPU has the instructions the kernel needs (checked at run time).
    pub fn is_available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx512 | Kernel::Avx2 => false,
            Kernel::Scalar => true,
        }
    }

    /// How many SHA-1 or SHA-256 codes one pass computes.
    pub fn lanes(self) -> usize {
        match self {
            Kernel::Avx512 => 16,
            Kernel::Avx2 => 8,
            Kernel::Scalar => 1,
        }
    }

    /// A short stable name for reports and benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Scalar => "scalar",
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a batch could not run. Nothing is written to the output on error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The kernel asked for needs instructions this CPU lacks.
    #[error("kernel {0} is not available on this CPU")]
    KernelUnavailable(Kernel),
    /// Inputs and output of different lengths.
    #[error("batch lengths differ: {keys} keys, {counters} counters, {out} output slots")]
    LengthMismatch {
        /// Keys given (1 for a one-key batch).
        keys: usize,
        /// Counters given.
        counters: usize,
        /// Output slots given.
        out: usize,
    },
}

/// Computes HOTP/TOTP codes in batches with one kernel, chosen once.
///
/// Holding the kernel in a value (rather than detecting per call) lets tests and benchmarks
/// force each kernel, and guarantees a kernel is only run after its CPU check passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchEngine {
    kernel: Kernel,
}

impl BatchEngine {
    /// The engine with the fastest kernel this CPU runs.
    pub fn detect() -> Self {
        BatchEngine { kernel: Kernel::detect() }
    }

    /// The engine with a given kernel, for tests and benchmarks that compare kernels.
    ///
    /// # Errors
    /// [`BatchError::KernelUnavailable`] when the CPU lacks the kernel's instructions.
    pub fn with_kernel(kernel: Kernel) -> Result<Self, BatchError> {
        if kernel.is_available() {
            Ok(BatchEngine { kernel })
        } else {
            Err(BatchError::KernelUnavailable(kernel))
        }
    }

    /// The kernel this engine runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// `out[i]` = the code of `keys[i]` at `counters[i]` (a population: many keys, typically
    /// one step each). A TOTP code is the code at its step number ([`super::Step`]).
    ///
    /// # Errors
    /// [`BatchError::LengthMismatch`] unless the three slices have the same length.
    pub fn codes(
        &self,
        keys: &[&KeyedHmac],
        counters: &[u64],
        digits: Digits,
        out: &mut [Code],
    ) -> Result<(), BatchError> {
        if keys.len() != counters.len() || counters.len() != out.len() {
            return Err(BatchError::LengthMismatch {
                keys: keys.len(),
                counters: counters.len(),
                out: out.len(),
            });
        }
        self.run(keys.iter().copied().zip(counters.iter().copied()), digits, out);
        Ok(())
    }

    /// `out[i]` = the code of `key` at `counters[i]` (one device over many steps, e.g. every
    /// step of a verification window or of a whole simulated day).
    ///
    /// # Errors
    /// [`BatchError::LengthMismatch`] unless `counters` and `out` have the same length.
    pub fn codes_for_key(
        &self,
        key: &KeyedHmac,
        counters: &[u64],
        digits: Digits,
        out: &mut [Code],
    ) -> Result<(), BatchError> {
        if counters.len() != out.len() {
            return Err(BatchError::LengthMismatch { keys: 1, counters: counters.len(), out: out.len() });
        }
        // The key's states are packed into every lane once; only counters change per pass.
        let kernels = self.kernels();
        if let (Some(kernels), Some(mut block)) = (kernels, Sha1Block::broadcast(key)) {
            lane::run_blocks(std::iter::repeat(&block), counters, digits, out, kernels.sha1);
            block.zeroize();
        } else if let (Some(kernels), Some(mut block)) = (kernels, Sha256Block::broadcast(key)) {
            lane::run_blocks(std::iter::repeat(&block), counters, digits, out, kernels.sha256);
            block.zeroize();
        } else {
            self.run(std::iter::repeat(key).zip(counters.iter().copied()), digits, out);
        }
        Ok(())
    }

    /// `out[i]` = the code of device `i` of `set` at `counters[i]`: the population form of
    /// [`BatchEngine::codes`], fastest when every key is HMAC-SHA-1 (see [`KeySet`]).
    ///
    /// # Errors
    /// [`BatchError::LengthMismatch`] unless the set, `counters` and `out` have the same length.
    pub fn codes_for_set(
        &self,
        set: &KeySet,
        counters: &[u64],
        digits: Digits,
        out: &mut [Code],
    ) -> Result<(), BatchError> {
        if set.len() != counters.len() || counters.len() != out.len() {
            return Err(BatchError::LengthMismatch {
                keys: set.len(),
                counters: counters.len(),
                out: out.len(),
            });
        }
        match (self.kernels(), set.layout()) {
            (Some(kernels), Layout::Sha1(blocks)) => {
                lane::run_blocks(blocks.iter(), counters, digits, out, kernels.sha1)
            }
            (Some(kernels), Layout::Sha256(blocks)) => {
                lane::run_blocks(blocks.iter(), counters, digits, out, kernels.sha256)
            }
            _ => self.run(set.keys().iter().zip(counters.iter().copied()), digits, out),
        }
        Ok(())
    }

    /// Computes every job's code into `out`; `jobs` yields exactly `out.len()` pairs.
    fn run<'k>(&self, jobs: impl Iterator<Item = (&'k KeyedHmac, u64)>, digits: Digits, out: &mut [Code]) {
        match self.kernels() {
            Some(kernels) => lane::run_jobs(jobs, digits, out, kernels),
            None => {
                for ((key, counter), slot) in jobs.zip(out.iter_mut()) {
                    *slot = Code::truncate(&key.mac_counter(counter), digits);
                }
            }
        }
    }

    /// The engine's SIMD kernels as plain functions, or `None` for the scalar kernel.
    fn kernels(&self) -> Option<Kernels> {
        match self.kernel {
            // SAFETY (both closures): `BatchEngine` only holds `Avx512` after `is_available`
            // found AVX-512F, and these function pointers never leave the engine's private
            // methods.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => Some(Kernels {
                sha1: |block, counters| unsafe { avx512::hmac_sha1(block, counters) },
                sha256: |block, counters| unsafe { avx512::hmac_sha256(block, counters) },
            }),
            // SAFETY (both closures): as above, with AVX2.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => Some(Kernels {
                sha1: |block, counters| unsafe { avx2::hmac_sha1(block, counters) },
                sha256: |block, counters| unsafe { avx2::hmac_sha256(block, counters) },
            }),
            _ => None,
        }
    }
}
