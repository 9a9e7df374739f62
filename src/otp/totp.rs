//! TOTP (RFC 6238): HOTP over the number of whole periods since T0.

use std::num::NonZeroU64;

use serde::{Deserialize, Serialize};
use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::{Algorithm, Code, Digits, Hotp, OtpError, Secret};

/// The time step X of RFC 6238 §4.1, in whole seconds; 30 in every app and console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Period(NonZeroU64);

impl Period {
    /// The 30-second step RFC 6238 §5.2 recommends.
    pub const THIRTY_SECONDS: Period = Period(NonZeroU64::new(30).unwrap());

    /// # Errors
    /// [`OtpError::ZeroPeriod`] for 0.
    pub fn new(seconds: u64) -> Result<Self, OtpError> {
        NonZeroU64::new(seconds).map(Period).ok_or(OtpError::ZeroPeriod)
    }

    /// The period in seconds.
    pub fn seconds(self) -> u64 {
        self.0.get()
    }
}

impl TryFrom<u64> for Period {
    type Error = OtpError;
    fn try_from(s: u64) -> Result<Self, Self::Error> {
        Period::new(s)
    }
}

impl From<Period> for u64 {
    fn from(p: Period) -> u64 {
        p.seconds()
    }
}

/// A TOTP time step: the HOTP counter T = floor((time - T0) / X). 64 bits, so neither 2038
/// nor 2106 wraps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Step(pub u64);

impl Step {
    /// The step `offset` steps away, or `None` below 0 or past `u64::MAX`.
    pub fn offset(self, offset: i64) -> Option<Step> {
        self.0.checked_add_signed(offset).map(Step)
    }

    /// Signed distance from `other` to `self` in steps, saturating at the `i64` range.
    pub fn minus(self, other: Step) -> i64 {
        let d = i128::from(self.0) - i128::from(other.0);
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

/// Which steps around the expected one a verifier accepts: `behind` older steps (clock slow or
/// user slow) and `ahead` newer ones (clock fast). RFC 6238 §5.2 recommends at most one
/// step of network delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// Steps accepted before the expected step.
    pub behind: u64,
    /// Steps accepted after the expected step.
    pub ahead: u64,
}

impl Window {
    /// Only the expected step.
    pub const EXACT: Window = Window { behind: 0, ahead: 0 };

    /// `n` steps either side (±n).
    pub fn symmetric(n: u64) -> Self {
        Window { behind: n, ahead: n }
    }

    /// The offsets in the order ties are broken: 0, -1, +1, -2, +2, ...: the match closest to
    /// the expected step wins, and of two equally close the older one.
    pub fn offsets(self) -> impl Iterator<Item = i64> {
        let reach = self.behind.max(self.ahead).min(i64::MAX as u64) as i64;
        (0..=reach).flat_map(move |d| {
            let behind = (d > 0 && d as u64 <= self.behind).then_some(-d);
            let ahead = (d as u64 <= self.ahead).then_some(d);
            behind.into_iter().chain(ahead)
        })
    }
}

/// The outcome of checking a code against a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    /// The code is the one for `step`, `offset` steps from the expected step. Replay guards
    /// record the step; drift tracking learns the offset.
    Matched {
        /// The matching step.
        step: Step,
        /// `step` minus the expected step.
        offset: i64,
    },
    /// No step in the window has this code.
    NoMatch,
}

/// A TOTP generator and verifier over explicit Unix time (seconds). There is no "now" here:
/// callers pass the time, so the simulator's virtual clock drives everything.
#[derive(Clone, Debug)]
pub struct Totp {
    hotp: Hotp,
    period: Period,
    t0: u64,
}

impl Totp {
    /// A TOTP with key schedule done once. `t0` is the Unix time steps count from (RFC 6238
    /// §4.1; 0 everywhere in practice, but servers must honour others).
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits, period: Period, t0: u64) -> Self {
        Totp { hotp: Hotp::new(secret, algorithm, digits), period, t0 }
    }

    /// The step for Unix time `unix`.
    ///
    /// # Errors
    /// [`OtpError::BeforeEpoch`] when `unix < t0`: RFC 6238 defines no steps before T0.
    pub fn step_at(&self, unix: u64) -> Result<Step, OtpError> {
        let since = unix.checked_sub(self.t0).ok_or(OtpError::BeforeEpoch { time: unix, t0: self.t0 })?;
        Ok(Step(since / self.period.seconds()))
    }

    /// The code shown at Unix time `unix`.
    ///
    /// # Errors
    /// As [`Totp::step_at`].
    pub fn code_at(&self, unix: u64) -> Result<Code, OtpError> {
        Ok(self.code_for(self.step_at(unix)?))
    }

    /// The code for a step.
    pub fn code_for(&self, step: Step) -> Code {
        self.hotp.code(step.0)
    }

    /// Seconds until the code shown at `unix` changes (an app's countdown).
    ///
    /// # Errors
    /// As [`Totp::step_at`].
    pub fn seconds_left(&self, unix: u64) -> Result<u64, OtpError> {
        let p = self.period.seconds();
        Ok(p - (unix.checked_sub(self.t0).ok_or(OtpError::BeforeEpoch { time: unix, t0: self.t0 })? % p))
    }

    /// Checks `code` against the steps in `window` around the step at `unix`.
    ///
    /// # Errors
    /// As [`Totp::step_at`].
    pub fn verify(&self, code: &Code, unix: u64, window: Window) -> Result<Verification, OtpError> {
        Ok(self.verify_around(code, self.step_at(unix)?, window))
    }

    /// Checks `code` against the steps in `window` around `center` (a drift-tracking verifier
    /// passes the expected step shifted by the offset it learned). Every candidate is computed
    /// and compared in constant time; steps below 0 or past `u64::MAX` do not exist and are
    /// not tried.
    pub fn verify_around(&self, code: &Code, center: Step, window: Window) -> Verification {
        let mut found = subtle::Choice::from(0);
        let (mut step_found, mut offset_found) = (0u64, 0i64);
        for offset in window.offsets() {
            let Some(step) = center.offset(offset) else { continue };
            let hit = self.code_for(step).ct_eq(code) & !found;
            step_found.conditional_assign(&step.0, hit);
            offset_found.conditional_assign(&offset, hit);
            found |= hit;
        }
        if bool::from(found) {
            Verification::Matched { step: Step(step_found), offset: offset_found }
        } else {
            Verification::NoMatch
        }
    }

    /// The step length.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The Unix time steps count from.
    pub fn t0(&self) -> u64 {
        self.t0
    }

    /// The code length.
    pub fn digits(&self) -> Digits {
        self.hotp.digits()
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.hotp.algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_offsets_go_outwards_older_first() {
        assert_eq!(Window::symmetric(2).offsets().collect::<Vec<_>>(), [0, -1, 1, -2, 2]);
        assert_eq!(Window { behind: 0, ahead: 2 }.offsets().collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(Window { behind: 1, ahead: 0 }.offsets().collect::<Vec<_>>(), [0, -1]);
        assert_eq!(Window::EXACT.offsets().collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn time_before_t0_is_an_error() {
        let s = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        let totp = Totp::new(&s, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 100);
        assert_eq!(totp.step_at(99).unwrap_err(), OtpError::BeforeEpoch { time: 99, t0: 100 });
        assert_eq!(totp.step_at(100).unwrap(), Step(0));
        assert_eq!(totp.seconds_left(100).unwrap(), 30);
        assert_eq!(totp.seconds_left(129).unwrap(), 1);
    }

    #[test]
    fn far_future_times_do_not_wrap() {
        let s = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        let totp = Totp::new(&s, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0);
        assert_eq!(totp.step_at(u64::MAX).unwrap(), Step(u64::MAX / 30));
        // The window at the very end of time skips steps that do not exist.
        let last = Totp::new(&s, Algorithm::Sha1, Digits::SIX, Period::new(1).unwrap(), 0);
        let code = last.code_for(Step(u64::MAX));
        assert_eq!(
            last.verify(&code, u64::MAX, Window::symmetric(1)).unwrap(),
            Verification::Matched { step: Step(u64::MAX), offset: 0 }
        );
    }
}
