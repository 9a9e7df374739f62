//! Targets: what the conformance suite talks to. A step never knows which target it has: it
//! calls [`Target`] methods and reads [`Verdict`]s. Targets declare [`Capabilities`]; a
//! scenario needing more is reported not applicable, never run and never passed.
//!
//! Every method takes the simulated time it happens at. A target with clock control (the
//! in-process reference, `serve --test-clock`) runs at exactly that time; a real-clock target
//! ignores it, and scenarios that need it are not applicable there.

mod connection;
mod evidence;
pub mod http;
mod in_process;
pub mod profile;
mod redaction;
pub mod sms_sink;
mod spec;
mod transport;

use std::time::Duration;

use crate::clock::SimTime;
use crate::protocol::{
    AccountView, AuthenticatorEvent, BindingId, Capabilities, ChallengeId, DeviceKind, Method, MethodSet,
    NewUser, Operation, PolicyFacts, Scope, SessionId, SetupDevice, SmsMessage, Verdict,
};
use crate::provision::TokenSeed;

pub use connection::{Connection, TargetFactory, TargetInfo};
pub use evidence::HttpExchange;
pub use http::{Http, HttpSettings};
pub use in_process::InProcess;
pub use spec::TargetSpec;

/// The target gave no usable answer, or refused a setup the scenario depends on. Either way
/// there is no verdict: the scenario is a harness error, never a pass or a conformance failure.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// No answer: refused connection, timeout, unreadable reply. Quotes the request and the
    /// start of the response, with secrets redacted.
    #[error("{request}: {message}")]
    NoAnswer {
        /// The operation or HTTP request.
        request: String,
        /// What happened.
        message: String,
    },
    /// The target answered, but not with something this operation can mean (an unknown
    /// session, a setup it refused).
    #[error("{request}: {message}")]
    Refused {
        /// The operation or HTTP request.
        request: String,
        /// What the target said.
        message: String,
    },
}

/// The ticket number the harness files its support resets under. [`Target::support_reset`]
/// takes none, since a scenario's lost device has no real ticket; a target whose server wants
/// one (the reference audits it and refuses an empty one) sends this.
pub const SUPPORT_TICKET: &str = "harness-support-ticket";

/// `Result` of a target operation.
pub type Answer<T = Verdict> = Result<T, TargetError>;

/// An MFA server under test. Shared across threads: the concurrency scenarios call it from
/// many at once.
pub trait Target: Send + Sync {
    /// Name and kind, for reports.
    fn info(&self) -> TargetInfo;
    /// What this target can do.
    fn capabilities(&self) -> Capabilities;
    /// The policy numbers scenarios refer to by name.
    fn policy_facts(&self) -> PolicyFacts;
    /// The server's clock now, for a target whose clock the harness cannot set: scenarios
    /// then start at the server's time, so the codes simulated devices show match the codes
    /// it expects (and time they move is translated: `src/scenario/world/clock.rs`). `None`
    /// when the harness sets the clock.
    fn server_time(&self) -> Answer<Option<SimTime>> {
        Ok(None)
    }

    /// The HTTP exchanges made since the last call, oldest first, secrets redacted and bodies
    /// cut short: the evidence a failing scenario carries. A target without HTTP has none.
    fn take_exchanges(&self) -> Vec<HttpExchange> {
        Vec::new()
    }

    /// How far a [`Target::server_time`] reading may be from the server's clock, besides the
    /// round trip the harness measures: whole seconds unless the target knows its readings
    /// are finer (an HTTP `Date` header drops the fraction).
    fn server_time_resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    /// The latest time this target's clock can be set to, and why no later: a scenario that
    /// sets it later is not applicable (the server cannot represent that time, a limit of its
    /// platform rather than a verdict on its MFA). `None`: no limit known.
    fn latest_clock(&self) -> Option<(SimTime, String)> {
        None
    }

    // Setup: what a test (not a user) arranges. None of it spends a code.

    /// Forgets every account, device, session and message.
    fn reset(&self) -> Answer<()>;
    /// Creates an account. Root accounts get the console default: operation protection by SMS.
    fn create_user(&self, user: &NewUser, now: SimTime) -> Answer<()>;
    /// Binds a secure phone number to an account.
    fn set_phone(&self, user: &str, phone: &str, now: SimTime) -> Answer<()>;
    /// Puts an account on (or off) the hardware MFA beta list.
    fn set_beta(&self, user: &str, on: bool, now: SimTime) -> Answer<()>;
    /// Imports hardware token seeds into the inventory.
    fn import_seeds(&self, seeds: &[TokenSeed], now: SimTime) -> Answer<()>;
    /// Binds a device to an account without spending any of its codes.
    fn provision_device(&self, user: &str, device: &SetupDevice, now: SimTime) -> Answer<()>;
    /// Sets an account's protection as an administrator would.
    fn provision_protection(&self, user: &str, scope: Scope, methods: MethodSet, now: SimTime) -> Answer<()>;
    /// An account as the server sees it.
    fn account(&self, user: &str, now: SimTime) -> Answer<AccountView>;
    /// The record of `user`'s authenticators: every binding and unbinding, oldest first.
    fn authenticator_record(&self, user: &str, now: SimTime) -> Answer<Vec<AuthenticatorEvent>>;
    /// The SMS the target sent since the last call, oldest first.
    fn take_sms(&self, now: SimTime) -> Answer<Vec<SmsMessage>>;

    // Flows: what users do.

    /// Signs in with a password from `origin` (a location; a new one is an account anomaly).
    fn login(&self, user: &str, password: &str, origin: &str, now: SimTime) -> Answer;
    /// Asks for an SMS code for an open challenge.
    fn request_sms(&self, challenge: ChallengeId, now: SimTime) -> Answer;
    /// Answers an open challenge (a code, or the password for an identity check).
    fn answer(&self, challenge: ChallengeId, method: Method, response: &str, now: SimTime) -> Answer;
    /// Confirms a confirmation box.
    fn confirm(&self, challenge: ChallengeId, now: SimTime) -> Answer;
    /// Runs a console operation in a session.
    fn perform(&self, session: SessionId, operation: Operation, now: SimTime) -> Answer;
    /// Changes `user`'s protection from `session` (one's own, or as an administrator).
    fn set_protection(
        &self,
        session: SessionId,
        user: &str,
        scope: Scope,
        methods: MethodSet,
        now: SimTime,
    ) -> Answer;
    /// Starts binding a device: answers with an identity check, then a binding.
    fn start_binding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer;
    /// Finishes a virtual binding with two consecutive codes.
    fn finish_virtual_binding(&self, binding: BindingId, first: &str, second: &str, now: SimTime) -> Answer;
    /// Finishes a hardware binding with the serial number and the code the token shows.
    fn finish_hardware_binding(&self, binding: BindingId, serial: &str, code: &str, now: SimTime) -> Answer;
    /// Starts unbinding: answers with a confirmation box, then the device's code prompt.
    fn start_unbinding(&self, session: SessionId, kind: DeviceKind, now: SimTime) -> Answer;
    /// Resynchronises a drifted device with two consecutive codes. Needs no session: a device
    /// far out of step is what keeps its owner from signing in, so the password comes along.
    fn resync(
        &self,
        user: &str,
        password: &str,
        kind: DeviceKind,
        first: &str,
        second: &str,
        now: SimTime,
    ) -> Answer;
    /// The support path for a lost device: an audited reset by support staff.
    fn support_reset(&self, user: &str, kind: DeviceKind, now: SimTime) -> Answer;
}
