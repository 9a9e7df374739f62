//! Mutants: faulty variants of the reference service, each with one injected fault a real MFA
//! server could have. The catalogue is data (`mutants/catalogue.toml`, built into the binary):
//! every entry is a partial override of the default [`Policy`], deep-merged onto it, so a
//! mutant is the reference with one switch flipped. A key the policy does not have is an error
//! naming the mutant, never a mutant that silently equals the reference.

use serde::Deserialize;

use super::Policy;

/// The built-in catalogue.
pub const CATALOGUE: &str = include_str!("../../mutants/catalogue.toml");

/// One faulty variant.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// Stable name (`no-replay-guard`).
    pub name: String,
    /// The fault, in words.
    pub fault: String,
    /// The reference policy with the fault applied.
    pub policy: Policy,
}

/// Why a catalogue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MutantError {
    /// Malformed TOML or a missing field.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The catalogue file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What the TOML parser said.
        message: String,
    },
    /// An override names a policy field that does not exist, or has the wrong type.
    #[error("{file}: mutant {mutant:?}: {message}")]
    Override {
        /// The catalogue file.
        file: String,
        /// The mutant.
        mutant: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    mutant: Vec<RawMutant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMutant {
    name: String,
    fault: String,
    policy: toml::Table,
}

/// Parses a catalogue; each mutant's overrides apply to `base`.
///
/// # Errors
/// [`MutantError`] naming the file, line or mutant.
pub fn parse(file: &str, text: &str, base: &Policy) -> Result<Vec<Mutant>, MutantError> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|e| MutantError::Syntax {
        file: file.to_owned(),
        line: e.span().map_or(1, |s| text[..s.start].lines().count().max(1)),
        message: e.message().to_owned(),
    })?;
    let error = |mutant: &str, message: String| MutantError::Override {
        file: file.to_owned(),
        mutant: mutant.to_owned(),
        message,
    };
    let base_value = toml::Value::try_from(base).map_err(|e| error("(base policy)", e.to_string()))?;
    let mut seen = std::collections::BTreeSet::new();
    raw.mutant
        .into_iter()
        .map(|m| {
            if !seen.insert(m.name.clone()) {
                return Err(error(&m.name, "name used twice".into()));
            }
            let mut value = base_value.clone();
            merge(&mut value, &m.policy, "").map_err(|message| error(&m.name, message))?;
            let policy: Policy =
                value.try_into().map_err(|e: toml::de::Error| error(&m.name, e.to_string()))?;
            if policy == *base {
                return Err(error(
                    &m.name,
                    "overrides change nothing: it would be the reference itself".into(),
                ));
            }
            Ok(Mutant { name: m.name, fault: m.fault, policy })
        })
        .collect()
}

/// The built-in catalogue over the policy conformance runs use.
///
/// # Errors
/// Only if the built-in file is broken, which the test suite rules out.
pub fn catalogue() -> Result<Vec<Mutant>, MutantError> {
    parse("mutants/catalogue.toml", CATALOGUE, &Policy::for_tests())
}

/// Deep-merges `overrides` into `value`; every key must already exist there.
fn merge(value: &mut toml::Value, overrides: &toml::Table, path: &str) -> Result<(), String> {
    let toml::Value::Table(table) = value else { return Err(format!("{path} is not a table")) };
    for (key, new) in overrides {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let slot = table.get_mut(key).ok_or_else(|| format!("the policy has no field {here:?}"))?;
        match new {
            toml::Value::Table(inner) if slot.is_table() => merge(slot, inner, &here)?,
            _ => *slot = new.clone(),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_at_least_twenty_distinct_mutants() {
        let mutants = catalogue().unwrap();
        assert!(mutants.len() >= 20, "{}", mutants.len());
        assert!(mutants.iter().any(|m| m.name == "no-replay-guard" && m.policy.dangers.danger_allow_replay));
        let window = mutants.iter().find(|m| m.name == "window-plus-minus-10").unwrap();
        assert_eq!(window.policy.window, crate::otp::Window::symmetric(10));
        assert_eq!(window.policy.dangers, Policy::default().dangers);
    }

    #[test]
    fn a_misspelt_override_is_an_error_not_a_silent_reference() {
        let text =
            "[[mutant]]\nname = \"x\"\nfault = \"f\"\npolicy = { dangers = { danger_alow_replay = true } }\n";
        let err = parse("c.toml", text, &Policy::for_tests()).unwrap_err().to_string();
        assert_eq!(err, "c.toml: mutant \"x\": the policy has no field \"dangers.danger_alow_replay\"");
        let text =
            "[[mutant]]\nname = \"x\"\nfault = \"f\"\npolicy = { window = { behind = 1, ahead = 1 } }\n";
        let err = parse("c.toml", text, &Policy::for_tests()).unwrap_err().to_string();
        assert!(err.contains("change nothing"), "{err}");
    }
}
