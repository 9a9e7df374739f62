//! The crate's error type. Each area keeps its own typed error (`OtpError`, ...) so callers
//! can match on what went wrong; `Error` gathers them for code that crosses areas. Messages
//! are short lowercase phrases that name the file, record, request or time involved, and
//! never contain a secret.

use std::path::PathBuf;

use crate::otp::OtpError;
use crate::provision::SeedFileError;
use crate::reference::ReferenceError;
use crate::sim::SimError;
use crate::vectors::VectorError;

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OTP core refused its input.
    #[error(transparent)]
    Otp(#[from] OtpError),
    /// A vector file could not be read or understood.
    #[error(transparent)]
    Vectors(#[from] VectorError),
    /// A token seed file could not be read or written.
    #[error(transparent)]
    SeedFile(#[from] SeedFileError),
    /// The simulator refused a request or stopped a run.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The reference service refused a request.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
