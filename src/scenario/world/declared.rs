//! The target's declared policy, as the features name it: "as many times as the lockout
//! threshold", "the SMS lifetime less 1 minute", "the forward edge of the window plus 14
//! seconds". A scenario so worded judges a server on the policy it declares, not on our
//! reference's defaults; whether that policy is safe is the report card's question.

use std::time::Duration;

use super::MfaWorld;
use crate::protocol::PolicyFacts;
use crate::scenario::fault::not_applicable;
use crate::scenario::params::{Offset, PolicyLength, Span};

impl MfaWorld {
    /// The policy number `pick` reads, named `what` ("lockout threshold"); a scenario that
    /// needs one the target does not declare is not applicable, never run on a guess.
    pub fn declared<T>(&self, what: &str, pick: impl FnOnce(&PolicyFacts) -> Option<T>) -> T {
        pick(&self.facts()).unwrap_or_else(|| {
            not_applicable(format!("the target declares no {what} (a profile's [policy] section)"))
        })
    }

    /// The steps the declared window accepts behind and ahead of the current one.
    pub fn declared_window(&self) -> (u64, u64) {
        (
            self.declared("window back edge", |f| f.window_behind),
            self.declared("window forward edge", |f| f.window_ahead),
        )
    }

    /// The length of time `span` names. A declared length shorter than what a feature takes
    /// away from it ("the lockout duration less 1 minute" against a 30-second lockout) has no
    /// such moment: the scenario is not applicable, with both numbers.
    pub fn span(&self, span: Span) -> Duration {
        let (length, later, by) = match span {
            Span::Fixed(fixed) => return fixed,
            Span::Declared { length, later, by } => (length, later, by),
        };
        let base = self.declared_length(length);
        if later {
            return base + by;
        }
        base.checked_sub(by).unwrap_or_else(|| {
            not_applicable(format!(
                "{} the target declares ({} s) is shorter than the {} s a scenario takes from it",
                length.words(),
                base.as_secs(),
                by.as_secs()
            ))
        })
    }

    /// A clock offset in milliseconds, positive when fast.
    pub fn offset_millis(&self, offset: Offset) -> i64 {
        let ms = i64::try_from(self.span(offset.by).as_millis()).unwrap_or(i64::MAX);
        if offset.fast { ms } else { -ms }
    }

    fn declared_length(&self, length: PolicyLength) -> Duration {
        let steps = |n: u64| Duration::from_millis(n.saturating_mul(self.device_step().0));
        match length {
            PolicyLength::SmsLifetime => self.declared("SMS lifetime", |f| f.sms_lifetime),
            PolicyLength::LockoutDuration => self.declared("lockout duration", |f| f.lockout_duration),
            PolicyLength::WindowBehind => steps(self.declared("window back edge", |f| f.window_behind)),
            PolicyLength::WindowAhead => steps(self.declared("window forward edge", |f| f.window_ahead)),
            PolicyLength::PromptLifetime => self.declared("prompt lifetime", |f| f.prompt_lifetime),
            PolicyLength::ResyncRange => steps(self.declared("resync range", |f| f.resync_range)),
        }
    }
}
