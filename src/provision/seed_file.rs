//! Reading and writing seed files in either format: the dispatch over [`SeedFormat`], above
//! the two formats (which know nothing of each other or of this module).

use super::error::SeedFileError;
use super::record::TokenSeed;
use super::seed_format::SeedFormat;
use super::{oath_csv, pskc};

impl SeedFormat {
    /// Parses `text` (read from the file called `name`, which errors quote) in this format.
    ///
    /// # Errors
    /// The first problem found, with file and line.
    pub fn parse(self, name: &str, text: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
        match self {
            SeedFormat::Pskc => pskc::parse(name, text),
            SeedFormat::OathCsv => oath_csv::parse(name, text),
        }
    }

    /// Writes `seeds` as a file in this format.
    ///
    /// # Errors
    /// [`SeedFileError::Write`] for a seed the format cannot carry.
    pub fn write(self, seeds: &[TokenSeed]) -> Result<String, SeedFileError> {
        match self {
            SeedFormat::Pskc => pskc::write(seeds),
            SeedFormat::OathCsv => oath_csv::write(seeds),
        }
    }
}

/// Reads a seed file whatever its format ([`SeedFormat::detect`]).
///
/// # Errors
/// The first problem found, with file and line.
pub fn read(name: &str, text: &str) -> Result<Vec<TokenSeed>, SeedFileError> {
    SeedFormat::detect(name, text).parse(name, text)
}
