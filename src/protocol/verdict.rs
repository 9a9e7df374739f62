//! What a server answers: verdicts, not errors.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{DeviceKind, MethodSet};

/// Opaque handle of a signed-in session. Handles travel as decimal strings in JSON, so
/// clients whose numbers are doubles keep all 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(#[serde(with = "decimal")] pub u64);

/// Opaque handle of an open prompt: a second-factor or identity challenge, or a confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChallengeId(#[serde(with = "decimal")] pub u64);

/// Opaque handle of an open binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BindingId(#[serde(with = "decimal")] pub u64);

/// What an authenticator app needs to enrol: the `otpauth://` URI and the same URI as a QR
/// code PNG. Both carry the secret, so `Debug` shows neither.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The `otpauth://totp/...` URI.
    pub uri: String,
    /// A PNG image of the QR code encoding `uri`.
    #[serde(with = "png_base64")]
    pub qr_png: Vec<u8>,
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Enrolment {{ uri: <redacted>, qr_png: {} bytes }}", self.qr_png.len())
    }
}

/// A server's answer to a step of a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Done. A sign-in (or a binding that completed a sign-in) carries the new session.
    Accepted {
        /// The session opened, for sign-ins.
        session: Option<SessionId>,
    },
    /// Refused, with the reason.
    Rejected {
        /// Why.
        reason: RejectReason,
    },
    /// A second factor or identity check is needed: answer `challenge` with one of `methods`.
    ChallengeRequired {
        /// The prompt to answer.
        challenge: ChallengeId,
        /// The methods that may answer it.
        methods: MethodSet,
    },
    /// A confirmation box ("Are you sure?") must be confirmed first.
    ConfirmRequired {
        /// The prompt to confirm.
        challenge: ChallengeId,
    },
    /// A device must be bound first (explicitly, or the sign-in redirect of the Baidu console).
    /// `enrolment` is present for virtual devices.
    BindingOpen {
        /// The binding to finish.
        binding: BindingId,
        /// Which device kind.
        kind: DeviceKind,
        /// URI and QR code for a virtual device.
        enrolment: Option<Enrolment>,
    },
    /// An SMS code was sent to the secure phone number.
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

/// One line for reports: `rejected (replayed)`, `challenge (SMS or virtual MFA)`.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accepted { .. } => f.write_str("accepted"),
            Verdict::Rejected { reason } => write!(f, "rejected ({})", reason.words()),
            Verdict::ChallengeRequired { methods, .. } => write!(f, "asked for {methods}"),
            Verdict::ConfirmRequired { .. } => f.write_str("asked to confirm"),
            Verdict::BindingOpen { kind, enrolment, .. } => write!(
                f,
                "sent to bind a {} MFA device{}",
                kind.words(),
                if enrolment.is_some() { " (QR code shown)" } else { "" }
            ),
            Verdict::SmsSent => f.write_str("SMS sent"),
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
    /// No such device is bound, or the method is not available.
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
    /// An SMS was asked for again too soon.
    Throttled,
}

impl RejectReason {
    /// Words for reports.
    pub fn words(self) -> &'static str {
        match self {
            RejectReason::WrongPassword => "wrong password",
            RejectReason::WrongCode => "wrong code",
            RejectReason::Replayed => "replayed",
            RejectReason::LockedOut => "locked out",
            RejectReason::Expired => "expired",
            RejectReason::CodeUsed => "code used up",
            RejectReason::NotBound => "not bound",
            RejectReason::NotAllowed => "not allowed",
            RejectReason::AlreadyBound => "already bound",
            RejectReason::NotBeta => "not on the beta list",
            RejectReason::UnknownSerial => "unknown serial",
            RejectReason::SerialTaken => "serial bound elsewhere",
            RejectReason::SameCode => "same code twice",
            RejectReason::NotConsecutive => "codes not consecutive",
            RejectReason::MethodNotOffered => "method not offered",
            RejectReason::Throttled => "too soon",
        }
    }
}

/// Handles travel as decimal strings in JSON (`"17"`), never as numbers.
mod decimal {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| serde::de::Error::custom("expected an id: a decimal string"))
    }
}

/// QR images travel as base64 in JSON.
mod png_base64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}
