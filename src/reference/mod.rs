//! The reference MFA service, modelled on the two consoles in `docs/seeds/` (Tencent
//! Cloud MFA devices, Baidu AI Cloud two-factor authentication): root, IAM and admin IAM
//! accounts; hardware (beta only), virtual and SMS methods; login and operation protection;
//! binding, unbinding, resync; a replay guard, drift tracking and lockout that hold under
//! concurrency; and an audit log without secrets.
//!
//! One file per concept: [`Service`] and its lock in `service.rs`; its operations in
//! `account.rs`, `challenge.rs` (sign-in, operations, challenges), `protection.rs`,
//! `binding.rs`, `unbinding.rs`, `resync.rs` and `support.rs`; the authenticator record in
//! `record.rs`; the checks they share in
//! `verification.rs` (device codes with the replay guard, SMS codes, passwords) and
//! `lockout.rs`; the state behind the lock in `state.rs` and `user.rs`. A bound device's
//! window and drift are [`device::DeviceState`]. What differs between device kinds is asked of
//! [`DeviceKind`](crate::protocol::DeviceKind), so no file here matches on the kind.
//!
//! No tokio, no HTTP, no clock: every operation takes the [`SimTime`](crate::clock::SimTime)
//! it happens at, so the simulator drives it. `src/server/` puts it on HTTP.
//! Answers are [`Verdict`](crate::protocol::Verdict)s; [`ReferenceError`] is for malformed requests and unknown
//! entities. The policy ([`Policy`]) is a plain struct with documented defaults, and every
//! deliberate weakening is a `danger_*` flag in [`Dangers`].
//!
//! ```
//! use std::sync::Arc;
//! use mfa_harness::clock::DEFAULT_EPOCH;
//! use mfa_harness::protocol::{NewUser, Role, Verdict};
//! use mfa_harness::reference::{Policy, Service, SmsOutbox};
//!
//! let outbox = Arc::new(SmsOutbox::new());
//! let service = Service::new(Policy::for_tests(), 7, outbox.clone());
//! let root = NewUser { name: "alice".into(), password: "pw".into(), role: Role::Root };
//! service.create_user(root, DEFAULT_EPOCH)?;
//! service.set_phone("alice", Some("+15550100".into()))?;
//! // No login protection yet: the password alone opens a session.
//! let verdict = service.login("alice", "pw", "office", DEFAULT_EPOCH)?;
//! assert!(matches!(verdict, Verdict::Accepted { session: Some(_) }));
//! # Ok::<(), mfa_harness::reference::ReferenceError>(())
//! ```

mod account;
pub mod audit;
mod binding;
mod challenge;
pub mod device;
mod lifetime;
mod lockout;
pub mod mutant;
pub mod password;
pub mod policy;
mod protection;
pub mod randomness;
mod record;
mod resync;
mod service;
pub mod sms;
mod state;
mod support;
mod unbinding;
mod user;
mod verification;

pub use account::AccountState;
pub use audit::{AuditEvent, AuditKind};
pub use binding::ISSUER;
pub use policy::{Dangers, PasswordCost, Policy};
pub use randomness::Randomness;
pub use service::Service;
pub use sms::{SmsGateway, SmsOutbox};

/// A request the service cannot answer with a verdict: it names an unknown entity or is
/// malformed. Messages never contain secrets.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// No account by that name.
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    /// An IAM user's root does not exist or is not a root account.
    #[error("unknown root account {0:?}")]
    UnknownRoot(String),
    /// The name is taken.
    #[error("user {0:?} already exists")]
    DuplicateUser(String),
    /// The serial is already in the inventory (or twice in one import).
    #[error("serial {0:?} already imported")]
    DuplicateSerial(String),
    /// No such session.
    #[error("unknown session")]
    UnknownSession,
    /// No such challenge (never issued, or already answered).
    #[error("unknown challenge")]
    UnknownChallenge,
    /// No such binding (never opened, or already finished).
    #[error("unknown binding")]
    UnknownBinding,
    /// A virtual binding finished as hardware or vice versa.
    #[error("binding is for the other device kind")]
    WrongBindingKind,
    /// A field is empty or out of range.
    #[error("invalid request: {0}")]
    InvalidField(&'static str),
}

impl ReferenceError {
    /// A stable snake_case name, used as the protocol's error code.
    pub fn code(&self) -> &'static str {
        match self {
            ReferenceError::UnknownUser(_) => "unknown_user",
            ReferenceError::UnknownRoot(_) => "unknown_root",
            ReferenceError::DuplicateUser(_) => "duplicate_user",
            ReferenceError::DuplicateSerial(_) => "duplicate_serial",
            ReferenceError::UnknownSession => "unknown_session",
            ReferenceError::UnknownChallenge => "unknown_challenge",
            ReferenceError::UnknownBinding => "unknown_binding",
            ReferenceError::WrongBindingKind => "wrong_binding_kind",
            ReferenceError::InvalidField(_) => "invalid_field",
        }
    }
}
