//! The verification rules a study applies: the reference service's [`Policy`] itself, applied
//! to step numbers instead of codes and to milliseconds instead of a clock. Nothing is copied
//! out of the policy, so a study of a changed (or weakened) reference policy follows it; the
//! tests below check every rule against the reference's own code.

use serde::{Deserialize, Serialize};

use crate::otp::Window;
use crate::reference::Policy;

/// How a simulated server verifies codes and limits failures: the reference service's policy.
///
/// A code is looked up in the window around the true step plus the learned drift; the replay
/// guard accepts only steps after the last accepted one; drift tracking learns the accepted
/// offset when it moves the learned drift by at most `max_drift_steps` (so
/// `max_drift_steps: 0` is a server without drift tracking: only a resync moves the window);
/// an explicit resync with two consecutive codes searches `resync_steps` either side;
/// `lockout_threshold` consecutive failures lock the account for `lockout_duration`. The
/// dangers that change these rules (`danger_forward_only_window`, `danger_forget_drift`,
/// `danger_allow_replay`, `danger_no_lockout`, `danger_lockout_never_resets`) apply too.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StudyPolicy {
    /// The reference service's policy.
    pub reference: Policy,
}

impl From<Policy> for StudyPolicy {
    fn from(reference: Policy) -> Self {
        StudyPolicy { reference }
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

/// What the server remembers about one account's failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    /// Consecutive failures so far.
    pub failures: u32,
    /// Locked until this Unix time in milliseconds.
    pub locked_until: Option<u64>,
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
    /// The window codes are looked up in (a forward-only window under its danger).
    pub fn window(&self) -> Window {
        let p = &self.reference;
        if p.dangers.danger_forward_only_window {
            Window { behind: 0, ahead: p.window.ahead.max(p.window.behind) }
        } else {
            p.window
        }
    }

    /// Whether accepted logins can move the learned drift.
    pub fn tracks_drift(&self) -> bool {
        self.reference.max_drift_steps > 0 && !self.reference.dangers.danger_forget_drift
    }

    /// The window's centre for a login at true step `now_step`.
    pub fn center(&self, state: &TokenState, now_step: u64) -> u64 {
        let drift = if self.reference.dangers.danger_forget_drift { 0 } else { state.drift };
        now_step.saturating_add_signed(drift)
    }

    /// Analytic lookup: which window step the code of device step `device_step` matches,
    /// assuming codes of different steps never coincide (exact mode computes real codes).
    /// Pure step arithmetic.
    pub fn analytic_match(&self, center: u64, device_step: u64) -> Option<u64> {
        let w = self.window();
        let lo = center.saturating_sub(w.behind);
        let hi = center.saturating_add(w.ahead);
        (lo..=hi).contains(&device_step).then_some(device_step)
    }

    /// Applies the replay guard and drift tracking to a lookup result (`matched`: the window
    /// step whose code matched, if any) for a login at true step `now_step`.
    pub fn decide(&self, state: &mut TokenState, now_step: u64, matched: Option<u64>) -> Check {
        let Some(step) = matched else { return Check::OutsideWindow };
        if !self.fresh(state, step) {
            return Check::Replayed;
        }
        if state.last_step.is_none_or(|last| step > last) {
            state.last_step = Some(step);
        }
        let offset = step_difference(step, now_step);
        let p = &self.reference;
        if !p.dangers.danger_forget_drift && offset.abs_diff(state.drift) <= p.max_drift_steps {
            state.drift = offset;
        }
        Check::Accepted { step }
    }

    /// Resync with the codes of device steps `first_step` and the next, submitted at true
    /// step `now_step`: succeeds when the second code's step is within `resync_steps` of now
    /// (and the first's too) and passes the replay guard; then the second step is recorded
    /// and its offset learned. Analytic in both modes: the chance that two consecutive codes
    /// match elsewhere in the search range is about 2·resync_steps·10^-2d.
    pub fn resync(&self, state: &mut TokenState, now_step: u64, first_step: u64) -> bool {
        let reach = self.reference.resync_steps;
        let lo = now_step.saturating_sub(reach);
        let hi = now_step.saturating_add(reach);
        let second = first_step.saturating_add(1);
        if first_step < lo || second > hi || !self.fresh(state, second) {
            return false;
        }
        state.last_step = Some(second);
        if !self.reference.dangers.danger_forget_drift {
            state.drift = step_difference(second, now_step);
        }
        true
    }

    /// Whether the account is locked at `now_ms`.
    pub fn is_locked(&self, lock: &Lock, now_ms: u64) -> bool {
        !self.reference.dangers.danger_no_lockout && lock.locked_until.is_some_and(|until| now_ms < until)
    }

    /// Counts a failure at `now_ms`; returns whether it locked the account.
    pub fn fail(&self, lock: &mut Lock, now_ms: u64) -> bool {
        let p = &self.reference;
        lock.failures = lock.failures.saturating_add(1);
        let locks = !p.dangers.danger_no_lockout && lock.failures >= p.lockout_threshold;
        if locks {
            let duration = p.lockout_duration.as_millis().min(u128::from(u64::MAX)) as u64;
            lock.locked_until = Some(now_ms.saturating_add(duration));
            if !p.dangers.danger_lockout_never_resets {
                lock.failures = 0;
            }
        }
        locks
    }

    /// A success (an accepted code or resync) clears the failure count.
    pub fn succeed(&self, lock: &mut Lock) {
        if !self.reference.dangers.danger_lockout_never_resets {
            lock.failures = 0;
        }
    }

    fn fresh(&self, state: &TokenState, step: u64) -> bool {
        self.reference.dangers.danger_allow_replay || state.last_step.is_none_or(|last| step > last)
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
mod tests;
