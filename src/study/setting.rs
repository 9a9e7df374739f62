//! What a study compares: how codes are compared ([`Mode`]), what a user may do after a
//! failed login ([`ResyncRule`]), and one verification setting ([`Setting`]). Their words are
//! their [`FromStr`] and [`Display`](fmt::Display) forms, so the CLI can read them without the
//! library knowing clap.

use std::fmt;
use std::str::FromStr;

use super::{StudyError, StudyPolicy};

/// How codes are compared. Its words (`analytic`, `exact`) are its [`FromStr`] and
/// [`Display`](fmt::Display) forms, as in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Step arithmetic: a code matches exactly its own step (chance collisions, about
    /// 10^-digits per compared step, are left out).
    Analytic,
    /// Real codes from the batch engine, so chance collisions between codes count.
    Exact,
}

/// Whether users can resync their own token after a failed login. Its words are `self` and
/// `support` ([`FromStr`], [`Display`](fmt::Display)); JSON says `self_service` and `support`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResyncRule {
    /// Right after a failed login the user enters two consecutive codes (reference service's
    /// resync); counted as a resync.
    SelfService,
    /// Only support can resync; the user tries again at the next login and calls support
    /// after `support_after_failed_logins` failed logins; counted as a support reset.
    Support,
}

impl Mode {
    /// Every mode, in the order `--help` lists them.
    pub const ALL: [Mode; 2] = [Mode::Analytic, Mode::Exact];

    /// The mode's word.
    pub fn word(self) -> &'static str {
        match self {
            Mode::Analytic => "analytic",
            Mode::Exact => "exact",
        }
    }
}

impl ResyncRule {
    /// Every rule, in the order `--help` lists them.
    pub const ALL: [ResyncRule; 2] = [ResyncRule::SelfService, ResyncRule::Support];

    /// The rule's word.
    pub fn word(self) -> &'static str {
        match self {
            ResyncRule::SelfService => "self",
            ResyncRule::Support => "support",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl fmt::Display for ResyncRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for Mode {
    type Err = StudyError;

    fn from_str(s: &str) -> Result<Mode, StudyError> {
        parse_word(s, &Mode::ALL, Mode::word, "mode")
    }
}

impl FromStr for ResyncRule {
    type Err = StudyError;

    fn from_str(s: &str) -> Result<ResyncRule, StudyError> {
        parse_word(s, &ResyncRule::ALL, ResyncRule::word, "resync rule")
    }
}

/// The value among `all` whose word is `s`, or an error listing the words.
fn parse_word<T: Copy>(s: &str, all: &[T], word: fn(T) -> &'static str, what: &str) -> Result<T, StudyError> {
    all.iter().copied().find(|&v| word(v) == s).ok_or_else(|| {
        let words: Vec<&str> = all.iter().map(|&v| word(v)).collect();
        StudyError::Config(format!("unknown {what} {s:?}: expected one of {}", words.join(", ")))
    })
}

/// One verification setting of a population run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Setting {
    /// The verification rules.
    pub policy: StudyPolicy,
    /// What happens after a failed login.
    pub resync: ResyncRule,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_and_unknown_words_are_refused() {
        for m in Mode::ALL {
            assert_eq!(m.to_string().parse::<Mode>().unwrap(), m);
        }
        for r in ResyncRule::ALL {
            assert_eq!(r.to_string().parse::<ResyncRule>().unwrap(), r);
        }
        assert_eq!("self".parse::<ResyncRule>().unwrap(), ResyncRule::SelfService);
        let e = "fast".parse::<Mode>().unwrap_err().to_string();
        assert!(e.contains("\"fast\"") && e.contains("analytic, exact"), "{e}");
    }
}
