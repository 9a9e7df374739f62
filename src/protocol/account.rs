//! Accounts, protections, operations and the setup a conformance run needs.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Method, MethodSet};
use crate::clock::SimTime;
use crate::otp::Secret;

/// Which protection a setting is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Asked at sign-in.
    Login,
    /// Asked before sensitive operations and on account anomalies.
    Operation,
}

/// The kind of MFA device. Everything that differs between kinds is a method here, so a
/// server, the world and the simulator ask the kind instead of matching on it, and a new kind
/// is added in this one place (plus its [`Method`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// An authenticator app (RFC 6238), enrolled by `otpauth://` URI or QR code.
    Virtual,
    /// A hardware token known by serial number from an imported seed file.
    Hardware,
}

/// Where a device's key comes from, which decides how it is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The server draws a fresh key when binding opens and shows it as an `otpauth://` URI
    /// and QR code; two consecutive codes prove the app holds it (Baidu: "Enter two
    /// consecutive sets of passwords").
    IssuedAtBinding,
    /// The key came with the vendor's seed file; the user names the token's serial number and
    /// proves possession with its current code (Tencent: "enter the serial number and
    /// authentication code").
    ImportedBySerial,
}

impl DeviceKind {
    /// Every kind, in the order a server tries a user's devices.
    pub const ALL: [DeviceKind; 2] = [DeviceKind::Virtual, DeviceKind::Hardware];

    /// `virtual` or `hardware`.
    pub fn words(self) -> &'static str {
        match self {
            DeviceKind::Virtual => "virtual",
            DeviceKind::Hardware => "hardware",
        }
    }

    /// The challenge method a code from this device answers.
    pub fn method(self) -> Method {
        match self {
            DeviceKind::Virtual => Method::VirtualMfa,
            DeviceKind::Hardware => Method::HardwareMfa,
        }
    }

    /// The kind whose codes answer `method`; `None` for SMS and the password.
    pub fn answering(method: Method) -> Option<DeviceKind> {
        DeviceKind::ALL.into_iter().find(|kind| kind.method() == method)
    }

    /// Where the key comes from, and so how binding goes.
    pub fn key_source(self) -> KeySource {
        match self {
            DeviceKind::Virtual => KeySource::IssuedAtBinding,
            DeviceKind::Hardware => KeySource::ImportedBySerial,
        }
    }

    /// Whether only accounts on the beta list may bind it (Tencent: "hardware MFA devices are
    /// only available for beta users").
    pub fn needs_beta(self) -> bool {
        matches!(self, DeviceKind::Hardware)
    }

    /// The methods that may prove possession before the device is unbound, where the account
    /// has them: a virtual device only its own code (Baidu: "requires verification through the
    /// currently bound device"); a hardware token its code or an SMS code (Tencent: "complete
    /// the identity authentication").
    pub fn unbinding_methods(self) -> MethodSet {
        match self {
            DeviceKind::Virtual => MethodSet::of(&[Method::VirtualMfa]),
            DeviceKind::Hardware => MethodSet::of(&[Method::Sms, Method::HardwareMfa]),
        }
    }
}

/// Console operations. The sensitive ones are behind operation protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Create an API access key (sensitive).
    CreateAccessKey,
    /// Delete a cloud resource (sensitive).
    DeleteResource,
    /// Change security settings (sensitive).
    ChangeSecuritySettings,
    /// List resources (not sensitive: never asks for a second factor).
    ListResources,
}

impl Operation {
    /// Whether operation protection applies.
    pub fn is_sensitive(self) -> bool {
        !matches!(self, Operation::ListResources)
    }
}

/// The kind of account and where it sits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// A root (main) account.
    Root,
    /// An IAM user under `root`.
    Iam {
        /// The owning root account.
        root: String,
    },
    /// An administrator IAM user under `root`: may set other IAM users' protections.
    IamAdmin {
        /// The owning root account.
        root: String,
    },
}

/// A new account (setup). `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    /// Unique sign-in name.
    pub name: String,
    /// The password (a server keeps only its hash).
    pub password: String,
    /// Root, IAM or admin IAM (flattened on the wire: `{"name", "password", "role", "root"?}`).
    #[serde(flatten)]
    pub role: Role,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser").field("name", &self.name).field("role", &self.role).finish_non_exhaustive()
    }
}

/// A device bound during setup, without spending any of its codes.
#[derive(Clone, Debug)]
pub enum SetupDevice {
    /// An authenticator app holding `secret` (SHA1, 6 digits, 30 s, as consoles issue).
    Virtual {
        /// The app's key.
        secret: Secret,
    },
    /// An imported hardware token.
    Hardware {
        /// Its serial number.
        serial: String,
    },
}

/// What a user's account looks like from outside (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// Sign-in name.
    pub name: String,
    /// Login protection methods (empty: off).
    pub login: MethodSet,
    /// Operation protection methods (empty: off).
    pub operation: MethodSet,
    /// A virtual MFA device is bound.
    pub virtual_bound: bool,
    /// The bound hardware token's serial.
    pub hardware_serial: Option<String>,
}

/// One life-cycle event in the record of a user's authenticators. The record keeps every
/// authenticator that is or has been bound, so an unbound device stays in it with both dates
/// (NIST SP 800-63B: the record "SHALL contain the date and time" of binding and other
/// significant life-cycle events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorEvent {
    /// When it happened, by the server's clock.
    pub at: SimTime,
    /// Which of the user's devices.
    pub kind: DeviceKind,
    /// What happened to it.
    pub event: LifecycleEvent,
}

/// What happened to an authenticator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// Bound to the account (by the user, or in setup).
    Bound,
    /// No longer bound: unbound by its user, or removed by support.
    Unbound,
}

/// An SMS a server sent. `Debug` hides the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// The secure phone number it goes to.
    pub phone: String,
    /// The text as a phone shows it.
    pub text: String,
    /// The code alone (where the server says; otherwise the harness reads it from `text`).
    pub code: String,
    /// When the server sent it.
    pub sent_at: SimTime,
}

impl fmt::Debug for SmsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmsMessage {{ phone: {:?}, code: <redacted>, sent_at: {} }}", self.phone, self.sent_at)
    }
}

/// The policy numbers a target declares, so scenarios can say "as many times as the lockout
/// threshold" and stay true whatever a vendor chose. A number a target does not declare is
/// `None`: a scenario that needs it is not applicable there, never run on a guess.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFacts {
    /// Consecutive failures that lock an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lockout_threshold: Option<u32>,
    /// How long a lockout lasts.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "secs")]
    pub lockout_duration: Option<Duration>,
    /// Wrong answers one SMS code survives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_max_attempts: Option<u32>,
    /// How long an SMS code stays valid after it is sent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "secs")]
    pub sms_lifetime: Option<Duration>,
    /// Time steps accepted before the current one (the window's back edge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_behind: Option<u64>,
    /// Time steps accepted after the current one (the window's forward edge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ahead: Option<u64>,
    /// How long a prompt the server holds (a second-factor prompt after the password, an open
    /// binding) waits for its answer. A server that holds no prompt between the two (one
    /// request checks password and code together) declares none.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "secs")]
    pub prompt_lifetime: Option<Duration>,
    /// Time steps a resynchronisation searches either side for two consecutive codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resync_range: Option<u64>,
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Option::<u64>::deserialize(d).map(|secs| secs.map(Duration::from_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_method_belongs_to_exactly_one_kind() {
        for method in Method::ALL {
            let kinds: Vec<DeviceKind> =
                DeviceKind::ALL.into_iter().filter(|k| k.method() == method).collect();
            assert!(kinds.len() <= 1, "{method:?} answered by {kinds:?}");
            assert_eq!(DeviceKind::answering(method), kinds.first().copied());
        }
        assert_eq!(DeviceKind::answering(Method::Sms), None);
        assert_eq!(DeviceKind::answering(Method::Password), None);
    }

    #[test]
    fn unbinding_always_accepts_the_device_itself() {
        for kind in DeviceKind::ALL {
            assert!(kind.unbinding_methods().contains(kind.method()), "{kind:?}");
            assert!(!kind.unbinding_methods().contains(Method::Password), "{kind:?}");
        }
    }
}
