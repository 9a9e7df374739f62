//! The verification rules a study applies: a plain mirror of the reference service's policy
//! (`reference::Policy`), reduced to what decides a login's outcome.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::otp::Window;

/// How a simulated server verifies codes and limits failures.
///
/// It mirrors the reference service's verification rules field by field (same names, same
/// defaults): a code is looked up in `window` around the true step plus the learned drift;
/// the replay guard accepts only steps after the last accepted one; drift tracking learns the
/// accepted offset when it moves the learned drift by at most `max_drift_steps`; an explicit
/// resync with two consecutive codes searches `resync_steps` either
/// side; `lockout_threshold` consecutive failures lock the account for `lockout_duration`.
/// `drift_tracking` switches learning off (the offset then changes only by resync), which
/// the reference does under its `danger_forget_drift` fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyPolicy {
    /// Steps accepted around the expected one. Default ±1 (RFC 6238 §5.2).
    pub window: Window,
    /// Whether accepted logins re-centre the window (drift tracking). Default on.
    pub drift_tracking: bool,
    /// How far, in steps, one accepted login may move the learned drift. Default 10.
    pub max_drift_steps: u64,
    /// Steps searched either side by a resync with two consecutive codes. Default 240.
    pub resync_steps: u64,
    /// Consecutive failures that lock an account. Default 10.
    pub lockout_threshold: u32,
    /// How long a lock lasts. Default 15 minutes.
    pub lockout_duration: Duration,
    /// How long an SMS code stays valid. Default 5 minutes.
    pub sms_validity: Duration,
    /// Minimum time between two SMS sends for one challenge. Default 60 s.
    pub sms_resend_interval: Duration,
    /// Wrong answers one SMS code survives. Default 3.
    pub sms_max_attempts: u32,
}

impl Default for StudyPolicy {
    /// The reference service's defaults.
    fn default() -> Self {
        StudyPolicy::from(&crate::reference::Policy::default())
    }
}

impl From<&crate::reference::Policy> for StudyPolicy {
    fn from(p: &crate::reference::Policy) -> Self {
        StudyPolicy {
            window: p.window,
            drift_tracking: !p.dangers.danger_forget_drift,
            max_drift_steps: p.max_drift_steps,
            resync_steps: p.resync_steps,
            lockout_threshold: p.lockout_threshold,
            lockout_duration: p.lockout_duration,
            sms_validity: p.sms_validity,
            sms_resend_interval: p.sms_resend_interval,
            sms_max_attempts: p.sms_max_attempts,
        }
    }
}

/// What the server remembers about one token: the learned offset and the replay guard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenState {
    /// Learned offset (device step minus true step).
    pub drift: i64,
    /// Newest accepted step; nothing at or before it is accepted again.
    pub last_step: Option<u64>,
}

/// The outcome of one code put to the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Accepted: the code was for `step`.
    Accepted {
        /// The matching step.
        step: u64,
    },
    /// No step in the window has the code.
    OutsideWindow,
    /// The code matched a step the replay guard has already passed.
    Replayed,
}

impl StudyPolicy {
    /// The window's centre for a login at true step `now_step`.
    pub fn center(&self, state: &TokenState, now_step: u64) -> u64 {
        now_step.saturating_add_signed(state.drift)
    }

    /// Analytic lookup: which window step the code of device step `device_step` matches,
    /// assuming codes of different steps never coincide (exact mode computes real codes).
    /// Pure step arithmetic.
    pub fn analytic_match(&self, center: u64, device_step: u64) -> Option<u64> {
        let lo = center.saturating_sub(self.window.behind);
        let hi = center.saturating_add(self.window.ahead);
        (lo..=hi).contains(&device_step).then_some(device_step)
    }

    /// Applies the replay guard and drift tracking to a lookup result (`matched`: the window
    /// step whose code matched, if any) for a login at true step `now_step`.
    pub fn decide(&self, state: &mut TokenState, now_step: u64, matched: Option<u64>) -> Check {
        let Some(step) = matched else { return Check::OutsideWindow };
        if state.last_step.is_some_and(|last| step <= last) {
            return Check::Replayed;
        }
        state.last_step = Some(step);
        if self.drift_tracking {
            let offset = step_difference(step, now_step);
            if offset.abs_diff(state.drift) <= self.max_drift_steps {
                state.drift = offset;
            }
        }
        Check::Accepted { step }
    }

    /// Resync with two consecutive codes (`device_step` and the next) at true step
    /// `now_step`: succeeds when the device is within `resync_steps`, learning its offset and
    /// recording the second code's step. Analytic in both modes: the chance that two
    /// consecutive codes match elsewhere in the search range is about 2·resync_steps·10^-2d.
    pub fn resync(&self, state: &mut TokenState, now_step: u64, device_step: u64) -> bool {
        let offset = step_difference(device_step, now_step);
        if offset.unsigned_abs() > self.resync_steps {
            return false;
        }
        state.drift = offset;
        state.last_step = Some(device_step.saturating_add(1));
        true
    }
}

/// `a - b` as a signed step count (saturating; steps are far below 2^63 in practice).
pub fn step_difference(a: u64, b: u64) -> i64 {
    if a >= b {
        i64::try_from(a - b).unwrap_or(i64::MAX)
    } else {
        i64::try_from(b - a).map(|d| -d).unwrap_or(i64::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_reference_policy() {
        let p = StudyPolicy::default();
        assert_eq!(p.window, Window::symmetric(1));
        assert_eq!((p.max_drift_steps, p.resync_steps, p.lockout_threshold), (10, 240, 10));
        assert_eq!(p.lockout_duration, Duration::from_secs(900));
        assert_eq!(
            (p.sms_validity, p.sms_resend_interval, p.sms_max_attempts),
            (Duration::from_secs(300), Duration::from_secs(60), 3)
        );
    }

    #[test]
    fn window_is_centred_on_the_learned_drift() {
        let p = StudyPolicy::default();
        let state = TokenState { drift: 5, last_step: None };
        let c = p.center(&state, 100);
        assert_eq!(p.analytic_match(c, 106), Some(106));
        assert_eq!(p.analytic_match(c, 104), Some(104));
        assert_eq!(p.analytic_match(c, 103), None);
        assert_eq!(p.analytic_match(c, 107), None);
    }

    #[test]
    fn accepted_offset_is_learned_only_with_tracking_and_within_bound() {
        let p = StudyPolicy::default();
        let mut s = TokenState::default();
        assert_eq!(p.decide(&mut s, 100, Some(101)), Check::Accepted { step: 101 });
        assert_eq!(s.drift, 1);
        let mut far = TokenState::default();
        p.decide(&mut far, 100, Some(120));
        assert_eq!(far.drift, 0, "20 steps is beyond max_drift_steps");
        let off = StudyPolicy { drift_tracking: false, ..StudyPolicy::default() };
        let mut s2 = TokenState::default();
        off.decide(&mut s2, 100, Some(101));
        assert_eq!(s2.drift, 0);
    }

    #[test]
    fn replayed_step_is_rejected() {
        let p = StudyPolicy::default();
        let mut s = TokenState::default();
        p.decide(&mut s, 100, Some(100));
        assert_eq!(p.decide(&mut s, 100, Some(100)), Check::Replayed);
        assert_eq!(p.decide(&mut s, 100, Some(99)), Check::Replayed);
    }

    #[test]
    fn resync_learns_offset_within_reach_only() {
        let p = StudyPolicy { resync_steps: 50, ..StudyPolicy::default() };
        let mut s = TokenState::default();
        assert!(p.resync(&mut s, 1000, 1040));
        assert_eq!((s.drift, s.last_step), (40, Some(1041)));
        assert!(!p.resync(&mut s, 1000, 1051));
    }

    proptest::proptest! {
        /// The study learns exactly the drift the reference service learns, login by login.
        #[test]
        fn drift_learning_matches_the_reference(offsets in proptest::collection::vec(-15i64..=15, 1..40)) {
            use crate::otp::{Algorithm, Digits, Period, Secret, Step};
            use crate::reference::device::DeviceState;
            let reference = crate::reference::Policy::default();
            let study = StudyPolicy::from(&reference);
            let secret = Secret::from_bytes(vec![7; 20]).unwrap();
            let mut device = DeviceState::new(&secret, Algorithm::Sha1, Digits::SIX, Period::THIRTY_SECONDS, 0, &reference.dangers);
            let mut state = TokenState::default();
            for (i, offset) in offsets.into_iter().enumerate() {
                let now_step = 1_000 + 100 * i as u64;
                let step = now_step.checked_add_signed(offset).unwrap();
                device.record(Step(step), offset, &reference);
                study.decide(&mut state, now_step, Some(step));
                proptest::prop_assert_eq!(device.drift, state.drift);
            }
        }
    }
}
