//! The support path for a lost device: removal after a ticket, audited.

use super::ReferenceError;
use super::audit::AuditKind;
use super::service::Service;
use crate::clock::SimTime;
use crate::protocol::{DeviceKind, RejectReason, Verdict};

impl Service {
    /// The support path for a lost device: removes `user`'s device of `kind` after a ticket,
    /// and records who, what and when in the audit log.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`], [`ReferenceError::InvalidField`] for an empty ticket.
    pub fn support_reset(
        &self,
        user: &str,
        kind: DeviceKind,
        ticket: &str,
        now: SimTime,
    ) -> Result<Verdict, ReferenceError> {
        if ticket.is_empty() {
            return Err(ReferenceError::InvalidField("ticket must not be empty"));
        }
        let mut st = self.lock();
        if !st.user(user)?.devices.is_bound(kind) {
            return Ok(Verdict::rejected(RejectReason::NotBound));
        }
        st.release(user, kind);
        st.audit(now, user, AuditKind::SupportReset { kind, ticket: ticket.to_owned() });
        Ok(Verdict::Accepted { session: None })
    }
}
