//! Lockout: consecutive failures lock an account for a while; a success starts the count
//! again.

use super::audit::AuditKind;
use super::lifetime;
use super::service::Service;
use super::state::State;
use super::user::User;
use crate::clock::SimTime;
use crate::protocol::{RejectReason, Verdict};

impl Service {
    /// Whether `user` is locked out at `now`.
    pub(super) fn is_locked(&self, user: &User, now: SimTime) -> bool {
        !self.policy.dangers.danger_no_lockout
            && user.locked_until.is_some_and(|until| !lifetime::ended(until, now))
    }

    /// Counts a failure, locks the account at the threshold, and answers the rejection.
    pub(super) fn fail(&self, st: &mut State, user: &str, reason: RejectReason, now: SimTime) -> Verdict {
        let policy = &self.policy;
        let Some(u) = st.users.get_mut(user) else { return Verdict::rejected(reason) };
        u.failures = u.failures.saturating_add(1);
        let lock = !policy.dangers.danger_no_lockout && u.failures >= policy.lockout_threshold;
        if lock {
            u.locked_until = now.checked_add(policy.lockout_duration);
            if !policy.dangers.danger_lockout_never_resets {
                u.failures = 0;
            }
        }
        st.audit(now, user, AuditKind::AuthenticationFailed { reason });
        if lock {
            st.audit(now, user, AuditKind::LockedOut);
        }
        Verdict::rejected(reason)
    }

    /// A success: the failure count starts again.
    pub(super) fn succeed(&self, st: &mut State, user: &str) {
        if let Some(u) = st.users.get_mut(user)
            && !self.policy.dangers.danger_lockout_never_resets
        {
            u.failures = 0;
        }
    }
}
