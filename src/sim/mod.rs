//! The discrete-time simulator: a virtual clock, an event queue that jumps from event to
//! event, drifting device clocks, hardware tokens, authenticator apps on phones, an SMS
//! channel with latency, loss and duplicates, and users who read, type, mistype and retry.
//!
//! Nothing sleeps and nothing reads a real clock: five years of token drift or a six-minute
//! SMS cost microseconds, and the same seed gives the same trace on every machine. Every
//! entity draws from its own ChaCha streams, one per concern, keyed by (master seed, entity
//! name, concern) ([`Streams`]), so adding a device or a draw leaves every other entity's
//! draws unchanged, and a population split across threads behaves exactly as one.
//!
//! The simulator knows nothing of servers: it hands the caller each code a user enters
//! ([`Fired::CodeEntered`]), the caller puts it to whatever verifies codes, and reports the
//! answer back ([`Sim::answer`]); a server that sends SMS calls [`Sim::send_sms`].
//!
//! ```
//! use std::time::Duration;
//! use mfa_harness::clock::Drift;
//! use mfa_harness::otp::{Totp, Verification, Window};
//! use mfa_harness::sim::{DeviceId, Fired, ServerAnswer, Sim, TokenSpec, UserProfile};
//!
//! let mut sim = Sim::builder(42).build()?;
//! // A token whose crystal runs 20 ppm fast, and a user who reads it.
//! let token = sim.add_token("SIM00000001", &TokenSpec::exact(Drift::from_ppm(20)))?;
//! let alice = sim.add_user("alice", DeviceId::Token(token), UserProfile::default())?;
//! let server: Totp = sim.token(token)?.seed().totp(); // what the server imported
//!
//! // A year later alice logs in; the token is 630.72 s fast, 21 steps ahead.
//! let later = sim.epoch() + Duration::from_secs(365 * 86_400);
//! sim.start_login(alice, later)?;
//! while let Some(fired) = sim.next_event(later + Duration::from_secs(600))? {
//!     if let Fired::CodeEntered(entry) = fired {
//!         let verdict = server.verify(&entry.code, sim.now().unix_secs(), Window::symmetric(1))?;
//!         let answer = match verdict {
//!             Verification::Matched { .. } => ServerAnswer::Accepted,
//!             Verification::NoMatch => ServerAnswer::Rejected,
//!         };
//!         assert_eq!(answer, ServerAnswer::Rejected); // a ±1 window cannot absorb 21 steps
//!         sim.answer(entry.user, answer)?;
//!     }
//! }
//! // Three attempts, then she gave up; the trace says so.
//! assert!(sim.trace().to_json_lines().contains(r#""reason":"attempts_exhausted""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
mod channel;
mod device;
mod entity;
mod latency;
mod login;
mod queue;
mod rng;
mod simulator;
mod trace;
mod user;

pub use builder::{Limits, SimBuilder};
pub use channel::{Fate, SmsChannel};
pub use device::{
    AuthenticatorApp, BlankReason, DeliveredSms, Display, DriftDistribution, HardToken, Phone, PhoneNumber,
    PhoneSpec, Screen, TokenSpec, TotpDisplay, code_in_text,
};
pub use entity::{AppId, DeviceId, Entity, PhoneId, TokenId, UserId};
pub use latency::Latency;
pub use login::{CodeEntry, ServerAnswer};
pub use queue::EventQueue;
pub use rng::{Concern, Streams};
pub use simulator::{Fired, Sim};
pub use trace::{Trace, TraceEvent, TraceRecord};
pub use user::{RetryPolicy, Timing, UserProfile};

use crate::clock::{SimTime, TimeWentBack};
use crate::otp::{OtpError, UriError};

/// Why the simulator refused a request or stopped a run. Messages name the entity, time and
/// last event involved, never a key.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A parameter out of range.
    #[error("bad simulator configuration: {0}")]
    Config(String),
    /// The run went past its time limit.
    #[error("time limit {limit} exceeded: next time {at}, last event: {last_event}")]
    TimeLimit {
        /// The limit.
        limit: SimTime,
        /// The time that would have been reached.
        at: SimTime,
        /// What happened last.
        last_event: String,
    },
    /// The run used up its event budget.
    #[error("event limit {limit} reached at {at}, last event: {last_event}")]
    EventLimit {
        /// The budget.
        limit: u64,
        /// True time then.
        at: SimTime,
        /// What happened last.
        last_event: String,
    },
    /// True time was asked to go backwards.
    #[error(transparent)]
    TimeWentBack(#[from] TimeWentBack),
    /// An id from another simulator.
    #[error("no {kind} with index {index} in this simulation")]
    NoSuchEntity {
        /// `token`, `phone`, `app` or `user`.
        kind: &'static str,
        /// The id's index.
        index: usize,
    },
    /// A name (or phone number) used twice.
    #[error("name {0:?} is already taken in this simulation")]
    DuplicateName(String),
    /// An SMS to a number no phone has.
    #[error("no phone has number {0}")]
    UnknownNumber(String),
    /// An answer for a user who has no code with the server.
    #[error("user {0:?} has no code awaiting an answer")]
    NotAwaitingAnswer(String),
    /// A QR image that does not decode.
    #[error("qr image: {0}")]
    Qr(#[from] crate::qr::QrError),
    /// An enrolment URI that does not parse.
    #[error("enrolment uri: {0}")]
    Uri(#[from] UriError),
    /// The OTP core refused a parameter.
    #[error(transparent)]
    Otp(#[from] OtpError),
}
