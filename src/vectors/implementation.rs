//! The OTP implementations vectors run against: our core, and totp-rs as an independent
//! oracle. An implementation that cannot express a record says so with a reason; it never
//! passes it.

use serde::Serialize;

use super::{Case, CodeParams, ParsedUri, UriExpectation, Vector};
use crate::otp::{Algorithm, Hotp, OtpAuthUri, Totp};

/// An implementation under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// `crate::otp`.
    Core,
    /// The totp-rs crate's `generate`.
    TotpRs,
}

/// The result of one vector on one implementation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The implementation produced the expected result.
    Pass,
    /// It produced something else.
    Fail {
        /// What the record expects.
        expected: String,
        /// What the implementation gave.
        actual: String,
    },
    /// The implementation cannot express this record.
    NotApplicable {
        /// Why.
        reason: String,
    },
}

impl Implementation {
    /// Every implementation.
    pub const ALL: [Implementation; 2] = [Implementation::Core, Implementation::TotpRs];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::Core => "core",
            Implementation::TotpRs => "totp-rs",
        }
    }

    /// Runs one vector.
    pub fn run(self, vector: &Vector) -> Outcome {
        let expected = match &vector.case {
            Case::Hotp { expected, .. } | Case::Totp { expected, .. } => expected.clone(),
            Case::Uri { expected, .. } => expected.to_string(),
        };
        match self.compute(&vector.case) {
            Computed::Value(actual) if actual == expected => Outcome::Pass,
            Computed::Value(actual) => Outcome::Fail { expected, actual },
            Computed::Refused(reason) => Outcome::Fail { expected, actual: format!("error: {reason}") },
            Computed::NotApplicable(reason) => Outcome::NotApplicable { reason: reason.to_owned() },
        }
    }

    fn compute(self, case: &Case) -> Computed {
        match (case, self) {
            (Case::Hotp { params, counter, .. }, Implementation::Core) => Computed::Value(
                Hotp::new(&params.secret, params.algorithm, params.digits).code(*counter).to_string(),
            ),
            (Case::Totp { params, period, t0, time, .. }, Implementation::Core) => {
                match Totp::new(&params.secret, params.algorithm, params.digits, *period, *t0).code_at(*time)
                {
                    Ok(code) => Computed::Value(code.to_string()),
                    Err(e) => Computed::Refused(e.to_string()),
                }
            }
            (Case::Uri { uri, .. }, Implementation::Core) => Computed::Value(
                match OtpAuthUri::parse(uri) {
                    Ok(parsed) => UriExpectation::Parsed(ParsedUri::of(&parsed)),
                    Err(e) => UriExpectation::Error(e.kind().to_owned()),
                }
                .to_string(),
            ),
            // HOTP is TOTP with a one-second step at time = counter.
            (Case::Hotp { params, counter, .. }, Implementation::TotpRs) => totp_rs_code(params, 1, *counter),
            (Case::Totp { params, period, t0, time, .. }, Implementation::TotpRs) => {
                match time.checked_sub(*t0) {
                    // totp-rs has no T0; RFC 6238 §4.2 counts steps from T0, so shift the time.
                    Some(since) => totp_rs_code(params, period.seconds(), since),
                    None => Computed::Refused("time before T0".into()),
                }
            }
            (Case::Uri { .. }, Implementation::TotpRs) => {
                Computed::NotApplicable("the totp-rs oracle checks codes only")
            }
        }
    }
}

/// What an implementation made of a record, before comparing with the expectation.
enum Computed {
    Value(String),
    Refused(String),
    NotApplicable(&'static str),
}

fn totp_rs_code(params: &CodeParams, step: u64, time: u64) -> Computed {
    // totp-rs computes 10^digits in u32, which overflows (and panics) at 10 digits.
    if params.digits.get() > 9 {
        return Computed::NotApplicable("totp-rs supports at most 9 digits");
    }
    let algorithm = match params.algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    };
    let totp = totp_rs::Builder::new()
        .with_algorithm(algorithm)
        .with_digits(params.digits.get())
        .with_secret(params.secret.expose().to_vec())
        .with_step_duration(step)
        .build_noncompliant();
    Computed::Value(totp.generate(time).to_string())
}
