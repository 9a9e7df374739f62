//! The target protocol's vocabulary: what a conformance run says to any MFA server and what
//! it hears back. The reference service speaks it natively, `mfa-harness serve` carries it
//! over HTTP, and every [`crate::sut::Target`] (in-process, HTTP, profile-mapped) maps its
//! server onto it. A rejected code is a [`Verdict`], never an error.
//!
//! The flows follow the consoles in the seed documents: a sign-in answers with a session, a
//! second-factor challenge or a redirect to binding; binding starts with an identity check;
//! unbinding starts with a confirmation box and then asks for the bound device's code.

mod account;
mod admin_token;
mod capability;
mod method;
mod verdict;

pub use account::{
    AccountView, AuthenticatorEvent, DeviceKind, KeySource, LifecycleEvent, NewUser, Operation, PolicyFacts,
    Role, Scope, SetupDevice, SmsMessage,
};
pub use admin_token::{AdminToken, AdminTokenError};
pub use capability::{Capabilities, Capability};
pub use method::{Method, MethodSet};
pub use verdict::{BindingId, ChallengeId, Enrolment, RejectReason, SessionId, Verdict};

/// The version of the target protocol (`protocol/target-protocol.openapi.json`) this harness
/// speaks and `serve` serves. A server reporting another major version speaks an incompatible
/// protocol: its answers would be misread, so the HTTP target refuses it.
pub const PROTOCOL_VERSION: &str = "1.2.0";

/// Whether a server reporting target protocol `version` speaks ours: the same major version,
/// as semantic versioning promises.
pub fn compatible(version: &str) -> bool {
    let major = |v: &str| v.split('.').next().and_then(|m| m.parse::<u64>().ok());
    major(version).is_some_and(|theirs| Some(theirs) == major(PROTOCOL_VERSION))
}
