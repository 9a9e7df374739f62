//! The failure counter and the lock: after how many wrong codes the right code is refused,
//! what a locked account answers, when the lock ends, and whether a success starts the count
//! again. Every figure comes from the right code's fate, never from the wording of an answer
//! alone: a lock that answers like a wrong code is still found.
//!
//! Prompts a measurement answers after the lock are opened before the first failure, since a
//! locked account may refuse to open new ones.

use std::time::Duration;

use super::bisect::first_where;
use super::error::ProbeError;
use super::guesses;
use super::lab::{Lab, Opened, STEP, Subject};
use super::report::{
    LockedAnswers, LockoutFigures, Measured, Release, SuccessResets, Threshold, WindowFigures,
};
use crate::clock::SimTime;
use crate::protocol::{ChallengeId, Method, Verdict};

/// The most wrong codes tried: one more than NIST SP 800-63B §5.2.2 allows.
pub const LIMIT: u32 = 101;
/// The longest wait for a lock to end: a day.
pub const RELEASE_HORIZON_SECS: u64 = 86_400;

/// Measures the lockout, given the window (the current step's code must be accepted).
pub(crate) fn measure(lab: &Lab, window: &Measured<WindowFigures>) -> LockoutFigures {
    let reason = lab.cannot_verify(Method::VirtualMfa).or_else(|| match window.value() {
        None => Some("needs the accepted window".to_owned()),
        Some(w) if !w.current_accepted() => Some("the current step's code is not accepted".to_owned()),
        Some(_) => None,
    });
    if let Some(reason) = reason {
        return LockoutFigures::not_measured(&reason);
    }
    let threshold: Measured<Threshold> = lab.now().and_then(|t| threshold(lab, t)).into();
    let locks_at = match threshold.value() {
        Some(Threshold { wrong_codes: Some(n), .. }) => *n,
        Some(Threshold { wrong_codes: None, .. }) => {
            let mut figures = LockoutFigures::not_measured(&format!("no lockout within {LIMIT} wrong codes"));
            figures.threshold = threshold;
            return figures;
        }
        None => {
            let mut figures = LockoutFigures::not_measured("needs the lockout threshold");
            figures.threshold = threshold;
            return figures;
        }
    };
    let locked: Measured<LockedAnswers> = locked_answers(lab, locks_at).into();
    let release = lab.waiting(|t| release(lab, locks_at, t));
    let success_resets = success_resets(lab, locks_at, window);
    let parallel_guesses = guesses::measure(lab, locks_at, &locked);
    LockoutFigures { threshold, locked, release, success_resets, parallel_guesses }
}

impl LockoutFigures {
    fn not_measured(reason: &str) -> Self {
        LockoutFigures {
            threshold: Measured::not_measured(reason),
            locked: Measured::not_measured(reason),
            release: Measured::not_measured(reason),
            success_resets: Measured::not_measured(reason),
            parallel_guesses: Measured::not_measured(reason),
        }
    }
}

/// Finds the threshold: a cheap scan of one account's answers suggests it, and the right
/// code confirms it on either side; when the answers never change (or the confirmation
/// fails), a bisection on the right code's fate decides. Only the right code depends on the
/// time (wrong codes are drawn far from any window), so each confirmation is its own
/// one-step measurement and the whole search may take a real server minutes.
fn threshold(lab: &Lab, t: SimTime) -> Result<Threshold, ProbeError> {
    let locked_after = |k: u32| -> Result<bool, ProbeError> { Ok(!right_after(lab, k)?.is_accepted()) };
    if let Some(candidate) = scan(lab, t)?
        && candidate >= 1
        && locked_after(candidate)?
        && (candidate == 1 || !locked_after(candidate - 1)?)
    {
        return Ok(Threshold { wrong_codes: Some(candidate), limit: LIMIT });
    }
    let found = first_where(1, u64::from(LIMIT), |k| locked_after(k as u32))?;
    Ok(Threshold { wrong_codes: found.map(|k| k as u32), limit: LIMIT })
}

/// Wrong codes one after another on one account until an answer (or a new prompt) differs
/// from the first wrong code's answer: the count before that is the candidate threshold.
fn scan(lab: &Lab, t: SimTime) -> Result<Option<u32>, ProbeError> {
    let subject = lab.totp_subject("lockout-scan", t)?;
    let wrong = subject.wrong_codes(t, LIMIT as usize + 1, None);
    let mut first = None;
    for (i, code) in wrong.iter().enumerate() {
        let challenge = match lab.open(&subject, Method::VirtualMfa, t)? {
            Opened::Prompt(challenge) => challenge,
            Opened::Refused(_) => return Ok(Some(i as u32)),
        };
        let answer = lab.answer(challenge, Method::VirtualMfa, code, t)?.to_string();
        match &first {
            None => first = Some(answer),
            Some(before) if *before != answer => return Ok(Some(i as u32)),
            Some(_) => {}
        }
    }
    Ok(None)
}

/// The right code's answer after `k` wrong codes on a fresh account.
fn right_after(lab: &Lab, k: u32) -> Result<Verdict, ProbeError> {
    let k = k as usize;
    lab.steady_after(
        || failed(lab, "lockout", k, k + 1),
        |(subject, prompts, _), now| lab.answer(prompts[k], Method::VirtualMfa, &subject.code(now, 0)?, now),
    )
}

/// A fresh account (bound at the target's now) with `prompts` prompts open, the first `n`
/// answered with wrong codes: what a measurement prepares before its one-step part.
fn failed(
    lab: &Lab,
    area: &str,
    n: usize,
    prompts: usize,
) -> Result<(Subject, Vec<ChallengeId>, Vec<Verdict>), ProbeError> {
    let t = lab.now()?;
    let subject = lab.totp_subject(area, t)?;
    let opened = lab.prompts(&subject, Method::VirtualMfa, prompts, t)?;
    let answers = fail(lab, &subject, &opened[..n], t)?;
    Ok((subject, opened, answers))
}

/// Locks a fresh account with `locks_at` wrong codes and records what it answers.
fn locked_answers(lab: &Lab, locks_at: u32) -> Result<LockedAnswers, ProbeError> {
    let n = locks_at as usize;
    lab.steady_after(
        || failed(lab, "lockout-locked", n, n + 2),
        |(subject, prompts, answers), t| answers_when_locked(lab, &subject, &prompts, &answers, t),
    )
}

/// What the account `subject`, locked by `answers` on the first of `prompts`, answers.
fn answers_when_locked(
    lab: &Lab,
    subject: &Subject,
    prompts: &[ChallengeId],
    answers: &[Verdict],
    t: SimTime,
) -> Result<LockedAnswers, ProbeError> {
    let n = answers.len();
    let right = lab.answer(prompts[n], Method::VirtualMfa, &subject.code(t, 0)?, t)?;
    if right.is_accepted() {
        return Err(ProbeError::unexpected("sending the right code to a locked account", right));
    }
    let extra = subject.wrong_codes(t, 1, None);
    let wrong = lab.answer(prompts[n + 1], Method::VirtualMfa, &extra[0], t)?;
    let new_prompt = match lab.open(subject, Method::VirtualMfa, t)? {
        Opened::Prompt(_) => "a new prompt opens".to_owned(),
        Opened::Refused(verdict) => verdict.to_string(),
    };
    Ok(LockedAnswers {
        wrong_before_lock: answers.first().map(Verdict::to_string).unwrap_or_default(),
        wrong: wrong.to_string(),
        right: right.to_string(),
        new_prompt,
    })
}

/// Bisects the wait after which the right code is accepted again.
fn release(lab: &Lab, locks_at: u32, t: SimTime) -> Result<Release, ProbeError> {
    let released = |wait: u64| -> Result<bool, ProbeError> {
        let subject = lab.totp_subject("lockout-release", t)?;
        let prompts = lab.prompts(&subject, Method::VirtualMfa, locks_at as usize, t)?;
        fail(lab, &subject, &prompts, t)?;
        let later = t + Duration::from_secs(wait);
        match lab.open(&subject, Method::VirtualMfa, later)? {
            Opened::Refused(_) => Ok(false),
            Opened::Prompt(challenge) => {
                Ok(lab.answer(challenge, Method::VirtualMfa, &subject.code(later, 0)?, later)?.is_accepted())
            }
        }
    };
    let after_secs = first_where(1, RELEASE_HORIZON_SECS, released)?;
    Ok(Release { after_secs, horizon_secs: RELEASE_HORIZON_SECS })
}

/// One fewer wrong codes than the threshold, the right code, one more wrong code, and the
/// next right code: accepted only if the success started the count again. The second right
/// code is the next step's (a step later on a simulated clock, else the window's newer step).
fn success_resets(lab: &Lab, locks_at: u32, window: &Measured<WindowFigures>) -> Measured<SuccessResets> {
    if let Some(reason) = lab.cannot_reuse_device() {
        return Measured::not_measured(reason);
    }
    if locks_at < 2 {
        return Measured::not_measured("the threshold is one wrong code, so no success can come between");
    }
    let wait = if lab.cannot_wait().is_none() {
        Some(STEP)
    } else if window.value().is_some_and(|w| w.ahead() >= 1) {
        None
    } else {
        return Measured::not_measured("needs clock control or a window that accepts the next step");
    };
    let n = locks_at as usize - 1;
    lab.steady_after(
        || failed(lab, "lockout-reset", n, n + 3),
        |(subject, prompts, _), t| {
            let first = lab.answer(prompts[n], Method::VirtualMfa, &subject.code(t, 0)?, t)?;
            if !first.is_accepted() {
                return Err(ProbeError::unexpected("sending the right code before the threshold", first));
            }
            fail(lab, &subject, &prompts[n + 1..n + 2], t)?;
            let (later, offset) = match wait {
                Some(step) => (t + step, 0),
                None => (t, 1),
            };
            let next =
                lab.answer(prompts[n + 2], Method::VirtualMfa, &subject.code(later, offset)?, later)?;
            Ok(SuccessResets { resets: next.is_accepted(), answer: next.to_string() })
        },
    )
    .into()
}

/// Answers each prompt with a new wrong code; returns the answers.
fn fail(
    lab: &Lab,
    subject: &Subject,
    prompts: &[ChallengeId],
    t: SimTime,
) -> Result<Vec<Verdict>, ProbeError> {
    let codes = subject.wrong_codes(t, prompts.len(), None);
    prompts.iter().zip(&codes).map(|(p, code)| lab.answer(*p, Method::VirtualMfa, code, t)).collect()
}
