//! mfa-harness: a simulation and conformance test harness for multi-factor authentication.
//!
//! Map of the crate (uses point one way, top to bottom):
//!
//! | module | what it owns |
//! |---|---|
//! | [`cli`] | argument parsing and the subcommands behind the `mfa-harness` binary |
//! | [`vectors`] | RFC and extended test vectors as typed records, and running them |
//! | [`reference`] | the reference MFA service (accounts, protections, binding, replay guard, lockout) |
//! | [`server`] | the reference service over HTTP: the target protocol, SMS webhook |
//! | [`provision`] | hardware token seed records (what vendors ship, servers import) |
//! | [`otp`] | HOTP/TOTP over explicit time, base32, `otpauth://` URIs |
//! | [`clock`] | true virtual time ([`clock::SimTime`]) |
//! | [`error`] | the crate's error type |

pub mod cli;
pub mod clock;
pub mod error;
pub mod otp;
pub mod provision;
pub mod reference;
pub mod server;
pub mod vectors;

pub use error::{Error, Result};
