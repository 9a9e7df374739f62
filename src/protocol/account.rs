//! Accounts, protections, operations and the setup a conformance run needs.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::MethodSet;
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

/// The kind of MFA device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// An authenticator app (RFC 6238), enrolled by `otpauth://` URI or QR code.
    Virtual,
    /// A hardware token known by serial number from an imported seed file.
    Hardware,
}

impl DeviceKind {
    /// `virtual` or `hardware`.
    pub fn words(self) -> &'static str {
        match self {
            DeviceKind::Virtual => "virtual",
            DeviceKind::Hardware => "hardware",
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
/// threshold" and stay true whatever a vendor chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFacts {
    /// Consecutive failures that lock an account.
    pub lockout_threshold: u32,
    /// How long a lockout lasts.
    #[serde(with = "secs")]
    pub lockout_duration: Duration,
    /// Wrong answers one SMS code survives.
    pub sms_max_attempts: u32,
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}
