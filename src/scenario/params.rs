//! The words steps take (`features/STEPS.md`, "Parameters"), as typed cucumber parameters.
//! Each type's regex is the one STEPS.md documents, and `FromStr` turns the words into
//! meaning once, so step functions never look at strings.

use std::str::FromStr;
use std::time::Duration;

use cucumber::Parameter;

use crate::protocol::{DeviceKind, LifecycleEvent};

/// `{user}`: a member of the cast (Rita, Adam, Alice, Bob, Mallory).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Parameter)]
#[param(name = "user", regex = "[A-Z][a-z]+")]
pub struct User(pub String);

impl FromStr for User {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(User(s.to_owned()))
    }
}

/// `{duration}`: a fixed span (`40 seconds`, `1 minute`, `2 weeks`, `5 years`; a year is 365
/// days), or a span the target's declared policy names (`the SMS lifetime`, `the lockout
/// duration`, `the back edge of the window`, `the forward edge of the window`), optionally
/// `plus` or `less` a fixed span. Where a number was only our reference's default, a feature
/// names it instead, so a server with another declared policy is judged on what it declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "duration",
    regex = "[0-9]+ (?:seconds?|minutes?|hours?|days?|weeks?|years?)|(?:the SMS lifetime|the lockout duration|the back edge of the window|the forward edge of the window|the prompt lifetime|the resync range)(?: (?:plus|less) [0-9]+ (?:seconds?|minutes?|hours?|days?|weeks?|years?))?"
)]
pub enum Span {
    /// A span given in the feature.
    Fixed(Duration),
    /// A declared length, moved by a fixed span (`less` when `later` is false).
    Declared {
        /// Which policy number.
        length: PolicyLength,
        /// Whether `by` is added (`plus`) or taken away (`less`).
        later: bool,
        /// The fixed span added or taken away.
        by: Duration,
    },
}

/// A policy number that is a length of time, read from the target's declared policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyLength {
    /// How long an SMS code stays valid.
    SmsLifetime,
    /// How long a lockout lasts.
    LockoutDuration,
    /// How far back the window reaches: its steps behind times the step length.
    WindowBehind,
    /// How far forward the window reaches: its steps ahead times the step length.
    WindowAhead,
    /// How long a prompt the server holds waits for its answer.
    PromptLifetime,
    /// How far a resynchronisation searches: its steps either side times the step length.
    ResyncRange,
}

impl PolicyLength {
    /// The words a feature uses for it.
    pub fn words(self) -> &'static str {
        match self {
            PolicyLength::SmsLifetime => "the SMS lifetime",
            PolicyLength::LockoutDuration => "the lockout duration",
            PolicyLength::WindowBehind => "the back edge of the window",
            PolicyLength::WindowAhead => "the forward edge of the window",
            PolicyLength::PromptLifetime => "the prompt lifetime",
            PolicyLength::ResyncRange => "the resync range",
        }
    }

    const ALL: [PolicyLength; 6] = [
        PolicyLength::SmsLifetime,
        PolicyLength::LockoutDuration,
        PolicyLength::WindowBehind,
        PolicyLength::WindowAhead,
        PolicyLength::PromptLifetime,
        PolicyLength::ResyncRange,
    ];
}

fn fixed_span(s: &str) -> Result<Duration, String> {
    let (n, unit) = s.split_once(' ').ok_or_else(|| format!("bad duration {s:?}"))?;
    let n: u64 = n.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let unit_secs = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "year" => 365 * 86_400,
        _ => return Err(format!("bad duration unit {unit:?}")),
    };
    Ok(Duration::from_secs(n * unit_secs))
}

impl FromStr for Span {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        for length in PolicyLength::ALL {
            let Some(rest) = s.strip_prefix(length.words()) else { continue };
            if rest.is_empty() {
                return Ok(Span::Declared { length, later: true, by: Duration::ZERO });
            }
            let (later, by) = if let Some(by) = rest.strip_prefix(" plus ") {
                (true, by)
            } else if let Some(by) = rest.strip_prefix(" less ") {
                (false, by)
            } else {
                return Err(format!("bad duration {s:?}"));
            };
            return Ok(Span::Declared { length, later, by: fixed_span(by)? });
        }
        fixed_span(s).map(Span::Fixed)
    }
}

/// `{offset}`: `on time`, `40 seconds fast`, `the forward edge of the window plus 14 seconds
/// fast`: how far a clock is from true time, a `{duration}` ahead (fast) or behind (slow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "offset",
    regex = "on time|(?:[0-9]+ (?:seconds?|minutes?|hours?|days?|weeks?|years?)|(?:the SMS lifetime|the lockout duration|the back edge of the window|the forward edge of the window|the prompt lifetime|the resync range)(?: (?:plus|less) [0-9]+ (?:seconds?|minutes?|hours?|days?|weeks?|years?))?) (?:fast|slow)"
)]
pub struct Offset {
    /// How far off.
    pub by: Span,
    /// Ahead of true time.
    pub fast: bool,
}

impl FromStr for Offset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "on time" {
            return Ok(Offset { by: Span::Fixed(Duration::ZERO), fast: true });
        }
        let (span, direction) = s.rsplit_once(' ').ok_or_else(|| format!("bad offset {s:?}"))?;
        let fast = match direction {
            "fast" => true,
            "slow" => false,
            _ => return Err(format!("bad offset {s:?}")),
        };
        Ok(Offset { by: span.parse()?, fast })
    }
}

/// `{rate}`: `20 ppm fast`, `5 ppm slow`: a clock's rate error in ppm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "rate", regex = "[0-9]+ ppm (?:fast|slow)")]
pub struct Rate(pub i64);

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut words = s.split(' ');
        let n: i64 = words.next().and_then(|n| n.parse().ok()).ok_or_else(|| format!("bad rate {s:?}"))?;
        Ok(Rate(if s.ends_with("fast") { n } else { -n }))
    }
}

/// `{times}`: how many attempts; the named limits are read from the target's policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "times",
    regex = "once|twice|[0-9]+ times|as many times as the lockout threshold|one time fewer than the lockout threshold|as many times as the SMS attempt limit"
)]
pub enum Times {
    /// A fixed number.
    Exactly(u32),
    /// The target's lockout threshold.
    LockoutThreshold,
    /// One fewer than the lockout threshold.
    BelowLockoutThreshold,
    /// The target's SMS attempt limit.
    SmsAttemptLimit,
}

impl FromStr for Times {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "once" => Times::Exactly(1),
            "twice" => Times::Exactly(2),
            "as many times as the lockout threshold" => Times::LockoutThreshold,
            "one time fewer than the lockout threshold" => Times::BelowLockoutThreshold,
            "as many times as the SMS attempt limit" => Times::SmsAttemptLimit,
            n => Times::Exactly(
                n.trim_end_matches(" times").parse().map_err(|_| format!("bad count of times {s:?}"))?,
            ),
        })
    }
}

/// `{count}`: a number of parallel requests, or the lockout threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "count", regex = "[0-9]+|the lockout threshold")]
pub enum Count {
    /// A fixed number.
    Exactly(u32),
    /// The target's lockout threshold.
    LockoutThreshold,
}

impl FromStr for Count {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "the lockout threshold" => Ok(Count::LockoutThreshold),
            n => n.parse().map(Count::Exactly).map_err(|_| format!("bad count {s:?}")),
        }
    }
}

/// `{attempt}`: which kind of action a `Then the ... is ...` step checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Parameter)]
#[param(name = "attempt", regex = "code|binding|unbinding|sign-in|operation|change|request|resync|reset")]
pub enum Attempt {
    /// An answer to a second-factor or identity prompt.
    Code,
    /// Finishing a binding.
    Binding,
    /// An unbinding.
    Unbinding,
    /// A password sign-in.
    SignIn,
    /// A console operation.
    Operation,
    /// A protection-setting change.
    Change,
    /// An SMS request.
    Request,
    /// A resynchronisation.
    Resync,
    /// A support reset.
    Reset,
}

impl FromStr for Attempt {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "code" => Attempt::Code,
            "binding" => Attempt::Binding,
            "unbinding" => Attempt::Unbinding,
            "sign-in" => Attempt::SignIn,
            "operation" => Attempt::Operation,
            "change" => Attempt::Change,
            "request" => Attempt::Request,
            "resync" => Attempt::Resync,
            "reset" => Attempt::Reset,
            _ => return Err(format!("unknown attempt {s:?}")),
        })
    }
}

/// `{outcome}`: what a verdict must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Parameter)]
#[param(
    name = "outcome",
    regex = "accepted|not accepted|rejected|rejected as a replay|rejected as expired|refused as locked out|refused as not allowed|refused as too soon"
)]
pub enum Expect {
    /// It succeeded.
    Accepted,
    /// Anything but success.
    NotAccepted,
    /// A code or binding was turned down for any reason.
    Rejected,
    /// Rejected because the code's step was used before.
    Replay,
    /// Rejected because the code or prompt expired.
    Expired,
    /// Not checked at all: the account is locked.
    LockedOut,
    /// The actor lacks the right.
    NotAllowed,
    /// An SMS asked for again too soon.
    TooSoon,
}

impl FromStr for Expect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "accepted" => Expect::Accepted,
            "not accepted" => Expect::NotAccepted,
            "rejected" => Expect::Rejected,
            "rejected as a replay" => Expect::Replay,
            "rejected as expired" => Expect::Expired,
            "refused as locked out" => Expect::LockedOut,
            "refused as not allowed" => Expect::NotAllowed,
            "refused as too soon" => Expect::TooSoon,
            _ => return Err(format!("unknown outcome {s:?}")),
        })
    }
}

/// `{code}`: where the code a user enters comes from.
#[derive(Clone, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "code",
    regex = "the code (?:her|his|their) (?:virtual|hardware) MFA device shows|the code it shows|the code from the (?:first|latest) SMS|a wrong code|the same code again|the code [A-Z][a-z]+ just used|the code \"[0-9]+\""
)]
pub enum CodeWords {
    /// The user's own device of this kind, now, by its own clock.
    Device(DeviceKind),
    /// The hardware device named in the same step.
    ItShows,
    /// The first SMS code the user received.
    FirstSms,
    /// The latest SMS code the user received.
    LatestSms,
    /// A well-formed code valid nowhere in any window.
    Wrong,
    /// The code this user entered last.
    Again,
    /// The code another user entered last.
    UsedBy(String),
    /// Exactly these digits.
    Literal(String),
}

impl FromStr for CodeWords {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "the code it shows" => CodeWords::ItShows,
            "the code from the first SMS" => CodeWords::FirstSms,
            "the code from the latest SMS" => CodeWords::LatestSms,
            "a wrong code" => CodeWords::Wrong,
            "the same code again" => CodeWords::Again,
            s if s.ends_with("MFA device shows") => CodeWords::Device(if s.contains("virtual") {
                DeviceKind::Virtual
            } else {
                DeviceKind::Hardware
            }),
            s if s.ends_with(" just used") => {
                CodeWords::UsedBy(s.trim_start_matches("the code ").trim_end_matches(" just used").to_owned())
            }
            s => CodeWords::Literal(
                s.strip_prefix("the code \"")
                    .and_then(|r| r.strip_suffix('"'))
                    .ok_or_else(|| format!("unknown code words {s:?}"))?
                    .to_owned(),
            ),
        })
    }
}

/// `{device}`: which of a user's devices, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Parameter)]
#[param(name = "device", regex = "virtual MFA device|hardware MFA device")]
pub struct DeviceWord(pub DeviceKind);

impl FromStr for DeviceWord {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "virtual MFA device" => Ok(DeviceWord(DeviceKind::Virtual)),
            "hardware MFA device" => Ok(DeviceWord(DeviceKind::Hardware)),
            _ => Err(format!("unknown device {s:?}")),
        }
    }
}

/// `{codepair}`: the two codes of a binding or resync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "codepair",
    regex = "two consecutive codes|the same code twice|two non-consecutive codes|two codes from another key"
)]
pub enum CodePair {
    /// The code now and the next one.
    Consecutive,
    /// The code now, twice.
    SameTwice,
    /// The code now and the one two steps later.
    NonConsecutive,
    /// Two consecutive codes of a key the service never issued.
    OtherKey,
}

impl FromStr for CodePair {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "two consecutive codes" => CodePair::Consecutive,
            "the same code twice" => CodePair::SameTwice,
            "two non-consecutive codes" => CodePair::NonConsecutive,
            "two codes from another key" => CodePair::OtherKey,
            _ => return Err(format!("unknown code pair {s:?}")),
        })
    }
}

/// `{encoding}`: how a seed is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "encoding", regex = "hex|base32")]
pub enum Encoding {
    /// Hex digits.
    Hex,
    /// RFC 4648 base32.
    Base32,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hex" => Ok(Encoding::Hex),
            "base32" => Ok(Encoding::Base32),
            _ => Err(format!("unknown encoding {s:?}")),
        }
    }
}

/// `{algorithm}`: a token's HMAC hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "algorithm", regex = "SHA1|SHA256|SHA512")]
pub struct AlgorithmWord(pub crate::otp::Algorithm);

impl FromStr for AlgorithmWord {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(AlgorithmWord).map_err(|e: crate::otp::OtpError| e.to_string())
    }
}

/// `{protection}`: which protection scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "protection", regex = "login protection|operation protection")]
pub struct Protection(pub crate::protocol::Scope);

impl FromStr for Protection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use crate::protocol::Scope;
        match s {
            "login protection" => Ok(Protection(Scope::Login)),
            "operation protection" => Ok(Protection(Scope::Operation)),
            _ => Err(format!("unknown protection {s:?}")),
        }
    }
}

/// `{methods}`: a set of methods, `and` and `or` alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "methods",
    regex = "(?:SMS|virtual MFA|hardware MFA)(?: (?:and|or) (?:SMS|virtual MFA|hardware MFA))*"
)]
pub struct Methods(pub crate::protocol::MethodSet);

impl FromStr for Methods {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use crate::protocol::Method;
        s.split(" and ")
            .flat_map(|part| part.split(" or "))
            .map(|word| match word {
                "SMS" => Ok(Method::Sms),
                "virtual MFA" => Ok(Method::VirtualMfa),
                "hardware MFA" => Ok(Method::HardwareMfa),
                _ => Err(format!("unknown method {word:?}")),
            })
            .collect::<Result<_, _>>()
            .map(Methods)
    }
}

/// `{operation}`: a console operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(
    name = "operation",
    regex = "create an access key|delete a cloud server|change a security setting|list cloud servers"
)]
pub struct OperationWords(pub crate::protocol::Operation);

impl FromStr for OperationWords {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use crate::protocol::Operation;
        Ok(OperationWords(match s {
            "create an access key" => Operation::CreateAccessKey,
            "delete a cloud server" => Operation::DeleteResource,
            "change a security setting" => Operation::ChangeSecuritySettings,
            "list cloud servers" => Operation::ListResources,
            _ => return Err(format!("unknown operation {s:?}")),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_to_meaning() {
        assert_eq!("5 years".parse::<Span>().unwrap(), Span::Fixed(Duration::from_secs(5 * 365 * 86_400)));
        assert_eq!("1 minute".parse::<Span>().unwrap(), Span::Fixed(Duration::from_secs(60)));
        assert_eq!(
            "the SMS lifetime less 1 minute".parse::<Span>().unwrap(),
            Span::Declared { length: PolicyLength::SmsLifetime, later: false, by: Duration::from_secs(60) }
        );
        assert_eq!(
            "the lockout duration".parse::<Span>().unwrap(),
            Span::Declared { length: PolicyLength::LockoutDuration, later: true, by: Duration::ZERO }
        );
        let secs = |n| Span::Fixed(Duration::from_secs(n));
        assert_eq!("40 seconds fast".parse::<Offset>().unwrap(), Offset { by: secs(40), fast: true });
        assert_eq!("2 minutes slow".parse::<Offset>().unwrap(), Offset { by: secs(120), fast: false });
        assert_eq!("on time".parse::<Offset>().unwrap(), Offset { by: secs(0), fast: true });
        assert_eq!(
            "the forward edge of the window plus 14 seconds fast".parse::<Offset>().unwrap(),
            Offset {
                by: Span::Declared {
                    length: PolicyLength::WindowAhead,
                    later: true,
                    by: Duration::from_secs(14)
                },
                fast: true
            }
        );
        assert!("the SMS lifetime times 2".parse::<Span>().is_err());
        assert_eq!("20 ppm slow".parse::<Rate>().unwrap(), Rate(-20));
        assert_eq!("31 times".parse::<Times>().unwrap(), Times::Exactly(31));
        assert_eq!(
            "the code Alice just used".parse::<CodeWords>().unwrap(),
            CodeWords::UsedBy("Alice".into())
        );
        assert_eq!(
            "the code \"94287082\"".parse::<CodeWords>().unwrap(),
            CodeWords::Literal("94287082".into())
        );
        assert_eq!(
            "the code his hardware MFA device shows".parse::<CodeWords>().unwrap(),
            CodeWords::Device(DeviceKind::Hardware)
        );
        assert!("3 fortnights".parse::<Span>().is_err());
        use crate::protocol::{Method, MethodSet};
        assert_eq!(
            "SMS or virtual MFA".parse::<Methods>().unwrap().0,
            MethodSet::of(&[Method::Sms, Method::VirtualMfa])
        );
        assert_eq!("hardware MFA".parse::<Methods>().unwrap().0, MethodSet::of(&[Method::HardwareMfa]));
    }
}

/// `{lifecycle}`: what the record says happened to a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Parameter)]
#[param(name = "lifecycle", regex = "bound|unbound")]
pub struct LifecycleWord(pub LifecycleEvent);

impl FromStr for LifecycleWord {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bound" => Ok(LifecycleWord(LifecycleEvent::Bound)),
            "unbound" => Ok(LifecycleWord(LifecycleEvent::Unbound)),
            _ => Err(format!("unknown life-cycle event {s:?}")),
        }
    }
}
