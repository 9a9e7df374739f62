//! The typed error every seed-file reader and writer returns, and the rule that keeps key
//! material out of its messages.

use std::fmt;

use super::seed_format::SeedFormat;

/// A seed file that could not be read, or seeds that could not be written. Messages name the
/// file and line (and for PSKC the element) and never contain key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeedFileError {
    /// A problem in a file being read.
    #[error("{at}: {problem}")]
    Read {
        /// Where.
        at: Location,
        /// What is wrong.
        problem: SeedProblem,
    },
    /// A seed that the format cannot represent, so writing it would lose information.
    #[error("cannot write token {index} (serial {serial:?}) as {format}: {reason}")]
    Write {
        /// The target format.
        format: SeedFormat,
        /// The seed's index in the slice.
        index: usize,
        /// Its serial.
        serial: String,
        /// Why it cannot be written.
        reason: &'static str,
    },
}

impl SeedFileError {
    /// Where a read error is (`None` for a write error).
    pub fn location(&self) -> Option<&Location> {
        match self {
            SeedFileError::Read { at, .. } => Some(at),
            SeedFileError::Write { .. } => None,
        }
    }

    /// The problem of a read error (`None` for a write error), for tests and callers that
    /// react to one kind.
    pub fn problem(&self) -> Option<&SeedProblem> {
        match self {
            SeedFileError::Read { problem, .. } => Some(problem),
            SeedFileError::Write { .. } => None,
        }
    }
}

/// A place in a seed file. Displays as `file:line` or, for PSKC, `file:line <Element>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's name as the caller gave it.
    pub file: String,
    /// 1-based line (for PSKC, where the element's start tag begins).
    pub line: u64,
    /// The PSKC element the problem is in.
    pub element: Option<&'static str>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        match self.element {
            Some(element) => write!(f, " <{element}>"),
            None => Ok(()),
        }
    }
}

/// What is wrong at one place in a seed file. Values quoted here (serials, algorithm names,
/// numbers) are never key material: key errors say only which encoding failed and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeedProblem {
    /// Malformed XML or CSV syntax.
    #[error("malformed {format}: {reason}")]
    Syntax {
        /// "XML" or "CSV".
        format: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// An XML document whose root is not a PSKC `KeyContainer`.
    #[error(
        "root element is <{found}>, expected <KeyContainer> in namespace urn:ietf:params:xml:ns:keyprov:pskc"
    )]
    NotPskc {
        /// The root element found (namespace prefix included).
        found: String,
    },
    /// A PSKC `KeyContainer` of a version other than 1.0.
    #[error("<KeyContainer> Version {0:?} is not supported (expected \"1.0\")")]
    Version(String),
    /// A token without a serial number.
    #[error("token has no serial number{0}")]
    MissingSerial(&'static str),
    /// A serial that appeared before.
    #[error("duplicate serial {serial:?} (first on line {first_line})")]
    DuplicateSerial {
        /// The serial.
        serial: String,
        /// Where it first appeared.
        first_line: u64,
    },
    /// A token without key material.
    #[error("token {serial:?} has no key{where_}")]
    MissingKey {
        /// The token.
        serial: String,
        /// Where the key was expected.
        where_: &'static str,
    },
    /// Key text that does not decode. Says where, never what.
    #[error("token {serial:?}: key is not valid {encoding}{detail}")]
    BadKey {
        /// The token.
        serial: String,
        /// "hex" or "base64".
        encoding: &'static str,
        /// Position information only (e.g. ": odd number of digits").
        detail: String,
    },
    /// A hash algorithm we do not know.
    #[error("token {serial:?}: unknown hash algorithm {found:?} (expected SHA1, SHA256 or SHA512)")]
    UnknownAlgorithm {
        /// The token.
        serial: String,
        /// The name found.
        found: String,
    },
    /// A token type other than TOTP.
    #[error("token {serial:?}: token type {found:?} is not supported (only TOTP tokens are)")]
    UnsupportedType {
        /// The token.
        serial: String,
        /// The type found (`hotp`, `ocra`, an algorithm URI).
        found: String,
    },
    /// A code length outside 6..=10.
    #[error("token {serial:?}: otp length {found:?} is not a number from 6 to 10")]
    BadDigits {
        /// The token.
        serial: String,
        /// The text found.
        found: String,
    },
    /// A time step that is zero or not a number.
    #[error("token {serial:?}: time step {found:?} is not a whole number of seconds of at least 1")]
    BadPeriod {
        /// The token.
        serial: String,
        /// The text found.
        found: String,
    },
    /// Some other number (T0, time drift, counter) that does not parse.
    #[error("token {serial:?}: {field} {found:?} is not a whole number")]
    BadNumber {
        /// The token.
        serial: String,
        /// The field's name.
        field: &'static str,
        /// The text found.
        found: String,
    },
    /// A required element or attribute that is absent.
    #[error("token {serial:?}: missing {field}")]
    MissingField {
        /// The token.
        serial: String,
        /// The element or attribute, as the format names it.
        field: &'static str,
    },
    /// A key encrypted for transport (RFC 6030 section 6) in a file read without its key.
    #[error(
        "token {serial:?}: the key is encrypted (<EncryptedValue>); the pre-shared key is needed to read it"
    )]
    Encrypted {
        /// The token.
        serial: String,
    },
    /// An encrypted value that could not be decrypted or authenticated.
    #[error("{subject}: {reason}")]
    Decrypt {
        /// `token "serial"`, or the container element (`<MACKey>`).
        subject: String,
        /// What failed; never any key material.
        reason: String,
    },
    /// A valid feature of the format that this harness cannot represent in a [`TokenSeed`](super::TokenSeed).
    #[error("token {serial:?}: {what} is not supported")]
    Unsupported {
        /// The token.
        serial: String,
        /// What was found.
        what: String,
    },
}

/// Where a reader is: the file name and the current line, to build [`SeedFileError`]s.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
    pub(crate) element: Option<&'static str>,
}

impl Place<'_> {
    /// An error at this place.
    pub(crate) fn error(self, problem: SeedProblem) -> SeedFileError {
        let at = Location { file: self.file.to_owned(), line: self.line, element: self.element };
        SeedFileError::Read { at, problem }
    }
}

/// A value from a file as messages may quote it. Text of 20 or more hex, base32 or base64
/// characters is hidden, because a shifted column can put a key where a serial or a number
/// belongs (a CSV line missing its serial), and messages must never show keys.
pub(crate) fn quotable(text: &str) -> String {
    let key_like =
        text.len() >= 20 && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
    if key_like {
        format!("<{} characters hidden: they look like a key>", text.len())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_like_values_are_hidden_from_messages() {
        assert_eq!(quotable("MFA0000001"), "MFA0000001");
        assert_eq!(quotable("serial with spaces and more than 20"), "serial with spaces and more than 20");
        assert_eq!(
            quotable("3132333435363738393031323334353637383930"),
            "<40 characters hidden: they look like a key>"
        );
        assert_eq!(quotable("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA="), "<28 characters hidden: they look like a key>");
    }
}
