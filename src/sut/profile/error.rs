//! Why a profile cannot be used: unreadable, invalid (with file, line and key), a secret that
//! cannot be found, an SMS sink that cannot listen, or a server that does not answer the
//! connect steps.

use std::path::PathBuf;

use crate::sut::TargetError;

/// A profile that cannot be used: unreadable, invalid (with file, line and key), a secret that
/// cannot be found, or a server that does not answer the connect steps.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The profile file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error("{}:{line}:{column}: {key}{}{message}", file.display(), if key.is_empty() { "" } else { ": " })]
    Invalid {
        /// The profile file.
        file: PathBuf,
        /// 1-based line (0 when the key has no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The dotted key, e.g. `operations.login.path`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A secret is missing (its value is never shown).
    #[error("secret {name}: {message}")]
    Secret {
        /// The secret's name in `[secrets]`.
        name: String,
        /// Where it was looked for.
        message: String,
    },
    /// The SMS sink could not listen.
    #[error("sms sink on 127.0.0.1:{port}: {source}")]
    Sink {
        /// The port asked for.
        port: u16,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The server's clock does not follow the profile's faketime file.
    #[error("{}: {message}", file.display())]
    Clock {
        /// The faketime file.
        file: PathBuf,
        /// What was written and what the server said.
        message: String,
    },
    /// Connecting (admin sign-in, connect steps, clock probe) failed.
    #[error("connecting to {url}: {source}")]
    Connect {
        /// The base URL.
        url: String,
        /// What went wrong, secrets redacted.
        #[source]
        source: TargetError,
    },
}
