//! Token provisioning data: the seed records a vendor ships with a batch of hardware tokens,
//! which a server imports so it knows each token's key by serial number.
//!
//! Two seed-file formats are read and written: [`pskc`] (RFC 6030 XML) and [`oath_csv`] (the
//! CSV privacyIDEA imports). [`SeedFormat`] picks one by file name or content, and every
//! problem is a [`SeedFileError`] naming file and line, never key material.
//!
//! Layers, each using only those below it: the record ([`TokenSeed`]), the format names, the
//! errors and the shared field checks; then the two formats; then the dispatch over formats
//! ([`read`], [`SeedFormat::parse`], [`SeedFormat::write`]).
//!
//! ```
//! use mfa_harness::provision::{self, SeedFormat};
//!
//! let batch = provision::sample_batch(3, 42);
//! let file = SeedFormat::Pskc.write(&batch)?;
//! assert_eq!(provision::read("batch.xml", &file)?, batch);
//! # Ok::<(), provision::SeedFileError>(())
//! ```

mod error;
mod field;
pub mod oath_csv;
pub mod pre_shared_key;
pub mod pskc;
mod record;
mod seed_file;
mod seed_format;

pub use error::{Location, SeedFileError, SeedProblem};
pub use pre_shared_key::{PreSharedKey, PreSharedKeyError};
pub use record::{SAMPLE_KEY_BYTES, TokenSeed, sample_batch};
pub use seed_file::read;
pub use seed_format::SeedFormat;
