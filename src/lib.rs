//! mfa-harness: a simulation and conformance test harness for multi-factor authentication.
//!
//! Map of the crate, by layer (a module uses only the layers below it; `docs/architecture.md`
//! draws it and `tests/architecture.rs` checks it):
//!
//! | module | what it owns |
//! |---|---|
//! | [`cli`] | argument parsing and the subcommands behind the `mfa-harness` binary (the only clap user) |
//! | [`scenario`] | feature files, the world and steps, and the runner behind `mfa-harness run` |
//! | [`study`] | tradeoff studies: drift, attack and SMS sweeps, sharding and merging |
//! | [`report`] | the run record (with the observed policy) and its JSON, Markdown, HTML and JUnit renderings; plots |
//! | [`error`] | the crate's error type |
//! | [`probe`] | the observed policy: measures and grades a target's verification policy |
//! | [`sut`] | the server under test: the `Target` trait, in-process, HTTP and profile targets |
//! | [`server`] | the reference service over HTTP: the target protocol, SMS webhook |
//! | [`sim`] | discrete-time simulator: event queue, tokens, apps, phones, SMS channel, users |
//! | [`mod@reference`] | the reference MFA service (accounts, protections, binding, replay guard, lockout) |
//! | [`protocol`] | the target protocol's vocabulary: verdicts, methods, capabilities, setup |
//! | [`provision`] | hardware token seed records and seed files (PSKC, OATH CSV) |
//! | [`vectors`] | RFC and extended test vectors as typed records, and running them |
//! | [`otp`] | HOTP/TOTP over explicit time, base32, `otpauth://` URIs |
//! | [`clock`] | true virtual time ([`clock::SimTime`]), drifting device clocks |
//! | [`qr`] | drawing and reading QR codes (enrolment images) |

pub mod cli;
pub mod clock;
pub mod error;
pub mod otp;
pub mod probe;
pub mod protocol;
pub mod provision;
pub mod qr;
pub mod reference;
pub mod report;
pub mod scenario;
pub mod server;
pub mod sim;
pub mod study;
pub mod sut;
pub mod vectors;

pub use error::{Error, Result};

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The examples in `docs/`, compiled and run as doctests like the README's.
#[cfg(doctest)]
pub mod docs {
    #[doc = include_str!("../docs/simulator.md")]
    pub struct Simulator;
    #[doc = include_str!("../docs/provision.md")]
    pub struct Provision;
    #[doc = include_str!("../docs/batch-engine.md")]
    pub struct BatchEngine;
    #[doc = include_str!("../docs/studies.md")]
    pub struct Studies;
}
