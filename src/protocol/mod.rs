//! The target protocol's vocabulary: what a conformance run says to any MFA server and what
//! it hears back. The reference service speaks it natively, `mfa-harness serve` carries it
//! over HTTP, and every [`crate::sut::Target`] (in-process, HTTP, profile-mapped) maps its
//! server onto it. A rejected code is a [`Verdict`], never an error.
//!
//! The flows follow the consoles in the seed documents: a sign-in answers with a session, a
//! second-factor challenge or a redirect to binding; binding starts with an identity check;
//! unbinding starts with a confirmation box and then asks for the bound device's code.

mod account;
mod capability;
mod method;
mod verdict;

pub use account::{
    AccountView, DeviceKind, KeySource, NewUser, Operation, PolicyFacts, Role, Scope, SetupDevice, SmsMessage,
};
pub use capability::{Capabilities, Capability};
pub use method::{Method, MethodSet};
pub use verdict::{BindingId, ChallengeId, Enrolment, RejectReason, SessionId, Verdict};
