//! SMS codes: how long one is accepted, how many wrong answers void it, whether it is spent
//! once accepted, whether it answers only its own prompt, and how soon another is sent.
//! Each measurement point is a fresh account with its own phone.

use std::time::Duration;

use super::bisect::first_where;
use super::error::ProbeError;
use super::lab::Lab;
use super::report::{Interval, Measured, SmsAttempts, SmsFigures, SmsLifetime, SmsResend, SmsReuse};
use crate::clock::SimTime;
use crate::protocol::{Method, RejectReason, Verdict};

/// The oldest code tried: a day.
pub const LIFETIME_HORIZON_SECS: u64 = 86_400;
/// The most wrong answers tried on one code.
pub const ATTEMPT_LIMIT: u32 = 101;
/// The longest wait for a second SMS: an hour.
pub const RESEND_HORIZON_SECS: u64 = 3_600;

/// Measures the SMS figures.
pub(crate) fn measure(lab: &Lab) -> SmsFigures {
    if let Some(reason) = lab.cannot_verify(Method::Sms) {
        return SmsFigures {
            lifetime: Measured::not_measured(reason.clone()),
            attempts: Measured::not_measured(reason.clone()),
            single_use: Measured::not_measured(reason.clone()),
            tied_to_challenge: Measured::not_measured(reason.clone()),
            resend_at_once: Measured::not_measured(reason.clone()),
            resend_interval: Measured::not_measured(reason),
        };
    }
    SmsFigures {
        lifetime: lab.waiting(|t| lifetime(lab, t)),
        attempts: lab.steady(|t| attempts(lab, t)).into(),
        single_use: lab.steady(|t| single_use(lab, t)).into(),
        tied_to_challenge: lab.steady(|t| tied(lab, t)).into(),
        resend_at_once: lab.steady(|t| resend_at_once(lab, t)).into(),
        resend_interval: lab.waiting(|t| resend_interval(lab, t)),
    }
}

/// The code's answer `age` seconds after it was sent.
fn answer_at_age(lab: &Lab, age: u64, t: SimTime) -> Result<Verdict, ProbeError> {
    let subject = lab.sms_subject("sms-lifetime")?;
    let challenge = lab.prompt(&subject, Method::Sms, t)?;
    let code = lab.sms_code(&subject, challenge, t)?;
    let later = t + Duration::from_secs(age);
    lab.answer(challenge, Method::Sms, &code, later)
}

fn lifetime(lab: &Lab, t: SimTime) -> Result<SmsLifetime, ProbeError> {
    let refused_at =
        first_where(1, LIFETIME_HORIZON_SECS, |age| Ok(!answer_at_age(lab, age, t)?.is_accepted()))?;
    let then = match refused_at {
        Some(age) => answer_at_age(lab, age, t)?.to_string(),
        None => answer_at_age(lab, LIFETIME_HORIZON_SECS, t)?.to_string(),
    };
    Ok(SmsLifetime { accepted_for_secs: refused_at, then, horizon_secs: LIFETIME_HORIZON_SECS })
}

/// The right code's answer after `k` wrong ones on its prompt.
fn right_after(lab: &Lab, k: u32, t: SimTime) -> Result<Verdict, ProbeError> {
    let subject = lab.sms_subject("sms-attempts")?;
    let challenge = lab.prompt(&subject, Method::Sms, t)?;
    let code = lab.sms_code(&subject, challenge, t)?;
    for wrong in subject.wrong_codes(t, k as usize, Some(&code)) {
        lab.answer(challenge, Method::Sms, &wrong, t)?;
    }
    lab.answer(challenge, Method::Sms, &code, t)
}

fn attempts(lab: &Lab, t: SimTime) -> Result<SmsAttempts, ProbeError> {
    let first = right_after(lab, 0, t)?;
    if !first.is_accepted() {
        return Err(ProbeError::unexpected("answering with a fresh SMS code", first));
    }
    let void_after =
        first_where(1, u64::from(ATTEMPT_LIMIT), |k| Ok(!right_after(lab, k as u32, t)?.is_accepted()))?;
    let then = right_after(lab, void_after.map_or(ATTEMPT_LIMIT, |k| k as u32), t)?;
    Ok(SmsAttempts {
        void_after: void_after.map(|k| k as u32),
        by_account_lock: then.reject_reason() == Some(RejectReason::LockedOut),
        then: then.to_string(),
        limit: ATTEMPT_LIMIT,
    })
}

/// A code accepted on one prompt, sent to the account's next prompt (which has its own SMS).
fn single_use(lab: &Lab, t: SimTime) -> Result<SmsReuse, ProbeError> {
    let subject = lab.sms_subject("sms-once")?;
    let first = lab.prompt(&subject, Method::Sms, t)?;
    let code = lab.sms_code(&subject, first, t)?;
    let accepted = lab.answer(first, Method::Sms, &code, t)?;
    if !accepted.is_accepted() {
        return Err(ProbeError::unexpected("answering with a fresh SMS code", accepted));
    }
    let second = lab.prompt(&subject, Method::Sms, t)?;
    lab.sms_code(&subject, second, t)?;
    let again = lab.answer(second, Method::Sms, &code, t)?;
    Ok(SmsReuse { accepted: again.is_accepted(), answer: again.to_string() })
}

/// The code of one open prompt sent to another open prompt of the same account.
fn tied(lab: &Lab, t: SimTime) -> Result<SmsReuse, ProbeError> {
    let subject = lab.sms_subject("sms-tied")?;
    let own = lab.prompt(&subject, Method::Sms, t)?;
    let code = lab.sms_code(&subject, own, t)?;
    let other = lab.prompt(&subject, Method::Sms, t)?;
    lab.sms_code(&subject, other, t)?;
    let answer = lab.answer(other, Method::Sms, &code, t)?;
    Ok(SmsReuse { accepted: answer.is_accepted(), answer: answer.to_string() })
}

fn resend_at_once(lab: &Lab, t: SimTime) -> Result<SmsResend, ProbeError> {
    let subject = lab.sms_subject("sms-resend")?;
    let challenge = lab.prompt(&subject, Method::Sms, t)?;
    lab.sms_code(&subject, challenge, t)?;
    let again = lab.request_sms(challenge, t)?;
    Ok(SmsResend { throttled: again != Verdict::SmsSent, answer: again.to_string() })
}

/// The shortest wait after which a second request is no longer refused as too soon. (Much
/// later the prompt itself expires; that answer is not "too soon", so the edge stays put.)
fn resend_interval(lab: &Lab, t: SimTime) -> Result<Interval, ProbeError> {
    let second = |wait: u64| -> Result<Verdict, ProbeError> {
        let subject = lab.sms_subject("sms-resend-wait")?;
        let challenge = lab.prompt(&subject, Method::Sms, t)?;
        lab.sms_code(&subject, challenge, t)?;
        lab.request_sms(challenge, t + Duration::from_secs(wait))
    };
    let throttled = |v: &Verdict| v.reject_reason() == Some(RejectReason::Throttled);
    let secs = first_where(0, RESEND_HORIZON_SECS, |wait| Ok(!throttled(&second(wait)?)))?;
    let then = match secs {
        Some(wait) => second(wait)?.to_string(),
        None => second(RESEND_HORIZON_SECS)?.to_string(),
    };
    Ok(Interval { secs, then, horizon_secs: RESEND_HORIZON_SECS })
}
