//! The audit log of security events. Events name users, devices by kind and serial, and
//! outcomes; never passwords, secrets or codes.

use serde::{Deserialize, Serialize};

use crate::clock::SimTime;
use crate::protocol::{DeviceKind, MethodSet, RejectReason};

/// One security event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened.
    pub at: SimTime,
    /// The account concerned.
    pub user: String,
    /// What happened.
    pub kind: AuditKind,
}

/// The kinds of security event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditKind {
    /// An account was created.
    AccountCreated,
    /// A login completed.
    LoginSucceeded,
    /// An authentication step failed.
    AuthenticationFailed {
        /// Why.
        reason: RejectReason,
    },
    /// The account was locked.
    LockedOut,
    /// A device was bound.
    DeviceBound {
        /// Which kind.
        kind: DeviceKind,
        /// The hardware serial, if any.
        serial: Option<String>,
    },
    /// A device was unbound by its user.
    DeviceUnbound {
        /// Which kind.
        kind: DeviceKind,
    },
    /// Support removed a device after a ticket (lost device).
    SupportReset {
        /// Which kind.
        kind: DeviceKind,
        /// The support ticket.
        ticket: String,
    },
    /// A device was resynchronised.
    Resynced {
        /// Which kind.
        kind: DeviceKind,
        /// The drift learned, in steps.
        drift: i64,
    },
    /// Protection settings changed.
    ProtectionChanged {
        /// Who changed them.
        by: String,
        /// Login or operation.
        scope: crate::protocol::Scope,
        /// The new methods.
        methods: MethodSet,
    },
    /// A sensitive operation ran.
    OperationPerformed {
        /// Which one.
        operation: crate::protocol::Operation,
    },
    /// An SMS code was sent.
    SmsSent,
}
