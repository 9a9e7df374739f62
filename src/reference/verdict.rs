//! What the service answers: verdicts, not errors. A wrong code is an answer; an unknown user
//! is an error ([`super::ReferenceError`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A code sent by SMS to the bound phone number.
    Sms,
    /// A TOTP code from the bound virtual or hardware MFA device.
    Totp,
}

/// A set of second-factor methods (enabled for a protection, or offered by a challenge).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MethodSet {
    /// SMS code.
    pub sms: bool,
    /// TOTP code from an MFA device.
    pub totp: bool,
}

impl MethodSet {
    /// No method: the protection is off.
    pub const NONE: MethodSet = MethodSet { sms: false, totp: false };
    /// SMS only.
    pub const SMS: MethodSet = MethodSet { sms: true, totp: false };
    /// MFA device only.
    pub const TOTP: MethodSet = MethodSet { sms: false, totp: true };
    /// Both (either suffices unless a danger flag says otherwise).
    pub const BOTH: MethodSet = MethodSet { sms: true, totp: true };

    /// Whether no method is enabled.
    pub fn is_empty(self) -> bool {
        !self.sms && !self.totp
    }

    /// Whether `method` is in the set.
    pub fn contains(self, method: Method) -> bool {
        match method {
            Method::Sms => self.sms,
            Method::Totp => self.totp,
        }
    }

    /// Methods in both sets.
    pub fn intersect(self, other: MethodSet) -> MethodSet {
        MethodSet { sms: self.sms && other.sms, totp: self.totp && other.totp }
    }

    /// Whether every method of `other` is also in `self`.
    pub fn covers(self, other: MethodSet) -> bool {
        (self.sms || !other.sms) && (self.totp || !other.totp)
    }
}

/// The kind of MFA device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// An app (RFC 6238), enrolled by `otpauth://` URI / QR code.
    Virtual,
    /// A hardware token known by serial number from an imported seed file.
    Hardware,
}

/// Opaque handle of a logged-in session. Serialised as a decimal string, because JSON
/// numbers above 2^53 lose precision in many clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(pub u64);

/// Opaque handle of an open second-factor challenge (a decimal string in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChallengeId(pub u64);

/// Opaque handle of an open binding (a decimal string in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BindingId(pub u64);

macro_rules! string_id {
    ($($t:ident),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map($t).map_err(|_| serde::de::Error::custom("expected an id (decimal string)"))
            }
        }
    )*};
}

string_id!(SessionId, ChallengeId, BindingId);

/// What a virtual MFA app needs to enrol: the `otpauth://` URI and the same URI as a QR PNG.
/// Both carry the secret, so `Debug` shows neither.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The `otpauth://totp/...` URI.
    pub uri: String,
    /// A PNG image of the QR code encoding `uri` (base64 in JSON).
    #[serde(with = "png_base64")]
    pub qr_png: Vec<u8>,
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Enrolment {{ uri: <redacted>, qr_png: {} bytes }}", self.qr_png.len())
    }
}

/// The service's answer to an authentication step or protected operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Done. A login (or a binding that completed a login) carries the new session.
    Accepted {
        /// The session opened, for logins.
        session: Option<SessionId>,
    },
    /// Refused, with the reason.
    Rejected {
        /// Why.
        reason: RejectReason,
    },
    /// A second factor is needed: answer `challenge` with one of `methods`.
    ChallengeRequired {
        /// The challenge to answer.
        challenge: ChallengeId,
        /// The methods that may answer it.
        methods: MethodSet,
    },
    /// A device must be bound first (explicit binding, or the login redirect the Baidu
    /// console describes). `enrolment` is present for virtual devices.
    BindingOpen {
        /// The binding to finish.
        binding: BindingId,
        /// Which device kind.
        kind: DeviceKind,
        /// URI and QR for a virtual device.
        enrolment: Option<Enrolment>,
    },
    /// An SMS code was sent to the bound phone.
    SmsSent,
}

impl Verdict {
    /// A rejection.
    pub fn rejected(reason: RejectReason) -> Verdict {
        Verdict::Rejected { reason }
    }

    /// Whether this is [`Verdict::Accepted`].
    pub fn is_accepted(&self) -> bool {
        matches!(self, Verdict::Accepted { .. })
    }

    /// The rejection reason, if rejected.
    pub fn reject_reason(&self) -> Option<RejectReason> {
        match self {
            Verdict::Rejected { reason } => Some(*reason),
            _ => None,
        }
    }
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Wrong password.
    WrongPassword,
    /// The code matches no step in the window (or is not a code at all).
    WrongCode,
    /// The code's step was already accepted for this device.
    Replayed,
    /// Too many consecutive failures: the account is locked for a while.
    LockedOut,
    /// The SMS code, challenge or binding has expired.
    Expired,
    /// The SMS code was used up (accepted once, or too many wrong attempts).
    CodeUsed,
    /// No such device is bound, or the method is not bound.
    NotBound,
    /// The actor may not do this.
    NotAllowed,
    /// A device of this kind is already bound: unbind it first.
    AlreadyBound,
    /// The account is not on the hardware MFA beta list.
    NotBeta,
    /// The serial number is not in the imported inventory.
    UnknownSerial,
    /// The serial number is bound to another account.
    SerialTaken,
    /// The two codes are the same.
    SameCode,
    /// The two codes are valid but not for consecutive steps.
    NotConsecutive,
    /// The method is not offered by this challenge.
    MethodNotOffered,
    /// An SMS was sent too recently.
    Throttled,
    /// The action was not confirmed.
    NotConfirmed,
}

mod png_base64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
