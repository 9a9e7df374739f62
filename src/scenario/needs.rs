//! What a scenario needs of a target, derived from its steps. `features/STEPS.md` ties step
//! text to capabilities in its `capabilities` block; a scenario needs exactly what its steps
//! (Background included) need, so a target lacking a capability skips the scenario instead of
//! failing it, and no scenario is skipped on a target that could run it. Feature files carry no
//! hand-written `@needs` tags: they could drift from the steps, this cannot.

use std::sync::LazyLock;

use regex::Regex;

use super::suite::SuiteError;

/// The step vocabulary the suite is checked against (embedded like the features).
const STEPS_MD: &str = include_str!("../../features/STEPS.md");

/// The rules of the `capabilities` block: step text matching the regex needs the tag.
static RULES: LazyLock<Vec<(Regex, String)>> = LazyLock::new(|| {
    // The block is part of the binary and tested (`rules_parse_and_name_known_tags`), so a
    // malformed line is a build-time mistake, not an input error.
    parse_rules(STEPS_MD).expect("features/STEPS.md has a valid capabilities block")
});

/// The tags (without `@`: `needs.sms`, `concurrent`) that steps with these texts need, sorted
/// and without repeats.
pub fn derive<'a>(step_texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut tags: Vec<String> = step_texts
        .into_iter()
        .flat_map(|text| RULES.iter().filter(move |(rx, _)| rx.is_match(text)).map(|(_, tag)| tag.clone()))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Whether `tag` (without `@`) is one the steps decide, so a feature file may not write it.
pub fn is_derived(tag: &str) -> bool {
    tag.starts_with("needs.") || RULES.iter().any(|(_, t)| t == tag)
}

/// Refuses a hand-written derived tag, naming where it is.
pub fn refuse_written(file: &str, line: usize, tag: &str) -> SuiteError {
    SuiteError::DerivedTag { file: file.to_owned(), line, tag: tag.to_owned() }
}

fn parse_rules(markdown: &str) -> Result<Vec<(Regex, String)>, String> {
    let start =
        markdown.find("```capabilities\n").ok_or("no capabilities block")? + "```capabilities\n".len();
    let end = markdown[start..].find("```").ok_or("unterminated capabilities block")? + start;
    markdown[start..end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (rx, tag) = line.rsplit_once(" => @").ok_or_else(|| format!("bad line {line:?}"))?;
            let rx = Regex::new(rx.trim()).map_err(|e| format!("{line:?}: {e}"))?;
            Ok((rx, tag.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Capability;

    #[test]
    fn rules_parse_and_name_known_tags() {
        let rules = parse_rules(STEPS_MD).unwrap();
        assert!(rules.len() >= 10);
        for (_, tag) in &rules {
            match tag.strip_prefix("needs.") {
                Some(cap) => assert!(cap.parse::<Capability>().is_ok(), "unknown capability {tag}"),
                None => assert!(super::super::suite::RUNNER_TAGS.contains(&tag.as_str()), "{tag}"),
            }
        }
    }

    #[test]
    fn a_verification_scenario_needs_only_an_account_a_device_and_sign_in() {
        let tags = derive([
            "Alice has an account",
            "Alice has bound a virtual MFA device",
            "Alice has login protection by virtual MFA",
            "Alice signs in with her password",
            "Alice enters the code her virtual MFA device shows",
            "the code is accepted",
        ]);
        assert_eq!(tags, ["needs.accounts", "needs.login-protection", "needs.virtual-mfa"]);
    }

    #[test]
    fn admin_and_own_protection_changes_are_told_apart() {
        assert_eq!(
            derive(["Adam disables login protection for Alice"]),
            ["needs.admin-protection", "needs.login-protection"]
        );
        assert_eq!(
            derive(["Alice enables operation protection by SMS on her own account"]),
            ["needs.operation-protection", "needs.own-protection", "needs.sms"]
        );
    }

    #[test]
    fn the_beta_list_is_needed_only_to_be_off_it() {
        assert_eq!(derive(["Alice is on the hardware MFA beta list"]), ["needs.hardware-mfa"]);
        assert_eq!(
            derive(["Alice is not on the hardware MFA beta list"]),
            ["needs.beta-list", "needs.hardware-mfa"]
        );
    }

    #[test]
    fn malformed_rules_are_refused() {
        assert!(parse_rules("```capabilities\nno arrow here\n```").is_err());
        assert!(parse_rules("```capabilities\n(unclosed => @needs.sms\n```").is_err());
        assert!(parse_rules("nothing").is_err());
    }
}
