//! The checks a challenge answer goes through: a device's code in the window and past the
//! replay guard, an SMS code, a password. The window and code arithmetic are in `device.rs`;
//! what a failure costs is in `lockout.rs`.

use std::sync::MutexGuard;

use subtle::ConstantTimeEq;

use super::ReferenceError;
use super::device::Lookup;
use super::lifetime;
use super::service::Service;
use super::state::State;
use crate::clock::SimTime;
use crate::protocol::{ChallengeId, DeviceKind, RejectReason, Verdict};

impl Service {
    /// `Some(verdict)` if the password check refused (locked or wrong); `None` if it passed.
    /// The hash runs outside the lock.
    pub(super) fn check_password(
        &self,
        user: &str,
        password: &str,
        now: SimTime,
    ) -> Result<Option<Verdict>, ReferenceError> {
        let hash = {
            let st = self.lock();
            let u = st.user(user)?;
            if self.is_locked(u, now) {
                return Ok(Some(Verdict::rejected(RejectReason::LockedOut)));
            }
            u.password.clone()
        };
        if hash.verify(password) {
            return Ok(None);
        }
        let mut st = self.lock();
        Ok(Some(self.fail(&mut st, user, RejectReason::WrongPassword, now)))
    }

    /// Checks the SMS code sent for `challenge`: unexpired, unused, and not voided by too many
    /// wrong answers.
    pub(super) fn check_sms(
        &self,
        st: &mut State,
        challenge: ChallengeId,
        code: &str,
        now: SimTime,
    ) -> Result<(), RejectReason> {
        let d = &self.policy.dangers;
        let challenge = if d.danger_sms_code_not_tied_to_challenge {
            Self::challenge_sent(st, challenge, code)
        } else {
            challenge
        };
        let ch = st.challenges.get_mut(&challenge).ok_or(RejectReason::Expired)?;
        let sms = ch.sms.as_mut().ok_or(RejectReason::WrongCode)?;
        if sms.used && !d.danger_sms_reusable {
            return Err(RejectReason::CodeUsed);
        }
        let expired =
            sms.sent_at.checked_add(self.policy.sms_validity).is_some_and(|end| lifetime::ended(end, now));
        if expired && !d.danger_sms_never_expires {
            return Err(RejectReason::Expired);
        }
        if !bool::from(sms.code.as_bytes().ct_eq(code.as_bytes())) {
            sms.attempts += 1;
            if sms.attempts >= self.policy.sms_max_attempts {
                sms.used = true;
            }
            return Err(RejectReason::WrongCode);
        }
        sms.used = true;
        Ok(())
    }

    /// Under `danger_sms_code_not_tied_to_challenge`: the open challenge of the same user whose
    /// SMS carried `code`, else `challenge` itself.
    fn challenge_sent(st: &State, challenge: ChallengeId, code: &str) -> ChallengeId {
        let Some(user) = st.challenges.get(&challenge).map(|c| &c.user) else { return challenge };
        st.challenges
            .iter()
            .filter(|(_, c)| &c.user == user && c.sms.as_ref().is_some_and(|s| s.code == code && !s.used))
            .map(|(id, _)| id.0)
            .min()
            .map_or(challenge, ChallengeId)
    }

    /// Verifies a TOTP code from `user`'s device of `kind` with the replay guard. Check and
    /// record happen under one lock unless `danger_racy_replay_guard`; the guard handed back
    /// is the lock held at the end.
    pub(super) fn verify_totp<'a>(
        &'a self,
        st: MutexGuard<'a, State>,
        user: &str,
        kind: DeviceKind,
        text: &str,
        now: SimTime,
    ) -> (MutexGuard<'a, State>, Result<(), RejectReason>) {
        let policy = &self.policy;
        let snapshot = st.users.get(user).and_then(|u| u.devices.get(kind)).map(|d| d.state.clone());
        let Some(device) = snapshot else { return (st, Err(RejectReason::NotBound)) };
        // Racy mode releases the lock between check and record.
        let held = if policy.dangers.danger_racy_replay_guard {
            drop(st);
            None
        } else {
            Some(st)
        };
        let outcome = match device.parse(text).map(|code| device.lookup(&code, now, policy)) {
            Some(Lookup::Found { step, offset }) if device.fresh(step, &policy.dangers) => Ok((step, offset)),
            Some(Lookup::Found { .. }) => Err(RejectReason::Replayed),
            Some(Lookup::Missing) | None => Err(RejectReason::WrongCode),
        };
        let mut st = match held {
            Some(st) => st,
            None => {
                // Widen the gap between check and record, as a slow database round trip would.
                std::thread::yield_now();
                self.lock()
            }
        };
        if let Ok((step, offset)) = outcome
            && let Some(device) = st.users.get_mut(user).and_then(|u| u.devices.state_mut(kind))
        {
            device.record(step, offset, policy);
        }
        (st, outcome.map(|_| ()))
    }
}
