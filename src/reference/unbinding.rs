//! Unbinding a device: a confirmation box, then proof of possession (which methods prove it
//! is [`DeviceKind::unbinding_methods`]); a hardware token goes back to the free inventory.

use super::ReferenceError;
use super::lifetime;
use super::service::Service;
use super::state::{Action, State};
use crate::clock::SimTime;
use crate::protocol::{ChallengeId, DeviceKind, Method, MethodSet, RejectReason, SessionId, Verdict};

impl Service {
    /// Starts unbinding a device: a confirmation box comes first ([`Service::confirm`]).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownSession`].
    pub fn start_unbinding(
        &self,
        session: SessionId,
        kind: DeviceKind,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let user = st.session_user(session)?;
        if !st.user(&user)?.devices.is_bound(kind) {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        }
        let challenge =
            self.open_prompt(&mut st, &user, MethodSet::NONE, Action::ConfirmUnbind { kind }, now);
        Ok(Verdict::ConfirmRequired { challenge })
    }

    /// Confirms a confirmation box. For an unbinding, the device's owner must then prove
    /// possession: a virtual device asks for its own current code (Baidu: "requires
    /// verification through the currently bound device"); a hardware device asks for its code
    /// or an SMS code (Tencent: "complete the identity authentication").
    ///
    /// # Errors
    /// [`ReferenceError::UnknownChallenge`] for anything but an open confirmation box.
    pub fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Result<Verdict, ReferenceError> {
        let mut st = self.lock();
        let ch = st.challenges.get(&challenge).ok_or(ReferenceError::UnknownChallenge)?;
        let Action::ConfirmUnbind { kind } = ch.action else { return Err(ReferenceError::UnknownChallenge) };
        let (user, expires_at) = (ch.user.clone(), ch.expires_at);
        st.challenges.remove(&challenge);
        if lifetime::ended(expires_at, now) {
            return Ok(Verdict::rejected(RejectReason::Expired));
        }
        if self.policy.dangers.danger_unbind_without_code {
            return Ok(self.complete(&mut st, &user, Action::Unbind { kind }, now));
        }
        let mut methods = kind.unbinding_methods();
        if st.user(&user)?.phone.is_none() {
            methods = methods.without(Method::Sms);
        }
        Ok(self.challenge(&mut st, &user, methods, Action::Unbind { kind }, now))
    }
}

impl State {
    /// Removes `user`'s device of `kind`, returning a hardware token to the free inventory.
    pub(super) fn release(&mut self, user: &str, kind: DeviceKind) {
        let Some(u) = self.users.get_mut(user) else { return };
        let serial = u.devices.unbind(kind).and_then(|device| device.serial);
        if let Some(token) = serial.and_then(|s| self.inventory.get_mut(&s)) {
            token.bound_to = None;
        }
    }
}
