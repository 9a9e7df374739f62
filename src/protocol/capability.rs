//! What a target can do. Scenarios name what they need with `@needs.<capability>` tags; a
//! scenario whose needs a target lacks is reported *not applicable* with the missing
//! capability as the reason, never run and never counted as passed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One capability a target may declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// The harness can read and set the target's clock.
    ClockControl,
    /// Every request reaches the target at the instant the harness set, to the millisecond
    /// (the reference in process; `serve --test-clock`, whose clock moves only when the harness
    /// moves it), so a scenario may act at the very instant a lifetime ends. A server under
    /// libfaketime has clock control but not this: its clock runs on from each setting by
    /// however long the next request takes.
    ExactClock,
    /// The harness can create user accounts with a password.
    Accounts,
    /// The console's account tree: root accounts with IAM users (and admin IAM users) under
    /// them.
    Iam,
    /// An administrator changes another user's protection settings from a session.
    AdminProtection,
    /// A user changes their own protection settings from a session.
    OwnProtection,
    /// Virtual MFA devices (authenticator apps) enrolled by `otpauth://` URI or QR.
    VirtualMfa,
    /// Hardware tokens imported by seed file and bound by serial number.
    HardwareMfa,
    /// Hardware MFA restricted to accounts on a beta list, so an account can be off it.
    BetaList,
    /// SMS codes the harness can receive.
    Sms,
    /// A user signs in with a password and a second factor (login protection, which setup
    /// can require for a user).
    LoginProtection,
    /// Operation protection (second factor for sensitive operations).
    OperationProtection,
    /// Resynchronisation of a drifted device with consecutive codes.
    Resync,
    /// The support path for a lost device (an audited admin reset).
    SupportReset,
    /// The record of every authenticator ever bound to an account, with the date and time of
    /// each binding and unbinding (NIST SP 800-63B, authenticator binding: "CSPs SHALL maintain
    /// a record of all authenticators that are or have been associated").
    AuthenticatorRecord,
}

impl Capability {
    /// Every capability, in tag order.
    pub const ALL: [Capability; 15] = [
        Capability::ClockControl,
        Capability::ExactClock,
        Capability::Accounts,
        Capability::Iam,
        Capability::AdminProtection,
        Capability::OwnProtection,
        Capability::VirtualMfa,
        Capability::HardwareMfa,
        Capability::BetaList,
        Capability::Sms,
        Capability::LoginProtection,
        Capability::OperationProtection,
        Capability::Resync,
        Capability::SupportReset,
        Capability::AuthenticatorRecord,
    ];

    /// The name after `@needs.` in feature tags.
    pub fn name(self) -> &'static str {
        match self {
            Capability::ClockControl => "clock-control",
            Capability::ExactClock => "exact-clock",
            Capability::Accounts => "accounts",
            Capability::Iam => "iam",
            Capability::AdminProtection => "admin-protection",
            Capability::OwnProtection => "own-protection",
            Capability::VirtualMfa => "virtual-mfa",
            Capability::HardwareMfa => "hardware-mfa",
            Capability::BetaList => "beta-list",
            Capability::Sms => "sms",
            Capability::LoginProtection => "login-protection",
            Capability::OperationProtection => "operation-protection",
            Capability::Resync => "resync",
            Capability::SupportReset => "support-reset",
            Capability::AuthenticatorRecord => "authenticator-record",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Capability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| format!("unknown capability {s:?}"))
    }
}

/// A set of capabilities (what a target declares).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities(std::collections::BTreeSet<Capability>);

impl Capabilities {
    /// Every capability.
    pub fn all() -> Self {
        Capabilities(Capability::ALL.into_iter().collect())
    }

    /// Whether `capability` is in the set.
    pub fn has(&self, capability: Capability) -> bool {
        self.0.contains(&capability)
    }

    /// The set without `capability`.
    pub fn without(mut self, capability: Capability) -> Self {
        self.0.remove(&capability);
        self
    }

    /// The needs of `needed` this set lacks, in tag order.
    pub fn missing<'a>(&'a self, needed: impl IntoIterator<Item = Capability> + 'a) -> Vec<Capability> {
        let mut missing: Vec<Capability> = needed.into_iter().filter(|c| !self.has(*c)).collect();
        missing.sort();
        missing.dedup();
        missing
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        Capabilities(iter.into_iter().collect())
    }
}
