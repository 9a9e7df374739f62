//! Which seed-file format a file is: the formats' names and the guess from a file's name and
//! content. Reading and writing in a format is in `seed_file`, above the formats.

use std::fmt;

/// A seed-file format, as vendors ship token batches and MFA servers import them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeedFormat {
    /// PSKC, RFC 6030: an XML `KeyContainer` with one `KeyPackage` per token.
    Pskc,
    /// OATH CSV as privacyIDEA imports it: `serial, key (hex), type, otp length, time step`.
    OathCsv,
}

impl SeedFormat {
    /// Both formats, in a fixed order (for sweeps and tests).
    pub const ALL: [SeedFormat; 2] = [SeedFormat::Pskc, SeedFormat::OathCsv];

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            SeedFormat::Pskc => "pskc",
            SeedFormat::OathCsv => "oath-csv",
        }
    }

    /// Guesses the format of a file from its name and content, because vendors name seed
    /// files every way. A known extension decides (`.xml`, `.pskc` → PSKC; `.csv` → OATH CSV);
    /// otherwise a file whose first non-blank character is `<` is PSKC and anything else is
    /// OATH CSV, whose reader then says precisely what is wrong with it.
    pub fn detect(name: &str, text: &str) -> SeedFormat {
        let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
        match extension.as_deref() {
            Some("xml" | "pskc") => SeedFormat::Pskc,
            Some("csv") => SeedFormat::OathCsv,
            _ if text.trim_start_matches('\u{feff}').trim_start().starts_with('<') => SeedFormat::Pskc,
            _ => SeedFormat::OathCsv,
        }
    }
}

impl fmt::Display for SeedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_decides_before_content() {
        assert_eq!(SeedFormat::detect("batch.xml", "S1,00,totp"), SeedFormat::Pskc);
        assert_eq!(SeedFormat::detect("batch.PSKC", ""), SeedFormat::Pskc);
        assert_eq!(SeedFormat::detect("batch.csv", "<odd serial>,00,totp"), SeedFormat::OathCsv);
    }

    #[test]
    fn content_decides_without_a_known_extension() {
        assert_eq!(SeedFormat::detect("batch", "\u{feff}  \n<?xml version=\"1.0\"?>"), SeedFormat::Pskc);
        assert_eq!(SeedFormat::detect("batch.txt", "# comment\nS1,00,totp"), SeedFormat::OathCsv);
        assert_eq!(SeedFormat::detect("-", ""), SeedFormat::OathCsv);
    }
}
