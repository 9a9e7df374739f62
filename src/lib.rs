//! mfa-harness: a simulation and conformance test harness for multi-factor authentication.
//!
//! Map of the crate (uses point one way, top to bottom):
//!
//! | module | what it owns |
//! |---|---|
//! | [`cli`] | argument parsing and the subcommands behind the `mfa-harness` binary |
//! | [`scenario`] | feature files, steps and the runner behind `mfa-harness run` |
//! | [`probe`] | the observed policy: measures and grades a target's verification policy |
//! | [`target`] | the `Target` trait, capabilities, in-process and HTTP targets |
//! | [`protocol`] | the target protocol's vocabulary: verdicts, methods, flows, setup |
//! | [`study`] | tradeoff studies: drift, attack and SMS sweeps, sharding and merging |
//! | [`report`] | the run record and its JSON, Markdown, HTML and JUnit renderings |
//! | [`vectors`] | RFC and extended test vectors as typed records, and running them |
//! | [`reference`] | the reference MFA service (accounts, protections, binding, replay guard, lockout) |
//! | [`server`] | the reference service over HTTP: the target protocol, SMS webhook |
//! | [`provision`] | hardware token seed records and seed files (PSKC, OATH CSV) |
//! | [`qr`] | drawing and reading QR codes (enrolment images) |
//! | [`otp`] | HOTP/TOTP over explicit time, base32, `otpauth://` URIs |
//! | [`sim`] | discrete-time simulator: event queue, tokens, apps, phones, SMS channel, users |
//! | [`clock`] | true virtual time ([`clock::SimTime`]), drifting device clocks |
//! | [`error`] | the crate's error type |

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
