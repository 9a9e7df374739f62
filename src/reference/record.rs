//! The record of a user's authenticators, read from the audit log: every device that is or
//! has been bound, with the date and time of each binding and unbinding (NIST SP 800-63B,
//! authenticator binding). The audit log is where the service keeps that record, so an
//! operator who reads either sees the same history; it keeps the newest
//! `policy.audit_capacity` events, the retention an operator chooses.

use super::ReferenceError;
use super::audit::AuditKind;
use super::service::Service;
use crate::protocol::{AuthenticatorEvent, LifecycleEvent};

impl Service {
    /// `user`'s authenticator life-cycle events, oldest first.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownUser`].
    pub fn authenticator_record(&self, user: &str) -> Result<Vec<AuthenticatorEvent>, ReferenceError> {
        self.lock().user(user)?;
        Ok(self
            .audit_log()
            .into_iter()
            .filter(|e| e.user == user)
            .filter_map(|e| {
                let (kind, event) = match e.kind {
                    AuditKind::DeviceBound { kind, .. } => (kind, LifecycleEvent::Bound),
                    AuditKind::DeviceUnbound { kind } | AuditKind::SupportReset { kind, .. } => {
                        (kind, LifecycleEvent::Unbound)
                    }
                    _ => return None,
                };
                Some(AuthenticatorEvent { at: e.at, kind, event })
            })
            .collect())
    }
}
