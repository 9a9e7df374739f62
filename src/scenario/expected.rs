//! The expected-failures file: scenarios a target is known to fail, each with a reason, so a
//! vendor's CI can go green on known gaps without hiding new ones.
//!
//! ```toml
//! [[expected]]
//! scenario = "features/replay/concurrent.feature:14"
//! reason = "our cluster's replay cache is eventually consistent (ticket SEC-123)"
//! ```
//!
//! Listing is strict both ways: an entry whose scenario passes is reported as a failure (the
//! list is stale and would hide a regression), and an entry that names no scenario of the
//! suite is a configuration error (a typo would otherwise excuse nothing).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

/// Why an expected-failures file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ExpectedError {
    /// Unreadable file.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Malformed TOML or a field missing or unknown.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What the TOML parser said.
        message: String,
    },
    /// An entry names a scenario the suite does not have.
    #[error(
        "{file}:{line}: entry {scenario:?} names no scenario of the suite (ids are <feature path>:<line>)"
    )]
    UnknownScenario {
        /// The file.
        file: String,
        /// 1-based line of the entry's `scenario`.
        line: usize,
        /// The id as written.
        scenario: String,
    },
    /// A scenario listed twice.
    #[error("{file}:{line}: scenario {scenario:?} is listed twice")]
    Duplicate {
        /// The file.
        file: String,
        /// 1-based line of the second listing.
        line: usize,
        /// The id.
        scenario: String,
    },
    /// An entry without a reason: a known failure nobody can explain excuses nothing.
    #[error("{file}:{line}: the reason for {scenario:?} is empty (say why it is expected to fail)")]
    NoReason {
        /// The file.
        file: String,
        /// 1-based line of the entry's `reason`.
        line: usize,
        /// The id.
        scenario: String,
    },
}

/// Scenario id → reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedFailures(BTreeMap<String, String>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    expected: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    scenario: Spanned<String>,
    reason: Spanned<String>,
}

impl ExpectedFailures {
    /// Reads and checks a file against the suite's scenario ids.
    ///
    /// # Errors
    /// [`ExpectedError`] naming the file (and line).
    pub fn load(path: &Path, known_ids: &[String]) -> Result<Self, ExpectedError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ExpectedError::Read { file: file.clone(), source })?;
        Self::parse(&file, &text, known_ids)
    }

    /// Parses file text; `file` is used in errors.
    ///
    /// # Errors
    /// [`ExpectedError`].
    pub fn parse(file: &str, text: &str, known_ids: &[String]) -> Result<Self, ExpectedError> {
        let line = |at: usize| text.get(..at).map_or(1, |before| before.lines().count().max(1));
        let raw: RawFile = toml::from_str(text).map_err(|e| ExpectedError::Syntax {
            file: file.to_owned(),
            line: e.span().map_or(1, |span| line(span.start)),
            message: e.message().to_owned(),
        })?;
        let mut map = BTreeMap::new();
        for entry in raw.expected {
            let at = line(entry.scenario.span().start);
            let (scenario, reason) = (entry.scenario.into_inner(), entry.reason);
            if !known_ids.contains(&scenario) {
                return Err(ExpectedError::UnknownScenario { file: file.to_owned(), line: at, scenario });
            }
            if reason.get_ref().trim().is_empty() {
                let line = line(reason.span().start);
                return Err(ExpectedError::NoReason { file: file.to_owned(), line, scenario });
            }
            if map.insert(scenario.clone(), reason.into_inner()).is_some() {
                return Err(ExpectedError::Duplicate { file: file.to_owned(), line: at, scenario });
            }
        }
        Ok(ExpectedFailures(map))
    }

    /// The reason a scenario is expected to fail, if it is listed.
    pub fn reason(&self, id: &str) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        vec!["features/a.feature:3".into(), "features/b.feature:9".into()]
    }

    #[test]
    fn entries_map_ids_to_reasons() {
        let text = "[[expected]]\nscenario = \"features/a.feature:3\"\nreason = \"known gap\"\n";
        let e = ExpectedFailures::parse("x.toml", text, &ids()).unwrap();
        assert_eq!(e.reason("features/a.feature:3"), Some("known gap"));
        assert_eq!(e.reason("features/b.feature:9"), None);
    }

    #[test]
    fn errors_are_located() {
        let text = "[[expected]]\nscenario = \"features/a.feature:3\"\nreasn = \"typo\"\n";
        let err = ExpectedFailures::parse("x.toml", text, &ids()).unwrap_err().to_string();
        assert!(err.starts_with("x.toml:"), "{err}");
        assert!(err.contains("reasn"), "{err}");

        let text = "[[expected]]\nscenario = \"features/a.feature:4\"\nreason = \"r\"\n";
        let err = ExpectedFailures::parse("x.toml", text, &ids()).unwrap_err().to_string();
        assert!(err.contains("names no scenario"), "{err}");

        let text = "[[expected]]\nscenario = \"features/a.feature:3\"\nreason = \"r\"\n".repeat(2);
        let err = ExpectedFailures::parse("x.toml", &text, &ids()).unwrap_err().to_string();
        assert_eq!(err, "x.toml:5: scenario \"features/a.feature:3\" is listed twice");
    }
}
