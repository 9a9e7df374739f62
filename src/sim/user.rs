//! Simulated users: how fast they read and type, how often they mistype, what they do after
//! a rejection.

use std::time::Duration;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::SimError;
use super::latency::Latency;
use crate::otp::Code;

/// When a user submits after reading a code.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timing {
    /// As soon as they have typed it (`look_and_type` after looking).
    Prompt,
    /// In the last `within` of the displayed code's step on the device's clock ("the user
    /// types the code in the last second of its step"), drawn uniformly; a user who looks
    /// later than that submits straight away.
    LastSecondsOfStep {
        /// How close to the step's end.
        within: Duration,
    },
}

/// What a user does after the server rejects a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in total before giving up (at least 1).
    pub max_attempts: u32,
    /// Wait for the next code (next step on a token or app, a new message for SMS) rather
    /// than retyping the one shown.
    pub wait_for_next_code: bool,
}

/// How a user behaves.
///
/// # Defaults
/// Assumptions, not measurements: looking at the device and typing six digits takes a
/// log-normal with median 7 s and sigma 0.4 (p5 ≈ 3.6 s, p95 ≈ 13.5 s); 2% of entries have
/// one wrong digit; three attempts, each after waiting for the next code; prompt submission.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    /// From starting to look to pressing submit.
    pub look_and_type: Latency,
    /// Probability one entry has one wrong digit.
    pub typo_probability: f64,
    /// After a rejection.
    pub retry: RetryPolicy,
    /// When to submit.
    pub timing: Timing,
}

impl Default for UserProfile {
    fn default() -> Self {
        UserProfile {
            look_and_type: Latency::LogNormal { median: Duration::from_secs(7), sigma: 0.4 },
            typo_probability: 0.02,
            retry: RetryPolicy { max_attempts: 3, wait_for_next_code: true },
            timing: Timing::Prompt,
        }
    }
}

impl UserProfile {
    /// Checks the profile.
    ///
    /// # Errors
    /// [`SimError::Config`] for a probability outside [0, 1], zero attempts or a bad latency.
    pub fn validated(self) -> Result<Self, SimError> {
        if !(0.0..=1.0).contains(&self.typo_probability) {
            return Err(SimError::Config(format!(
                "typo_probability must be in [0, 1], got {}",
                self.typo_probability
            )));
        }
        if self.retry.max_attempts == 0 {
            return Err(SimError::Config("max_attempts must be at least 1".to_owned()));
        }
        self.look_and_type.validated()?;
        Ok(self)
    }

    /// The code as typed: with probability `typo_probability` one digit (drawn uniformly)
    /// replaced by a different digit. Always three draws, so a typo never shifts later draws.
    pub fn type_code<R: Rng + ?Sized>(&self, code: Code, rng: &mut R) -> (Code, bool) {
        let typo = rng.random::<f64>() < self.typo_probability;
        let digits = code.digits();
        let position = rng.random_range(0..u32::from(digits.get()));
        let shift = rng.random_range(1..10u64);
        if !typo {
            return (code, false);
        }
        let place = 10u64.pow(position);
        let old = (u64::from(code.value()) / place) % 10;
        let new = (old + shift) % 10;
        let value = u64::from(code.value()) - old * place + new * place;
        // The new value has the same number of digits, so it is always a valid code.
        (Code::from_value(value, digits).unwrap_or(code), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Digits;
    use crate::sim::rng::{Concern, Streams};

    #[test]
    fn a_typo_changes_exactly_one_digit() {
        let profile = UserProfile { typo_probability: 1.0, ..UserProfile::default() };
        let mut rng = Streams::new(4).stream("u", Concern::User);
        let code = Code::parse("012345", Digits::SIX).unwrap();
        for _ in 0..200 {
            let (typed, typo) = profile.type_code(code, &mut rng);
            assert!(typo);
            let differing =
                code.to_string().bytes().zip(typed.to_string().bytes()).filter(|(a, b)| a != b).count();
            assert_eq!(differing, 1, "{code} -> {typed}");
        }
        let careful = UserProfile { typo_probability: 0.0, ..UserProfile::default() };
        assert_eq!(careful.type_code(code, &mut rng), (code, false));
    }

    #[test]
    fn bad_profiles_are_refused() {
        assert!(UserProfile { typo_probability: -0.1, ..UserProfile::default() }.validated().is_err());
        let none = RetryPolicy { max_attempts: 0, wait_for_next_code: false };
        assert!(UserProfile { retry: none, ..UserProfile::default() }.validated().is_err());
    }
}
