//! Resynchronising a device far out of step with two consecutive codes.

use super::ReferenceError;
use super::audit::AuditKind;
use super::service::Service;
use crate::clock::SimTime;
use crate::protocol::{DeviceKind, RejectReason, Verdict};

impl Service {
    /// Resynchronises a bound device with two consecutive codes searched within
    /// `policy.resync_steps` of now: the learned drift then re-centres the window. It needs no
    /// session, since a device far out of step is what keeps its owner from signing in; the
    /// password comes along instead (and a wrong one counts towards the lockout).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        if let Some(verdict) = self.check_password(user, password, now)? {
            return Ok(verdict);
        }
        let snapshot = {
            let st = self.lock();
            if self.is_locked(st.user(user)?, now) {
                return Ok(Verdict::rejected(RejectReason::LockedOut));
            }
            let u = st.user(user)?;
            u.devices.get(kind).map(|device| device.state.clone())
        };
        // The search runs outside the lock: it computes up to 2 × resync_steps + 1 codes.
        let Some(device) = snapshot else { return Ok(Verdict::rejected(RejectReason::NotBound)) };
        let found = match (device.parse(first), device.parse(second)) {
            (Some(a), Some(b)) => device.resync_search(&a, &b, now, &self.policy),
            _ => None,
        };
        let mut st = self.lock();
        let Some(step) = found else { return Ok(self.fail(&mut st, user, RejectReason::WrongCode, now)) };
        let Some(live) = st.user_mut(user)?.devices.state_mut(kind) else {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        };
        if !live.fresh(step, &self.policy.dangers) {
            return Ok(self.fail(&mut st, user, RejectReason::Replayed, now));
        }
        let drift = live.step_at(now).map_or(0, |n| step.minus(n));
        live.last_step =
            if self.policy.dangers.danger_resync_burns_next_code { step.offset(1) } else { Some(step) };
        if !self.policy.dangers.danger_forget_drift {
            live.drift = drift;
        }
        self.succeed(&mut st, user);
        st.audit(now, user, AuditKind::Resynced { kind, drift });
        Ok(Verdict::Accepted { session: None })
    }
}
